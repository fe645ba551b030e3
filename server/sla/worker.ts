/** BullMQ wiring of the deadline alert jobs on the `ticket-deadline` queue: one delayed alert per ticket at a time. */
import type { Job, Queue } from 'bullmq';
import type { Db } from '../db/index.ts';
import type { WorkingCalendar } from '../deadlines/calendar.ts';
import { DEADLINE_QUEUE, jobOptions, type RetryPolicy } from '../outbox/queues.ts';
import { type RedisOptions, startWorker } from '../outbox/worker.ts';
import { type AlertJobData, type DeadlineEvent, type DelayedJob, runAlert } from './processor.ts';

export function startDeadlineWorker(
  opts: RedisOptions & {
    db: Db;
    calendar: WorkingCalendar;
    /** Where the next alert jobs are added: the deadline queue's producer. */
    queue: Queue;
    policy: RetryPolicy;
    emit(e: DeadlineEvent): void;
    now?: () => Date;
  },
): { close(): Promise<void> } {
  const now = opts.now ?? (() => new Date());
  const options = jobOptions(opts.policy);
  const deps = {
    db: opts.db,
    calendar: opts.calendar,
    now,
    emit: opts.emit,
    logger: opts.logger,
    addDelayed: async (d: DelayedJob) => {
      await opts.queue.add(d.name, d.data, { ...options, jobId: d.jobId, delay: d.delayMs });
    },
  };
  return startWorker<AlertJobData>(opts, {
    queue: DEADLINE_QUEUE,
    what: 'deadline worker',
    concurrency: 4,
    closeTimeoutMs: 1000,
    async process(job: Job<AlertJobData>) {
      const { outcome } = await runAlert(job.data, deps);
      return outcome;
    },
  });
}
