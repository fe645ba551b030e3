/** Agencies that handle tickets, and the rules that suggest one for a new ticket. */
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Category, District } from '../../common/domain.ts';

export type AgencyKind = 'department' | 'district_committee';

export const agencies = sqliteTable('agencies', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  /** A provincial department (or office), or a district's People's Committee. */
  kind: text('kind').$type<AgencyKind>().notNull().default('department'),
  /** Set for district committees: the district they govern. */
  district: text('district').$type<District>(),
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
