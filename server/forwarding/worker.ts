/** BullMQ wiring of the forwarding processor. */
import type { Job } from 'bullmq';
import type { GroupCommitter } from '../db/group-commit.ts';
import type { Db } from '../db/index.ts';
import { FORWARD_QUEUE } from '../outbox/queues.ts';
import { type RedisOptions, startWorker } from '../outbox/worker.ts';
import { type ForwardJobData, forwardTicket } from './processor.ts';

export function startForwardWorker(
  opts: RedisOptions & {
    db: Db;
    timeoutMs: number;
    concurrency?: number;
    now?: () => Date;
    committer?: GroupCommitter;
  },
): { close(): Promise<void> } {
  const deps = {
    db: opts.db,
    timeoutMs: opts.timeoutMs,
    logger: opts.logger,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.committer ? { committer: opts.committer } : {}),
  };
  return startWorker<ForwardJobData>(opts, {
    queue: FORWARD_QUEUE,
    what: 'forward worker',
    concurrency: opts.concurrency ?? 16,
    closeTimeoutMs: opts.timeoutMs,
    process: (job: Job<ForwardJobData>, lastAttempt: boolean) =>
      forwardTicket(job.data.ticketId, deps, { lastAttempt }),
  });
}
