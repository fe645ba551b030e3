/**
 * Pure rules of the queue callback: a caller who pressed 1 while waiting keeps their place in
 * the ACD as an entry without a channel; when it is served, the hotline dials the citizen through
 * the trunk. What an attempt's end means, when the entry is tried again, and when it is left to
 * a person. Table-tested; no I/O (the only impurity: `DIAL_BOOT`, drawn once at start).
 */
import { randomBytes } from 'node:crypto';
import type { CallbackOutcome } from '../common/domain.ts';

/** How queue callbacks are dialled: `HOTLINE_QUEUE_CALLBACK_*` in the configuration. */
export interface QueueCallbackPolicy {
  /** Attempts the hotline makes itself before the task is left to a person (default 3). */
  maxAttempts: number;
  /** Spacing after an attempt that did not reach the citizen (default 120 s). */
  retryMs: number;
  /** How long the citizen's phone rings (default 30 s). */
  ringSeconds: number;
}

export const DEFAULT_QUEUE_CALLBACK: QueueCallbackPolicy = Object.freeze({
  maxAttempts: 3,
  retryMs: 120_000,
  ringSeconds: 30,
});

/** The caller id the citizen sees when the hotline calls them back. */
export const HOTLINE_CALLER_ID = '1022';

/** The ACD id of the entry that keeps the place of the call `callId` (the call that asked for it). */
export const queueCallbackEntryId = (callId: string): string => `qcb-${callId}`;

/**
 * This process's token for the channels it dials (6 hex digits, fresh at every start). The attempts
 * made so far come from the server's tasks, which may lag what a killed controller dialled: a
 * channel it left ringing may still hold `<entry>-<n>`, and ARI refuses an id in use.
 */
export const DIAL_BOOT = randomBytes(3).toString('hex');

/**
 * The channel of the n-th attempt for an entry, `<entry>-<n>-<boot>` (the call record of that
 * attempt has this id); `boot` keeps it apart from the channels of a controller before a restart.
 */
export const queueCallbackChannelId = (entryId: string, attempt: number, boot: string = DIAL_BOOT): string =>
  `${entryId}-${attempt}-${boot}`;

/**
 * How an attempt that never reached Stasis ended, from the channel's hang-up cause (Q.850):
 * 17 user busy (SIP 486) is `busy`; no answer, no user responding, rejected (SIP 603), absent or
 * a plain clearing before an answer is `no_answer`; anything else (no route, bad number,
 * congestion) is `failed`.
 */
export function outcomeOfCause(cause: number): Exclude<CallbackOutcome, 'reached'> {
  if (cause === 17) return 'busy';
  if ([0, 16, 18, 19, 20, 21].includes(cause)) return 'no_answer';
  return 'failed';
}

/**
 * After an attempt: `done` once the citizen is reached; otherwise tried again after the spacing
 * (keeping the place), or, after the last allowed attempt, left to a person (the task stays open
 * in the callback list and the entry leaves the ACD).
 */
export type NextStep = { next: 'done' } | { next: 'retry'; notBefore: Date } | { next: 'person' };

export function afterQueueAttempt(
  attemptsSoFar: number,
  outcome: CallbackOutcome,
  now: Date,
  policy: Pick<QueueCallbackPolicy, 'maxAttempts' | 'retryMs'>,
): NextStep {
  if (outcome === 'reached') return { next: 'done' };
  if (attemptsSoFar >= policy.maxAttempts) return { next: 'person' };
  return { next: 'retry', notBefore: new Date(now.getTime() + policy.retryMs) };
}
