/**
 * The controller's `CallerHistory`: a caller goes ahead of new callers when the same number
 * called within the last 30 minutes (any earlier call in the call records) or has an open
 * callback task. Read only.
 */
import { and, eq, gte, lte, ne } from 'drizzle-orm';
import type { CallerHistory } from '../../ivr/api.ts';
import { callbacks } from '../callbacks/schema.ts';
import type { Db } from '../db/index.ts';
import { calls } from './schema.ts';

/** An earlier call from the same number this recent makes the caller a returning one. */
export const RETURNING_WINDOW_MS = 30 * 60_000;

export function createCallerHistory(db: Db): CallerHistory {
  return {
    async isReturning({ callId, callerNumber }, now) {
      const earlier = db
        .select({ id: calls.id })
        .from(calls)
        .where(
          and(
            eq(calls.callerNumber, callerNumber),
            gte(calls.arrivedAt, new Date(now.getTime() - RETURNING_WINDOW_MS)),
            lte(calls.arrivedAt, now),
            ne(calls.id, callId),
          ),
        )
        .limit(1)
        .get();
      if (earlier) return true;
      const open = db
        .select({ id: callbacks.id })
        .from(callbacks)
        .where(and(eq(callbacks.callerNumber, callerNumber), eq(callbacks.status, 'open')))
        .limit(1)
        .get();
      return open !== undefined;
    },
  };
}
