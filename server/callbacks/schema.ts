/**
 * Callback tasks: citizens the hotline owes a call, because they hung up while waiting, left a
 * message after hours, or asked to be called back.
 */
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type {
  CallbackAttemptKind,
  CallbackGiveUpReason,
  CallbackOutcome,
  CallbackReachedBy,
  CallbackSource,
  QueueName,
} from '../../common/domain.ts';
import { users } from '../auth/schema.ts';
import { calls } from '../calls/schema.ts';

/** `open` until someone reached the citizen, or gave up after the allowed attempts. */
export type CallbackStatus = 'open' | 'reached' | 'given_up';

export const callbacks = sqliteTable(
  'callbacks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callerNumber: text('caller_number').notNull(),
    /** The queue of the latest request: the skill that should call back. */
    queue: text('queue').$type<QueueName>().notNull(),
    /** Why the latest request was made. */
    source: text('source').$type<CallbackSource>().notNull().default('abandoned'),
    /** The latest call merged into this task. */
    callId: text('call_id')
      .notNull()
      .references(() => calls.id),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /**
     * Where the task sorts, oldest first: when the request was made, or, for a callback offer,
     * when the caller joined the queue (their place is kept).
     */
    waitingSince: integer('waiting_since', { mode: 'timestamp_ms' }).notNull(),
    /** When the latest request was made. */
    lastRequestAt: integer('last_abandon_at', { mode: 'timestamp_ms' }).notNull(),
    /** Calls merged into this task. */
    requests: integer('abandons').notNull().default(1),
    /** Stored-recording name of the caller's after-hours message, and the call it was left on. */
    recording: text('recording'),
    recordingCallId: text('recording_call_id').references(() => calls.id),
    status: text('status').$type<CallbackStatus>().notNull().default('open'),
    /** Call-back attempts made so far (with an outcome). */
    attempts: integer('attempts').notNull().default(0),
    /** The operator dialling the citizen now; the claim lapses at `claimedUntil`. */
    claimedBy: integer('claimed_by').references(() => users.id),
    claimedUntil: integer('claimed_until', { mode: 'timestamp_ms' }),
    /** After a failed attempt, not called again before this; null when due. */
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }),
    closedAt: integer('closed_at', { mode: 'timestamp_ms' }),
    givenUpReason: text('given_up_reason').$type<CallbackGiveUpReason>(),
    /** The supervisor's words when giving a task up by hand. */
    givenUpNote: text('given_up_note'),
    givenUpBy: integer('given_up_by').references(() => users.id),
    /** Closed as reached because this later call of the citizen's was answered. */
    closedByCallId: text('closed_by_call_id').references(() => calls.id),
    /** How the task was reached (null while open or given up). */
    reachedBy: text('reached_by').$type<CallbackReachedBy>(),
    /**
     * The ACD keeps the caller's place (they pressed 1 while waiting) and the hotline dials them
     * itself; false once it has made its attempts (then the task is a person's) or the citizen's
     * new call took the place.
     */
    queueHeld: integer('queue_held', { mode: 'boolean' }).notNull().default(false),
    /** Attempts the hotline made itself (counted in `attempts` too; operators get their own allowance). */
    queueAttempts: integer('queue_attempts').notNull().default(0),
  },
  (t) => [
    index('callbacks_status_idx').on(t.status, t.waitingSince),
    index('callbacks_caller_idx').on(t.callerNumber, t.status),
    // One open task per citizen: a later request joins it, however long after, and one claim
    // covers the number, so two operators never call the same citizen.
    uniqueIndex('callbacks_one_open_per_number_idx').on(t.callerNumber).where(sql`status = 'open'`),
  ],
);

/** Each call an operator placed for a task, and how it went (null while dialling). */
export const callbackAttempts = sqliteTable(
  'callback_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callbackId: integer('callback_id')
      .notNull()
      .references(() => callbacks.id),
    operatorId: integer('operator_id')
      .notNull()
      .references(() => users.id),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    endedAt: integer('ended_at', { mode: 'timestamp_ms' }),
    outcome: text('outcome').$type<CallbackOutcome>(),
    /** Why it failed, as the softphone saw it (e.g. the SIP cause), for the supervisor. */
    detail: text('detail'),
    /** An operator's claim, or the hotline's own call for a kept place (`queue`). */
    kind: text('kind').$type<CallbackAttemptKind>().notNull().default('operator'),
    /** The call of a queue attempt the citizen answered. */
    callId: text('call_id'),
  },
  (t) => [index('callback_attempts_callback_idx').on(t.callbackId)],
);

export type CallbackRow = typeof callbacks.$inferSelect;
export type CallbackAttemptRow = typeof callbackAttempts.$inferSelect;
