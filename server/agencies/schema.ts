/** Agencies that handle tickets, and the rules that suggest one for a new ticket. */
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { AgencyKind, Category, District } from '../../common/domain.ts';
import { units } from '../units/schema.ts';

export type { AgencyKind };

export const agencies = sqliteTable('agencies', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  kind: text('kind').$type<AgencyKind>().notNull().default('department'),
  /** Set for district committees (before the 2025 reform): the district they governed. */
  district: text('district').$type<District>(),
  /** Set for a commune's People's Committee: the commune-level unit it governs. */
  unitCode: text('unit_code').references(() => units.code),
  /** False once deactivated: no new tickets; its open tickets were moved to another agency. */
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  /** Where tickets are POSTed; null keeps them in the agency inbox only. */
  forwardUrl: text('forward_url'),
  /** HMAC key for the `X-Hotline-Signature` header of forwarded tickets. */
  forwardSecret: text('forward_secret').notNull(),
});

/** Default agency for a category. */
export const routing = sqliteTable('routing', {
  category: text('category').$type<Category>().primaryKey(),
  agencyId: integer('agency_id')
    .notNull()
    .references(() => agencies.id),
});

/** A district-specific exception to `routing`, e.g. urban infrastructure in Biên Hòa goes to the city. */
export const routingDistricts = sqliteTable(
  'routing_districts',
  {
    category: text('category').$type<Category>().notNull(),
    district: text('district').$type<District>().notNull(),
    agencyId: integer('agency_id')
      .notNull()
      .references(() => agencies.id),
  },
  (t) => [primaryKey({ columns: [t.category, t.district] })],
);

export type AgencyRow = typeof agencies.$inferSelect;
