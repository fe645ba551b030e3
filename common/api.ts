/** REST request and response bodies shared by the server and the console. */
import type {
  AgencyKind,
  CallbackAttemptKind,
  CallbackGiveUpReason,
  CallbackOutcome,
  CallbackReachedBy,
  CallbackSource,
  Category,
  DeliveryStatus,
  EndReason,
  NotReadyReason,
  OfferOutcome,
  Priority,
  QueueName,
  RecordingKind,
  Role,
  SmsEvent,
  TicketAction,
  TicketStatus,
  UnitKind,
} from './domain.ts';

/**
 * POST /api/tickets: a key (1–128 printable ASCII characters) the console sends per submission
 * of the form; a retry with the same key and body answers with the ticket already created.
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** Every error response: `{ error: { code, message } }`. `message` is Vietnamese, safe to show. */
export interface ApiError {
  error: { code: string; message: string };
}

export interface LoginRequest {
  username: string;
  password: string;
}

export interface UserView {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  /** Queues this operator serves. */
  skills: QueueName[];
  agencyId: number | null;
}

/** A STUN or TURN server for the softphone's media, as `RTCPeerConnection` takes it. */
export interface IceServer {
  urls: string[];
  /** TURN only: a user name and password that expire with the login (the TURN REST scheme). */
  username?: string;
  credential?: string;
}

/**
 * Softphone registration details, only ever sent to the operator they belong to. The password is
 * this login's own: it stops working at logout, at the session's expiry, when the account is
 * disabled, or when the same user logs in elsewhere (the newest login takes the softphone).
 */
export interface SipCredentials {
  /** e.g. `sip:tdv01@hotline.local` */
  uri: string;
  authorizationUser: string;
  password: string;
  /** SIP over WebSocket, e.g. `ws://127.0.0.1:8088/ws` or `wss://1022.example.gov.vn/ws` */
  wsUrl: string;
  /** Empty when no TURN server is configured (operators on the hotline's own network). */
  iceServers: IceServer[];
}

export interface MeResponse {
  user: UserView;
  /** Null while `mustChangePassword`: no softphone before the user's own password. */
  sip: SipCredentials | null;
  /** A new or reset account: only `GET /api/me`, `POST /api/auth/password` and log-out until changed. */
  mustChangePassword: boolean;
}

export interface AgencyView {
  id: number;
  code: string;
  name: string;
  kind: AgencyKind;
  /** A commune's People's Committee: the unit it governs. */
  unitCode: string | null;
  /** False once deactivated: suggested for no new ticket. */
  active: boolean;
}

export interface CreateTicketRequest {
  /** The call the ticket came from, when logged during a call. */
  callId?: string;
  callerNumber: string;
  callerName?: string;
  /** A key of an active category. */
  category: Category;
  /** The commune-level unit concerned; omitted: chưa xác định. */
  unitCode?: string;
  /** Street address or place within the unit, at most 300 characters. */
  address?: string;
  description: string;
  /** Overrides the suggested agency. */
  agencyId?: number;
  /** Defaults to `normal`. */
  priority?: Priority;
  /**
   * What the operator did on the call: forward to an agency (default), answered the question on
   * the spot (`answer` required), or must find the answer and call back.
   */
  outcome?: 'assign' | 'answered' | 'callback';
  answer?: string;
  /** The citizen's written request the ticket is made from: the ticket keeps its tracking code. */
  writtenRequestId?: number;
}

/** POST /api/tickets/:id/actions. Which fields are required depends on the action. */
export interface TicketActionRequest {
  action: TicketAction;
  /** Required for return, send_back, reopen, reject, mark_duplicate. */
  reason?: string;
  /** Progress note (note), the answer given (answer), or the result (post_result). */
  text?: string;
  /** assign: the agency; defaults to the routing suggestion. */
  agencyId?: number;
  /** mark_duplicate: the ticket this one duplicates. */
  parentId?: number;
}

/** POST /api/tickets/:id/extension: one extension per ticket, supervisors only. */
export interface ExtensionRequest {
  reason: string;
  /** New resolution deadline (ISO time), later than the current one. */
  resolveDueAt: string;
}

/** One line of a ticket's append-only audit log. */
export interface TicketEventView {
  at: string;
  actor: { id: number; displayName: string; role: Role } | null;
  action: TicketAction | 'create' | 'extend' | 'escalate' | 'warn' | 'deliver';
  from: TicketStatus | null;
  to: TicketStatus | null;
  reason: string | null;
  text: string | null;
}

