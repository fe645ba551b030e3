/**
 * What the console needs to know about the ticket life cycle: which actions a role may offer in
 * which status, the status groups of the agency inbox, and how close a ticket is to its deadline.
 * Pure (no DOM), unit-tested. The server (server/tickets/lifecycle.ts) decides; this copy of its
 * table keeps the console from offering buttons the server would refuse, and a unit test fails
 * when the two differ (the console may not import server code).
 */
import type { TicketView } from '../../common/api.ts';
import type { Priority, Role, TicketAction, TicketStatus } from '../../common/domain.ts';

/** Statuses a ticket may be rejected or marked a duplicate from: nobody has worked on it yet. */
export const DISMISSIBLE_STATUSES: readonly TicketStatus[] = [
  'received',
  'callback_pending',
  'assigned',
  'returned',
  'reopened',
];

/** The hotline's own staff. */
const HOTLINE: readonly Role[] = ['operator', 'supervisor', 'admin'];
/** The agency's liaison, and the supervision team acting for it. */
const AGENCY: readonly Role[] = ['agency', 'supervisor', 'admin'];
const SUPERVISION: readonly Role[] = ['supervisor', 'admin'];

/** Who may take which action from which status; the same table as the server's life cycle. */
export const ACTION_RULES: ReadonlyArray<{
  action: TicketAction;
  from: readonly TicketStatus[];
  by: readonly Role[];
}> = [
  { action: 'answer', from: ['received', 'callback_pending'], by: HOTLINE },
  { action: 'request_callback', from: ['received'], by: HOTLINE },
  { action: 'assign', from: ['received', 'callback_pending', 'returned', 'reopened'], by: HOTLINE },
  { action: 'acknowledge', from: ['assigned'], by: AGENCY },
  { action: 'return', from: ['assigned', 'acknowledged'], by: AGENCY },
  { action: 'start', from: ['acknowledged'], by: AGENCY },
  { action: 'post_result', from: ['acknowledged', 'in_progress'], by: AGENCY },
  { action: 'note', from: ['received', 'callback_pending'], by: HOTLINE },
  { action: 'note', from: ['acknowledged', 'in_progress', 'pending_review'], by: AGENCY },
  { action: 'approve', from: ['pending_review'], by: SUPERVISION },
  { action: 'send_back', from: ['pending_review'], by: SUPERVISION },
  { action: 'close', from: ['resolved', 'answered_at_intake'], by: SUPERVISION },
  { action: 'reopen', from: ['resolved', 'closed'], by: HOTLINE },
  { action: 'reject', from: DISMISSIBLE_STATUSES, by: SUPERVISION },
  { action: 'mark_duplicate', from: DISMISSIBLE_STATUSES, by: HOTLINE },
];

/** The order buttons appear in: the usual next step first, the exceptional ones last. */
const ACTION_ORDER: readonly TicketAction[] = [
  'acknowledge',
  'start',
  'note',
  'post_result',
  'approve',
  'send_back',
  'answer',
  'request_callback',
  'assign',
  'close',
  'reopen',
  'return',
  'reject',
  'mark_duplicate',
];

/** Actions `role` may take on a ticket in `status`, in display order. */
export function allowedActions(status: TicketStatus, role: Role): TicketAction[] {
  return ACTION_ORDER.filter((action) =>
    ACTION_RULES.some((r) => r.action === action && r.from.includes(status) && r.by.includes(role)),
  );
}

/** What the person must type before the action is sent. */
export type ActionInput = 'none' | 'reason' | 'text' | 'duplicate' | 'agency';

export function actionInput(action: TicketAction): ActionInput {
  switch (action) {
    case 'return':
    case 'send_back':
    case 'reopen':
    case 'reject':
      return 'reason';
    case 'note':
    case 'post_result':
    case 'answer':
      return 'text';
    case 'mark_duplicate':
      return 'duplicate';
    case 'assign':
      return 'agency';
    default:
      return 'none';
  }
}

/** The agency inbox's status filter. */
export const INBOX_GROUPS = {
  new: ['assigned'],
  working: ['acknowledged', 'in_progress'],
  review: ['pending_review'],
  done: ['resolved', 'closed'],
} as const satisfies Record<string, readonly TicketStatus[]>;
export type InboxGroup = keyof typeof INBOX_GROUPS;
export const INBOX_GROUP_KEYS = Object.keys(INBOX_GROUPS) as InboxGroup[];

/** `null` is "all". */
export function inGroup(status: TicketStatus, group: InboxGroup | null): boolean {
  return group === null || (INBOX_GROUPS[group] as readonly TicketStatus[]).includes(status);
}

export const DUE_SOON_HOURS = 24;
const HOUR_MS = 3_600_000;

export type DueState = 'overdue' | 'soon' | 'ok' | 'none';

/**
 * How close the ticket's nearest open deadline is at `nowMs`. The server's `overdue` flag wins;
 * a deadline that passes while the page is open counts too, before the server says so.
 */
export function dueState(
  ticket: Pick<TicketView, 'overdue' | 'ackDueAt' | 'resolveDueAt'>,
  nowMs: number,
): DueState {
  const dues = [ticket.ackDueAt, ticket.resolveDueAt]
    .map((at) => (at === null ? Number.NaN : Date.parse(at)))
    .filter((ms) => Number.isFinite(ms));
  if (ticket.overdue) return 'overdue';
  if (dues.length === 0) return 'none';
  const nearest = Math.min(...dues);
  if (nearest <= nowMs) return 'overdue';
  return nearest - nowMs <= DUE_SOON_HOURS * HOUR_MS ? 'soon' : 'ok';
}

/** GET /api/tickets filters; every one optional. */
export interface TicketQuery {
  status?: readonly TicketStatus[];
  agencyId?: number;
  priority?: Priority;
  overdue?: boolean;
  dueWithinHours?: number;
  callerNumber?: string;
  limit?: number;
  offset?: number;
}

export function ticketQueryString(query: TicketQuery): string {
  const params = new URLSearchParams();
  if (query.status && query.status.length > 0) params.set('status', query.status.join(','));
  if (query.agencyId !== undefined) params.set('agencyId', String(query.agencyId));
  if (query.priority) params.set('priority', query.priority);
  if (query.overdue) params.set('overdue', 'true');
  if (query.dueWithinHours !== undefined) params.set('dueWithinHours', String(query.dueWithinHours));
  if (query.callerNumber) params.set('callerNumber', query.callerNumber);
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.offset !== undefined) params.set('offset', String(query.offset));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Puts `ticket` in its place in a newest-first list: replaced if present, else added on top. */
export function upsertTicket(list: readonly TicketView[], ticket: TicketView): TicketView[] {
  const index = list.findIndex((t) => t.id === ticket.id);
  if (index === -1) return [ticket, ...list];
  const next = [...list];
  next[index] = ticket;
  return next;
}

/** Tickets grouped by agency name, agencies in alphabetical order (Vietnamese collation). */
export function groupByAgency(
  tickets: readonly TicketView[],
): Array<{ agency: string; tickets: TicketView[] }> {
  const groups = new Map<string, TicketView[]>();
  for (const ticket of tickets) {
    const list = groups.get(ticket.agency.name) ?? [];
    list.push(ticket);
    groups.set(ticket.agency.name, list);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'vi'))
    .map(([agency, list]) => ({ agency, tickets: list }));
}
