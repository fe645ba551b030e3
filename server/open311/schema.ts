/**
 * Tokens of Open311 posts: `GET tokens/{token}` turns the token a post answered with into the
 * request's `service_request_id` (its tracking code). One token per request and client app.
 */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { open311Clients, writtenRequests } from '../intake/schema.ts';

export const open311Tokens = sqliteTable(
  'open311_tokens',
  {
    /** Random, URL-safe; not guessable from the tracking code. */
    token: text('token').primaryKey(),
    requestId: integer('request_id')
      .notNull()
      .references(() => writtenRequests.id, { onDelete: 'cascade' }),
    clientId: integer('client_id')
      .notNull()
      .references(() => open311Clients.id),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('open311_tokens_request_idx').on(t.requestId, t.clientId)],
);

export type Open311TokenRow = typeof open311Tokens.$inferSelect;
