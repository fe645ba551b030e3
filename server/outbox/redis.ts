/** Redis connections for BullMQ: one outage logged once, closes that never hang on a dead Redis. */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** How long a graceful close may wait for running jobs and Redis before letting go. */
export const CLOSE_GRACE_MS = 5000;

export interface RedisOptions {
  redisUrl: string;
  /** Prefix of every BullMQ key. */
  prefix: string;
  logger: Logger;
}

/**
 * A connection as BullMQ needs it (`maxRetriesPerRequest: null`). `failFast` connections reject
 * commands while Redis is away instead of queueing them, for producers that must not block.
 */
export function connectRedis(url: string, opts: { failFast?: boolean } = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    ...(opts.failFast ? { enableOfflineQueue: false } : {}),
  });
}

export async function closeRedis(redis: Redis): Promise<void> {
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
 * An `error` listener that logs Redis trouble once per outage rather than on every reconnect
 * attempt, and says when it is over.
 */
export function watchRedis(redis: Redis, logger: Logger, what: string): (err: Error) => void {
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

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