export interface TicketView {
  id: number;
  trackingCode: string;
  callId: string | null;
  callerNumber: string;
  callerName: string | null;
  category: Category;
  categoryName: string;
  /** Null: chưa xác định. */
  unit: { code: string; name: string } | null;
  address: string | null;
  /** The district of a ticket from before the 2025 reform. */
  legacyDistrict: string | null;
  description: string;
  agency: AgencyView;
  status: TicketStatus;
  priority: Priority;
  createdAt: string;
  /** Acknowledgement and resolution deadlines; null once met or not applicable. */
  ackDueAt: string | null;
  resolveDueAt: string | null;
  /** Computed: an open deadline has passed. */
  overdue: boolean;
  extension: { reason: string; grantedAt: string } | null;
  /** The agency's posted result, once any. */
  result: string | null;
  /** The ticket this one duplicates. */
  parentId: number | null;
  delivery: {
    status: DeliveryStatus;
    attempts: number;
    lastError: string | null;
    deliveredAt: string | null;
  };
  /** The audit log, oldest first; only in GET /api/tickets/:id. */
  events?: TicketEventView[];
}

/** Short form shown in the screen-pop's history list. */
export interface TicketSummary {
  id: number;
  trackingCode: string;
  category: Category;
  status: TicketStatus;
  createdAt: string;
  description: string;
}

export interface ListResponse<T> {
  data: T[];
}

/** GET /api/reports/deadlines?from=&to= : per agency, for the chosen period. */
export interface AgencyDeadlineReport {
  agency: AgencyView;
  open: number;
  overdue: number;
  /** Open tickets due within the next 24 hours. */
  dueSoon: number;
  /** Tickets resolved in the period, and how many of them by their (possibly extended) deadline. */
  resolved: number;
  resolvedOnTime: number;
  /** resolvedOnTime / resolved, or null when nothing was resolved. */
  onTimeRate: number | null;
}

/** A text message to a citizen, as the admin outbox page shows it. */
export interface SmsView {
  id: number;
  ticketId: number | null;
  event: SmsEvent;
  /** Masked for roles that need not see it. */
  to: string;
  body: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  createdAt: string;
  sentAt: string | null;
}

/** One citizen call in `GET /api/calls`; times are ISO strings, durations whole seconds. */
export interface CallRecordView {
  id: string;
  /** Masked (`0912***678`) for operators. */
  callerNumber: string;
  arrivedAt: string;
  /** Keys pressed at the menu, in order. */
  menuPath: string;
  queue: QueueName | null;
  queuedAt: string | null;
  leftQueueAt: string | null;
  answeredAt: string | null;
  /** The operator who answered. */
  operator: { id: number; displayName: string } | null;
  endedAt: string | null;
  endReason: EndReason | null;
  waitSeconds: number | null;
  talkSeconds: number | null;
  /** The call's stored recording, served at `GET /api/calls/:id/recording`. */
  recording: { kind: RecordingKind; name: string } | null;
}

export interface CallOfferView {
  operatorId: number;
  offeredAt: string;
  endedAt: string | null;
  /** Null while it rings. */
  outcome: OfferOutcome | null;
}

export interface CallEventView {
  at: string;
  type:
    | 'arrived'
    | 'digit'
    | 'queued'
    | 'offered'
    | 'offerEnded'
    | 'answered'
    | 'recorded'
    | 'operatorLost'
    | 'ended';
  operatorId: number | null;
  /** The digit, queue, offer outcome, end reason, or `kind:name` of a stored recording. */
  detail: string | null;
}

/** `GET /api/calls/:id`: the call with its offers, its events in order and the tickets logged from it. */
export interface CallRecordDetail extends CallRecordView {
  offers: CallOfferView[];
  events: CallEventView[];
  tickets: { id: number; trackingCode: string }[];
}

