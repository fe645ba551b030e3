/**
 * Gauges of the BullMQ job queues (ticket forwarding, SMS, deadlines), read from Redis at scrape
 * time, so they hold wherever the workers run (this process or `HOTLINE_JOB_WORKERS=separate`).
 */
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { withTimeout } from '../outbox/redis.ts';
import { oncePerTurn } from './once-per-turn.ts';

/**
 * Depth (`waiting`, `prioritized`; `delayed` holds retries waiting for their backoff), work in
 * hand (`active`) and jobs that used up their attempts (`failed`, kept 7 days).
 */
const JOB_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed'] as const;

type Counts = (readonly [queue: string, byState: Record<string, number>])[];

export function registerJobMetrics(
  registry: Registry,
  deps: { queues: readonly Queue[]; logger: Logger; timeoutMs?: number },
): void {
  const timeoutMs = deps.timeoutMs ?? COUNT_TIMEOUT_MS;
  const read = async (): Promise<Counts | null> => {
    try {
      return await withTimeout(
        Promise.all(deps.queues.map(async (q) => [q.name, await q.getJobCounts(...JOB_STATES)] as const)),
        timeoutMs,
        'counting jobs',
      );
    } catch (err) {
      // Redis being away is already logged by the queues' connection.
      deps.logger.debug({ err }, 'could not count the jobs for /metrics');
      return null;
    }
  };
  const counts = oncePerTurn(read);

  new Gauge({
    name: 'hotline_job_queues_up',
    help: "1 when the job queues' Redis answered this scrape, else 0 (and no job counts).",
    registers: [registry],
    async collect() {
      this.set((await counts()) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'hotline_job_queue_jobs',
    help: 'Jobs in each BullMQ queue by state: waiting, prioritized, delayed (retries), active, failed.',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      const found = await counts();
      // After the read, so a scrape running meanwhile never sees the gauge emptied.
      this.reset();
      for (const [queue, byState] of found ?? []) {
        for (const state of JOB_STATES) this.set({ queue, state }, byState[state] ?? 0);
      }
    },
  });
}

const COUNT_TIMEOUT_MS = 2000;
