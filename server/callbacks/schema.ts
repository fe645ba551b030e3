/** Callback tasks: citizens the hotline owes a call, e.g. because they hung up while waiting. */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { QueueName } from '../../common/domain.ts';
import { calls } from '../calls/schema.ts';

/** `open` until someone reached the citizen, or gave up after the allowed attempts. */
export type CallbackStatus = 'open' | 'reached' | 'given_up';

export const callbacks = sqliteTable(
  'callbacks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callerNumber: text('caller_number').notNull(),
    /** The queue of the latest abandoned call: the skill that should call back. */
    queue: text('queue').$type<QueueName>().notNull(),
    /** The latest abandoned call merged into this task. */
    callId: text('call_id')
      .notNull()
      .references(() => calls.id),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** When the citizen last hung up while waiting; a new abandon within 30 minutes of it merges in. */
    lastAbandonAt: integer('last_abandon_at', { mode: 'timestamp_ms' }).notNull(),
    /** Abandoned calls merged into this task. */
    abandons: integer('abandons').notNull().default(1),
    status: text('status').$type<CallbackStatus>().notNull().default('open'),
    /** Call-back attempts made so far. */
    attempts: integer('attempts').notNull().default(0),
    closedAt: integer('closed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('callbacks_status_idx').on(t.status, t.createdAt),
    index('callbacks_caller_idx').on(t.callerNumber, t.status),
  ],
);

export type CallbackRow = typeof callbacks.$inferSelect;
