/** What the rest of the hotline sees of the call controller. */

import type { CoachingMode, CoachingView } from '../common/api.ts';
import type {
  CallbackOutcome,
  EndReason,
  NotReadyReason,
  OfferOutcome,
  QueueName,
} from '../common/domain.ts';
import type { AgentStateView, CallPop, WallboardSnapshot } from '../common/events.ts';

/** An operator the controller may ring, with the PJSIP endpoint of their browser softphone. */
export interface OperatorEndpoint {
  operatorId: number;
  displayName: string;
  /** PJSIP endpoint name, e.g. `tdv01` (dialled as `PJSIP/tdv01`). */
  sipEndpoint: string;
  skills: QueueName[];
}

/**
 * An operator and their softphone's SIP password: what Asterisk needs to let the softphone
 * register. The password is that of the operator's live login; null while they have none, and
 * Asterisk then has no account for them (nothing can register or be rung).
 */
export interface OperatorAccount extends OperatorEndpoint {
  sipPassword: string | null;
  /**
   * False for a supervisor: their softphone only listens in on calls (coaching), so the ACD never
   * offers it a citizen's call. True when absent.
   */
  takesCalls?: boolean;
}

/** A call as the console sees it, before the server adds the caller's ticket history. */
export type CallInfo = Omit<CallPop, 'history'>;

/** Notifications from the controller; the server turns them into socket.io events. */
export interface IvrEvents {
  callOffered(operatorId: number, call: CallInfo): void;
  callAnswered(operatorId: number, call: CallInfo): void;
  callEnded(operatorId: number, callId: string): void;
  agentStateChanged(operatorId: number, status: AgentStateView): void;
  /** Something on the wallboard changed: queue lengths, agent states or telephony up/down. */
  wallboardChanged(): void;
  /** A supervisor joined a call, changed mode or is off it (`mode` null, with why). */
  coachingChanged?(change: CoachingChange): void;
}

/** A supervisor asks to be on a call in progress, through their own softphone. */
export interface CoachRequest {
  callId: string;
  mode: CoachingMode;
  supervisor: {
    id: number;
    /** Their softphone's PJSIP endpoint (their user name), rung for the coaching leg. */
    endpoint: string;
    displayName: string;
  };
}

/**
 * Why a supervisor is off a call: they asked (`left`), their softphone hung up, the talk ended
 * (either side hung up, or the operator dropped), a change of mode failed half-way (`failed`: the
 * supervisor's leg is hung up rather than left in a state nobody asked for), or after a reconnect
 * their leg or the talk was gone.
 */
export type CoachingEnd = 'left' | 'supervisor_hung_up' | 'talk_ended' | 'failed' | 'reconnected';

export interface CoachingChange {
  callId: string;
  operatorId: number;
  supervisorId: number;
  /** Null once the supervisor is off the call. */
  mode: CoachingMode | null;
  ended?: CoachingEnd;
}

/**
 * Why a coaching request was refused:
 * - `CALL_NOT_IN_TALK`: no call of that id is being talked (ended, ringing or waiting);
 * - `COACHING_TAKEN`: another supervisor is on that call;
 * - `ALREADY_COACHING`: the supervisor is on another call (one at a time: one softphone);
 * - `SOFTPHONE_UNREACHABLE`: Asterisk could not ring the supervisor's softphone (not registered);
 * - `SOFTPHONE_NO_ANSWER`: it rang but did not answer;
 * - `NOT_COACHING`: the supervisor is not on that call (leaving).
 */
export type CoachingErrorCode =
  | 'CALL_NOT_IN_TALK'
  | 'COACHING_TAKEN'
  | 'ALREADY_COACHING'
  | 'SOFTPHONE_UNREACHABLE'
  | 'SOFTPHONE_NO_ANSWER'
  | 'NOT_COACHING';

