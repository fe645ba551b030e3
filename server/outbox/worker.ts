/** Shared wiring of a BullMQ worker: its own connection, one warning per Redis outage, a close that never hangs. */
import { type Job, Worker } from 'bullmq';
import {
  CLOSE_GRACE_MS,
  closeRedis,
  connectRedis,
  type RedisOptions,
  watchRedis,
  withTimeout,
} from './redis.ts';

export type { RedisOptions };

export interface WorkerSpec<T> {
  queue: string;
  /** Name in log lines. */
  what: string;
  concurrency: number;
  /** How long a running job may take to finish on close. */
  closeTimeoutMs: number;
  /** `lastAttempt`: no retry follows if this attempt fails; `token` is the worker's lock on the job. */
  process(job: Job<T>, lastAttempt: boolean, token: string | undefined): Promise<unknown>;
}

export function isLastAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

export function startWorker<T>(opts: RedisOptions, spec: WorkerSpec<T>): { close(): Promise<void> } {
  const { logger } = opts;
  const connection = connectRedis(opts.redisUrl);
  const worker = new Worker<T>(spec.queue, (job, token) => spec.process(job, isLastAttempt(job), token), {
    connection,
    prefix: opts.prefix,
    concurrency: spec.concurrency,
  });
  worker.on('error', watchRedis(connection, logger, spec.what));
  return {
    async close() {
      // With Redis away a graceful close would wait forever for the blocked fetch; force it.
      const closing = connection.status === 'ready' ? worker.close() : worker.close(true);
      await withTimeout(closing, spec.closeTimeoutMs + CLOSE_GRACE_MS, `closing the ${spec.what}`).catch(
        (err) => logger.warn({ err: String(err) }, `${spec.what} did not close cleanly`),
      );
      await closeRedis(connection);
    },
  };
}
