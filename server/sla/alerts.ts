/**
 * When a ticket's deadline alerts fall due: a warning once 75% of the allowed time has passed
 * (counted from the assignment, or creation), an escalation at the deadline itself. Working
 * time for normal and complex tickets, elapsed time for urgent ones. Pure.
 */
import type { Priority, TicketStatus } from '../../common/domain.ts';
import { addWorkingTime, type WorkingCalendar, workingTimeBetween } from '../deadlines/calendar.ts';
import { DEADLINE_POLICY } from '../deadlines/policy.ts';
import { openDeadlines } from '../tickets/lifecycle.ts';

export type DeadlineKind = 'ack' | 'resolve';
export type AlertKind = 'warning' | 'overdue';

/** Share of the allowed time after which the agency is warned. */
export const WARNING_SHARE = 0.75;

export interface DeadlineAlert {
  due: DeadlineKind;
  kind: AlertKind;
  /** When the alert should be raised. */
  at: Date;
  /** The deadline it is about. */
  dueAt: Date;
}

export interface AlertTicket {
  status: TicketStatus;
  priority: Priority;
  createdAt: Date;
  assignedAt: Date | null;
  ackDueAt: Date | null;
  resolveDueAt: Date | null;
  ackedAt: Date | null;
}

export function warningTime(start: Date, dueAt: Date, priority: Priority, cal: WorkingCalendar): Date {
  if (dueAt.getTime() <= start.getTime()) return dueAt;
  if (DEADLINE_POLICY[priority].clock === 'wall') {
    return new Date(start.getTime() + WARNING_SHARE * (dueAt.getTime() - start.getTime()));
  }
  const allowed = workingTimeBetween(start, dueAt, cal);
  const at = addWorkingTime(start, Math.round(WARNING_SHARE * allowed), cal);
  return at.getTime() > dueAt.getTime() ? dueAt : at;
}

/** The alerts of every deadline still open, in time order. */
export function deadlineAlerts(ticket: AlertTicket, cal: WorkingCalendar): DeadlineAlert[] {
  const open = openDeadlines(ticket);
  const start = ticket.assignedAt ?? ticket.createdAt;
  const alerts: DeadlineAlert[] = [];
  for (const [due, dueAt] of [
    ['ack', open.ackDueAt],
    ['resolve', open.resolveDueAt],
  ] as const) {
    if (!dueAt) continue;
    alerts.push({ due, kind: 'warning', at: warningTime(start, dueAt, ticket.priority, cal), dueAt });
    alerts.push({ due, kind: 'overdue', at: dueAt, dueAt });
  }
  return alerts.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** Identifies an alert of one due time: an extended deadline's alerts have keys of their own. */
export function alertKey(a: { due: DeadlineKind; kind: AlertKind; dueAt: Date }): string {
  return `${a.due}-${a.kind}-${a.dueAt.getTime()}`;
}

/**
 * The next alert to schedule: the earliest alert of the deadlines still open that has not been
 * raised yet (`raised` holds `alertKey`s), or null when none is left.
 */
export function nextAlert(
  ticket: AlertTicket,
  cal: WorkingCalendar,
  raised: ReadonlySet<string>,
): DeadlineAlert | null {
  return deadlineAlerts(ticket, cal).find((a) => !raised.has(alertKey(a))) ?? null;
}

/** The deadline an alert is about is still open and unchanged (not met, moved or extended). */
export function stillDue(ticket: AlertTicket, due: DeadlineKind, dueAt: Date): boolean {
  const open = openDeadlines(ticket);
  const current = due === 'ack' ? open.ackDueAt : open.resolveDueAt;
  return current !== null && current.getTime() === dueAt.getTime();
}
