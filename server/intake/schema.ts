/**
 * Written requests: what citizens send in writing (the public web form, Zalo, the province's app
 * through Open311). Each gets a tracking code at once, from the same code space as tickets; an
 * operator turns it into a ticket, which keeps that code, so the citizen follows one code.
 */
import { sql } from 'drizzle-orm';
import { blob, index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { Category } from '../../common/domain.ts';
import { users } from '../auth/schema.ts';
import { tickets } from '../tickets/schema.ts';
import { units } from '../units/schema.ts';

/** Where a written request came in. */
export const WRITTEN_CHANNELS = ['web', 'zalo', 'app'] as const;
export type WrittenChannel = (typeof WRITTEN_CHANNELS)[number];

/**
 * `open` until an operator turns it into a ticket (`ticketed`) or closes it with a reason
 * (`closed`: not a matter for the hotline, spam, the citizen withdrew it).
 */
export const WRITTEN_REQUEST_STATUSES = ['open', 'ticketed', 'closed'] as const;
export type WrittenRequestStatus = (typeof WRITTEN_REQUEST_STATUSES)[number];

/** Apps allowed to post requests through Open311 (the province's app, partners): one key each. */
export const open311Clients = sqliteTable('open311_clients', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  /** SHA-256 hex of the api_key; the key itself is shown once, when made or rotated. */
  apiKeyHash: text('api_key_hash').notNull().unique(),
  /** The key's first characters, so an admin can tell keys apart. */
  apiKeyPrefix: text('api_key_prefix').notNull(),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
});

export const writtenRequests = sqliteTable(
  'written_requests',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Never equal to a ticket's code except the ticket made from this request. */
    trackingCode: text('tracking_code').notNull().unique(),
    channel: text('channel', { enum: WRITTEN_CHANNELS }).$type<WrittenChannel>().notNull(),
    status: text('status', { enum: WRITTEN_REQUEST_STATUSES })
      .$type<WrittenRequestStatus>()
      .notNull()
      .default('open'),
    /** A category key the citizen chose (or the Open311 service code); the operator may change it. */
    category: text('category').$type<Category>(),
    description: text('description').notNull(),
    unitCode: text('unit_code').references(() => units.code),
    address: text('address'),
    latitude: real('latitude'),
    longitude: real('longitude'),
    citizenName: text('citizen_name'),
    /** The citizen's number: confirmed by a one-time SMS code on the web form; as given by an app. */
    phone: text('phone'),
    phoneVerified: integer('phone_verified', { mode: 'boolean' }).notNull().default(false),
    zaloUserId: text('zalo_user_id'),
    clientId: integer('client_id').references(() => open311Clients.id),
    /** The consent text the citizen accepted (its version), and when. */
    consentVersion: text('consent_version'),
    consentAt: integer('consent_at', { mode: 'timestamp_ms' }),
    /** Sent again by the same citizen within a day while this one was open: joined here. */
    joinedCount: integer('joined_count').notNull().default(0),
    ticketId: integer('ticket_id').references(() => tickets.id),
    closedReason: text('closed_reason'),
    /** The operator working on it now (the desk gives written tasks as it gives calls). */
    takenBy: integer('taken_by').references(() => users.id),
    takenAt: integer('taken_at', { mode: 'timestamp_ms' }),
    /** First answer from an operator (a reply, a ticket or a close): the first-response target. */
    firstResponseAt: integer('first_response_at', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('written_requests_status_idx').on(t.status, t.createdAt),
    index('written_requests_phone_idx').on(t.phone, t.createdAt),
    index('written_requests_zalo_idx').on(t.zaloUserId, t.createdAt),
    uniqueIndex('written_requests_ticket_idx').on(t.ticketId).where(sql`${t.ticketId} is not null`),
  ],
);

/** Photos of a request, re-encoded as JPEG without metadata; at most 3 per request. */
export const writtenRequestPhotos = sqliteTable(
  'written_request_photos',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    requestId: integer('request_id')
      .notNull()
      .references(() => writtenRequests.id, { onDelete: 'cascade' }),
    /** 1..3 in the order given. */
    position: integer('position').notNull(),
    mime: text('mime').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    data: blob('data', { mode: 'buffer' }).notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('written_request_photos_position_idx').on(t.requestId, t.position)],
);

/** What happened to a request, in order: submitted, joined by a repeat, replied, ticketed, closed. */
export const writtenRequestEvents = sqliteTable(
  'written_request_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    requestId: integer('request_id')
      .notNull()
      .references(() => writtenRequests.id, { onDelete: 'cascade' }),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    kind: text('kind').notNull(),
    actorId: integer('actor_id').references(() => users.id),
    text: text('text'),
  },
  (t) => [index('written_request_events_request_idx').on(t.requestId, t.id)],
);

/**
 * Intake retries: a key the sender gave (`Idempotency-Key` on the web form's API, an Open311
 * client's retried post) answers with the request it made. `scope` is `web` or `app:<client id>`.
 */
export const intakeIdempotencyKeys = sqliteTable(
  'intake_idempotency_keys',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    requestId: integer('request_id')
      .notNull()
      .references(() => writtenRequests.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('intake_idempotency_keys_key_idx').on(t.scope, t.key),
    index('intake_idempotency_keys_created_idx').on(t.createdAt),
  ],
);

/**
 * One-time SMS codes that confirm a phone number (the web form; later other pages). Only a hash
 * of the code is kept; a code dies after its time, its tries, or its use.
 */
export const phoneVerifications = sqliteTable(
  'phone_verifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    phone: text('phone').notNull(),
    /** The client address that asked, for the per-address limit. */
    address: text('address').notNull(),
    codeHash: text('code_hash').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    tries: integer('tries').notNull().default(0),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('phone_verifications_phone_idx').on(t.phone, t.createdAt),
    index('phone_verifications_address_idx').on(t.address, t.createdAt),
  ],
);

export type WrittenRequestRow = typeof writtenRequests.$inferSelect;
export type NewWrittenRequest = typeof writtenRequests.$inferInsert;
export type Open311ClientRow = typeof open311Clients.$inferSelect;
