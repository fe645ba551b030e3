/** socket.io contract between the server and the console. Event names are `entity:verb`. */
import type {
  CallbackTaskView,
  CoachingMode,
  HotlineSettings,
  SettingsSection,
  TicketSummary,
  TicketView,
} from './api.ts';
import type { ContactHistoryItem, DeskTasksView } from './desk.ts';
import type { AgentState, ChosenNotReadyReason, NotReadyReason, QueueName } from './domain.ts';

/** Acknowledgement of a client request. */
export type Ack<T> = { data: T } | { error: { code: string; message: string } };

/** The screen-pop: who is calling and why, with that number's earlier tickets. */
export interface CallPop {
  callId: string;
  caller: string;
  queue: QueueName;
  /** The IVR digit the caller pressed. */
  menuChoice: string;
  waitedSeconds: number;
  /** The hotline called the citizen back for the place they kept in the queue. */
  callback?: boolean;
  history: TicketSummary[];
  /** The citizen's contacts on every channel (calls, tickets, web, Zalo, app), newest first. */
  contacts?: ContactHistoryItem[];
}

export interface QueueStats {
  queue: QueueName;
  waiting: number;
  /** Seconds the oldest waiting caller has waited; 0 when nobody waits. */
  longestWaitSeconds: number;
  /** Calls answered by an operator since local midnight (Asia/Ho_Chi_Minh). */
  answered: number;
  /** Callers who hung up while waiting (any wait) since local midnight. */
  abandoned: number;
  /**
   * Today's service level (0–1): calls answered within `HOTLINE_SERVICE_LEVEL_SECONDS` (20 s by
   * default) of joining the queue ÷ `serviceLevelCalls`; null when that is 0.
   */
  serviceLevel: number | null;
  /**
   * The service level's divisor: today's answered calls plus callers who hung up after waiting
   * longer than `HOTLINE_SHORT_ABANDON_SECONDS` (5 s by default); shorter abandons are left out.
   */
  serviceLevelCalls: number;
  /** Mean wait from joining the queue to being answered, today, in whole seconds; null when none was answered. */
  averageSpeedOfAnswerSeconds: number | null;
}

/** Today's figures of a queue before any call is counted; the server fills them from the call records. */
export const NO_CALL_FIGURES: Pick<
  QueueStats,
  'answered' | 'abandoned' | 'serviceLevel' | 'serviceLevelCalls' | 'averageSpeedOfAnswerSeconds'
> = Object.freeze({
  answered: 0,
  abandoned: 0,
  serviceLevel: null,
  serviceLevelCalls: 0,
  averageSpeedOfAnswerSeconds: null,
});

/** An operator's state as they and the wallboard see it. */
export interface AgentStateView {
  state: AgentState;
  /** ISO time the agent entered this state (or this not-ready reason). */
  since: string;
  /** Why they are not ready; null in any other state. */
  reason: NotReadyReason | null;
  /** ISO time wrap-up ends by itself; null unless `wrap_up`. */
  wrapUpEndsAt: string | null;
}

export interface AgentStatus extends AgentStateView {
  operatorId: number;
  displayName: string;
  /** The call the operator is talking on (`on_call`), which a supervisor may join. */
  callId?: string;
}

/** What an operator may ask for from the console: ready, or not ready with a reason they choose. */
export type AgentStateRequest = { state: 'ready' } | { state: 'not_ready'; reason: ChosenNotReadyReason };

/**
 * How calls are handled right now:
 * - `normal`: the call controller is connected and runs the IVR and the queues;
 * - `fallback`: the controller is not connected, Asterisk is up: the dialplan sends callers to
 *   Asterisk's own queue, which rings the same operators (figures in `fallbackQueue`);
 * - `down`: Asterisk itself cannot be reached.
 */
export type TelephonyMode = 'normal' | 'fallback' | 'down';

