/** Intents recorded in the same transaction as the change that causes them (the outbox). */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** What to do; `payload` carries ids only, never personal data. */
    kind: text('kind').$type<OutboxIntent['kind']>().notNull(),
    payload: text('payload', { mode: 'json' }).$type<OutboxIntent>().notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** Set once the relay has handed the intent to BullMQ. */
    relayedAt: integer('relayed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('outbox_pending_idx').on(t.relayedAt, t.id)],
);

/**
 * Work that must happen after a ticket changes, even if Redis is down at that moment.
 * - `forward`: deliver the ticket to its agency's webhook.
 * - `sms`: text the citizen about an event of the ticket (once per ticket and event).
 * - `deadline`: (re)schedule the ticket's 75% warning and deadline escalation jobs.
 * - `zalo_inbound`: process an event Zalo posted to the webhook (stored raw first).
 * - `zalo_send`: send a stored message to a citizen on Zalo.
 */
export type OutboxIntent =
  | { kind: 'forward'; ticketId: number }
  | { kind: 'sms'; smsId: number }
  | { kind: 'deadline'; ticketId: number }
  | { kind: 'zalo_inbound'; eventId: number }
  | { kind: 'zalo_send'; messageId: number };
