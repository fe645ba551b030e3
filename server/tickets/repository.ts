/** Ticket rows in and out of SQLite, joined with their agency. */
import { and, desc, eq, isNotNull, type SQL } from 'drizzle-orm';
import type { TicketSummary, TicketView } from '../../common/api.ts';
import type { AgencyRow } from '../agencies/schema.ts';
import { toAgencyView } from '../agencies/service.ts';
import type { Db } from '../db/index.ts';
import { agencies, tickets } from '../db/schema.ts';
import type { TicketRow } from './schema.ts';

export type NewTicket = typeof tickets.$inferInsert;

function toTicketView(ticket: TicketRow, agency: AgencyRow): TicketView {
  return {
    id: ticket.id,
    trackingCode: ticket.trackingCode,
    callId: ticket.callId,
    callerNumber: ticket.callerNumber,
    callerName: ticket.callerName,
    category: ticket.category,
    district: ticket.district,
    description: ticket.description,
    agency: toAgencyView(agency),
    status: ticket.status,
    createdAt: ticket.createdAt.toISOString(),
    forwardedAt: ticket.forwardedAt?.toISOString() ?? null,
  };
}

function isUniqueViolation(err: unknown, column: string): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ((e as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' && e.message.includes(column)) {
      return true;
    }
  }
  return false;
}

/** Inserts the ticket, drawing a new tracking code while the drawn one is taken. */
export function insertTicket(
  db: Db,
  values: Omit<NewTicket, 'trackingCode'>,
  newCode: () => string,
): TicketRow {
  for (let attempt = 0; ; attempt++) {
    try {
      return db
        .insert(tickets)
        .values({ ...values, trackingCode: newCode() })
        .returning()
        .get();
    } catch (err) {
      if (attempt >= 9 || !isUniqueViolation(err, 'tickets.tracking_code')) throw err;
    }
  }
}

export function findTicket(db: Db, id: number): { ticket: TicketRow; agency: AgencyRow } | undefined {
  return db
    .select({ ticket: tickets, agency: agencies })
    .from(tickets)
    .innerJoin(agencies, eq(agencies.id, tickets.agencyId))
    .where(eq(tickets.id, id))
    .get();
}

export function findTicketView(db: Db, id: number): TicketView | undefined {
  const row = findTicket(db, id);
  return row && toTicketView(row.ticket, row.agency);
}

export function listTicketViews(
  db: Db,
  filter: { callerNumber?: string; agencyId?: number; limit: number },
): TicketView[] {
  const conditions: SQL[] = [];
  if (filter.callerNumber !== undefined) conditions.push(eq(tickets.callerNumber, filter.callerNumber));
  if (filter.agencyId !== undefined) conditions.push(eq(tickets.agencyId, filter.agencyId));
  return db
    .select({ ticket: tickets, agency: agencies })
    .from(tickets)
    .innerJoin(agencies, eq(agencies.id, tickets.agencyId))
    .where(and(...conditions))
    .orderBy(desc(tickets.createdAt), desc(tickets.id))
    .limit(filter.limit)
    .all()
    .map((row) => toTicketView(row.ticket, row.agency));
}

/** The caller's latest tickets, newest first, for the screen-pop. */
export function ticketHistory(db: Db, callerNumber: string, limit: number): TicketSummary[] {
  return db
    .select({
      id: tickets.id,
      trackingCode: tickets.trackingCode,
      category: tickets.category,
      status: tickets.status,
      createdAt: tickets.createdAt,
      description: tickets.description,
    })
    .from(tickets)
    .where(eq(tickets.callerNumber, callerNumber))
    .orderBy(desc(tickets.createdAt), desc(tickets.id))
    .limit(limit)
    .all()
    .map((t) => ({ ...t, createdAt: t.createdAt.toISOString() }));
}

/** Marks a ticket forwarded; false when it already was (a job ran twice). */
export function markForwarded(db: Db, id: number, at: Date): boolean {
  const result = db
    .update(tickets)
    .set({ status: 'forwarded', forwardedAt: at })
    .where(and(eq(tickets.id, id), eq(tickets.status, 'received')))
    .run();
  return result.changes > 0;
}

/** Tickets still waiting to be forwarded to an agency that takes them, oldest first. */
export function unforwardedTicketIds(db: Db, limit: number): number[] {
  return db
    .select({ id: tickets.id })
    .from(tickets)
    .innerJoin(agencies, eq(agencies.id, tickets.agencyId))
    .where(and(eq(tickets.status, 'received'), isNotNull(agencies.forwardUrl)))
    .orderBy(tickets.id)
    .limit(limit)
    .all()
    .map((t) => t.id);
}
