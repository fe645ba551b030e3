/** Citizens' requests logged by operators, and each ticket's append-only audit log. */
import {
  type AnySQLiteColumn,
  index,
  integer,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import type { TicketEventView } from '../../common/api.ts';
import {
  type Category,
  type DeliveryStatus,
  type Priority,
  TICKET_STATUSES,
  type TicketStatus,
} from '../../common/domain.ts';
import { agencies } from '../agencies/schema.ts';
import { users } from '../auth/schema.ts';
import { units } from '../units/schema.ts';

export const tickets = sqliteTable(
  'tickets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** 9 digits, the last a Damm check digit; read out to the caller. */
    trackingCode: text('tracking_code').notNull().unique(),
    callId: text('call_id'),
    callerNumber: text('caller_number').notNull(),
    callerName: text('caller_name'),
    category: text('category').$type<Category>().notNull(),
    /** The district given before the 2025 reform (old tickets only); new tickets name a unit. */
    legacyDistrict: text('legacy_district'),
    /** The commune-level unit the request concerns; null: not determined (chưa xác định). */
    unitCode: text('unit_code').references(() => units.code),
    /** Street address or place description as the citizen gave it. */
    address: text('address'),
    description: text('description').notNull(),
    /**
     * The agency that handles the ticket once assigned; before that, the one routing suggests.
     * Liaisons see a ticket only once `assignedAt` is set.
     */
    agencyId: integer('agency_id')
      .notNull()
      .references(() => agencies.id),
    status: text('status', { enum: TICKET_STATUSES }).$type<TicketStatus>().notNull().default('received'),
    priority: text('priority').$type<Priority>().notNull().default('normal'),
    createdBy: integer('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** The latest assignment to `agencyId`; due times count from it. */
    assignedAt: integer('assigned_at', { mode: 'timestamp_ms' }),
    ackDueAt: integer('ack_due_at', { mode: 'timestamp_ms' }),
    resolveDueAt: integer('resolve_due_at', { mode: 'timestamp_ms' }),
    ackedAt: integer('acked_at', { mode: 'timestamp_ms' }),
    /**
     * When the agency resolved the ticket: it posted the result the hotline then approved (or is
     * reviewing). Its resolution clock stops here; cleared when the result is sent back.
     */
    resolvedAt: integer('resolved_at', { mode: 'timestamp_ms' }),
    /** When the hotline approved the agency's result (the ticket became `resolved`). */
    approvedAt: integer('approved_at', { mode: 'timestamp_ms' }),
    /** At most one extension per ticket; `resolveDueAt` already holds the extended deadline. */
    extensionReason: text('extension_reason'),
    extensionGrantedAt: integer('extension_granted_at', { mode: 'timestamp_ms' }),
    /** The agency's posted result. */
    result: text('result'),
    /** Set on `duplicate`: the ticket this one repeats. */
    parentId: integer('parent_id').references((): AnySQLiteColumn => tickets.id),
    /** Delivery to the agency's webhook, kept by the forwarding processor. */
    deliveryStatus: text('delivery_status').$type<DeliveryStatus>().notNull().default('none'),
    deliveryAttempts: integer('delivery_attempts').notNull().default(0),
    deliveryLastError: text('delivery_last_error'),
    deliveredAt: integer('delivered_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('tickets_caller_idx').on(t.callerNumber, t.createdAt),
    index('tickets_status_idx').on(t.status),
    index('tickets_agency_idx').on(t.agencyId, t.createdAt),
    index('tickets_delivery_idx').on(t.deliveryStatus),
  ],
);

export type TicketRow = typeof tickets.$inferSelect;

export type TicketEventAction = TicketEventView['action'];

/**
 * Who did what to a ticket, when, from which status to which, and why. Written in the same
 * transaction as the change; rows are never updated or deleted. `actorId` null: the system.
 */
export const ticketEvents = sqliteTable(
  'ticket_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    actorId: integer('actor_id').references(() => users.id),
    action: text('action').$type<TicketEventAction>().notNull(),
    from: text('from_status').$type<TicketStatus>(),
    to: text('to_status').$type<TicketStatus>(),
    reason: text('reason'),
    text: text('text'),
  },
  (t) => [index('ticket_events_ticket_idx').on(t.ticketId, t.id)],
);

export type TicketEventRow = typeof ticketEvents.$inferSelect;

/**
 * The `Idempotency-Key`s of ticket creations: a retried request (same user, same key) answers
 * with the ticket it created rather than creating another. Written in the ticket's transaction;
 * kept at least `IDEMPOTENCY_KEY_TTL_MS` (see `idempotency.ts`), then pruned.
 */
export const ticketIdempotencyKeys = sqliteTable(
  'ticket_idempotency_keys',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    key: text('key').notNull(),
    /** SHA-256 of the request body, to refuse the key's reuse for a different request. */
    requestHash: text('request_hash').notNull(),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('ticket_idempotency_keys_user_key_idx').on(t.userId, t.key),
    index('ticket_idempotency_keys_created_idx').on(t.createdAt),
  ],
);
