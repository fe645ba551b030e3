/**
 * SQLite is the truth for jobs; Redis may lose them (a restart without persistence, a FLUSHALL,
 * an eviction) and a job may stall. The reconciler, run beside the relay at start and every
 * `everyMs`, compares the two: pending deliveries and messages without a live job are re-queued,
 * missing deadline alerts rebuilt (`reconcile-pending.ts`, `reconcile-deadlines.ts`), jobs that
 * stalled for good given up for a supervisor's retry. It only records intents and marks rows;
 * the relay stays the only producer of jobs. While Redis is away it waits.
 */
import type { Logger } from 'pino';
import type { Db } from '../db/index.ts';
import type { JobQueues } from './queues.ts';
import { rebuildDeadlineAlerts } from './reconcile-deadlines.ts';
import { type PendingCounts, reconcilePending } from './reconcile-pending.ts';
import { withTimeout } from './redis.ts';
import type { DeadlineJob } from './relay.ts';

export interface ReconcileCounts extends PendingCounts {
  deadlinesRebuilt: number;
}

export interface ReconcilerDeps {
  db: Db;
  queues: Pick<JobQueues, 'forward' | 'sms' | 'deadline' | 'ready'>;
  /** The ticket's next alert job, as the relay adds it. */
  deadlineJob(ticketId: number): DeadlineJob | null;
  /** Told after intents were recorded (the relay's nudge). */
  requeued(): void;
  logger: Logger;
  /** How often to compare (`HOTLINE_RECONCILE_EVERY_MS`). */
  everyMs: number;
  /** An intent relayed less than this long ago is not judged yet. */
  graceMs?: number;
  /** A job active longer than this has hung (a delivery's whole exchange is bounded far below). */
  stuckActiveMs?: number;
  now?: () => Date;
}

export interface Reconciler {
  /** Runs now (once Redis is connected), then every `everyMs`. */
  start(): void;
  /** One comparison; null when Redis is not connected. */
  run(): Promise<ReconcileCounts | null>;
  close(): Promise<void>;
}

export const DEFAULT_GRACE_MS = 30_000;
export const DEFAULT_STUCK_ACTIVE_MS = 10 * 60_000;
/** While Redis is not connected yet, look again this soon. */
const NOT_READY_RETRY_MS = 1000;
/** A run that takes longer is abandoned (Redis hung); the next one starts afresh. */
const RUN_TIMEOUT_MS = 60_000;

export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const { logger } = deps;
  const now = deps.now ?? (() => new Date());
  const limits = {
    graceMs: deps.graceMs ?? DEFAULT_GRACE_MS,
    stuckActiveMs: deps.stuckActiveMs ?? DEFAULT_STUCK_ACTIVE_MS,
  };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ReconcileCounts | null> | null = null;
  let closed = false;

  async function compare(): Promise<ReconcileCounts | null> {
    if (!deps.queues.ready()) return null;
    const at = now();
    const pending = await reconcilePending({ db: deps.db, queues: deps.queues }, at, limits);
    const deadlinesRebuilt = await rebuildDeadlineAlerts(
      { db: deps.db, queue: deps.queues.deadline, deadlineJob: deps.deadlineJob },
      at,
    );
    const counts = { ...pending, deadlinesRebuilt };
    const requeued = counts.requeued.forward + counts.requeued.sms + deadlinesRebuilt;
    const stalled = counts.stalled.forward + counts.stalled.sms;
    if (requeued > 0) deps.requeued();
    if (requeued + stalled > 0) logger.info(counts, 'jobs reconciled with the database');
    else logger.debug('jobs agree with the database');
    return counts;
  }

  function run(): Promise<ReconcileCounts | null> {
    running ??= withTimeout(compare(), RUN_TIMEOUT_MS, 'reconciling jobs').finally(() => {
      running = null;
    });
    return running;
  }

  function schedule(ms: number): void {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(tick, ms);
  }

  function tick(): void {
    run().then(
      (counts) => schedule(counts ? deps.everyMs : Math.min(NOT_READY_RETRY_MS, deps.everyMs)),
      (err: unknown) => {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'reconciling jobs failed');
        schedule(deps.everyMs);
      },
    );
  }

  return {
    start: () => schedule(0),
    run,
    async close() {
      closed = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
