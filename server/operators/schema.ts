/** Operators' chosen states, kept so a restart of the server and its call controller restores them. */
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { NotReadyReason } from '../../common/domain.ts';
import { users } from '../auth/schema.ts';

/**
 * What each operator last asked for, or the hotline set for them (ready, not ready with a reason,
 * offline); never a passing state (ringing, on a call, wrap-up). One row per operator.
 */
export const operatorStates = sqliteTable('operator_states', {
  operatorId: integer('operator_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  state: text('state', { enum: ['ready', 'not_ready', 'offline'] }).notNull(),
  /** Set when `not_ready`. */
  reason: text('reason').$type<NotReadyReason>(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});
