/** Accounts and login sessions. */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { QueueName, Role } from '../../common/domain.ts';
import { agencies } from '../agencies/schema.ts';

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  role: text('role', { enum: ['operator', 'supervisor', 'agency', 'admin'] })
    .$type<Role>()
    .notNull(),
  /** argon2id, PHC string. */
  passwordHash: text('password_hash').notNull(),
  /** Queues the operator serves, as a JSON array of queue names. */
  skills: text('skills', { mode: 'json' }).$type<QueueName[]>().notNull().default([]),
  /** Set for agency liaisons: the agency whose tickets they receive. */
  agencyId: integer('agency_id').references(() => agencies.id),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  /** Set while the account is disabled: no login, no session, no softphone. */
  disabledAt: integer('disabled_at', { mode: 'timestamp_ms' }),
  /** A new or reset account holds a one-time password: it must choose its own before anything else. */
  mustChangePassword: integer('must_change_password', { mode: 'boolean' }).notNull().default(false),
  passwordChangedAt: integer('password_changed_at', { mode: 'timestamp_ms' }),
});

export const sessions = sqliteTable(
  'sessions',
  {
    /** SHA-256 of the cookie's token; the token itself is never stored. */
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    /**
     * The softphone's SIP password for this login only. Set on an operator's or supervisor's newest
     * session (a new login takes the softphone over); it stops working when the session ends.
     */
    sipSecret: text('sip_secret'),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
);

export type UserRow = typeof users.$inferSelect;
