/**
 * Supervisors on calls in progress (supervisors and admins; an admin has no softphone and is told
 * so with 409 `NO_SOFTPHONE`):
 * - POST /api/calls/:callId/coaching {mode: listen | whisper | barge}: joins the call through the
 *   user's softphone (rung, answered by their console), or switches mode on the same leg; answers
 *   once they hear the call. 404 `CALL_NOT_IN_TALK` (no such call being talked); 409
 *   `COACHING_TAKEN` (another supervisor is on it), `ALREADY_COACHING` (the user is on another
 *   call), `SOFTPHONE_UNREACHABLE` (their softphone is not registered), `SOFTPHONE_NO_ANSWER`,
 *   `NO_TELEPHONY`.
 * - DELETE /api/calls/:callId/coaching: leaves; only the supervisor's leg hangs up. 204; 404
 *   `NOT_COACHING`.
 * Every use is audited (`coaching.listen|whisper|barge|leave`, entity `call`).
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { COACHING_MODES, type CoachingView } from '../../common/api.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import type { CoachingService } from './service.ts';

const Params = Type.Object({ callId: Type.String({ minLength: 1, maxLength: 200 }) });
const Body = Type.Object(
  { mode: Type.Union(COACHING_MODES.map((m) => Type.Literal(m))) },
  { additionalProperties: false },
);

type Route = { Params: Static<typeof Params> };

export async function coachingRoutes(
  app: FastifyInstance,
  deps: { coaching: CoachingService },
): Promise<void> {
  const supervisors = requireRole('supervisor', 'admin');

  app.post<Route & { Body: Static<typeof Body> }>(
    '/api/calls/:callId/coaching',
    { onRequest: supervisors, schema: { params: Params, body: Body } },
    async (request): Promise<CoachingView> =>
      deps.coaching.coach(currentUser(request), request.params.callId, request.body.mode),
  );

  app.delete<Route>(
    '/api/calls/:callId/coaching',
    { onRequest: supervisors, schema: { params: Params } },
    async (request, reply) => {
      await deps.coaching.leave(currentUser(request), request.params.callId);
      return reply.status(204).send();
    },
  );
}
