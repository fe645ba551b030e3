/**
 * The callback tasks as the call controller's queue callback sees them (`QueueCallbackStore` in
 * `ivr/api.ts`): which open tasks the ACD keeps a place for, and the attempts the hotline makes
 * itself, recorded on the task like an operator's. Call records are flushed first, so a task the
 * last `ended` event opened is seen. Nothing here throws into the controller: a failure is logged
 * and answered as "nothing held".
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { HeldCallback, QueueCallbackAttempt, QueueCallbackStore } from '../../ivr/api.ts';
import { calls } from '../calls/schema.ts';
import type { Db } from '../db/index.ts';
import type { Tx } from '../outbox/outbox.ts';
import { callbackAttempts, callbacks } from './schema.ts';
import type { CallbackNotifier } from './service.ts';

export interface QueueCallbackStoreDeps {
  db: Db;
  /** Writes the call records' buffered events (the task of a call that just ended). */
  flush: () => void;
  logger: Logger;
  notifier?: CallbackNotifier;
}

const heldTaskOf = (tx: Db | Tx, callerNumber: string) =>
  tx
    .select()
    .from(callbacks)
    .where(
      and(
        eq(callbacks.callerNumber, callerNumber),
        eq(callbacks.status, 'open'),
        eq(callbacks.queueHeld, true),
      ),
    )
    .get();

/**
 * The store the controller uses, and `changed`: told of every task change made elsewhere (a
 * supervisor's give-up, a later call's answer), it tells the controller when the task's number no
 * longer has a held task, so its kept place leaves the ACD at once.
 */
export type QueueCallbackTasks = QueueCallbackStore & CallbackNotifier;

export function createQueueCallbackStore(deps: QueueCallbackStoreDeps): QueueCallbackTasks {
  const { db, logger } = deps;
  const notify = (id: number) => deps.notifier?.changed(id);
  const listeners: ((callerNumber: string) => void)[] = [];
  const flush = () => {
    try {
      deps.flush();
    } catch (err) {
      logger.error({ err }, 'could not write the call records before a queue callback');
    }
  };

  return {
    watch(released) {
      listeners.push(released);
    },

    changed(callbackId) {
      if (listeners.length === 0) return;
      let released: string | null = null;
      try {
        const task = db.select().from(callbacks).where(eq(callbacks.id, callbackId)).get();
        if (!task || (task.status === 'open' && task.queueHeld)) return;
        // The number may have asked again since: a held task of it keeps its place.
        if (!heldTaskOf(db, task.callerNumber)) released = task.callerNumber;
      } catch (err) {
        logger.error({ err, callbackId }, 'could not read a changed callback task');
        return;
      }
      if (released === null) return;
      for (const listener of listeners) {
        try {
          listener(released);
        } catch (err) {
          logger.error({ err, callbackId }, 'could not drop a released callback place');
        }
      }
    },

    held(): HeldCallback[] {
      flush();
      try {
        return db
          .select({ task: callbacks, menuPath: calls.menuPath })
          .from(callbacks)
          .leftJoin(calls, eq(calls.id, callbacks.callId))
          .where(and(eq(callbacks.status, 'open'), eq(callbacks.queueHeld, true)))
          .all()
          .map(({ task, menuPath }) => ({
            callId: task.callId,
            callerNumber: task.callerNumber,
            queue: task.queue,
            menuChoice: menuPath?.slice(-1) ?? '',
            waitingSince: task.waitingSince,
            attempts: task.queueAttempts,
            nextAttemptAt: task.nextAttemptAt,
          }));
      } catch (err) {
        logger.error({ err }, 'could not read the held callback tasks');
        return [];
      }
    },

    attemptStarted(callerNumber, operatorId, at): QueueCallbackAttempt | null {
      flush();
      let opened: QueueCallbackAttempt | null = null;
      try {
        opened = db.transaction((tx) => {
          const task = heldTaskOf(tx, callerNumber);
          if (!task) return null;
          // An attempt of a controller that stopped mid-dial: it counts, as failed.
          const dangling = tx
            .update(callbackAttempts)
            .set({ outcome: 'failed', endedAt: at, detail: 'no outcome reported' })
            .where(
              and(
                eq(callbackAttempts.callbackId, task.id),
                eq(callbackAttempts.kind, 'queue'),
                isNull(callbackAttempts.outcome),
              ),
            )
            .returning({ id: callbackAttempts.id })
            .all().length;
          tx.update(callbacks)
            .set({
              attempts: task.attempts + dangling,
              queueAttempts: task.queueAttempts + dangling,
              nextAttemptAt: null,
            })
            .where(eq(callbacks.id, task.id))
            .run();
          const attempt = tx
            .insert(callbackAttempts)
            .values({ callbackId: task.id, operatorId, startedAt: at, kind: 'queue' })
            .returning({ id: callbackAttempts.id })
            .get();
          return { taskId: task.id, attemptId: attempt.id };
        });
      } catch (err) {
        logger.error({ err }, 'could not open a queue callback attempt');
        return null;
      }
      if (opened) notify(opened.taskId);
      return opened;
    },

    attemptEnded(attempt, result): void {
      flush();
      try {
        db.transaction((tx) => {
          tx.update(callbackAttempts)
            .set({
              outcome: result.outcome,
              endedAt: result.at,
              detail: result.detail,
              callId: result.callId,
            })
            .where(eq(callbackAttempts.id, attempt.attemptId))
            .run();
          const task = tx.select().from(callbacks).where(eq(callbacks.id, attempt.taskId)).get();
          if (!task) return;
          const counted = { attempts: task.attempts + 1, queueAttempts: task.queueAttempts + 1 };
          if (result.next === 'done') {
            // The answered callback call may have closed it already (as a later call): it was this one.
            tx.update(callbacks)
              .set({
                ...counted,
                status: 'reached',
                reachedBy: 'queue_callback',
                closedAt: task.closedAt ?? result.at,
                closedByCallId: result.callId ?? task.closedByCallId,
                queueHeld: false,
                nextAttemptAt: null,
              })
              .where(eq(callbacks.id, task.id))
              .run();
            return;
          }
          if (task.status !== 'open') {
            tx.update(callbacks).set(counted).where(eq(callbacks.id, task.id)).run();
            return;
          }
          tx.update(callbacks)
            .set({
              ...counted,
              // After the hotline's last attempt the task is a person's, due at once.
              queueHeld: result.next === 'retry',
              nextAttemptAt: result.next === 'retry' ? result.notBefore : null,
            })
            .where(eq(callbacks.id, task.id))
            .run();
        });
      } catch (err) {
        logger.error({ err, callbackId: attempt.taskId }, 'could not record a queue callback attempt');
        return;
      }
      notify(attempt.taskId);
    },

    release(callerNumber, at): void {
      flush();
      try {
        const row = db
          .update(callbacks)
          .set({ queueHeld: false, nextAttemptAt: null })
          .where(
            and(
              eq(callbacks.callerNumber, callerNumber),
              eq(callbacks.status, 'open'),
              eq(callbacks.queueHeld, true),
            ),
          )
          .returning({ id: callbacks.id })
          .get();
        if (row) {
          logger.info(
            { callbackId: row.id, at: at.toISOString() },
            'the citizen called again: the place left the ACD',
          );
          notify(row.id);
        }
      } catch (err) {
        logger.error({ err }, 'could not release a held callback task');
      }
    },
  };
}
