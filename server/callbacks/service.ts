/** Callback tasks: opened (or merged) when a call ends owing the citizen a call, listed for the console. */
import { and, asc, eq } from 'drizzle-orm';
import type { CallbackTaskView } from '../../common/api.ts';
import type { Db } from '../db/index.ts';
import type { Tx } from '../outbox/outbox.ts';
import { type CallbackRequest, decideOnRequest, mergeRequest } from './rules.ts';
import { type CallbackRow, type CallbackStatus, callbacks } from './schema.ts';

/**
 * Opens a callback task for the request, or merges it into the number's open task from the last
 * 30 minutes (see `mergeRequest`). Runs in the caller's transaction.
 */
export function recordCallbackRequest(
  tx: Tx,
  callerNumber: string,
  request: CallbackRequest,
): { callbackId: number; created: boolean } {
  const open = tx
    .select()
    .from(callbacks)
    .where(and(eq(callbacks.callerNumber, callerNumber), eq(callbacks.status, 'open')))
    .all();
  const decision = decideOnRequest(open, request.at);
  const task = decision.kind === 'merge' ? open.find((t) => t.id === decision.callbackId) : undefined;
  if (task) {
    const merged = mergeRequest(task, request);
    tx.update(callbacks)
      .set({
        source: merged.source,
        callId: merged.callId,
        queue: merged.queue,
        lastRequestAt: merged.lastRequestAt,
        waitingSince: merged.waitingSince,
        requests: merged.requests,
        recording: merged.recording,
        recordingCallId: merged.recordingCallId,
      })
      .where(eq(callbacks.id, task.id))
      .run();
    return { callbackId: task.id, created: false };
  }
  const row = tx
    .insert(callbacks)
    .values({
      callerNumber,
      queue: request.queue,
      source: request.source,
      callId: request.callId,
      createdAt: request.at,
      waitingSince: request.waitingSince,
      lastRequestAt: request.at,
      recording: request.recording,
      recordingCallId: request.recording === null ? null : request.callId,
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
    source: row.source,
    callId: row.callId,
    createdAt: row.createdAt.toISOString(),
    waitingSince: row.waitingSince.toISOString(),
    lastRequestAt: row.lastRequestAt.toISOString(),
    requests: row.requests,
    recording:
      row.recording !== null && row.recordingCallId !== null
        ? { callId: row.recordingCallId, name: row.recording }
        : null,
    status: row.status,
    attempts: row.attempts,
  };
}

/** Tasks with `status`, oldest first (by waiting-since). */
export function listCallbacks(db: Db, opts: { status: CallbackStatus; limit: number }): CallbackTaskView[] {
  return db
    .select()
    .from(callbacks)
    .where(eq(callbacks.status, opts.status))
    .orderBy(asc(callbacks.waitingSince), asc(callbacks.id))
    .limit(opts.limit)
    .all()
    .map(toCallbackView);
}
