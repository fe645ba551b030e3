/**
 * The hotline's Prometheus registry: Node's default metrics (event-loop lag, heap, CPU, handles),
 * the call counters, the job queues and, once the call controller exists, its live view.
 */
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Config } from '../config.ts';
import { createJobQueues } from '../outbox/queues.ts';
import type { RedisOptions } from '../outbox/redis.ts';
import { type CallCounters, registerCallCounters } from './calls.ts';
import { type DeskSource, registerDeskMetrics } from './desk.ts';
import { countJobFailures } from './job-failures.ts';
import { registerJobMetrics } from './jobs.ts';

export interface HotlineMetrics extends CallCounters {
  readonly registry: Registry;
  /** Adds the controller's gauges; `main.ts` calls it once the desk and the fallback watch exist. */
  followDesk(source: DeskSource): void;
  /** Resolves once job failures are being counted. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createHotlineMetrics(deps: {
  jobQueues: readonly Queue[];
  logger: Logger;
  /** Where the job queues' events are read from, to count failures; none: no failure counter. */
  jobEvents?: RedisOptions;
}): HotlineMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const calls = registerCallCounters(registry);
  registerJobMetrics(registry, { queues: deps.jobQueues, logger: deps.logger });
  const failures = deps.jobEvents
    ? countJobFailures(registry, { ...deps.jobEvents, queues: deps.jobQueues.map((q) => q.name) })
    : null;
  let following = false;
  return {
    registry,
    counting: (inner) => calls.counting(inner),
    followDesk(source) {
      if (following) throw new Error('the metrics already follow a desk');
      following = true;
      registerDeskMetrics(registry, source);
    },
    ready: async () => failures?.ready(),
    close: async () => failures?.close(),
  };
}

/** The registry with producers of its own on the job queues (read-only use: their counts). */
export function startHotlineMetrics(
  config: Pick<Config, 'redisUrl' | 'queuePrefix'>,
  logger: Logger,
): HotlineMetrics {
  const redis = { redisUrl: config.redisUrl, prefix: config.queuePrefix, logger };
  const queues = createJobQueues(redis);
  const metrics = createHotlineMetrics({
    jobQueues: [queues.forward, queues.sms, queues.deadline],
    logger,
    jobEvents: redis,
  });
  return {
    ...metrics,
    async close() {
      await metrics.close();
      await queues.close();
    },
  };
}
