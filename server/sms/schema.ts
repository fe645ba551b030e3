/** Text messages to citizens: one row per message, sent by the `sms` worker. */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { SmsEvent } from '../../common/domain.ts';
import { tickets } from '../tickets/schema.ts';

export type SmsStatus = 'pending' | 'sent' | 'failed';

export const smsMessages = sqliteTable(
  'sms_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ticketId: integer('ticket_id').references(() => tickets.id),
    event: text('event').$type<SmsEvent>().notNull(),
    to: text('to').notNull(),
    body: text('body').notNull(),
    status: text('status').$type<SmsStatus>().notNull().default('pending'),
    /** Sending attempts made so far. */
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** The gateway's id for the message, once sent. */
    providerId: text('provider_id'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    // One message per ticket and event; SQLite treats NULL ticket ids as distinct.
    uniqueIndex('sms_messages_ticket_event_idx').on(t.ticketId, t.event),
    index('sms_messages_created_idx').on(t.createdAt),
  ],
);

export type SmsRow = typeof smsMessages.$inferSelect;