export class CoachingError extends Error {
  constructor(
    readonly code: CoachingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One step in the life of a citizen call, as the controller saw it; the server keeps them as the
 * call's record. Every event carries the call id (the citizen channel's id) and when it happened.
 * - `arrived`: the call entered the IVR (also when a restarted controller adopts it)
 * - `digit`: a key pressed at the menu (the menu path; tracking-code digits are not reported)
 * - `queued`: the caller joined a queue (a call put back at the head after a failed offer is not
 *   a new join)
 * - `offered` / `offerEnded`: an operator's softphone rang, and how that ended
 * - `answered`: caller and operator are talking
 * - `recorded`: a recording of the call was stored in Asterisk under `name`: the caller's message
 *   after hours (`message`) or the answered conversation (`conversation`)
 * - `operatorLost`: the operator's console or softphone dropped mid-call; the caller went back to
 *   the head of the queue
 * - `ended`: the call is over, with the flow's reason
 */
export type CallRecordEvent = { callId: string; at: Date } & (
  | { type: 'arrived'; callerNumber: string }
  | { type: 'digit'; digit: string }
  | { type: 'queued'; queue: QueueName }
  | { type: 'offered'; operatorId: number }
  | { type: 'offerEnded'; operatorId: number; outcome: OfferOutcome }
  | { type: 'answered'; operatorId: number }
  | { type: 'recorded'; kind: 'message' | 'conversation'; name: string }
  | { type: 'operatorLost'; operatorId: number }
  | { type: 'ended'; reason: EndReason }
);

/** What the call records know of a call, so a restarted controller adopts it as it was. */
export interface RecordedCall {
  queue: QueueName | null;
  /** When the caller first joined a queue: their place in it. */
  queuedAt: Date | null;
  /** Keys pressed at the menu, in order. */
  menuPath: string;
  answeredAt: Date | null;
  /** Operators' softphones rung for the call so far: its next agent leg and recording are numbered after them. */
  offers: number;
  /** Whether the record has its end already. */
  ended?: boolean;
}

/** Receives the controller's call record events; must not throw (the server logs its own failures). */
export interface CallRecorder {
  record(event: CallRecordEvent): void;
  /** The record of a call, if there is one; read when a restarted controller adopts calls. */
  recall?(callId: string): RecordedCall | null;
  /**
   * How long the calls answered since `since` waited in their queue, oldest answer first: a
   * restarted controller's wait estimates go on from them.
   */
  recentWaits?(since: Date): AnsweredWait[];
}

/**
 * The record of a call, or null when there is none or it could not be read (logged): a failing
 * read only loses the record's details, never the call.
 */
export function recallSafely(
  records: CallRecorder,
  callId: string,
  log: { error(obj: object, msg: string): void },
): RecordedCall | null {
  try {
    return records.recall?.(callId) ?? null;
  } catch (err) {
    log.error({ err, callId }, 'could not read the call record');
    return null;
  }
}

/** Stores a call event; a failing write is logged, never thrown: it loses a detail, not the call. */
export function recordSafely(
  records: CallRecorder,
  event: CallRecordEvent,
  log: { error(obj: object, msg: string): void },
): void {
  try {
    records.record(event);
  } catch (err) {
    log.error({ err, callId: event.callId, event: event.type }, 'could not record a call event');
  }
}

/** An answered call's wait in its queue. */
export interface AnsweredWait {
  queue: QueueName;
  answeredAt: Date;
  waitMs: number;
  /** Talk plus the operator's wrap-up, and when that ended; once the call is over. */
  handle?: { endedAt: Date; handleMs: number };
}

/**
 * What a caller hears about a ticket. The status line maps the ticket life cycle's statuses onto
 * these groups; the IVR has one prompt per group.
 * - `received`: taken in, waiting to be routed to an agency (also returned or reopened tickets)
 * - `callback`: an operator will call back with the answer
 * - `assigned`: sent to the agency, not yet acknowledged
 * - `in_progress`: the agency acknowledged it and is working on it (also while its answer is reviewed)
 * - `resolved`: the agency's result was approved (also once closed)
 * - `answered`: the operator answered it during the call
 * - `rejected`, `duplicate`: closed without action of its own
 */
export type TicketStatusGroup =
  | 'received'
  | 'callback'
  | 'assigned'
  | 'in_progress'
  | 'resolved'
  | 'answered'
  | 'rejected'
  | 'duplicate';

/**
 * The status line's answer for a code keyed in by phone. `invalid_code`: the check digit does not
 * match (a typo), so the code is never matched to someone else's ticket. `smsSent`: the result was
 * texted to the caller just now (only for a resolved ticket, only to the ticket's own number,
 * once per ticket).
 */
export type StatusLookup =
  | { kind: 'invalid_code' }
  | { kind: 'not_found' }
  | { kind: 'found'; group: TicketStatusGroup; smsSent: boolean };

/** The "tra cứu kết quả" menu option's view of the tickets; the server implements it. */
export interface TicketStatusLine {
  lookup(trackingCode: string, callerNumber: string): Promise<StatusLookup>;
}

/**
 * Whether a caller goes ahead of new callers in the queue: the same number called within the
 * last 30 minutes, or a callback task of theirs is open. The server implements it over the call
 * records; the controller asks once per call and treats a slow or failing answer as "no".
 */
export interface CallerHistory {
  isReturning(caller: { callId: string; callerNumber: string }, now: Date): Promise<boolean>;
}

/**
 * An open callback task whose caller's place the ACD keeps (they pressed 1 while waiting): what a
 * (re)started controller rebuilds its queue callback entries from.
 */
export interface HeldCallback {
  /** The latest call that asked for the callback: the entry's id is made from it. */
  callId: string;
  callerNumber: string;
  queue: QueueName;
  /** The menu key that chose the queue ('' if none). */
  menuChoice: string;
  /** When the caller first joined the queue: the place kept. */
  waitingSince: Date;
  /** Attempts the hotline has made itself so far. */
  attempts: number;
  /** Not tried again before this (the spacing after an attempt); null when due. */
  nextAttemptAt: Date | null;
}

/** An attempt the hotline is making for a held task (ids of the server's rows). */
export interface QueueCallbackAttempt {
  taskId: number;
  attemptId: number;
}

/**
 * The server's callback tasks as the queue callback sees them. Every method is synchronous and
 * must not throw into the controller (the server logs its own failures and answers as if nothing
 * were held).
 */
export interface QueueCallbackStore {
  /** Open tasks the ACD keeps a place for. */
  held(): HeldCallback[];
  /**
   * The hotline is dialling the citizen for the task of this number with `operatorId` reserved:
   * an attempt opens (one left without an outcome counts as failed first). Null when the number
   * has no open held task any more (the citizen got through meanwhile): the entry is dropped.
   */
  attemptStarted(callerNumber: string, operatorId: number, at: Date): QueueCallbackAttempt | null;
  /**
   * How the attempt ended. `callId`: the attempt's call (when the citizen answered). `next`: tried
   * again at `notBefore`, left to a person (`person`: the task stays open, out of the ACD), or
   * reached (`done`: the task is closed as reached by the queue callback).
   */
  attemptEnded(
    attempt: QueueCallbackAttempt,
    result: {
      outcome: CallbackOutcome;
      detail: string | null;
      at: Date;
      callId: string | null;
      next: 'retry' | 'person' | 'done';
      notBefore: Date | null;
    },
  ): void;
  /**
   * The number's task leaves the ACD without an attempt: the citizen called again and their new
   * call took the place. The task stays open.
   */
  release(callerNumber: string, at: Date): void;
  /**
   * Subscribes the controller, once, to tasks that stop being held by something else than its own
   * calls to the store: a supervisor gave the task up, or a later call reached the citizen. The
   * controller then drops the number's place from the ACD at once. The listener does not throw.
   */
  watch?(released: (callerNumber: string) => void): void;
}

/**
 * What an operator asked for (or the hotline for them: offline when they log out, not ready with
 * `connection_lost` when their console drops). An operator ringing, on a call or in wrap-up stays
 * so until it ends, except that `ready` ends wrap-up at once.
 */
export type AgentRequest =
  | { state: 'ready' }
  | { state: 'not_ready'; reason: NotReadyReason }
  | { state: 'offline' };

export interface Ivr {
  /** Connects to ARI (and keeps reconnecting) and starts handling calls. */
  start(): Promise<void>;
  /** Stops taking calls and closes the ARI connection; calls in Asterisk are left as they are. */
  stop(): Promise<void>;
  /** Throws `UnknownOperatorError` for an operator the controller does not know. */
  setAgentState(operatorId: number, request: AgentRequest): AgentStateView;
  agentStatus(operatorId: number): AgentStateView;
  /** More time for wrap-up, capped; throws `NotInWrapUpError` when the operator is not in wrap-up. */
  extendWrapUp(operatorId: number): AgentStateView;
  /**
   * The operator's console dropped (not a log-out): they become not ready (`connection_lost`), and a
   * call ringing or talking to them goes back to the head of its queue, the caller hearing an apology.
   */
  operatorLost(operatorId: number): void;
  /** The operator pressed hang-up on the call (before their softphone's BYE); false if it is not theirs. */
  operatorHangsUp(operatorId: number, callId: string): boolean;
  /** The call ringing (`answered` false) or talking to an operator, for a console that (re)connects. */
  currentCall(operatorId: number): { call: CallInfo; answered: boolean } | null;
  snapshot(now: Date): WallboardSnapshot;
  /** A stored recording's WAV file (a caller's message or a conversation); null when there is none. */
  storedRecording(name: string): Promise<Buffer | null>;
  /**
   * Deletes a stored recording from Asterisk (the retention period is over): true once it is gone,
   * also when there was none of that name; false when there is no telephony to ask. Rejects while
   * Asterisk is unreachable.
   */
  deleteStoredRecording(name: string): Promise<boolean>;
  /**
   * The operators from now on (all of them, not a change). New ones can register and take calls
   * (offline until they choose otherwise); changed ones keep their state with the new name,
   * skills or password; an operator left out is no longer offered calls, loses the call ringing
   * or talking to them (the caller goes back to the head of the queue), leaves the wallboard,
   * and their softphone account is deleted from Asterisk (also while the controller is stopped).
   * Resolves once Asterisk has the accounts; rejects when some could not be pushed, e.g. while
   * Asterisk is unreachable (the next call, or the reconnect, pushes them).
   */
  setOperators(operators: OperatorAccount[]): Promise<void>;
  /**
   * Puts the supervisor on the call in the mode asked for: the first time, their softphone is rung
   * (and answers by itself) and joined; after that only the mode changes, on the same leg.
   * Resolves once the supervisor hears the call; rejects with `CoachingError`. Absent without
   * telephony.
   */
  coach?(request: CoachRequest): Promise<CoachingView>;
  /** Takes the supervisor off the call: only their own leg hangs up. Rejects with `CoachingError`. */
  leaveCoaching?(callId: string, supervisorId: number): Promise<void>;
  /**
   * Sets a global dialplan variable through the controller's ARI client (an operator's dial
   * permit for a callback, `server/callbacks/dial-permits.ts`). Rejects while Asterisk's REST
   * interface does not answer. Absent without telephony.
   */
  setGlobalVariable?(name: string, value: string): Promise<void>;
  /**
   * Reads a global dialplan variable through the same client ('' when unset): the watchdog's beat
   * for `/api/health`. Rejects while Asterisk's REST interface does not answer. Absent without telephony.
   */
  globalVariable?(name: string): Promise<string>;
}

export class UnknownOperatorError extends Error {
  readonly code = 'UNKNOWN_OPERATOR';
  constructor(operatorId: number) {
    super(`Operator ${operatorId} is not a switchboard operator`);
  }
}

export class NotInWrapUpError extends Error {
  readonly code = 'NOT_IN_WRAP_UP';
  constructor(operatorId: number) {
    super(`Operator ${operatorId} is not in wrap-up`);
  }
}
