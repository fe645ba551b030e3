/**
 * The BullMQ queues that outbox intents become jobs on, and the job options of each. Job
 * payloads carry ids only.
 */
import { type JobsOptions, Queue } from 'bullmq';
import {
  CLOSE_GRACE_MS,
  closeRedis,
  connectRedis,
  type RedisOptions,
  watchRedis,
  withTimeout,
} from './redis.ts';
import type { OutboxIntent } from './schema.ts';

export const FORWARD_QUEUE = 'ticket-forward';
export const SMS_QUEUE = 'sms';
export const DEADLINE_QUEUE = 'ticket-deadline';
/** Zalo's events and the messages to citizens on Zalo (`server/zalo/`). */
export const ZALO_QUEUE = 'zalo';

export const QUEUE_OF_INTENT: Record<OutboxIntent['kind'], string> = {
  forward: FORWARD_QUEUE,
  sms: SMS_QUEUE,
  deadline: DEADLINE_QUEUE,
  zalo_inbound: ZALO_QUEUE,
  zalo_send: ZALO_QUEUE,
};

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

export interface JobPolicies {
  forward: RetryPolicy;
  sms: RetryPolicy;
  deadline: RetryPolicy;
  /** Zalo's events and messages; `DEFAULT_ZALO_POLICY` when not given. */
  zalo?: RetryPolicy;
}

export const DEFAULT_ZALO_POLICY: RetryPolicy = { attempts: 5, backoffMs: 2000 };

const KEEP_COMPLETED = { age: 24 * 3600 };
const KEEP_FAILED = { age: 7 * 24 * 3600 };

export function jobOptions(policy: RetryPolicy): JobsOptions {
  return {
    attempts: policy.attempts,
    backoff: { type: 'exponential', delay: policy.backoffMs },
    removeOnComplete: KEEP_COMPLETED,
    removeOnFail: KEEP_FAILED,
  };
}

export interface JobQueues {
  forward: Queue;
  sms: Queue;
  deadline: Queue;
  zalo: Queue;
  /** True while the producers' Redis connection is up; nothing is sent to Redis otherwise. */
  ready(): boolean;
  close(): Promise<void>;
}

/** Producers for the queues, on one connection that fails fast while Redis is away. */
export function createJobQueues(opts: RedisOptions): JobQueues {
  const { logger } = opts;
  const connection = connectRedis(opts.redisUrl, { failFast: true });
  const onError = watchRedis(connection, logger, 'job queues');
  connection.on('error', onError);
  const make = (name: string) => {
    const queue = new Queue(name, { connection, prefix: opts.prefix });
    queue.on('error', () => undefined); // already reported by the connection's listener
    return queue;
  };
  const queues = {
    forward: make(FORWARD_QUEUE),
    sms: make(SMS_QUEUE),
    deadline: make(DEADLINE_QUEUE),
    zalo: make(ZALO_QUEUE),
  };
  return {
    ...queues,
    ready: () => connection.status === 'ready',
    async close() {
      if (connection.status !== 'ready') connection.disconnect();
      for (const queue of Object.values(queues)) {
        await withTimeout(queue.close(), CLOSE_GRACE_MS, `closing queue ${queue.name}`).catch((err) =>
          logger.warn({ err: String(err) }, 'queue did not close cleanly'),
        );
      }
      await closeRedis(connection);
    },
  };
}
