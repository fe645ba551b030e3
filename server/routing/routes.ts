import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AgencyView, ListResponse, RoutingException } from '../../common/api.ts';
import { toAgencyView } from '../agencies/service.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { deleteException, listExceptions, putException, suggestAgency } from './service.ts';

/** A category key as stored on tickets. */
export const CategoryKeySchema = Type.String({ pattern: '^[a-z][a-z0-9_]{1,31}$' });
/** A unit's official code. */
export const UnitCodeSchema = Type.String({ minLength: 1, maxLength: 16, pattern: '^[0-9A-Za-z_-]+$' });

const SuggestQuery = Type.Object({ category: CategoryKeySchema, unitCode: Type.Optional(UnitCodeSchema) });
const ListQuery = Type.Object({ category: CategoryKeySchema });
const ExceptionKey = Type.Object({ category: CategoryKeySchema, unitCode: UnitCodeSchema });
const PutBody = Type.Object(
  { category: CategoryKeySchema, unitCode: UnitCodeSchema, agencyId: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

export async function routingRoutes(app: FastifyInstance, deps: { db: Db }): Promise<void> {
  const { db } = deps;
  const hotline = requireRole('operator', 'supervisor', 'admin');
  const admin = requireRole('admin');

  app.get<{ Querystring: Static<typeof SuggestQuery> }>(
    '/api/routing/suggest',
    { onRequest: hotline, schema: { querystring: SuggestQuery } },
    async (request): Promise<AgencyView> =>
      toAgencyView(suggestAgency(db, request.query.category, request.query.unitCode ?? null)),
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/routing/exceptions',
    { onRequest: hotline, schema: { querystring: ListQuery } },
    async (request): Promise<ListResponse<RoutingException>> => ({
      data: listExceptions(db, request.query.category),
    }),
  );

  app.put<{ Body: Static<typeof PutBody> }>(
    '/api/routing/exceptions',
    { onRequest: admin, schema: { body: PutBody } },
    async (request): Promise<{ data: RoutingException }> => ({
      data: putException(db, request.body, currentUser(request).id),
    }),
  );

  app.delete<{ Querystring: Static<typeof ExceptionKey> }>(
    '/api/routing/exceptions',
    { onRequest: admin, schema: { querystring: ExceptionKey } },
    async (request, reply) => {
      deleteException(db, request.query.category, request.query.unitCode, currentUser(request).id);
      return reply.status(204).send();
    },
  );
}
