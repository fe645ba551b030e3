/** Settings the province decides, one row per section, each a JSON value the admin page edits. */
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { SettingsSection } from '../../common/api.ts';
import { users } from '../auth/schema.ts';

export const settings = sqliteTable('settings', {
  section: text('section').$type<SettingsSection>().primaryKey(),
  value: text('value', { mode: 'json' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  updatedBy: integer('updated_by').references(() => users.id),
});
