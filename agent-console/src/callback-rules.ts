/** Pure rules of the operator's callback list: order, what a row offers, and how a dial ended. */
import type { CallbackTaskView } from '../../common/api.ts';
import type { CallbackOutcome } from '../../common/domain.ts';

/** Oldest first by waiting-since (an offer keeps the caller's place), then by id. */
export function sortCallbacks(tasks: readonly CallbackTaskView[]): CallbackTaskView[] {
  return [...tasks].sort((a, b) => a.waitingSince.localeCompare(b.waitingSince) || a.id - b.id);
}

/**
 * What a row lets this operator do: call (`due`), nothing while another operator calls
 * (`taken`), nothing until the spacing after the last attempt passed (`later`), or carry on
 * with their own claim (`mine`).
 */
export type CallbackRowState = 'due' | 'mine' | 'taken' | 'later' | 'inQueue';

export function callbackRowState(task: CallbackTaskView, operatorId: number, now: Date): CallbackRowState {
  // The caller's place is kept in the queue: the hotline dials them itself when it comes.
  if (task.heldInQueue) return 'inQueue';
  if (task.claimedBy) return task.claimedBy.id === operatorId ? 'mine' : 'taken';
  if (task.nextAttemptAt && Date.parse(task.nextAttemptAt) > now.getTime()) return 'later';
  return 'due';
}

/**
 * How a callback call that never connected went, from JsSIP's failure cause: `Busy` is SIP
 * 486/600; rang out, unavailable (480, 408, 410), timed out or cancelled by the operator count as
 * no answer; anything else (refused, not found, network) as failed.
 */
export function outcomeOfFailure(cause: string): CallbackOutcome {
  switch (cause) {
    case 'Busy':
      return 'busy';
    case 'No Answer':
    case 'Unavailable':
    case 'Request Timeout':
    case 'Canceled':
    case 'Expires':
      return 'no_answer';
    default:
      return 'failed';
  }
}
