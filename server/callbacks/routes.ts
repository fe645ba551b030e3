/**
 * Callback tasks over HTTP:
 * - GET /api/callbacks?status=&limit= (operators, supervisors, admins): oldest first
 * - GET /api/callbacks/:id (same roles): the task with its attempts and the citizen's full number
 *   (each view in the audit log; lists and pushes show it masked)
 * - POST /api/callbacks/:id/claim (operators): take the task and dial; 409 when another operator
 *   has it, it is not due yet, it is closed, or the operator is on a call
 * - POST /api/callbacks/:id/outcome (operators): how the claimed attempt went
 * - POST /api/callbacks/:id/give-up (supervisors, admins): close it with a reason
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {
  CallbackTaskDetail,
  CallbackTaskView,
  ClaimCallbackResponse,
  ListResponse,
} from '../../common/api.ts';
import { CALLBACK_OUTCOMES } from '../../common/domain.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import type { CallbackService } from './service.ts';

const Query = Type.Object(
  {
    status: Type.Optional(
      Type.Union([Type.Literal('open'), Type.Literal('reached'), Type.Literal('given_up')]),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);
const Params = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const OutcomeBody = Type.Object(
  {
    attemptId: Type.Integer({ minimum: 1 }),
    outcome: Type.Union(CALLBACK_OUTCOMES.map((o) => Type.Literal(o))),
    detail: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
const GiveUpBody = Type.Object(
  { reason: Type.String({ minLength: 3, maxLength: 500, pattern: '\\S' }) },
  { additionalProperties: false },
);

type Id = { Params: Static<typeof Params> };

function operatorOf(request: FastifyRequest): { id: number; endpoint: string } {
  const user = currentUser(request);
  // An operator's PJSIP endpoint is their user name (server/operators/sip-accounts.ts).
  return { id: user.id, endpoint: user.username };
}

export async function callbackRoutes(
  app: FastifyInstance,
  deps: { callbacks: CallbackService },
): Promise<void> {
  const { callbacks } = deps;
  const readers = requireRole('operator', 'supervisor', 'admin');

  app.get<{ Querystring: Static<typeof Query> }>(
    '/api/callbacks',
    { onRequest: readers, schema: { querystring: Query } },
    async (request): Promise<ListResponse<CallbackTaskView>> => ({
      data: callbacks.list({ status: request.query.status ?? 'open', limit: request.query.limit ?? 200 }),
    }),
  );

  app.get<Id>(
    '/api/callbacks/:id',
    { onRequest: readers, schema: { params: Params } },
    async (request): Promise<CallbackTaskDetail> =>
      callbacks.detail(request.params.id, currentUser(request).id),
  );

  app.post<Id>(
    '/api/callbacks/:id/claim',
    { onRequest: requireRole('operator'), schema: { params: Params } },
    async (request): Promise<ClaimCallbackResponse> =>
      callbacks.claim(request.params.id, operatorOf(request)),
  );

  app.post<Id & { Body: Static<typeof OutcomeBody> }>(
    '/api/callbacks/:id/outcome',
    { onRequest: requireRole('operator'), schema: { params: Params, body: OutcomeBody } },
    async (request): Promise<CallbackTaskView> =>
      callbacks.reportOutcome(request.params.id, operatorOf(request), request.body),
  );

  app.post<Id & { Body: Static<typeof GiveUpBody> }>(
    '/api/callbacks/:id/give-up',
    { onRequest: requireRole('supervisor', 'admin'), schema: { params: Params, body: GiveUpBody } },
    async (request): Promise<CallbackTaskView> =>
      callbacks.giveUp(request.params.id, currentUser(request).id, request.body.reason.trim()),
  );
}
