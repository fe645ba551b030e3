/** Ticket categories and where each one goes: a default agency, and communes that differ. */
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { agencies } from '../agencies/schema.ts';
import { units } from '../units/schema.ts';

export const categories = sqliteTable('categories', {
  /** Stable key stored on tickets, e.g. `health`; never changes once tickets use it. */
  key: text('key').primaryKey(),
  name: text('name').notNull(),
  /** Where a ticket of this category goes unless its commune has a rule of its own. */
  defaultAgencyId: integer('default_agency_id').references(() => agencies.id),
  /** Working days an agency has to resolve a normal ticket of this category; null: the priority's default. */
  resolveWorkingDays: integer('resolve_working_days'),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  sortOrder: integer('sort_order').notNull().default(0),
});

/** A commune where a category goes to another agency than its default (often the commune's People's Committee). */
export const routingUnits = sqliteTable(
  'routing_units',
  {
    category: text('category')
      .notNull()
      .references(() => categories.key),
    unitCode: text('unit_code')
      .notNull()
      .references(() => units.code),
    agencyId: integer('agency_id')
      .notNull()
      .references(() => agencies.id),
  },
  (t) => [primaryKey({ columns: [t.category, t.unitCode] })],
);

export type CategoryRow = typeof categories.$inferSelect;
