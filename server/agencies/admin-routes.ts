/**
 * The admin's agency page API (admins only): GET/POST /api/admin/agencies,
 * PATCH /api/admin/agencies/:id, POST …/:id/rotate-secret (the new secret shown once),
 * POST …/:id/deactivate `{ moveOpenTicketsTo }` and POST …/:id/activate. `receivesCallerNumber`
 * decides whether forwarded tickets carry the citizen's number; in production a `forwardUrl` must
 * be https (400 `FORWARD_URL_NOT_HTTPS`).
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type {
  AgencyAdminView,
  AgencyCreated,
  AgencyDeactivated,
  AgencyTargetRequired,
  ListResponse,
} from '../../common/api.ts';
import { AGENCY_KINDS, type AgencyKind } from '../../common/domain.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import { errorBody } from '../errors.ts';
import { type AgencyAdminDeps, createAgencyAdminService, TargetRequiredError } from './admin-service.ts';

const KindSchema = Type.Unsafe<AgencyKind>({ type: 'string', enum: Object.keys(AGENCY_KINDS) });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) =>
  Type.Optional(Type.Union([t, Type.Null()]));

const CreateBody = Type.Object(
  {
    code: Type.String({ maxLength: 40 }),
    name: Type.String({ maxLength: 200 }),
    kind: KindSchema,
    unitCode: Nullable(Type.String({ maxLength: 20 })),
    forwardUrl: Nullable(Type.String({ maxLength: 500 })),
    receivesCallerNumber: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const UpdateBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    kind: Type.Optional(KindSchema),
    unitCode: Nullable(Type.String({ maxLength: 20 })),
    forwardUrl: Nullable(Type.String({ maxLength: 500 })),
    receivesCallerNumber: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const DeactivateBody = Type.Object(
  { moveOpenTicketsTo: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export async function agencyAdminRoutes(app: FastifyInstance, deps: AgencyAdminDeps): Promise<void> {
  const service = createAgencyAdminService(deps);
  const admin = requireRole('admin');

  app.get('/api/admin/agencies', { onRequest: admin }, async (): Promise<ListResponse<AgencyAdminView>> => {
    return { data: service.list() };
  });

  app.post<{ Body: Static<typeof CreateBody> }>(
    '/api/admin/agencies',
    { onRequest: admin, schema: { body: CreateBody } },
    async (request, reply): Promise<AgencyCreated> => {
      const created = service.create(request.body, currentUser(request));
      reply.status(201);
      return created;
    },
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateBody> }>(
    '/api/admin/agencies/:id',
    { onRequest: admin, schema: { params: IdParams, body: UpdateBody } },
    async (request): Promise<{ data: AgencyAdminView }> => {
      return { data: service.update(request.params.id, request.body, currentUser(request)) };
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/admin/agencies/:id/rotate-secret',
    { onRequest: admin, schema: { params: IdParams } },
    async (request): Promise<{ secret: string }> => {
      return { secret: service.rotateSecret(request.params.id, currentUser(request)) };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof DeactivateBody> }>(
    '/api/admin/agencies/:id/deactivate',
    { onRequest: admin, schema: { params: IdParams, body: DeactivateBody } },
    async (request, reply): Promise<AgencyDeactivated | AgencyTargetRequired> => {
      try {
        return service.deactivate(request.params.id, request.body.moveOpenTicketsTo, currentUser(request));
      } catch (err) {
        // The page shows the counts beside its "move open tickets to" choice.
        if (err instanceof TargetRequiredError) {
          reply.status(400);
          return { ...errorBody(err.code, err.message), openTickets: err.openTickets, rules: err.rules };
        }
        throw err;
      }
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/admin/agencies/:id/activate',
    { onRequest: admin, schema: { params: IdParams } },
    async (request): Promise<{ data: AgencyAdminView }> => {
      return { data: service.activate(request.params.id, currentUser(request)) };
    },
  );
}
