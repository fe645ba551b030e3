/**
 * `hotline_job_failures_total`: jobs that failed for good (their attempts used up), per queue,
 * counted from BullMQ's event stream in Redis, so failures in a separate job process count too.
 * Each queue's events take a blocking Redis connection of their own.
 */
import { QueueEvents } from 'bullmq';
import { Counter, type Registry } from 'prom-client';
import {
  CLOSE_GRACE_MS,
  closeRedis,
  connectRedis,
  type RedisOptions,
  watchRedis,
  withTimeout,
} from '../outbox/redis.ts';

export function countJobFailures(
  registry: Registry,
  opts: RedisOptions & { queues: readonly string[] },
): { ready(): Promise<void>; close(): Promise<void> } {
  const failures = new Counter({
    name: 'hotline_job_failures_total',
    help: 'Jobs that failed for good (attempts used up) since the server started, by queue.',
    labelNames: ['queue'],
    registers: [registry],
  });
  const watches = opts.queues.map((queue) => {
    failures.inc({ queue }, 0);
    const connection = connectRedis(opts.redisUrl);
    const events = new QueueEvents(queue, { connection, prefix: opts.prefix });
    const onError = watchRedis(connection, opts.logger, `job events of ${queue}`);
    connection.on('error', onError);
    events.on('error', () => undefined); // already reported by the connection's listener
    events.on('failed', () => failures.inc({ queue }));
    return { events, connection };
  });
  return {
    // Events before this are not counted: the stream is read from its end on.
    ready: async () => {
      await Promise.all(watches.map(({ events }) => events.waitUntilReady()));
    },
    async close() {
      for (const { events, connection } of watches) {
        // With Redis away a close would wait for a connection that never comes: drop it instead.
        if (connection.status !== 'ready') {
          connection.disconnect();
          events.close().catch(() => undefined);
          continue;
        }
        await withTimeout(events.close(), CLOSE_GRACE_MS, 'closing job events').catch((err) =>
          opts.logger.warn({ err: String(err) }, 'job events did not close cleanly'),
        );
        await closeRedis(connection);
      }
    },
  };
}
