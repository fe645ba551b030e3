/**
 * Which ended calls leave a callback task behind (one open task per citizen), who may call a
 * citizen back when, and what an attempt's outcome does to the task: pure, table-tested.
 */
import {
  type CallbackGiveUpReason,
  type CallbackOutcome,
  type CallbackSource,
  type EndReason,
  isDialableNumber,
  type QueueName,
} from '../../common/domain.ts';
import type { CallbackStatus } from './schema.ts';

/** Calls that came through no queue (an after-hours message) are called back by any operator. */
export const QUEUE_FOR_UNQUEUED_CALLS: QueueName = 'general';

/** A citizen's call that left the hotline owing them a call. */
export interface CallbackRequest {
  source: CallbackSource;
  callId: string;
  queue: QueueName;
  /** When the call ended. */
  at: Date;
  /** Where the task sorts in the list: an offer keeps the caller's place in the queue. */
  waitingSince: Date;
  /** Stored-recording name of the caller's after-hours message. */
  recording: string | null;
}

/** What the mapping needs of the ended call's record. */
export interface EndedCall {
  id: string;
  callerNumber: string;
  queue: QueueName | null;
  queuedAt: Date | null;
  answeredAt: Date | null;
}

/**
 * The callback a call's end asks for, if any: a caller who hung up while waiting (never answered),
 * a caller who pressed 1 at the callback offer (waiting since they joined the queue), or an
 * after-hours message (with its recording, when one was stored). Never for a withheld number:
 * nobody could dial it, and all such callers would land in one task.
 */
export function callbackRequestFor(
  call: EndedCall,
  reason: EndReason,
  at: Date,
  message: string | null,
): CallbackRequest | null {
  if (!isDialableNumber(call.callerNumber)) return null;
  const base = { callId: call.id, at, recording: null };
  switch (reason) {
    case 'abandoned_in_queue':
      if (!call.queue || call.answeredAt) return null;
      return { ...base, source: 'abandoned', queue: call.queue, waitingSince: at };
    case 'callback_requested':
      return {
        ...base,
        source: 'offer',
        queue: call.queue ?? QUEUE_FOR_UNQUEUED_CALLS,
        waitingSince: call.queuedAt ?? at,
      };
    case 'after_hours_message':
      return {
        ...base,
        source: 'after_hours',
        queue: call.queue ?? QUEUE_FOR_UNQUEUED_CALLS,
        waitingSince: at,
        recording: message,
      };
    case 'error':
      // The hotline hung up on the citizen, whatever they were doing: the call is owed to them.
      return { ...base, source: 'dropped', queue: call.queue ?? QUEUE_FOR_UNQUEUED_CALLS, waitingSince: at };
    default:
      return null;
  }
}

export type RequestDecision = { kind: 'create' } | { kind: 'merge'; callbackId: number };

/**
 * A request joins the number's open task, however long after its last request (the database
 * holds at most one), or opens a new task.
 */
export function decideOnRequest(open: readonly { id: number }[]): RequestDecision {
  const task = open[0];
  return task ? { kind: 'merge', callbackId: task.id } : { kind: 'create' };
}

/** The fields of an open task a merge may change. */
export interface MergeableTask {
  source: CallbackSource;
  callId: string;
  queue: QueueName;
  lastRequestAt: Date;
  waitingSince: Date;
  requests: number;
  recording: string | null;
  recordingCallId: string | null;
}

/**
 * A task after a request merged into it: one more request; the latest request's call, queue and
 * source; the earliest waiting-since (a caller who tried again keeps their older place); the
 * latest recorded message, so an after-hours message is never dropped by a later abandon.
 */
export function mergeRequest(task: MergeableTask, request: CallbackRequest): MergeableTask {
  const later = request.at >= task.lastRequestAt;
  const takeRecording = request.recording !== null && (later || task.recording === null);
  return {
    ...task,
    requests: task.requests + 1,
    waitingSince: new Date(Math.min(request.waitingSince.getTime(), task.waitingSince.getTime())),
    ...(later
      ? { source: request.source, callId: request.callId, queue: request.queue, lastRequestAt: request.at }
      : {}),
    ...(takeRecording ? { recording: request.recording, recordingCallId: request.callId } : {}),
  };
}

/** How callbacks are retried: `HOTLINE_CALLBACK_*` in the configuration. */
export interface CallbackPolicy {
  /** Attempts before a task is given up. */
  maxAttempts: number;
  /** Wait after an attempt that did not reach the citizen. */
  spacingMs: number;
  /** How long a claim keeps other operators off a task while its operator dials. */
  claimMs: number;
}

/** What deciding a claim needs of the task. */
export interface ClaimableTask {
  status: CallbackStatus;
  claimedBy: number | null;
  claimedUntil: Date | null;
  nextAttemptAt: Date | null;
  /** The ACD keeps the caller's place: the hotline dials them itself when it comes. */
  queueHeld?: boolean;
}

export type ClaimRefusal = 'closed' | 'taken' | 'not_due' | 'in_queue';

/**
 * Whether `operatorId` may call the citizen now: the task is open, no other operator holds an
 * unexpired claim (no two operators call the same citizen), and the spacing after the last
 * attempt has passed; a task whose place the ACD keeps is the hotline's to dial. The claim's own operator may claim again (e.g. after reloading the page).
 */
export function claimRefusal(task: ClaimableTask, operatorId: number, now: Date): ClaimRefusal | null {
  if (task.status !== 'open') return 'closed';
  // The hotline calls the citizen itself when their kept place comes; a person takes over after.
  if (task.queueHeld) return 'in_queue';
  const held = task.claimedBy !== null && task.claimedUntil !== null && task.claimedUntil > now;
  if (held && task.claimedBy !== operatorId) return 'taken';
  if (task.nextAttemptAt !== null && task.nextAttemptAt > now) return 'not_due';
  return null;
}

/** A task after an attempt's outcome; the claim is always released. */
export interface TaskAfterAttempt {
  status: CallbackStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  closedAt: Date | null;
  givenUpReason: CallbackGiveUpReason | null;
}

/**
 * Reached closes the task. Otherwise the task is due again after the spacing, or, when that was
 * the last allowed attempt, given up (`attempts_exhausted`).
 */
export function afterAttempt(
  attemptsBefore: number,
  outcome: CallbackOutcome,
  now: Date,
  policy: Pick<CallbackPolicy, 'maxAttempts' | 'spacingMs'>,
): TaskAfterAttempt {
  const attempts = attemptsBefore + 1;
  if (outcome === 'reached') {
    return { status: 'reached', attempts, nextAttemptAt: null, closedAt: now, givenUpReason: null };
  }
  if (attempts >= policy.maxAttempts) {
    return {
      status: 'given_up',
      attempts,
      nextAttemptAt: null,
      closedAt: now,
      givenUpReason: 'attempts_exhausted',
    };
  }
  return {
    status: 'open',
    attempts,
    nextAttemptAt: new Date(now.getTime() + policy.spacingMs),
    closedAt: null,
    givenUpReason: null,
  };
}
