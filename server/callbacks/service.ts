/** Callback tasks: opened (or merged) when a caller abandons the queue, listed for the console. */
import { and, asc, eq } from 'drizzle-orm';
import type { CallbackTaskView } from '../../common/api.ts';
import type { QueueName } from '../../common/domain.ts';
import type { Db } from '../db/index.ts';
import type { Tx } from '../outbox/outbox.ts';
import { decideOnAbandon } from './rules.ts';
import { type CallbackRow, type CallbackStatus, callbacks } from './schema.ts';

export interface Abandon {
  callId: string;
  callerNumber: string;
  queue: QueueName;
  at: Date;
}

/**
 * Opens a callback task for an abandoned call, or merges it into the number's open task from the
 * last 30 minutes (latest call id and queue, one more abandon). Runs in the caller's transaction.
 */
export function recordAbandon(tx: Tx, abandon: Abandon): { callbackId: number; created: boolean } {
  const open = tx
    .select({ id: callbacks.id, lastAbandonAt: callbacks.lastAbandonAt, abandons: callbacks.abandons })
    .from(callbacks)
    .where(and(eq(callbacks.callerNumber, abandon.callerNumber), eq(callbacks.status, 'open')))
    .all();
  const decision = decideOnAbandon(open, abandon.at);
  if (decision.kind === 'merge') {
    const task = open.find((t) => t.id === decision.callbackId);
    const later = !task || abandon.at >= task.lastAbandonAt;
    tx.update(callbacks)
      .set({
        abandons: (task?.abandons ?? 1) + 1,
        ...(later ? { callId: abandon.callId, queue: abandon.queue, lastAbandonAt: abandon.at } : {}),
      })
      .where(eq(callbacks.id, decision.callbackId))
      .run();
    return { callbackId: decision.callbackId, created: false };
  }
  const row = tx
    .insert(callbacks)
    .values({
      callerNumber: abandon.callerNumber,
      queue: abandon.queue,
      callId: abandon.callId,
      createdAt: abandon.at,
      lastAbandonAt: abandon.at,
    })
    .returning({ id: callbacks.id })
    .get();
  return { callbackId: row.id, created: true };
}

export function toCallbackView(row: CallbackRow): CallbackTaskView {
  return {
    id: row.id,
    callerNumber: row.callerNumber,
    queue: row.queue,
    callId: row.callId,
    createdAt: row.createdAt.toISOString(),
    lastAbandonAt: row.lastAbandonAt.toISOString(),
    abandons: row.abandons,
    status: row.status,
    attempts: row.attempts,
  };
}

/** Tasks with `status`, oldest first. */
export function listCallbacks(db: Db, opts: { status: CallbackStatus; limit: number }): CallbackTaskView[] {
  return db
    .select()
    .from(callbacks)
    .where(eq(callbacks.status, opts.status))
    .orderBy(asc(callbacks.createdAt), asc(callbacks.id))
    .limit(opts.limit)
    .all()
    .map(toCallbackView);
}
