/**
 * What assigning a ticket to an agency writes, wherever it happens (an operator's or supervisor's
 * `assign`, an agency's deactivation moving its tickets): fresh due times from now, a new delivery
 * for a webhook agency, and the outbox intents that forward it and schedule its deadline alerts.
 */
import type { Priority } from '../../common/domain.ts';
import type { AgencyRow } from '../agencies/schema.ts';
import type { WorkingCalendar } from '../deadlines/calendar.ts';
import { dueTimes } from '../deadlines/policy.ts';
import { addIntent, type Tx } from '../outbox/outbox.ts';
import type { NewTicket } from './repository.ts';

/** The columns a (re)assignment sets. */
export function assignmentColumns(
  agency: AgencyRow,
  priority: Priority,
  at: Date,
  calendar: WorkingCalendar,
  resolveWorkingDays: number | null,
): Partial<NewTicket> {
  const due = dueTimes(priority, at, calendar, resolveWorkingDays);
  return {
    agencyId: agency.id,
    assignedAt: at,
    ackDueAt: due.ackDueAt,
    resolveDueAt: due.resolveDueAt,
    deliveryStatus: agency.forwardUrl ? 'pending' : 'none',
    deliveryAttempts: 0,
    deliveryLastError: null,
    deliveredAt: null,
  };
}

/** In the assignment's transaction: forward to the agency's webhook, if any, and its deadline alerts. */
export function recordAssignmentIntents(tx: Tx, ticketId: number, agency: AgencyRow, at: Date): void {
  if (agency.forwardUrl) addIntent(tx, { kind: 'forward', ticketId }, at);
  addIntent(tx, { kind: 'deadline', ticketId }, at);
}