/** The dialplan's fallback queue, as Asterisk reports it over AMI. */
export interface FallbackQueueStats {
  waiting: number;
  /** Seconds the oldest waiting caller has waited; 0 when nobody waits. */
  longestWaitSeconds: number;
  /** Calls an operator answered through the fallback queue since the server started. */
  answered: number;
  /** Callers who hung up waiting in the fallback queue since the server started. */
  abandoned: number;
}

export interface WallboardSnapshot {
  at: string;
  /** Seconds within which an answer counts toward `serviceLevel`. */
  serviceLevelSeconds?: number;
  /** False while the controller has no ARI connection. */
  telephonyUp: boolean;
  mode: TelephonyMode;
  /** Present while Asterisk's manager interface is followed (AMI connected); null otherwise. */
  fallbackQueue: FallbackQueueStats | null;
  queues: QueueStats[];
  agents: AgentStatus[];
}

/** One saved settings section and its new value. */
export type SettingsUpdate = {
  [S in SettingsSection]: { section: S; value: HotlineSettings[S] };
}[SettingsSection];

export interface ServerToClientEvents {
  /** To one operator: a call is ringing on their softphone. */
  'call:offered': (pop: CallPop) => void;
  /** To one operator: they are now talking to the caller. */
  'call:answered': (pop: CallPop) => void;
  /** To one operator: the call ended (either side hung up) or the offer was withdrawn. */
  'call:ended': (e: { callId: string }) => void;
  /** To one operator: their own state changed. */
  'agent:state': (e: AgentStateView) => void;
  /** To the ticket's agency room and to supervisors: a ticket was created or changed. */
  'ticket:updated': (ticket: TicketView) => void;
  /** To supervisors (and the agency): a deadline passed, or 75% of its time did (`warning`). */
  'ticket:deadline': (e: {
    ticketId: number;
    trackingCode: string;
    kind: 'warning' | 'overdue';
    due: 'ack' | 'resolve';
  }) => void;
  /** To operators, supervisors and admins: a callback task was opened or changed (claimed, attempted, closed). */
  'callback:updated': (task: CallbackTaskView) => void;
  /** To supervisors: the whole wallboard, pushed on every change. */
  'wallboard:updated': (s: WallboardSnapshot) => void;
  /** To supervisors and admins: an admin saved a settings section (e.g. the wallboard's thresholds). */
  'settings:updated': (e: SettingsUpdate) => void;
  /** To the operator (as the province's coaching setting lets them know) and to the supervisor: see `CoachingNotice`. */
  'coaching:changed': (e: CoachingNotice) => void;
  /** To one operator: the written tasks they hold changed (given, released, done); shown without a ring. */
  'desk:tasks': (e: DeskTasksView) => void;
}

/**
 * A supervisor's presence on a call changed. The operator gets the mode they are to be told of
 * (whisper and barge, listen too if the province says so; null: nobody they are told of); the
 * supervisor gets their own mode, null once they are off the call (they left, hung up, or the
 * talk ended).
 */
export interface CoachingNotice {
  callId: string;
  operatorId: number;
  mode: CoachingMode | null;
}

export interface ClientToServerEvents {
  /** Ready, or not ready with a reason. Ready during wrap-up ends it; anything else waits for its end. */
  'agent:setState': (request: AgentStateRequest, ack: (r: Ack<AgentStateView>) => void) => void;
  /** More time for wrap-up (`HOTLINE_WRAP_UP_EXTENSION_SECONDS`, up to `HOTLINE_WRAP_UP_MAX_SECONDS` in all). */
  'agent:extendWrapUp': (ack: (r: Ack<AgentStateView>) => void) => void;
  /**
   * The operator pressed hang-up; sent before the softphone's BYE. A talk ends for the caller only
   * after this (or when the caller hangs up): any other end of the operator's leg counts as a drop,
   * and the caller goes back to the head of the queue.
   */
  'call:hangup': (e: { callId: string }, ack: (r: Ack<{ callId: string }>) => void) => void;
}
