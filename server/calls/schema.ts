/**
 * Call records: one row per citizen call with its life cycle, the offers made to operators, and
 * every step as the call controller reported it. Written by `recorder.ts`, never by the IVR.
 */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { EndReason, OfferOutcome, QueueName, RecordingKind } from '../../common/domain.ts';
import { users } from '../auth/schema.ts';

export const calls = sqliteTable(
  'calls',
  {
    /** The citizen channel's id in Asterisk; tickets refer to it as `call_id`. */
    id: text('id').primaryKey(),
    callerNumber: text('caller_number').notNull(),
    arrivedAt: integer('arrived_at', { mode: 'timestamp_ms' }).notNull(),
    /** Keys pressed at the menu, in order (e.g. `71` for an invalid 7 then 1). */
    menuPath: text('menu_path').notNull().default(''),
    queue: text('queue').$type<QueueName>(),
    /** When the caller first joined a queue. */
    queuedAt: integer('queued_at', { mode: 'timestamp_ms' }),
    /** When the caller left the queue: answered, or hung up while waiting. */
    leftQueueAt: integer('left_queue_at', { mode: 'timestamp_ms' }),
    /** The operator who answered (the last one, if the talk was lost and the call answered again). */
    operatorId: integer('operator_id').references(() => users.id),
    /** The first answer. */
    answeredAt: integer('answered_at', { mode: 'timestamp_ms' }),
    endedAt: integer('ended_at', { mode: 'timestamp_ms' }),
    endReason: text('end_reason').$type<EndReason>(),
    /** Seconds from joining the queue to the answer, or to hanging up unanswered. */
    waitSeconds: integer('wait_seconds'),
    /** Seconds from the answer to the end. */
    talkSeconds: integer('talk_seconds'),
    /** Asterisk's stored recording of this call: the conversation, or the caller's after-hours message. */
    recording: text('recording'),
    recordingKind: text('recording_kind').$type<RecordingKind>(),
  },
  (t) => [
    index('calls_arrived_idx').on(t.arrivedAt),
    index('calls_queued_idx').on(t.queuedAt),
    index('calls_caller_idx').on(t.callerNumber, t.arrivedAt),
  ],
);

/** Each time an operator's softphone rang for a call, and how it ended. */
export const callOffers = sqliteTable(
  'call_offers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callId: text('call_id')
      .notNull()
      .references(() => calls.id),
    operatorId: integer('operator_id')
      .notNull()
      .references(() => users.id),
    offeredAt: integer('offered_at', { mode: 'timestamp_ms' }).notNull(),
    endedAt: integer('ended_at', { mode: 'timestamp_ms' }),
    /** Null while it rings. */
    outcome: text('outcome').$type<OfferOutcome>(),
  },
  (t) => [index('call_offers_call_idx').on(t.callId)],
);

export type CallEventType =
  | 'arrived'
  | 'digit'
  | 'queued'
  | 'offered'
  | 'offerEnded'
  | 'answered'
  | 'recorded'
  | 'operatorLost'
  | 'ended';

/**
 * Append-only log of what the controller reported; `detail` is the digit, queue, outcome, end
 * reason, or `kind:name` of a stored recording (e.g. `message:after-hours-…`).
 */
export const callEvents = sqliteTable(
  'call_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callId: text('call_id')
      .notNull()
      .references(() => calls.id),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    type: text('type').$type<CallEventType>().notNull(),
    operatorId: integer('operator_id'),
    detail: text('detail'),
  },
  (t) => [index('call_events_call_idx').on(t.callId, t.at)],
);

export type CallRow = typeof calls.$inferSelect;
export type CallOfferRow = typeof callOffers.$inferSelect;
export type CallEventRow = typeof callEvents.$inferSelect;
