/**
 * Who gets which written task: a pure function of the operators' states, the open requests and
 * the time. The desk (`service.ts`) feeds it and carries out its answer.
 *
 * Calls keep priority. Only a `ready` operator is given a task; ringing, on a call, in wrap-up,
 * not ready and offline operators never are, so a written task never rings or interrupts a call.
 * Holding written tasks does not make an operator less available for calls: the call controller
 * still offers them calls while they are ready.
 *
 * Order: the most urgent task first (the earliest first-response due time, i.e. arrival plus its
 * channel's target), to the ready operator holding the fewest tasks, ties to the one longest in
 * `ready`; nobody holds more than `maxTasks`.
 *
 * Release: a task held by an operator who is offline, or whose console connection was lost, for
 * `offlineGraceMs` goes back to the pool; a task given by the desk and not opened within
 * `openTimeoutMs` goes back too, and is given to someone else while anyone else can take it.
 */
import type { AgentState, NotReadyReason } from '../../common/domain.ts';

export type TaskChannel = 'web' | 'zalo' | 'app';

export interface DeskOperator {
  operatorId: number;
  state: AgentState;
  reason: NotReadyReason | null;
  /** When the operator entered this state. */
  since: Date;
}

export interface DeskTask {
  requestId: number;
  channel: TaskChannel;
  createdAt: Date;
  /** The operator holding it, by the desk's hand or their own; null in the pool. */
  heldBy: number | null;
  /** When the desk gave it; null when the operator took it by hand (already opened). */
  givenAt: Date | null;
  /** When the holder opened it; a task taken by hand counts as opened. */
  openedAt: Date | null;
  /** The operator it was taken back from for not being opened: given to someone else first. */
  passedOverBy: number | null;
}

export interface DeskPolicy {
  maxTasks: number;
  offlineGraceMs: number;
  openTimeoutMs: number;
  /** First-response target by channel, ms: the urgency order. */
  targetMs: Record<TaskChannel, number>;
}

export interface DeskRelease {
  requestId: number;
  operatorId: number;
  why: 'offline' | 'not_opened';
}

export interface DeskAssignment {
  requestId: number;
  operatorId: number;
}

export interface DeskDecision {
  release: DeskRelease[];
  assign: DeskAssignment[];
}

/** Away for good enough to lose one's tasks: logged out, or the console lost. */
function away(op: DeskOperator): boolean {
  return op.state === 'offline' || (op.state === 'not_ready' && op.reason === 'connection_lost');
}

export function decide(
  operators: readonly DeskOperator[],
  tasks: readonly DeskTask[],
  policy: DeskPolicy,
  now: Date,
): DeskDecision {
  const byId = new Map(operators.map((op) => [op.operatorId, op]));
  const release: DeskRelease[] = [];
  const held = new Map<number, number>();
  const pool: DeskTask[] = [];

  for (const task of tasks) {
    if (task.heldBy === null) {
      pool.push(task);
      continue;
    }
    const holder = byId.get(task.heldBy);
    // A holder the controller does not know (a supervisor who took it by hand) keeps it.
    const gone =
      holder !== undefined && away(holder) && now.getTime() - holder.since.getTime() >= policy.offlineGraceMs;
    const unopened =
      task.givenAt !== null &&
      task.openedAt === null &&
      now.getTime() - task.givenAt.getTime() >= policy.openTimeoutMs;
    if (gone || unopened) {
      release.push({
        requestId: task.requestId,
        operatorId: task.heldBy,
        why: gone ? 'offline' : 'not_opened',
      });
      pool.push({ ...task, heldBy: null, passedOverBy: unopened && !gone ? task.heldBy : task.passedOverBy });
      continue;
    }
    held.set(task.heldBy, (held.get(task.heldBy) ?? 0) + 1);
  }

  const ready = operators.filter((op) => op.state === 'ready');
  const due = (t: DeskTask) => t.createdAt.getTime() + policy.targetMs[t.channel];
  pool.sort(
    (a, b) => due(a) - due(b) || a.createdAt.getTime() - b.createdAt.getTime() || a.requestId - b.requestId,
  );

  const assign: DeskAssignment[] = [];
  for (const task of pool) {
    const free = ready
      .filter((op) => (held.get(op.operatorId) ?? 0) < policy.maxTasks)
      .sort(
        (a, b) =>
          (held.get(a.operatorId) ?? 0) - (held.get(b.operatorId) ?? 0) ||
          a.since.getTime() - b.since.getTime() ||
          a.operatorId - b.operatorId,
      );
    if (free.length === 0) break;
    const chosen = free.find((op) => op.operatorId !== task.passedOverBy) ?? free[0];
    if (!chosen) break;
    assign.push({ requestId: task.requestId, operatorId: chosen.operatorId });
    held.set(chosen.operatorId, (held.get(chosen.operatorId) ?? 0) + 1);
  }
  return { release, assign };
}
