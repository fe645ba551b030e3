import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { CategoryView, ListResponse } from '../../common/api.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { CategoryKeySchema } from '../routing/routes.ts';
import { createCategory, listCategories, updateCategory } from './service.ts';

const Name = Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' });
/**
 * An integer or null as one JSON type list, not a union: with type coercion on, ajv would turn a
 * 0 that fails the integer branch into the null branch's null.
 */
const nullableInteger = (limits: { minimum: number; maximum?: number }) =>
  Type.Unsafe<number | null>({ type: ['integer', 'null'], ...limits });
const AgencyId = nullableInteger({ minimum: 1 });
const WorkingDays = nullableInteger({ minimum: 1, maximum: 365 });
const SortOrder = Type.Integer({ minimum: 0, maximum: 10_000 });

const ListQuery = Type.Object({ all: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0')])) });
const CreateBody = Type.Object(
  {
    key: CategoryKeySchema,
    name: Name,
    defaultAgencyId: Type.Optional(AgencyId),
    resolveWorkingDays: Type.Optional(WorkingDays),
    sortOrder: Type.Optional(SortOrder),
  },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  {
    name: Type.Optional(Name),
    defaultAgencyId: Type.Optional(AgencyId),
    resolveWorkingDays: Type.Optional(WorkingDays),
    active: Type.Optional(Type.Boolean()),
    sortOrder: Type.Optional(SortOrder),
  },
  { additionalProperties: false },
);
const KeyParams = Type.Object({ key: CategoryKeySchema });

export async function categoryRoutes(app: FastifyInstance, deps: { db: Db }): Promise<void> {
  const { db } = deps;
  const admin = requireRole('admin');

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/categories',
    { onRequest: requireRole(), schema: { querystring: ListQuery } },
    async (request): Promise<ListResponse<CategoryView>> => {
      // Inactive categories are the admin's business; everyone else sees what can be chosen.
      const includeInactive = request.query.all === '1' && currentUser(request).role === 'admin';
      return { data: listCategories(db, { includeInactive }) };
    },
  );

  app.post<{ Body: Static<typeof CreateBody> }>(
    '/api/admin/categories',
    { onRequest: admin, schema: { body: CreateBody } },
    async (request, reply) =>
      reply.status(201).send({ data: createCategory(db, request.body, currentUser(request).id) }),
  );

  app.patch<{ Params: Static<typeof KeyParams>; Body: Static<typeof UpdateBody> }>(
    '/api/admin/categories/:key',
    { onRequest: admin, schema: { params: KeyParams, body: UpdateBody } },
    async (request): Promise<{ data: CategoryView }> => ({
      data: updateCategory(db, request.params.key, request.body, currentUser(request).id),
    }),
  );
}
