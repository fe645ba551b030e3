/** The append-only log of administrative changes: who changed what, when, before and after. */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { users } from '../auth/schema.ts';

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    /** Null: the system itself (a first-run bootstrap, an import at start). */
    actorId: integer('actor_id').references(() => users.id),
    /** e.g. `user.create`, `agency.deactivate`, `routing.set`, `units.import`, `calendar.add`. */
    action: text('action').notNull(),
    /** What was changed: `user`, `agency`, `category`, `routing`, `units`, `calendar`, `ivr`, `controller`. */
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    before: text('before', { mode: 'json' }).$type<unknown>(),
    after: text('after', { mode: 'json' }).$type<unknown>(),
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_entity_idx').on(t.entity, t.entityId)],
);

export type AuditRow = typeof auditLog.$inferSelect;
