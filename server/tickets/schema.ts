/** Citizens' requests logged by operators. */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Category, District, TicketStatus } from '../../common/domain.ts';
import { agencies } from '../agencies/schema.ts';
import { users } from '../auth/schema.ts';

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
    district: text('district').$type<District>().notNull(),
    description: text('description').notNull(),
    agencyId: integer('agency_id')
      .notNull()
      .references(() => agencies.id),
    status: text('status', { enum: ['received', 'forwarded'] })
      .$type<TicketStatus>()
      .notNull()
      .default('received'),
    createdBy: integer('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    forwardedAt: integer('forwarded_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('tickets_caller_idx').on(t.callerNumber, t.createdAt),
    index('tickets_status_idx').on(t.status),
    index('tickets_agency_idx').on(t.agencyId, t.createdAt),
  ],
);

export type TicketRow = typeof tickets.$inferSelect;
