/**
 * The ticket life cycle as a table of rules: which action moves a ticket from which status to
 * which, who may take it, and what it must carry. Pure: the caller supplies the time, stores the
 * changes and the audit event in one transaction. The diagram is on `TICKET_STATUSES` in
 * `common/domain.ts`.
 */
import type { TicketActionRequest } from '../../common/api.ts';
import { type Role, TICKET_STATUSES, type TicketAction, type TicketStatus } from '../../common/domain.ts';
import { ForbiddenError } from '../errors.ts';
import { IllegalTransitionError, TicketValidationError } from './errors.ts';

type Field = 'reason' | 'text' | 'agencyId' | 'parentId';

interface Rule {
  action: TicketAction;
  from: readonly TicketStatus[];
  /** null: the status stays (a note). */
  to: TicketStatus | null;
  roles: readonly Role[];
  requires: readonly Field[];
}

/** The hotline's own staff: operators on the calls, supervisors and admins. */
const HOTLINE: readonly Role[] = ['operator', 'supervisor', 'admin'];
/** The agency's liaison, and the supervision team acting for it. */
const AGENCY: readonly Role[] = ['agency', 'supervisor', 'admin'];
const SUPERVISION: readonly Role[] = ['supervisor', 'admin'];

/** Statuses a ticket may be rejected or marked a duplicate from: nobody has worked on it yet. */
export const DISMISSIBLE_STATUSES: readonly TicketStatus[] = [
  'received',
  'callback_pending',
  'assigned',
  'returned',
  'reopened',
];

const RULES: readonly Rule[] = [
  {
    action: 'answer',
    from: ['received', 'callback_pending'],
    to: 'answered_at_intake',
    roles: HOTLINE,
    requires: ['text'],
  },
  { action: 'request_callback', from: ['received'], to: 'callback_pending', roles: HOTLINE, requires: [] },
  {
    action: 'assign',
    from: ['received', 'callback_pending', 'returned', 'reopened'],
    to: 'assigned',
    roles: HOTLINE,
    requires: ['agencyId'],
  },
  { action: 'acknowledge', from: ['assigned'], to: 'acknowledged', roles: AGENCY, requires: [] },
  {
    action: 'return',
    from: ['assigned', 'acknowledged'],
    to: 'returned',
    roles: AGENCY,
    requires: ['reason'],
  },
  { action: 'start', from: ['acknowledged'], to: 'in_progress', roles: AGENCY, requires: [] },
  {
    action: 'post_result',
    from: ['acknowledged', 'in_progress'],
    to: 'pending_review',
    roles: AGENCY,
    requires: ['text'],
  },
  { action: 'note', from: ['received', 'callback_pending'], to: null, roles: HOTLINE, requires: ['text'] },
  {
    action: 'note',
    from: ['acknowledged', 'in_progress', 'pending_review'],
    to: null,
    roles: AGENCY,
    requires: ['text'],
  },
  { action: 'approve', from: ['pending_review'], to: 'resolved', roles: SUPERVISION, requires: [] },
  {
    action: 'send_back',
    from: ['pending_review'],
    to: 'in_progress',
    roles: SUPERVISION,
    requires: ['reason'],
  },
  {
    action: 'close',
    from: ['resolved', 'answered_at_intake'],
    to: 'closed',
    roles: SUPERVISION,
    requires: [],
  },
  { action: 'reopen', from: ['resolved', 'closed'], to: 'reopened', roles: HOTLINE, requires: ['reason'] },
  { action: 'reject', from: DISMISSIBLE_STATUSES, to: 'rejected', roles: SUPERVISION, requires: ['reason'] },
  {
    action: 'mark_duplicate',
    from: DISMISSIBLE_STATUSES,
    to: 'duplicate',
    roles: HOTLINE,
    requires: ['reason', 'parentId'],
  },
];

/** Waiting for the agency to acknowledge: the acknowledgement deadline runs. */
export const AWAITING_ACK_STATUSES: readonly TicketStatus[] = ['assigned'];
/**
 * With the agency and not yet resolved by it: the agency's resolution clock runs. It stops when
 * the agency posts its result (`pending_review`: the hotline's review is not the agency's time)
 * and resumes, the deadline moved by the time it stood still, if the hotline sends the result
 * back. A ticket the agency returned (`returned`) stops counting against it altogether: it is
 * with the hotline until assigned again, with a clock of its own for the next agency.
 */
