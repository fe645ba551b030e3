/** BullMQ wiring of the forwarding processor. */
import { DelayedError, type Job } from 'bullmq';
import type { GroupCommitter } from '../db/group-commit.ts';
import type { Db } from '../db/index.ts';
import { FORWARD_QUEUE } from '../outbox/queues.ts';
import { type RedisOptions, startWorker } from '../outbox/worker.ts';
import { AgencyBusyError, createAgencySlots } from './agency-slots.ts';
import { type ForwardJobData, forwardTicket } from './processor.ts';

export const DEFAULT_AGENCY_CONCURRENCY = 4;
/** How long a delivery waits for its agency's slot before it looks again. */
const BUSY_DELAY_MS = 100;

export function startForwardWorker(
  opts: RedisOptions & {
    db: Db;
    timeoutMs: number;
    concurrency?: number;
    now?: () => Date;
    committer?: GroupCommitter;
    /** Deliveries in flight per agency (`HOTLINE_FORWARD_AGENCY_CONCURRENCY`). */
    agencyConcurrency?: number;
  },
): { close(): Promise<void> } {
  const concurrency = opts.concurrency ?? 16;
  const deps = {
    db: opts.db,
    slots: createAgencySlots(opts.agencyConcurrency ?? DEFAULT_AGENCY_CONCURRENCY),
    timeoutMs: opts.timeoutMs,
    logger: opts.logger,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.committer ? { committer: opts.committer } : {}),
  };
  return startWorker<ForwardJobData>(opts, {
    queue: FORWARD_QUEUE,
    what: 'forward worker',
    concurrency,
    closeTimeoutMs: opts.timeoutMs,
    async process(job: Job<ForwardJobData>, lastAttempt: boolean, token: string | undefined) {
      try {
        return await forwardTicket(job.data.ticketId, deps, { lastAttempt });
      } catch (err) {
        if (!(err instanceof AgencyBusyError)) throw err;
        // Back on the queue shortly, without spending an attempt; jittered so they do not return together.
        await job.moveToDelayed(
          Date.now() + BUSY_DELAY_MS + Math.floor(Math.random() * BUSY_DELAY_MS),
          token,
        );
        throw new DelayedError();
      }
    },
  });
}
