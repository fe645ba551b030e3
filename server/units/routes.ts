/**
 * Commune-level units. Any logged-in user: `GET /api/units?q=&limit=` (search by current or former
 * name, diacritics optional) and `GET /api/units/:code`. Admins: `GET /api/admin/units` (all,
 * deactivated too) and `POST /api/admin/units/import` (a `text/csv` body, or JSON `{ csv,
 * deactivateMissing? }`): all rows or none, 400 `UNITS_IMPORT_INVALID` with the bad lines.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ListResponse, UnitImportInvalid, UnitImportResult, UnitView } from '../../common/api.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { errorBody } from '../errors.ts';
import { UnitNotFoundError, UnitsImportInvalidError } from './errors.ts';
import { importUnits } from './import.ts';
import { DEFAULT_SEARCH_LIMIT, findUnit, listUnits, MAX_SEARCH_LIMIT, searchUnits } from './service.ts';

const SearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SEARCH_LIMIT })),
});
const CodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 32 }) });
const ImportJson = Type.Object(
  { csv: Type.String(), deactivateMissing: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
const ImportQuery = Type.Object({ deactivateMissing: Type.Optional(Type.Boolean()) });

/** A national list is a few MB at most; the app's default limit is for ordinary requests. */
const IMPORT_BODY_LIMIT = 4 * 1024 * 1024;

export async function unitRoutes(app: FastifyInstance, deps: { db: Db; now: () => Date }): Promise<void> {
  const { db, now } = deps;
  // Registered inside this plugin, so only these routes accept a raw CSV body.
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.get<{ Querystring: Static<typeof SearchQuery> }>(
    '/api/units',
    { onRequest: requireRole(), schema: { querystring: SearchQuery } },
    async (request): Promise<ListResponse<UnitView>> => {
      const { q = '', limit = DEFAULT_SEARCH_LIMIT } = request.query;
      return { data: searchUnits(db, q, limit) };
    },
  );

  app.get<{ Params: Static<typeof CodeParams> }>(
    '/api/units/:code',
    { onRequest: requireRole(), schema: { params: CodeParams } },
    async (request): Promise<UnitView> => {
      const unit = findUnit(db, request.params.code);
      if (!unit) throw new UnitNotFoundError(request.params.code);
      return unit;
    },
  );

  app.get(
    '/api/admin/units',
    { onRequest: requireRole('admin') },
    async (): Promise<ListResponse<UnitView>> => {
      return { data: listUnits(db) };
    },
  );

  app.post<{ Body: string | Static<typeof ImportJson>; Querystring: Static<typeof ImportQuery> }>(
    '/api/admin/units/import',
    {
      onRequest: requireRole('admin'),
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        querystring: ImportQuery,
        body: {
          content: {
            'application/json': { schema: ImportJson },
            'text/csv': { schema: Type.String() },
          },
        },
      },
    },
    async (request, reply): Promise<UnitImportResult | UnitImportInvalid> => {
      const body = request.body;
      const csv = typeof body === 'string' ? body : body.csv;
      const deactivateMissing =
        (typeof body === 'string' ? request.query.deactivateMissing : body.deactivateMissing) ?? false;
      const actorId = currentUser(request).id;
      try {
        const result = importUnits(db, csv, { actorId, now: now(), deactivateMissing });
        request.log.info({ userId: actorId, ...result }, 'units imported');
        return result;
      } catch (err) {
        if (!(err instanceof UnitsImportInvalidError)) throw err;
        // The error handler sends only code and message; the form also lists every bad line.
        return reply.status(400).send({ ...errorBody(err.code, err.message), errors: err.errors });
      }
    },
  );
}
