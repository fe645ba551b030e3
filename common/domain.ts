/** Reference data shared by the server, the IVR and the console. Labels are Vietnamese first. */

/**
 * SIP header on the INVITEs Asterisk's fallback queue sends to operators' softphones (while the
 * call controller is down): the console shows such a call as a fallback call, with no screen-pop.
 */
export const FALLBACK_CALL_HEADER = 'X-Hotline-Fallback';

/**
 * Call queues. The key is also the operator skill that serves it; the IVR menu configuration
 * (`ivr/menu.json`) says which menu key leads to which queue.
 */
export const QUEUES = {
  health: { label: 'Y tế' },
  welfare: { label: 'An sinh xã hội' },
  goods: { label: 'Hàng hóa thiết yếu' },
  infrastructure: { label: 'Hạ tầng đô thị và dịch vụ công' },
  general: { label: 'Gặp tổng đài viên' },
} as const;
export type QueueName = keyof typeof QUEUES;
export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

/** A key from the categories table (admin-maintained data); the IVR queue a call came through suggests one. */
export type Category = string;

export type Role = 'operator' | 'supervisor' | 'agency' | 'admin';
export const ROLES = ['operator', 'supervisor', 'agency', 'admin'] as const satisfies readonly Role[];
/** The roles that answer calls: they have a browser softphone (a PJSIP account) and queues. */
export const SOFTPHONE_ROLES = ['operator', 'supervisor'] as const satisfies readonly Role[];
export function hasSoftphone(role: Role): boolean {
  return (SOFTPHONE_ROLES as readonly Role[]).includes(role);
}

/** Commune-level units since 1 July 2025: xã, phường, đặc khu (special zone). */
export const UNIT_KINDS = { xa: 'Xã', phuong: 'Phường', dac_khu: 'Đặc khu' } as const;
export type UnitKind = keyof typeof UNIT_KINDS;

/**
 * What an agency is: a provincial department or office, a commune's People's Committee (with its
 * unit), the police, social insurance, a utility, or a district's committee from before the 2025
 * reform (kept for old tickets, to be deactivated).
 */
export const AGENCY_KINDS = {
  department: 'Sở, ban, ngành tỉnh',
  commune_committee: 'UBND xã, phường, đặc khu',
  police: 'Công an',
  social_insurance: 'Bảo hiểm xã hội',
  utility: 'Đơn vị cung cấp dịch vụ (điện, nước, môi trường…)',
  district_committee: 'UBND cấp huyện (trước 1/7/2025)',
} as const;
export type AgencyKind = keyof typeof AGENCY_KINDS;

/**
 * Why a citizen call ended, as the call flow decides it; stored in call records.
 * - `abandoned_in_queue`: the caller hung up while waiting (or while an operator's phone rang)
 * - `caller_hung_up` / `agent_hung_up`: the end of a talk, by who hung up first
 * - `caller_hung_up_in_menu` / `caller_hung_up_in_lookup`: before reaching a queue
 * - `status_given`: the hotline read the status, said goodbye and hung up
 * - `no_input`: the caller keyed nothing at the status line; the hotline said goodbye and hung up
 * - `code_not_accepted`: no valid code after the last attempt, and the caller chose neither an
 *   operator nor the menu
 * - `after_hours_message`: the caller left a message after hours (it becomes a callback task)
 * - `after_hours_no_message`: an after-hours caller hung up or said nothing before the message
   was recorded (nothing to call back about; the number is in the call record)
 * - `callback_requested`: the caller asked to be called back while waiting (the task keeps their place)
 * - `error`: the controller could not recover the call and hung up (the citizen is owed a call:
 *   a callback task, source `dropped`)
 */
export const END_REASONS = [
  'caller_hung_up_in_menu',
  'abandoned_in_queue',
  'caller_hung_up',
  'agent_hung_up',
  'caller_hung_up_in_lookup',
  'status_given',
  'no_input',
  'code_not_accepted',
  'after_hours_message',
  'after_hours_no_message',
  'callback_requested',
  'error',
] as const;
export type EndReason = (typeof END_REASONS)[number];

/** A stored recording of a call: the operator's conversation with the caller, or an after-hours message. */
export type RecordingKind = 'conversation' | 'message';

/**
 * How an offer to an operator ended: `answered`; `no_answer` (rang out or declined); `failed`
 * (the softphone could not be reached, or the controller failed); `withdrawn` (the caller hung up
 * while it rang).
 */
export type OfferOutcome = 'answered' | 'no_answer' | 'failed' | 'withdrawn';

/**
 * Why the hotline owes a citizen a call: they hung up while waiting (`abandoned`), left a message
 * after hours (`after_hours`), pressed 1 at the callback offer while waiting (`offer`), or the
 * hotline itself ended their call because it could not recover it (`dropped`).
 */
export const CALLBACK_SOURCES = ['abandoned', 'after_hours', 'offer', 'dropped'] as const;
export type CallbackSource = (typeof CALLBACK_SOURCES)[number];

