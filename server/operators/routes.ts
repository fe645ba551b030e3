/**
 * GET /api/wallboard (supervisors, admins): queues and operators as the wallboard shows them.
 * PUT /api/agent/state (operators, supervisors with a softphone): ready, or not ready with a reason
 * they choose (`break`, `training`, `callback_work`); socket.io's `agent:setState` does the same.
 */
import type { FastifyInstance } from 'fastify';
import { CHOSEN_NOT_READY_REASONS } from '../../common/domain.ts';
import type { AgentStateRequest, AgentStateView, WallboardSnapshot } from '../../common/events.ts';
import type { Desk } from '../app.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import { AppError } from '../errors.ts';

export class InvalidAgentStateError extends AppError {
  constructor() {
    super('INVALID_AGENT_STATE', 400, 'Trạng thái không hợp lệ: chỉ có "ready" hoặc "not_ready".');
  }
}

export class UnknownNotReadyReasonError extends AppError {
  constructor() {
    super(
      'UNKNOWN_NOT_READY_REASON',
      400,
      `Lý do tạm nghỉ không hợp lệ: chọn một trong ${CHOSEN_NOT_READY_REASONS.join(', ')}.`,
    );
  }
}

/**
 * A state request from a console or API client. Throws `InvalidAgentStateError` for a state other
 * than ready / not_ready, `UnknownNotReadyReasonError` for a reason an operator may not choose
 * (the hotline's own reasons included) or a missing one.
 */
export function parseAgentStateRequest(value: unknown): AgentStateRequest {
  const { state, reason } = (typeof value === 'object' && value !== null ? value : {}) as {
    state?: unknown;
    reason?: unknown;
  };
  if (state === 'ready') {
    if (reason !== undefined && reason !== null) throw new UnknownNotReadyReasonError();
    return { state };
  }
  if (state !== 'not_ready') throw new InvalidAgentStateError();
  const chosen = CHOSEN_NOT_READY_REASONS.find((r) => r === reason);
  if (!chosen) throw new UnknownNotReadyReasonError();
  return { state, reason: chosen };
}

export async function operatorRoutes(
  app: FastifyInstance,
  deps: { desk: Desk; now?: () => Date },
): Promise<void> {
  const now = deps.now ?? (() => new Date());
  app.get(
    '/api/wallboard',
    { onRequest: requireRole('supervisor', 'admin') },
    async (): Promise<WallboardSnapshot> => deps.desk.snapshot(now()),
  );
  app.put(
    '/api/agent/state',
    { onRequest: requireRole('operator', 'supervisor') },
    async (request): Promise<AgentStateView> =>
      deps.desk.setAgentState(currentUser(request).id, parseAgentStateRequest(request.body)),
  );
}
