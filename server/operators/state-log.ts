/**
 * The log of every state an operator entered (`operator_state_changes`), which the per-operator
 * report reads: wrap-up time and not-ready time by reason. A row is written only when the state
 * or its reason changed, stamped with the time the controller says it began.
 */
import { desc, eq } from 'drizzle-orm';
import type { AgentStateView } from '../../common/events.ts';
import type { Db } from '../db/index.ts';
import { operatorStateChanges } from '../db/schema.ts';

export interface StateLog {
  record(operatorId: number, status: AgentStateView): void;
}

export function createStateLog(db: Db): StateLog {
  /** The last row written per operator, read once from the table. */
  const last = new Map<number, string>();
  const keyOf = (s: { state: string; reason: string | null }) => `${s.state}/${s.reason ?? ''}`;
  return {
    record(operatorId, status) {
      let previous = last.get(operatorId);
      if (previous === undefined) {
        const row = db
          .select({ state: operatorStateChanges.state, reason: operatorStateChanges.reason })
          .from(operatorStateChanges)
          .where(eq(operatorStateChanges.operatorId, operatorId))
          .orderBy(desc(operatorStateChanges.at), desc(operatorStateChanges.id))
          .limit(1)
          .get();
        previous = row ? keyOf(row) : '';
      }
      const key = keyOf(status);
      if (key === previous) return;
      const since = new Date(status.since);
      db.insert(operatorStateChanges)
        .values({
          operatorId,
          state: status.state,
          reason: status.state === 'not_ready' ? status.reason : null,
          at: Number.isNaN(since.getTime()) ? new Date() : since,
        })
        .run();
      last.set(operatorId, key);
    },
  };
}