/**
 * How an operator's call to a citizen went: `reached` (answered; closes the task), `no_answer`
 * (rang out, unavailable, or cancelled), `busy` (SIP 486/600), `failed` (anything else, also an
 * attempt whose operator never reported back).
 */
export const CALLBACK_OUTCOMES = ['reached', 'no_answer', 'busy', 'failed'] as const;
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];

/**
 * `attempts_exhausted`: the last allowed attempt failed; `supervisor`: given up by hand, with a
 * note; `merged`: an older open task of the same number took it over (tasks made before one open
 * task per number was the rule).
 */
export type CallbackGiveUpReason = 'attempts_exhausted' | 'supervisor' | 'merged';

/**
 * How a task was closed as reached: the citizen's later call was answered (`later_call`), the
 * hotline's queue callback connected them to an operator (`queue_callback`), or an operator who
 * claimed the task reached them (`operator`).
 */
export type CallbackReachedBy = 'later_call' | 'queue_callback' | 'operator';

/** Who placed a callback attempt: an operator who claimed the task, or the hotline for a kept place (`queue`). */
export type CallbackAttemptKind = 'operator' | 'queue';

/**
 * Whether the hotline can call this caller id back: digits (a leading + allowed), 3 to 15 of
 * them. A withheld number arrives as `anonymous`, `unknown`, `restricted` or empty.
 */
export function isDialableNumber(number: string): boolean {
  return /^\+?\d{3,15}$/.test(number.trim()) && !/^\+?0+$/.test(number.trim());
}

/**
 * What an operator chose (`ready`, `not_ready` with a reason, `offline`), plus what the ACD sets:
 * `ringing` / `on_call` while a call is theirs, `wrap_up` for a while after it. Calls are offered
 * only to `ready` operators.
 */
export const AGENT_STATES = ['not_ready', 'ready', 'ringing', 'on_call', 'wrap_up', 'offline'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/**
 * Why an operator is not ready. Operators choose `break` (nghỉ giải lao), `training` (đào tạo) or
 * `callback_work` (gọi lại cho dân); the hotline sets `missed_call` when an offer rang out or was
 * declined, and `connection_lost` when their console or softphone dropped.
 */
export const NOT_READY_REASONS = [
  'break',
  'training',
  'callback_work',
  'missed_call',
  'connection_lost',
] as const;
export type NotReadyReason = (typeof NOT_READY_REASONS)[number];
/** The reasons an operator may choose; the others are the hotline's. */
export const CHOSEN_NOT_READY_REASONS = [
  'break',
  'training',
  'callback_work',
] as const satisfies readonly NotReadyReason[];
export type ChosenNotReadyReason = (typeof CHOSEN_NOT_READY_REASONS)[number];
export type SystemNotReadyReason = Exclude<NotReadyReason, ChosenNotReadyReason>;

/**
 * A ticket's life cycle (server/tickets/lifecycle.ts has the rules):
 *
 *   received ─┬─► answered_at_intake ─► closed
 *             ├─► callback_pending ─► answered_at_intake | assigned
 *             └─► assigned ─► acknowledged ─► in_progress ─► pending_review ─► resolved ─► closed
 *                    │  ▲          │                            │ (sent back)      │
 *                    ▼  │          ▼                            ▼                  ▼
 *                  returned ◄──────┘                       in_progress          reopened ─► assigned
 *
 * plus `rejected` and `duplicate` (each with a reason) from any open state. "Overdue" is computed
 * from the due times, never stored as a state.
 */
export const TICKET_STATUSES = [
  'received',
  'answered_at_intake',
  'callback_pending',
  'assigned',
  'acknowledged',
  'returned',
  'in_progress',
  'pending_review',
  'resolved',
  'closed',
  'reopened',
  'rejected',
  'duplicate',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** What a person can do to a ticket; each maps to one transition (or a note) in the life cycle. */
export const TICKET_ACTIONS = [
  'assign',
  'answer',
  'request_callback',
  'acknowledge',
  'return',
  'start',
  'note',
  'post_result',
  'approve',
  'send_back',
  'close',
  'reopen',
  'reject',
  'mark_duplicate',
] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

/** khẩn (around the clock) / bình thường / phức tạp. */
export const PRIORITIES = { urgent: 'Khẩn', normal: 'Bình thường', complex: 'Phức tạp' } as const;
export type Priority = keyof typeof PRIORITIES;

/** Delivery of a ticket to its agency's webhook; `dead` waits for a supervisor's retry. */
export type DeliveryStatus = 'none' | 'pending' | 'delivered' | 'dead';

/** Why the hotline texts a citizen; one message per ticket and event at most. */
export type SmsEvent =
  | 'ticket_created'
  | 'ticket_resolved'
  | 'status_lookup'
  /** The one-time code that confirms a citizen's number on the web form. */
  | 'phone_code'
  /** A written request's tracking code, sent when it is taken in. */
  | 'written_received';
