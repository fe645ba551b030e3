/**
 * Accounts, for admins only (others 403, no session 401):
 * GET /api/admin/users (`?role=&q=`), POST /api/admin/users (→ the account and its one-time
 * password), PATCH /api/admin/users/:id, POST /api/admin/users/:id/disable | enable | reset-password.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AccountCreated, AccountView, ListResponse } from '../../common/api.ts';
import { QUEUE_NAMES, ROLES } from '../../common/domain.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import { type AccountService, USERNAME_PATTERN } from './service.ts';

const RoleSchema = Type.Union(ROLES.map((role) => Type.Literal(role)));
const Skills = Type.Array(Type.Union(QUEUE_NAMES.map((queue) => Type.Literal(queue))), {
  maxItems: QUEUE_NAMES.length,
});
const DisplayName = Type.String({ minLength: 1, maxLength: 100 });
const AgencyId = Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]);

const CreateBody = Type.Object(
  {
    username: Type.String({ pattern: USERNAME_PATTERN }),
    displayName: DisplayName,
    role: RoleSchema,
    skills: Type.Optional(Skills),
    agencyId: Type.Optional(AgencyId),
  },
  { additionalProperties: false },
);

const UpdateBody = Type.Object(
  {
    displayName: Type.Optional(DisplayName),
    role: Type.Optional(RoleSchema),
    skills: Type.Optional(Skills),
    agencyId: Type.Optional(AgencyId),
  },
  { additionalProperties: false },
);

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const ListQuery = Type.Object({
  role: Type.Optional(RoleSchema),
  q: Type.Optional(Type.String({ maxLength: 100 })),
});

export async function userRoutes(app: FastifyInstance, deps: { accounts: AccountService }): Promise<void> {
  const { accounts } = deps;
  const admin = { onRequest: requireRole('admin') };

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/admin/users',
    { ...admin, schema: { querystring: ListQuery } },
    async (request): Promise<ListResponse<AccountView>> => ({
      data: accounts.list({
        ...(request.query.role ? { role: request.query.role } : {}),
        ...(request.query.q ? { q: request.query.q } : {}),
      }),
    }),
  );

  app.post<{ Body: Static<typeof CreateBody> }>(
    '/api/admin/users',
    { ...admin, schema: { body: CreateBody } },
    async (request, reply): Promise<AccountCreated> => {
      const { account, oneTimePassword } = await accounts.create(currentUser(request).id, request.body);
      request.log.info({ userId: account.id, role: account.role }, 'account created');
      reply.status(201);
      return { data: account, oneTimePassword };
    },
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateBody> }>(
    '/api/admin/users/:id',
    { ...admin, schema: { params: IdParams, body: UpdateBody } },
    async (request): Promise<{ data: AccountView }> => ({
      data: accounts.update(currentUser(request).id, request.params.id, request.body),
    }),
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/admin/users/:id/disable',
    { ...admin, schema: { params: IdParams } },
    async (request): Promise<{ data: AccountView }> => {
      const data = accounts.disable(currentUser(request).id, request.params.id);
      request.log.info({ userId: data.id }, 'account disabled');
      return { data };
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/admin/users/:id/enable',
    { ...admin, schema: { params: IdParams } },
    async (request): Promise<{ data: AccountView }> => ({
      data: accounts.enable(currentUser(request).id, request.params.id),
    }),
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/admin/users/:id/reset-password',
    { ...admin, schema: { params: IdParams } },
    async (request): Promise<AccountCreated> => {
      const { account, oneTimePassword } = await accounts.resetPassword(
        currentUser(request).id,
        request.params.id,
      );
      request.log.info({ userId: account.id }, 'account password reset');
      return { data: account, oneTimePassword };
    },
  );
}