/** A citizen to call back (`GET /api/callbacks`, oldest first by `waitingSince`). */
export interface CallbackTaskView {
  id: number;
  callerNumber: string;
  queue: QueueName;
  /** Why the latest request was made. */
  source: CallbackSource;
  /** The latest call that left this task behind. */
  callId: string;
  createdAt: string;
  /** Where the task sorts: when the request was made, or when a caller who asked for a callback joined the queue. */
  waitingSince: string;
  lastRequestAt: string;
  /** Calls merged into this task (the citizen's requests while it was open). */
  requests: number;
  /** The caller's after-hours message, played through `GET /api/calls/:callId/recording`. */
  recording: { callId: string; name: string } | null;
  status: 'open' | 'reached' | 'given_up';
  /** Attempts with an outcome so far. */
  attempts: number;
  /** Not to be called before this (spacing after an attempt); null when due. */
  nextAttemptAt: string | null;
  /** The operator calling the citizen now (an unexpired claim). */
  claimedBy: { id: number; displayName: string } | null;
  closedAt: string | null;
  givenUp: { reason: CallbackGiveUpReason; note: string | null } | null;
  /** Closed as reached because the citizen's later call (this id) was answered. */
  closedByCall: string | null;
  /** How it was reached (null while open or given up). */
  reachedBy: CallbackReachedBy | null;
  /**
   * The ACD keeps the caller's place and the hotline will dial them itself when it comes (they
   * pressed 1 while waiting); operators cannot claim it meanwhile.
   */
  heldInQueue: boolean;
  /** Attempts the hotline made itself (included in `attempts`). */
  queueAttempts: number;
}

/** One call an operator placed for a task; `outcome` is null while it is being dialled. */
export interface CallbackAttemptView {
  id: number;
  /** An operator's claim, or the hotline's own call for a kept place (`queue`). */
  kind: CallbackAttemptKind;
  operator: { id: number; displayName: string };
  startedAt: string;
  endedAt: string | null;
  outcome: CallbackOutcome | null;
  detail: string | null;
}

/** `GET /api/callbacks/:id`: the task with its attempts, oldest first. */
export interface CallbackTaskDetail extends CallbackTaskView {
  history: CallbackAttemptView[];
}

/** `POST /api/callbacks/:id/claim` (operators): the task is theirs to dial until the claim lapses. */
export interface ClaimCallbackResponse {
  task: CallbackTaskView;
  /** Report this attempt's outcome with `POST /api/callbacks/:id/outcome`. */
  attemptId: number;
  /** What the softphone dials: the citizen's number, through the trunk. */
  dial: string;
}

/** `POST /api/callbacks/:id/outcome`: how the claimed attempt went. */
export interface CallbackOutcomeRequest {
  attemptId: number;
  outcome: CallbackOutcome;
  /** The softphone's reason for a failure (e.g. `Busy`), kept for the supervisor. */
  detail?: string;
}

/** `POST /api/callbacks/:id/give-up` (supervisors, admins). */
export interface GiveUpCallbackRequest {
  reason: string;
}

/** POST /api/admin/telephony/controller: stop (`false`) or start (`true`) the call controller alone. */
export interface ControllerSwitch {
  running: boolean;
}

export interface ControllerSwitched {
  running: boolean;
}

/** POST /api/admin/ivr/reload: the menu file was valid and applies to calls from now on. */
export interface IvrMenuReloaded {
  applied: true;
}

/** One administrative change, as the audit page lists it. */
export interface AuditEntryView {
  id: number;
  at: string;
  /** Null: the system itself. */
  actor: { id: number; username: string; displayName: string } | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
}

/** An account as the admin pages see it (`/api/admin/users`); never a password or SIP secret. */
export interface AccountView extends UserView {
  disabled: boolean;
  mustChangePassword: boolean;
  createdAt: string;
  agencyName: string | null;
}

export interface CreateAccountRequest {
  /** `^[a-z0-9][a-z0-9._-]{1,31}$`, unique. */
  username: string;
  displayName: string;
  role: Role;
  /** Operators and supervisors only. */
  skills?: QueueName[];
  /** Required for the `agency` role (an active agency), refused for the others. */
  agencyId?: number | null;
}

export interface UpdateAccountRequest {
  displayName?: string;
  role?: Role;
  skills?: QueueName[];
  agencyId?: number | null;
}

/** A new account or a reset password: the one-time password is shown once and never again. */
export interface AccountCreated {
  data: AccountView;
  oneTimePassword: string;
}

export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

