/**
 * Deadline figures per agency: what is open, overdue or due within a day now, and how many
 * tickets resolved in a period met their (possibly extended) resolution deadline. Only the
 * agency's own time counts (see `AWAITING_RESOLUTION_STATUSES`): a result under review is open
 * but never overdue, a ticket the agency returned is no longer its ticket, and "resolved" is an
 * approved result dated when the agency posted it.
 */
import { and, gte, inArray, lt, notInArray, sql } from 'drizzle-orm';
import type { AgencyDeadlineReport } from '../../common/api.ts';
import { listAgencies } from '../agencies/service.ts';
import type { Db } from '../db/index.ts';
import { tickets } from '../db/schema.ts';
import { APPROVED_STATUSES, DONE_STATUSES, openDeadlines } from '../tickets/lifecycle.ts';

export const DUE_SOON_MS = 24 * 60 * 60 * 1000;

export function deadlineReport(db: Db, period: { from: Date; to: Date }, now: Date): AgencyDeadlineReport[] {
  const t = now.getTime();
  const counts = new Map<
    number,
    { open: number; overdue: number; dueSoon: number; resolved: number; onTime: number }
  >();
  const of = (agencyId: number) => {
    let c = counts.get(agencyId);
    if (!c) {
      c = { open: 0, overdue: 0, dueSoon: 0, resolved: 0, onTime: 0 };
      counts.set(agencyId, c);
    }
    return c;
  };

  const open = db
    .select({
      agencyId: tickets.agencyId,
      status: tickets.status,
      ackDueAt: tickets.ackDueAt,
      resolveDueAt: tickets.resolveDueAt,
      ackedAt: tickets.ackedAt,
    })
    .from(tickets)
    .where(notInArray(tickets.status, [...DONE_STATUSES]))
    .all();
  for (const ticket of open) {
    if (ticket.status === 'returned') continue;
    const c = of(ticket.agencyId);
    c.open++;
    const dues = Object.values(openDeadlines(ticket))
      .filter((d): d is Date => d !== null)
      .map((d) => d.getTime());
    if (dues.some((d) => d < t)) c.overdue++;
    else if (dues.some((d) => d <= t + DUE_SOON_MS)) c.dueSoon++;
  }

  const resolved = db
    .select({
      agencyId: tickets.agencyId,
      resolved: sql<number>`count(*)`,
      onTime: sql<number>`sum(case when ${tickets.resolveDueAt} is null or ${tickets.resolvedAt} <= ${tickets.resolveDueAt} then 1 else 0 end)`,
    })
    .from(tickets)
    .where(
      and(
        gte(tickets.resolvedAt, period.from),
        lt(tickets.resolvedAt, period.to),
        inArray(tickets.status, [...APPROVED_STATUSES]),
      ),
    )
    .groupBy(tickets.agencyId)
    .all();
  for (const row of resolved) {
    const c = of(row.agencyId);
    c.resolved = row.resolved;
    c.onTime = row.onTime ?? 0;
  }

  // A deactivated agency (e.g. a district committee from before the 2025 reform) only while it
  // still has something to show.
  const shown = listAgencies(db).filter((agency) => agency.active || counts.has(agency.id));
  return shown.map((agency) => {
    const c = of(agency.id);
    return {
      agency,
      open: c.open,
      overdue: c.overdue,
      dueSoon: c.dueSoon,
      resolved: c.resolved,
      resolvedOnTime: c.onTime,
      onTimeRate: c.resolved > 0 ? c.onTime / c.resolved : null,
    };
  });
}
