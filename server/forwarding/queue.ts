/**
 * BullMQ wiring for forwarding tickets to agencies: the producer side the ticket service uses,
 * the worker that runs `forwardTicket`, and a sweep that re-queues tickets Redis missed.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '../db/index.ts';
import { unforwardedTicketIds } from '../tickets/repository.ts';
import { type ForwardJobData, forwardTicket } from './processor.ts';

export const FORWARD_QUEUE = 'ticket-forward';

/** What the ticket service needs: queue a ticket for forwarding (at most once per ticket). */
export interface ForwardQueue {
  enqueue(ticketId: number): Promise<void>;
}

export interface ForwardQueueHandle extends ForwardQueue {
  close(): Promise<void>;
}

export function forwardJobId(ticketId: number): string {
  return `forward-${ticketId}`;
}

export interface RedisQueueOptions {
  redisUrl: string;
  prefix: string;
  logger: Logger;
}

/** How long a graceful close may wait for running jobs and Redis before letting go. */
const CLOSE_GRACE_MS = 5000;

async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await withTimeout(redis.quit(), CLOSE_GRACE_MS, 'closing Redis');
  } catch {
    redis.disconnect();
  }
}

/**
 * Logs Redis trouble once per outage rather than on every reconnect attempt, and says when it
 * is over.
 */
function watchRedis(redis: Redis, logger: Logger, what: string): (err: Error) => void {
  let down = false;
  redis.on('ready', () => {
    if (down) logger.info(`${what}: Redis is back`);
    down = false;
  });
  return (err) => {
    if (redis.status === 'ready') {
      logger.warn({ err: err.message }, `${what}: error`);
      return;
    }
    if (down) return;
    down = true;
    logger.warn({ err: err.message }, `${what}: Redis unavailable, retrying`);
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createForwardQueue(
  opts: RedisQueueOptions & { attempts: number; backoffMs: number; enqueueTimeoutMs?: number },
): ForwardQueueHandle {
  const { logger } = opts;
  // Fail fast while Redis is away: the ticket is already stored and the sweep queues it later.
  const connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null, enableOfflineQueue: false });
  const queue = new Queue<ForwardJobData>(FORWARD_QUEUE, { connection, prefix: opts.prefix });
  queue.on('error', watchRedis(connection, logger, 'forward queue'));
  const enqueueTimeoutMs = opts.enqueueTimeoutMs ?? 2000;

  return {
    async enqueue(ticketId) {
      await withTimeout(
        queue.add(
          'forward',
          { ticketId },
          {
            jobId: forwardJobId(ticketId),
            attempts: opts.attempts,
            backoff: { type: 'exponential', delay: opts.backoffMs },
            removeOnComplete: { age: 24 * 3600 },
            removeOnFail: { age: 7 * 24 * 3600 },
          },
        ),
        enqueueTimeoutMs,
        'queueing the forward job',
      );
    },
    async close() {
      if (connection.status !== 'ready') connection.disconnect();
      await withTimeout(queue.close(), CLOSE_GRACE_MS, 'closing the forward queue').catch((err) =>
        logger.warn({ err: String(err) }, 'forward queue did not close cleanly'),
      );
      await closeRedis(connection);
    },
  };
}

export function startForwardWorker(
  opts: RedisQueueOptions & { db: Db; timeoutMs: number; concurrency?: number; now?: () => Date },
): { close(): Promise<void> } {
  const { logger } = opts;
  const connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker<ForwardJobData>(
    FORWARD_QUEUE,
    (job) =>
      forwardTicket(job.data.ticketId, {
        db: opts.db,
        timeoutMs: opts.timeoutMs,
        logger,
        ...(opts.now ? { now: opts.now } : {}),
      }),
    { connection, prefix: opts.prefix, concurrency: opts.concurrency ?? 4 },
  );
  worker.on('error', watchRedis(connection, logger, 'forward worker'));
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    const fields = { ticketId: job.data.ticketId, attempt: job.attemptsMade, err: err.message };
    if (final) logger.error(fields, 'ticket forwarding gave up; the ticket stays in the agency inbox');
    else logger.warn(fields, 'ticket forwarding failed, will retry');
  });

  return {
    async close() {
      // With Redis away a graceful close would wait forever for the blocked fetch; force it.
      const closing = connection.status === 'ready' ? worker.close() : worker.close(true);
      await withTimeout(closing, opts.timeoutMs + CLOSE_GRACE_MS, 'closing the forward worker').catch((err) =>
        logger.warn({ err: String(err) }, 'forward worker did not close cleanly'),
      );
      await closeRedis(connection);
    },
  };
}

/**
 * Queues every ticket still waiting to be forwarded. Jobs are deduplicated by ticket id, so
 * running this while jobs are pending or failed adds nothing.
 */
export async function requeueUnforwarded(db: Db, queue: ForwardQueue, limit = 500): Promise<number> {
  const ids = unforwardedTicketIds(db, limit);
  for (const id of ids) await queue.enqueue(id);
  return ids.length;
}