/** A ticket category, as the admin keeps it. */
export interface CategoryView {
  /** Stable, stored on tickets, `^[a-z][a-z0-9_]{1,31}$`. */
  key: string;
  /** Vietnamese label. */
  name: string;
  defaultAgency: AgencyView | null;
  /** Working days to resolve a normal-priority ticket; null: the priority's default. */
  resolveWorkingDays: number | null;
  active: boolean;
  sortOrder: number;
}
export interface CreateCategoryRequest {
  key: string;
  name: string;
  defaultAgencyId?: number | null;
  resolveWorkingDays?: number | null;
  sortOrder?: number;
}
export interface UpdateCategoryRequest {
  name?: string;
  defaultAgencyId?: number | null;
  resolveWorkingDays?: number | null;
  active?: boolean;
  sortOrder?: number;
}
/** A commune where a category goes to another agency than the category's default. */
export interface RoutingException {
  category: string;
  unit: { code: string; name: string };
  agency: AgencyView;
}
/** PUT /api/routing/exceptions (admin). */
export interface PutRoutingExceptionRequest {
  category: string;
  unitCode: string;
  agencyId: number;
}

/** A commune-level unit (xã, phường, đặc khu): GET /api/units, /api/units/:code, /api/admin/units. */
export interface UnitView {
  /** Official code from the national list, or a provisional `TAM-001` code. */
  code: string;
  /** Full name with its kind, e.g. `Phường Biên Hòa`. */
  name: string;
  kind: UnitKind;
  /** Units it was formed from on 1 July 2025, with their former district, e.g. `Phường Tân Vạn (TP Biên Hòa)`. */
  formerNames: string[];
  active: boolean;
  /** In search results: the former name the query matched, when the current name did not. */
  matchedFormerName?: string;
}

/** POST /api/admin/units/import: what the file changed. `total` is the number of rows in the file. */
export interface UnitImportResult {
  added: number;
  updated: number;
  deactivated: number;
  total: number;
}

/** One bad row of a units file; `line` is the file's 1-based line. */
export interface UnitImportLineError {
  line: number;
  message: string;
}

/** The 400 `UNITS_IMPORT_INVALID` answer: the message names the lines, `errors` lists them all. */
export interface UnitImportInvalid extends ApiError {
  errors: UnitImportLineError[];
}

/** A day the admin entered in the calendar (`/api/admin/calendar`). */
export interface CalendarDayView {
  /** Local date, `YYYY-MM-DD`. */
  date: string;
  /** `holiday`: a day off (bridge day, day in lieu); `workday`: worked (a swapped Saturday, a moved holiday). */
  kind: 'holiday' | 'workday';
  name: string;
  /** Null: imported by the system (the shipped decreed days). */
  createdBy: { id: number; username: string; displayName: string } | null;
  createdAt: string;
}

/** GET /api/admin/calendar?year=: the public holidays computed for the year, the admin's entries, what to check. */
export interface CalendarYearView {
  year: number;
  /** `cancelled`: an admin's `workday` entry makes it a working day. */
  computed: { date: string; name: string; cancelled: boolean }[];
  entries: CalendarDayView[];
  /** Vietnamese, for the admin page (e.g. no bridge days entered yet for a coming year). */
  warnings: string[];
}

/** POST /api/admin/calendar */
export interface CalendarDayRequest {
  date: string;
  kind: 'holiday' | 'workday';
  name: string;
}

/** GET /api/admin/audit: newest first. */
export interface AuditPage {
  data: AuditEntryView[];
  /** Pass as `beforeId` for the next (older) page; null when this page is the last. */
  nextBeforeId: number | null;
}

/** An agency as the admin's agency page sees it (`GET /api/admin/agencies`); never its HMAC secret. */
export interface AgencyAdminView {
  id: number;
  code: string;
  name: string;
  kind: AgencyKind;
  /** The commune-level unit a commune committee governs. */
  unit: { code: string; name: string } | null;
  active: boolean;
  forwardUrl: string | null;
  /** Forwarded tickets carry the citizen's phone number (otherwise the field is left out). */
  receivesCallerNumber: boolean;
  liaisons: { id: number; username: string; displayName: string; disabled: boolean }[];
  /** Tickets not yet resolved, closed, rejected, duplicate or answered at intake. */
  openTickets: number;
}

/** POST /api/admin/agencies */
export interface CreateAgencyRequest {
  /** `^[a-z0-9][a-z0-9-]{1,39}$`, unique, never changes. */
  code: string;
  name: string;
  kind: AgencyKind;
  /** Required for a `commune_committee` (one active committee per unit). */
  unitCode?: string | null;
  /** http(s) URL of the agency's webhook (https only in production); none keeps its tickets in the inbox only. */
  forwardUrl?: string | null;
  /** Whether forwarded tickets carry the citizen's phone number; false by default. */
  receivesCallerNumber?: boolean;
}

