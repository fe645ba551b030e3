/**
 * The admin's Open311 client apps (admins only): GET/POST /api/admin/open311/clients,
 * POST …/:id/rotate-key (the new key shown once), POST …/:id/deactivate and …/:id/activate.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ListResponse, Open311ClientKey, Open311ClientView } from '../../common/api.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import { type ClientAdminDeps, createClientAdmin } from './clients.ts';

const CreateBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 120 }) },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export async function open311AdminRoutes(app: FastifyInstance, deps: ClientAdminDeps): Promise<void> {
  const clients = createClientAdmin(deps);
  const admin = requireRole('admin');

  app.get(
    '/api/admin/open311/clients',
    { onRequest: admin },
    async (): Promise<ListResponse<Open311ClientView>> => {
      return { data: clients.list() };
    },
  );

  app.post<{ Body: Static<typeof CreateBody> }>(
    '/api/admin/open311/clients',
    { onRequest: admin, schema: { body: CreateBody } },
    async (request, reply): Promise<Open311ClientKey> => {
      const created = clients.create(request.body.name, currentUser(request).id);
      reply.status(201);
      return created;
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/admin/open311/clients/:id/rotate-key',
    { onRequest: admin, schema: { params: IdParams } },
    async (request): Promise<Open311ClientKey> =>
      clients.rotateKey(request.params.id, currentUser(request).id),
  );

  for (const [action, active] of [
    ['deactivate', false],
    ['activate', true],
  ] as const) {
    app.post<{ Params: Static<typeof IdParams> }>(
      `/api/admin/open311/clients/:id/${action}`,
      { onRequest: admin, schema: { params: IdParams } },
      async (request): Promise<{ data: Open311ClientView }> => ({
        data: clients.setActive(request.params.id, active, currentUser(request).id),
      }),
    );
  }
}