export const AWAITING_RESOLUTION_STATUSES: readonly TicketStatus[] = [
  'assigned',
  'acknowledged',
  'in_progress',
];
/** The resolution deadline may be extended while the agency works on it or its result is reviewed. */
const EXTENDABLE_STATUSES: readonly TicketStatus[] = [...AWAITING_RESOLUTION_STATUSES, 'pending_review'];
/** The agency's result was approved: the ticket counts as resolved, at the agency's `resolvedAt`. */
export const APPROVED_STATUSES: readonly TicketStatus[] = ['resolved', 'closed'];
/** Nothing left for an agency or the hotline to do (a resolved ticket may still be reopened). */
export const DONE_STATUSES: readonly TicketStatus[] = [
  'answered_at_intake',
  'resolved',
  'closed',
  'rejected',
  'duplicate',
];
/** Open: something is still owed, by the hotline or the agency. */
export const OPEN_STATUSES: readonly TicketStatus[] = TICKET_STATUSES.filter(
  (s) => !DONE_STATUSES.includes(s),
);
/** Nothing more will happen unless someone reopens it. */
export const FINAL_STATUSES: readonly TicketStatus[] = ['closed', 'rejected', 'duplicate'];

/** The legal transitions, for the console and the tests: `[action, from, to, roles]`. */
export function transitions(): {
  action: TicketAction;
  from: TicketStatus;
  to: TicketStatus;
  roles: Role[];
}[] {
  return RULES.flatMap((r) =>
    r.from.map((from) => ({ action: r.action, from, to: r.to ?? from, roles: [...r.roles] })),
  );
}

/** Actions `role` may take on a ticket in `status` (the console shows these buttons). */
export function allowedActions(status: TicketStatus, role: Role): TicketAction[] {
  return RULES.filter((r) => r.from.includes(status) && r.roles.includes(role)).map((r) => r.action);
}

export interface LifecycleTicket {
  id: number;
  status: TicketStatus;
  agencyId: number;
}

export type ActionInput = TicketActionRequest & {
  actorRole: Role;
  /** The liaison's agency; a liaison acts only on its own agency's tickets. */
  actorAgencyId?: number | null;
};

/** Columns an action sets besides `status`. */
export interface TicketChanges {
  status: TicketStatus;
  agencyId?: number;
  ackedAt?: Date | null;
  resolvedAt?: Date | null;
  approvedAt?: Date | null;
  result?: string | null;
  parentId?: number;
}

/** The audit line of an action, without the actor and the ticket (the caller knows them). */
export interface LifecycleEvent {
  at: Date;
  action: TicketAction;
  from: TicketStatus;
  to: TicketStatus;
  reason: string | null;
  text: string | null;
}

export interface ActionOutcome {
  status: TicketStatus;
  changes: TicketChanges;
  event: LifecycleEvent;
}