/** PATCH /api/admin/agencies/:id */
export type UpdateAgencyRequest = Partial<Omit<CreateAgencyRequest, 'code'>>;

/** A new agency or a rotated secret: the HMAC secret is shown once and never again. */
export interface AgencyCreated {
  data: AgencyAdminView;
  secret: string;
}

/** POST /api/admin/agencies/:id/deactivate */
export interface DeactivateAgencyRequest {
  /** Another active agency; required when the agency has open tickets or routing rules. */
  moveOpenTicketsTo?: number;
}

/** A routing rule that pointed to a deactivated agency and now points to the target. */
export interface MovedRoutingRule {
  category: string;
  categoryName: string;
  /** Null: the category's default; else the commune of a routing exception. */
  unitCode: string | null;
  unitName: string | null;
}

export interface AgencyDeactivated {
  data: AgencyAdminView;
  /** How many open tickets were reassigned to the target. */
  moved: number;
  /** Routing rules moved to the target with the tickets: check that each still fits. */
  rulesMoved: MovedRoutingRule[];
}

/** The 400 `TARGET_REQUIRED` answer of a deactivation: what is left to move. */
export interface AgencyTargetRequired extends ApiError {
  openTickets: number;
  rules: number;
}

// ── Settings the province decides ───────────────────────────────────────────────────────────

/**
 * Whether an operator is told that a supervisor joined their call: never, only when the
 * supervisor can be heard by them (whisper or barge), or also when only listening.
 */
export type CoachingVisibility = 'never' | 'audible' | 'always';

export interface CoachingSettings {
  operatorSees: CoachingVisibility;
}

/** A figure turns amber at `amber` and red at `red` (for a share: at or below them). */
export interface Threshold {
  amber: number;
  red: number;
}

/** When the TV wallboard's figures change colour. */
export interface WallboardSettings {
  /** Callers waiting, all queues together. */
  waiting: Threshold;
  /** Seconds the longest-waiting caller has waited. */
  longestWaitSeconds: Threshold;
  /** Today's service level in percent; lower is worse, so amber ≥ red. */
  serviceLevelPercent: Threshold;
  /** Today's callers who hung up while waiting. */
  abandoned: Threshold;
}

/** Where and when the monitoring team gets its summary by email. */
export interface ReportScheduleSettings {
  recipients: string[];
  /** Yesterday's summary each morning. */
  daily: boolean;
  /** Last week's summary each Monday morning. */
  weekly: boolean;
  /** Local (Asia/Ho_Chi_Minh) time the summaries go out, `HH:MM`. */
  sendAt: string;
}

export interface HotlineSettings {
  coaching: CoachingSettings;
  wallboard: WallboardSettings;
  reportSchedule: ReportScheduleSettings;
}

export type SettingsSection = keyof HotlineSettings;

// ── Reports ─────────────────────────────────────────────────────────────────────────────────
//
// GET /api/reports/<kind>?from=YYYY-MM-DD&to=YYYY-MM-DD[&granularity=hour|day] for supervisors
// and admins: `from` and `to` are local (Asia/Ho_Chi_Minh) days, both included. The same path
// with `.csv` or `.xlsx` after the kind downloads the page's table; /api/reports/summary.xlsx
// holds every report of the period, one sheet each (the file the monitoring team is mailed).

