/**
 * Days the admin enters on top of the computed public holidays: decreed days off (the bridge days
 * around Tết, a day in lieu) and Saturdays worked in exchange.
 */
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { users } from '../auth/schema.ts';

export const calendarDays = sqliteTable('calendar_days', {
  /** Local date, `YYYY-MM-DD`. */
  date: text('date').primaryKey(),
  /** `holiday`: no office hours (and the hotline keeps holiday hours); `workday`: worked although a weekend or a computed holiday. */
  kind: text('kind', { enum: ['holiday', 'workday'] }).notNull(),
  name: text('name').notNull(),
  createdBy: integer('created_by').references(() => users.id),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

export type CalendarDayRow = typeof calendarDays.$inferSelect;