function present(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

const MISSING: Record<Field, { code: string; message: string }> = {
  reason: { code: 'REASON_REQUIRED', message: 'Vui lòng nhập lý do.' },
  text: { code: 'TEXT_REQUIRED', message: 'Vui lòng nhập nội dung.' },
  agencyId: { code: 'AGENCY_REQUIRED', message: 'Vui lòng chọn cơ quan tiếp nhận.' },
  parentId: { code: 'PARENT_REQUIRED', message: 'Vui lòng chọn phiếu gốc bị trùng.' },
};

/**
 * Applies `action` to `ticket` at `now`. Throws `ForbiddenError` when the role may not take the
 * action (here or at all), `IllegalTransitionError` when the action does not apply to the
 * ticket's status, and `TicketValidationError` when a required reason, text, agency or parent is
 * missing or wrong.
 */
export function applyAction(ticket: LifecycleTicket, input: ActionInput, now: Date): ActionOutcome {
  const candidates = RULES.filter((r) => r.action === input.action);
  if (!candidates.some((r) => r.roles.includes(input.actorRole))) throw new ForbiddenError();
  if (input.actorRole === 'agency' && input.actorAgencyId !== ticket.agencyId) throw new ForbiddenError();
  const rule = candidates.find((r) => r.from.includes(ticket.status));
  if (!rule) throw new IllegalTransitionError(input.action, ticket.status);
  if (!rule.roles.includes(input.actorRole)) throw new ForbiddenError();

  const reason = present(input.reason);
  const text = present(input.text);
  for (const field of rule.requires) {
    const missing =
      (field === 'reason' && reason === null) ||
      (field === 'text' && text === null) ||
      (field === 'agencyId' && input.agencyId === undefined) ||
      (field === 'parentId' && input.parentId === undefined);
    if (missing) throw new TicketValidationError(MISSING[field].code, MISSING[field].message);
  }
  if (input.action === 'mark_duplicate' && input.parentId === ticket.id) {
    throw new TicketValidationError('SELF_DUPLICATE', 'Phiếu không thể trùng với chính nó.');
  }

  const to = rule.to ?? ticket.status;
  const changes: TicketChanges = { status: to };
  switch (input.action) {
    case 'assign':
      // A new assignment starts over: its own acknowledgement, result and resolution.
      changes.agencyId = input.agencyId!;
      changes.ackedAt = null;
      changes.resolvedAt = null;
      changes.approvedAt = null;
      changes.result = null;
      break;
    case 'acknowledge':
      changes.ackedAt = now;
      break;
    case 'post_result':
      // The agency resolved it now: its clock stops, whenever the hotline approves.
      changes.result = text;
      changes.resolvedAt = now;
      break;
    case 'approve':
      changes.approvedAt = now;
      break;
    case 'send_back':
      // Back with the agency: not resolved after all (the service moves its deadline).
      changes.resolvedAt = null;
      break;
    case 'reopen':
      changes.resolvedAt = null;
      changes.approvedAt = null;
      break;
    case 'mark_duplicate':
      changes.parentId = input.parentId!;
      break;
    default:
      break;
  }
  return {
    status: to,
    changes,
    event: {
      at: now,
      action: input.action,
      from: ticket.status,
      to,
      reason,
      text,
    },
  };
}

export interface ExtensionTicket {
  status: TicketStatus;
  resolveDueAt: Date | null;
  extensionGrantedAt: Date | null;
}

/**
 * Grants the one extension of a ticket's resolution deadline. Supervisors and admins only; the
 * ticket must still be awaiting resolution, and the new deadline must be later than the current.
 */
export function applyExtension(
  ticket: ExtensionTicket,
  input: { reason: string; resolveDueAt: Date; actorRole: Role },
  now: Date,
): { resolveDueAt: Date; extensionReason: string; extensionGrantedAt: Date } {
  if (!SUPERVISION.includes(input.actorRole)) throw new ForbiddenError();
  if (!EXTENDABLE_STATUSES.includes(ticket.status) || ticket.resolveDueAt === null) {
    throw new IllegalTransitionError('extend', ticket.status);
  }
  if (ticket.extensionGrantedAt !== null) {
    throw new TicketValidationError('EXTENSION_USED', 'Phiếu này đã được gia hạn một lần.', 409);
  }
  const reason = present(input.reason);
  if (reason === null) throw new TicketValidationError(MISSING.reason.code, MISSING.reason.message);
  if (Number.isNaN(input.resolveDueAt.getTime()) || input.resolveDueAt <= ticket.resolveDueAt) {
    throw new TicketValidationError('EXTENSION_NOT_LATER', 'Hạn mới phải sau hạn xử lý hiện tại.');
  }
  return { resolveDueAt: input.resolveDueAt, extensionReason: reason, extensionGrantedAt: now };
}

/** The deadlines still open for a ticket: met, or not applicable in its status, ones are null. */
export function openDeadlines(ticket: {
  status: TicketStatus;
  ackDueAt: Date | null;
  resolveDueAt: Date | null;
  ackedAt: Date | null;
}): { ackDueAt: Date | null; resolveDueAt: Date | null } {
  return {
    ackDueAt:
      AWAITING_ACK_STATUSES.includes(ticket.status) && ticket.ackedAt === null ? ticket.ackDueAt : null,
    resolveDueAt: AWAITING_RESOLUTION_STATUSES.includes(ticket.status) ? ticket.resolveDueAt : null,
  };
}

/** Computed, never stored: an open deadline has passed. */
export function isOverdue(ticket: Parameters<typeof openDeadlines>[0], now: Date): boolean {
  const open = openDeadlines(ticket);
  const t = now.getTime();
  return (
    (open.ackDueAt !== null && open.ackDueAt.getTime() < t) ||
    (open.resolveDueAt !== null && open.resolveDueAt.getTime() < t)
  );
}
