/**
 * Zalo Official Account: the events Zalo posts to the webhook (stored raw before anything else),
 * one conversation per Zalo user, the messages both ways, and the OA's access token.
 */
import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from '../auth/schema.ts';
import { writtenRequestPhotos, writtenRequests } from '../intake/schema.ts';
import { tickets } from '../tickets/schema.ts';

/**
 * Each event Zalo posted, as it came, stored before the webhook answers. Zalo retries an event it
 * thinks failed: `dedupeKey` (the message's `msg_id`, or a hash of the body for events without
 * one, e.g. `follow`) keeps each one stored once; `processedAt` keeps it processed once.
 */
export const zaloInboundEvents = sqliteTable(
  'zalo_inbound_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    dedupeKey: text('dedupe_key').notNull().unique(),
    eventName: text('event_name').notNull(),
    /** The sender's id, scoped to the OA; null for events without a sender. */
    zaloUserId: text('zalo_user_id'),
    /** The raw body, as signed. */
    body: text('body').notNull(),
    receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
    processedAt: integer('processed_at', { mode: 'timestamp_ms' }),
    /** `stored`, `ignored` (an event the hotline does not handle) or `failed`. */
    outcome: text('outcome'),
    error: text('error'),
  },
  (t) => [index('zalo_inbound_events_unprocessed_idx').on(t.processedAt, t.id)],
);

/** One per Zalo user who followed the OA or wrote to it. */
export const zaloConversations = sqliteTable(
  'zalo_conversations',
  {
    zaloUserId: text('zalo_user_id').primaryKey(),
    displayName: text('display_name'),
    /** A Vietnamese number the citizen wrote in the conversation (not confirmed). */
    phone: text('phone'),
    followedAt: integer('followed_at', { mode: 'timestamp_ms' }),
    /** The citizen's last message: Zalo's reply window counts from it. */
    lastCitizenAt: integer('last_citizen_at', { mode: 'timestamp_ms' }),
    lastMessageAt: integer('last_message_at', { mode: 'timestamp_ms' }).notNull(),
    /** The written request the citizen's messages go to now. */
    requestId: integer('request_id').references(() => writtenRequests.id),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('zalo_conversations_last_idx').on(t.lastMessageAt)],
);

export const ZALO_DIRECTIONS = ['in', 'out'] as const;
export const ZALO_MESSAGE_KINDS = ['text', 'image', 'location', 'other'] as const;
/** `received` (in); `pending`, `sent`, `failed` (out). */
export const ZALO_MESSAGE_STATUSES = ['received', 'pending', 'sent', 'failed'] as const;
/** Why the hotline wrote: an operator's reply, the tracking code, a ticket's result. */
export const ZALO_PURPOSES = ['reply', 'tracking_code', 'result'] as const;

export const zaloMessages = sqliteTable(
  'zalo_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    zaloUserId: text('zalo_user_id')
      .notNull()
      .references(() => zaloConversations.zaloUserId),
    direction: text('direction', { enum: ZALO_DIRECTIONS }).notNull(),
    /** Zalo's id: the citizen's `msg_id`, or the `message_id` Zalo gave a sent message. */
    msgId: text('msg_id'),
    /** The inbound event it came in (at most one message per event). */
    eventId: integer('event_id').references(() => zaloInboundEvents.id),
    kind: text('kind', { enum: ZALO_MESSAGE_KINDS }).notNull(),
    text: text('text'),
    /** The image as the request's photo (re-encoded); null when the request had no free place. */
    photoId: integer('photo_id').references(() => writtenRequestPhotos.id, { onDelete: 'set null' }),
    latitude: real('latitude'),
    longitude: real('longitude'),
    requestId: integer('request_id').references(() => writtenRequests.id),
    purpose: text('purpose', { enum: ZALO_PURPOSES }),
    /** The ticket a `result` message tells of: one such message per ticket. */
    ticketId: integer('ticket_id').references(() => tickets.id),
    sentBy: integer('sent_by').references(() => users.id),
    status: text('status', { enum: ZALO_MESSAGE_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('zalo_messages_user_idx').on(t.zaloUserId, t.id),
    uniqueIndex('zalo_messages_event_idx').on(t.eventId).where(sql`${t.eventId} is not null`),
    uniqueIndex('zalo_messages_ticket_idx').on(t.ticketId, t.purpose).where(sql`${t.ticketId} is not null`),
  ],
);

/**
 * The OA's tokens (one row, id 1). Zalo gives a new refresh token with each refresh and the old
 * one stops working, so it is kept here, not in the environment, once the first refresh is done.
 */
export const zaloTokens = sqliteTable('zalo_tokens', {
  id: integer('id').primaryKey(),
  accessToken: text('access_token'),
  accessExpiresAt: integer('access_expires_at', { mode: 'timestamp_ms' }),
  refreshToken: text('refresh_token').notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

export type ZaloInboundEventRow = typeof zaloInboundEvents.$inferSelect;
export type ZaloConversationRow = typeof zaloConversations.$inferSelect;
export type ZaloMessageRow = typeof zaloMessages.$inferSelect;
