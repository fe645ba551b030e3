/** Operators' chosen states, kept so a restart of the server and its call controller restores them. */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { AgentState, NotReadyReason } from '../../common/domain.ts';
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

/**
 * Every state an operator entered, passing states included, for the per-operator report
 * (wrap-up time, not-ready time by reason). A state lasts until the operator's next row.
 */
export const operatorStateChanges = sqliteTable(
  'operator_state_changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    operatorId: integer('operator_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    state: text('state').$type<AgentState>().notNull(),
    /** Set when `not_ready`. */
    reason: text('reason').$type<NotReadyReason>(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('operator_state_changes_at_idx').on(t.at, t.operatorId),
    // An operator's state at a time: their latest row before it.
    index('operator_state_changes_operator_idx').on(t.operatorId, t.at),
  ],
);
