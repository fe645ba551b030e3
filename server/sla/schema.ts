/** Deadline alerts already raised, so a warning or escalation is written and pushed once. */
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { tickets } from '../tickets/schema.ts';

export const deadlineAlerts = sqliteTable(
  'deadline_alerts',
  {
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    /** Which deadline: acknowledgement or resolution. */
    due: text('due').$type<'ack' | 'resolve'>().notNull(),
    kind: text('kind').$type<'warning' | 'overdue'>().notNull(),
    /** The due time the alert was about; an extended deadline gets alerts of its own. */
    dueAt: integer('due_at', { mode: 'timestamp_ms' }).notNull(),
    raisedAt: integer('raised_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.due, t.kind, t.dueAt] })],
);
