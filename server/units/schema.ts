/** Commune-level administrative units (xã, phường, đặc khu) of the province, imported from a CSV file. */
import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { UnitKind } from '../../common/domain.ts';

export const units = sqliteTable(
  'units',
  {
    /** The unit's official code (the national list of administrative units), e.g. `26041`. */
    code: text('code').primaryKey(),
    /** Full name with its kind, e.g. `Phường Biên Hòa`. */
    name: text('name').notNull(),
    kind: text('kind').$type<UnitKind>().notNull(),
    /** Names of the units it was formed from (before 1 July 2025), so old addresses still find it. */
    formerNames: text('former_names', { mode: 'json' }).$type<string[]>().notNull().default([]),
    /** Name and former names without diacritics, lower case: what a typed search matches. */
    searchText: text('search_text').notNull(),
    /**
     * A point inside the unit (WGS84), from the file's optional `latitude,longitude` columns: a
     * reported point is placed in the unit whose point is nearest (`nearest.ts`). Null: not known.
     */
    latitude: real('latitude'),
    longitude: real('longitude'),
    /** False once a later import no longer lists it; tickets keep pointing at it. */
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    importedAt: integer('imported_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('units_name_idx').on(t.name)],
);

export type UnitRow = typeof units.$inferSelect;
