/**
 * Which members of the fallback queue Asterisk may ring: a member is paused (`QueuePause`) unless
 * their operator is ready as the hotline knows it, so that a caller who reaches the fallback queue
 * never rings an operator on a break, in training, who missed a call or logged out. The passing
 * states the hotline sets around a call (`ringing`, `on_call`, `wrap_up`) keep the member
 * unpaused: the operator chose to take calls, app_queue sees their softphone busy by itself, and a
 * pause and unpause around every call would be work for nothing. Pure: no I/O.
 */
import type { AgentStateView } from '../common/events.ts';
import type { AmiMessage } from './ami.ts';
import { FALLBACK_QUEUE_NAME } from './constants.ts';

/** A member's wanted pause; the reason is what QueuePause's `Reason` (and QueueStatus) says. */
export type MemberPause = { paused: false } | { paused: true; reason: string };

const UNPAUSED: MemberPause = { paused: false };

/** The pause that follows an operator's state; an operator the hotline does not know is `offline`. */
export function pauseOf(status: Pick<AgentStateView, 'state' | 'reason'> | null): MemberPause {
  switch (status?.state) {
    case 'ready':
    case 'ringing':
    case 'on_call':
    case 'wrap_up':
      return UNPAUSED;
    case 'not_ready':
      return { paused: true, reason: status.reason ?? 'not_ready' };
    default:
      return { paused: true, reason: 'offline' };
  }
}

export function samePause(a: MemberPause | undefined, b: MemberPause): boolean {
  if (!a || a.paused !== b.paused) return false;
  return !a.paused || (b.paused && a.reason === b.reason);
}

/**
 * The `QueuePause` actions that give the queue's present members (`QueueStatus`' `QueueMember`
 * events) the pause wanted for their endpoint: only where the paused state or its reason differs.
 * Members without a wanted pause (no operator's, left to `memberActions`) are not touched.
 */
export function pauseActions(
  entries: readonly AmiMessage[],
  wanted: ReadonlyMap<string, MemberPause>,
): Record<string, string>[] {
  const actions: Record<string, string>[] = [];
  for (const e of entries) {
    if (e.event !== 'QueueMember' || e.queue !== FALLBACK_QUEUE_NAME || !e.location) continue;
    const pause = wanted.get(e.location.replace(/^[^/]*\//, ''));
    if (!pause) continue;
    const now: MemberPause =
      e.paused === '1' ? { paused: true, reason: e.pausedreason ?? '' } : { paused: false };
    if (samePause(now, pause)) continue;
    actions.push({
      action: 'QueuePause',
      queue: FALLBACK_QUEUE_NAME,
      interface: e.location,
      paused: String(pause.paused),
      ...(pause.paused ? { reason: pause.reason } : {}),
    });
  }
  return actions;
}
