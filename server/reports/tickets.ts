/**
 * Tickets by category, commune and agency: created in the period, resolved in it and how many of
 * those by their (possibly extended) resolution deadline, and those overdue at its end.
 *
 * Only the agency's own time counts (see `AWAITING_RESOLUTION_STATUSES`): "resolved" is a result
 * the hotline approved, dated when the agency posted it (`resolvedAt`), not when it was approved;
 * a ticket whose result was sent back resolved later, against its deadline moved by the review.
 *
 * "Overdue at the end" looks back from the period's end E (or now, for a period still running):
 * a ticket created before E and still with its agency then (its clock running now, or its result
 * posted after E) with a deadline passed at E — for a ticket whose clock runs now, the deadlines
 * `openDeadlines` says still run; for one resolved since, its resolution deadline, or its
 * acknowledgement deadline if it was not yet acknowledged at E. A ticket the agency returned
 * counts against it no more. Tickets are grouped by their current category, commune and agency.
 */
import { and, gte, inArray, lt, notInArray, or, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { TicketReportRow, TicketsReport } from '../../common/api.ts';
import { listAgencies } from '../agencies/service.ts';
import { listCategories } from '../categories/service.ts';
import type { Db } from '../db/index.ts';
import { tickets, units } from '../db/schema.ts';
import { APPROVED_STATUSES, DONE_STATUSES, openDeadlines } from '../tickets/lifecycle.ts';
import type { LocalPeriod } from './period.ts';

type Figures = Omit<TicketReportRow, 'key' | 'label' | 'onTimeRate'>;

/** The commune row of tickets that name no commune. */
export const NO_COMMUNE_KEY = '';
const NO_COMMUNE_LABEL = 'Chưa xác định';

interface TicketFacts {
  category: string;
  unitCode: string | null;
  agencyId: number;
}

function overdueAt(
  t: Parameters<typeof openDeadlines>[0] & { resolvedAt: Date | null },
  at: number,
): boolean {
  const passed = (d: Date | null) => d !== null && d.getTime() < at;
  if (t.resolvedAt === null) {
    return !DONE_STATUSES.includes(t.status) && Object.values(openDeadlines(t)).some(passed);
  }
  // The agency resolved it (approved or under review): overdue only if still with it at E.
  if (t.resolvedAt.getTime() <= at) return false;
  const ackOpen = t.ackedAt === null || t.ackedAt.getTime() > at;
  return passed(t.resolveDueAt) || (ackOpen && passed(t.ackDueAt));
}

export function ticketsReport(db: Db, period: LocalPeriod, now: Date): TicketsReport {
  const groups = {
    category: new Map<string, Figures>(),
    commune: new Map<string, Figures>(),
    agency: new Map<string, Figures>(),
  };
  const keysOf = (t: TicketFacts) => ({
    category: t.category,
    commune: t.unitCode ?? NO_COMMUNE_KEY,
    agency: String(t.agencyId),
  });
  const add = (t: TicketFacts, figures: Partial<Figures>) => {
    const keys = keysOf(t);
    for (const g of ['category', 'commune', 'agency'] as const) {
      let f = groups[g].get(keys[g]);
      if (!f) {
        f = { created: 0, resolved: 0, resolvedOnTime: 0, overdue: 0 };
        groups[g].set(keys[g], f);
      }
      for (const [k, v] of Object.entries(figures) as [keyof Figures, number][]) f[k] += v;
    }
  };
  const facts = { category: tickets.category, unitCode: tickets.unitCode, agencyId: tickets.agencyId };

  // Created and resolved, summed per category × commune × agency.
  const inPeriod = (column: SQLiteColumn) => and(gte(column, period.start), lt(column, period.end));
  for (const row of db
    .select({ ...facts, n: sql<number>`count(*)` })
    .from(tickets)
    .where(inPeriod(tickets.createdAt))
    .groupBy(tickets.category, tickets.unitCode, tickets.agencyId)
    .all()) {
    add(row, { created: row.n });
  }
  for (const row of db
    .select({
      ...facts,
      n: sql<number>`count(*)`,
      onTime: sql<number>`sum(case when ${tickets.resolveDueAt} is null or ${tickets.resolvedAt} <= ${tickets.resolveDueAt} then 1 else 0 end)`,
    })
    .from(tickets)
    .where(and(inPeriod(tickets.resolvedAt), inArray(tickets.status, [...APPROVED_STATUSES])))
    .groupBy(tickets.category, tickets.unitCode, tickets.agencyId)
    .all()) {
    add(row, { resolved: row.n, resolvedOnTime: row.onTime ?? 0 });
  }

  const end = Math.min(period.end.getTime(), now.getTime());
  const maybeOpen = db
    .select({
      ...facts,
      status: tickets.status,
      ackDueAt: tickets.ackDueAt,
      resolveDueAt: tickets.resolveDueAt,
      ackedAt: tickets.ackedAt,
      resolvedAt: tickets.resolvedAt,
    })
    .from(tickets)
    .where(
      and(
        lt(tickets.createdAt, new Date(end)),
        or(notInArray(tickets.status, [...DONE_STATUSES]), gte(tickets.resolvedAt, new Date(end))),
      ),
    )
    .all();
  for (const t of maybeOpen) if (overdueAt(t, end)) add(t, { overdue: 1 });

  const row = (key: string, label: string, f: Figures | undefined): TicketReportRow => {
    const figures = f ?? { created: 0, resolved: 0, resolvedOnTime: 0, overdue: 0 };
    return {
      key,
      label,
      ...figures,
      onTimeRate: figures.resolved > 0 ? figures.resolvedOnTime / figures.resolved : null,
    };
  };

  // Active categories and agencies always have a row; inactive ones while they have figures.
  const categories = listCategories(db, { includeInactive: true });
  const known = new Set(categories.map((c) => c.key));
  const byCategory = [
    ...categories
      .filter((c) => c.active || groups.category.has(c.key))
      .map((c) => row(c.key, c.name, groups.category.get(c.key))),
    // A key no longer in the list (never expected, but its tickets still count).
    ...[...groups.category].filter(([key]) => !known.has(key)).map(([key, f]) => row(key, key, f)),
  ];
  const byAgency = listAgencies(db)
    .filter((a) => a.active || groups.agency.has(String(a.id)))
    .map((a) => row(String(a.id), a.name, groups.agency.get(String(a.id))));
  // Communes only with figures (a province has about a hundred), by name; "not determined" last.
  const names = new Map(
    db
      .select({ code: units.code, name: units.name })
      .from(units)
      .all()
      .map((u) => [u.code, u.name]),
  );
  const byCommune = [...groups.commune]
    .map(([code, f]) => row(code, code === NO_COMMUNE_KEY ? NO_COMMUNE_LABEL : (names.get(code) ?? code), f))
    .sort(
      (a, b) =>
        Number(a.key === NO_COMMUNE_KEY) - Number(b.key === NO_COMMUNE_KEY) ||
        a.label.localeCompare(b.label, 'vi'),
    );

  return { period: { from: period.from, to: period.to }, byCategory, byCommune, byAgency };
}
