/**
 * The controller's `CallerHistory`: a caller goes ahead of new callers when the same number
 * called within the last 30 minutes (any earlier call in the call records) or has an open
 * callback task. Read only.
 */
import { and, eq, gte, lte, ne, sql } from 'drizzle-orm';
import type { CallerHistory } from '../../ivr/api.ts';
import { callbacks } from '../callbacks/schema.ts';
import type { Db } from '../db/index.ts';
import { preparedOnce } from '../db/prepared.ts';
import { calls } from './schema.ts';

/** An earlier call from the same number this recent makes the caller a returning one. */
export const RETURNING_WINDOW_MS = 30 * 60_000;

/** Runs for every call that enters a queue: built and prepared once. */
const earlierCall = preparedOnce((db: Db) =>
  db
    .select({ id: calls.id })
    .from(calls)
    .where(
      and(
        eq(calls.callerNumber, sql.placeholder('callerNumber')),
        gte(calls.arrivedAt, sql.placeholder('since')),
        lte(calls.arrivedAt, sql.placeholder('now')),
        ne(calls.id, sql.placeholder('callId')),
      ),
    )
    .limit(1)
    .prepare(),
);
const openCallback = preparedOnce((db: Db) =>
  db
    .select({ id: callbacks.id })
    .from(callbacks)
    .where(and(eq(callbacks.callerNumber, sql.placeholder('callerNumber')), eq(callbacks.status, 'open')))
    .limit(1)
    .prepare(),
);

export function createCallerHistory(db: Db): CallerHistory {
  return {
    async isReturning({ callId, callerNumber }, now) {
      const since = new Date(now.getTime() - RETURNING_WINDOW_MS);
      // Compared in the column's storage (ms since the epoch): a placeholder in a condition is not encoded.
      const range = { since: since.getTime(), now: now.getTime() };
      if (earlierCall(db).get({ callerNumber, ...range, callId })) return true;
      return openCallback(db).get({ callerNumber }) !== undefined;
    },
  };
}