export const REPORT_KINDS = ['calls', 'callbacks', 'operators', 'tickets'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export type ReportGranularity = 'hour' | 'day';

export interface ReportPeriod {
  /** Local days, both included. */
  from: string;
  to: string;
}

/** Calls of one hour or one local day, by when they arrived. */
export interface CallVolumeRow {
  /** ISO time the hour or local day starts (`+07:00`). */
  start: string;
  /** Calls that reached a queue. */
  offered: number;
  answered: number;
  /** Callers who hung up while waiting, whatever the wait. */
  abandoned: number;
  /** Of those, the ones who waited longer than `shortAbandonSeconds`. */
  abandonedAfterThreshold: number;
  /**
   * answered within `serviceLevelSeconds` ÷ (answered + abandonedAfterThreshold), 0–1;
   * null when that is 0.
   */
  serviceLevel: number | null;
  /** Mean seconds from joining the queue to the answer; null when none was answered. */
  averageWaitSeconds: number | null;
  /** Mean seconds of talk of the answered calls that ended; null when none. */
  averageTalkSeconds: number | null;
}

export interface CallsReport {
  period: ReportPeriod;
  granularity: ReportGranularity;
  serviceLevelSeconds: number;
  shortAbandonSeconds: number;
  /** Every hour or day of the period, empty ones included, oldest first. */
  rows: CallVolumeRow[];
  total: Omit<CallVolumeRow, 'start'>;
}

/** Callback tasks of one local day. */
export interface CallbackReportRow {
  start: string;
  /** Tasks created that day. */
  opened: number;
  /** Tasks closed that day because someone reached the citizen. */
  reached: number;
  /** Tasks given up that day. */
  givenUp: number;
  /** Call-back attempts made that day. */
  attempts: number;
}

export interface CallbacksReport {
  period: ReportPeriod;
  rows: CallbackReportRow[];
  total: Omit<CallbackReportRow, 'start'>;
  /** Tasks still open at the end of the period. */
  openAtEnd: number;
}

/** One operator over the period. */
export interface OperatorReportRow {
  operatorId: number;
  displayName: string;
  /** Calls they answered. */
  handled: number;
  talkSeconds: number;
  averageTalkSeconds: number | null;
  wrapUpSeconds: number;
  /** Seconds not ready, by reason (every reason present, 0 when none). */
  notReadySeconds: Record<NotReadyReason, number>;
  /** Seconds ready and waiting for a call. */
  readySeconds: number;
}

export interface OperatorsReport {
  period: ReportPeriod;
  rows: OperatorReportRow[];
}

/** Tickets of one category, commune or agency. */
export interface TicketReportRow {
  /** The category code, commune code or agency id. */
  key: string;
  label: string;
  /** Tickets created in the period. */
  created: number;
  /** Tickets resolved in the period, and how many by their (possibly extended) deadline. */
  resolved: number;
  resolvedOnTime: number;
  /** resolvedOnTime ÷ resolved; null when none was resolved. */
  onTimeRate: number | null;
  /** Open tickets past a deadline at the end of the period. */
  overdue: number;
}

export interface TicketsReport {
  period: ReportPeriod;
  byCategory: TicketReportRow[];
  byCommune: TicketReportRow[];
  byAgency: TicketReportRow[];
}

/** A scheduled summary in the admin's outbox: GET /api/reports/mails (the file at `/:id/file`). */
export interface ReportMailView {
  id: number;
  kind: 'daily' | 'weekly';
  /** Local days, both included. */
  periodFrom: string;
  periodTo: string;
  recipients: string[];
  subject: string;
  fileName: string;
  /** Bytes of the attached file. */
  fileSize: number;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  providerMessageId: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface ReportByKind {
  calls: CallsReport;
  callbacks: CallbacksReport;
  operators: OperatorsReport;
  tickets: TicketsReport;
}

/**
 * How a supervisor is on a call in progress, through their own softphone:
 * - `listen` (Nghe): hears the caller and the operator; nobody hears them;
 * - `whisper` (Nhắc): hears both, and the operator alone hears them (coaching);
 * - `barge` (Tham gia): joins the conversation; all three hear each other.
 */
export const COACHING_MODES = ['listen', 'whisper', 'barge'] as const;
export type CoachingMode = (typeof COACHING_MODES)[number];

/** POST /api/calls/:callId/coaching: start, or switch the mode without leaving. */
export interface CoachingRequest {
  mode: CoachingMode;
}

/** A supervisor on a call: the answer to POST /api/calls/:callId/coaching. */
export interface CoachingView {
  callId: string;
  /** The operator talking to the caller. */
  operatorId: number;
  supervisorId: number;
  mode: CoachingMode;
}

/**
 * SIP header on the INVITE of a supervisor's coaching leg, with the call id: the supervisor's
 * console answers it by itself only for the call the supervisor asked to join.
 */
export const COACHING_CALL_HEADER = 'X-Hotline-Coaching';

/** An Open311 client app (the province's app, a partner) as the admin page lists it; never its key. */
export interface Open311ClientView {
  id: number;
  name: string;
  /** The key's first characters, to tell keys apart. */
  apiKeyPrefix: string;
  active: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

/** POST /api/admin/open311/clients and …/:id/rotate-key: the new `api_key`, shown this once. */
export interface Open311ClientKey {
  data: Open311ClientView;
  apiKey: string;
}
