/**
 * The hotline's Prometheus registry: Node's default metrics (event-loop lag, heap, CPU, handles),
 * the call counters, the job queues and, once the call controller exists, its live view.
 */
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Config } from '../config.ts';
import { createJobQueues } from '../outbox/queues.ts';
import { type CallCounters, registerCallCounters } from './calls.ts';
import { type DeskSource, registerDeskMetrics } from './desk.ts';
import { registerJobMetrics } from './jobs.ts';

export interface HotlineMetrics extends CallCounters {
  readonly registry: Registry;
  /** Adds the controller's gauges; `main.ts` calls it once the desk and the fallback watch exist. */
  followDesk(source: DeskSource): void;
}

export function createHotlineMetrics(deps: { jobQueues: readonly Queue[]; logger: Logger }): HotlineMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const calls = registerCallCounters(registry);
  registerJobMetrics(registry, { queues: deps.jobQueues, logger: deps.logger });
  let following = false;
  return {
    registry,
    counting: (inner) => calls.counting(inner),
    followDesk(source) {
      if (following) throw new Error('the metrics already follow a desk');
      following = true;
      registerDeskMetrics(registry, source);
    },
  };
}

/** The registry with producers of its own on the job queues (read-only use: their counts). */
export function startHotlineMetrics(
  config: Pick<Config, 'redisUrl' | 'queuePrefix'>,
  logger: Logger,
): HotlineMetrics & { close(): Promise<void> } {
  const queues = createJobQueues({ redisUrl: config.redisUrl, prefix: config.queuePrefix, logger });
  const metrics = createHotlineMetrics({ jobQueues: [queues.forward, queues.sms, queues.deadline], logger });
  return { ...metrics, close: () => queues.close() };
}
