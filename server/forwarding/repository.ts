/** Delivery queries of the forwarding feature; the ticket repository keeps the state changes. */
import { and, desc, eq, max } from 'drizzle-orm';
import type { Db } from '../db/index.ts';
import { ticketEvents, tickets } from '../db/schema.ts';

/** The agency takes tickets in its inbox only: there is nothing to deliver. */
export function markNoWebhook(db: Db, id: number): void {
  db.update(tickets)
    .set({ deliveryStatus: 'none' })
    .where(and(eq(tickets.id, id), eq(tickets.deliveryStatus, 'pending')))
    .run();
}

/** Tickets whose delivery gave up, most recent first. */
export function deadDeliveryIds(db: Db, limit: number): number[] {
  return db
    .select({ id: tickets.id })
    .from(tickets)
    .where(eq(tickets.deliveryStatus, 'dead'))
    .orderBy(desc(tickets.id))
    .limit(limit)
    .all()
    .map((r) => r.id);
}

/**
 * The audit event of the ticket's current assignment: every assignment (at creation, `assign`, an
 * agency's deactivation) writes one. Null for a ticket never assigned.
 */
export function currentAssignmentEventId(db: Db, ticketId: number): number | null {
  const row = db
    .select({ id: max(ticketEvents.id) })
    .from(ticketEvents)
    .where(and(eq(ticketEvents.ticketId, ticketId), eq(ticketEvents.action, 'assign')))
    .get();
  return row?.id ?? null;
}
