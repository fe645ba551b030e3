/** BullMQ wiring of the deadline jobs on the `ticket-deadline` queue: one delayed alert per ticket at a time. */
import type { Job, Queue } from 'bullmq';
import type { Db } from '../db/index.ts';
import type { WorkingCalendar } from '../deadlines/calendar.ts';
import { DEADLINE_QUEUE, jobOptions, type RetryPolicy, SCHEDULE_DEADLINES_JOB } from '../outbox/queues.ts';
import { type RedisOptions, startWorker } from '../outbox/worker.ts';
import {
  type AlertJobData,
  type DeadlineEvent,
  type DelayedJob,
  runAlert,
  type ScheduleJobData,
  scheduleDeadlines,
} from './processor.ts';

export function startDeadlineWorker(
  opts: RedisOptions & {
    db: Db;
    calendar: WorkingCalendar;
    /** Where alert jobs are added: the deadline queue's producer. */
    queue: Queue;
    policy: RetryPolicy;
    emit(e: DeadlineEvent): void;
    now?: () => Date;
  },
): { close(): Promise<void> } {
  const now = opts.now ?? (() => new Date());
  const options = jobOptions(opts.policy);
  return startWorker<ScheduleJobData | AlertJobData>(opts, {
    queue: DEADLINE_QUEUE,
    what: 'deadline worker',
    concurrency: 4,
    closeTimeoutMs: 1000,
    async process(job: Job<ScheduleJobData | AlertJobData>) {
      const schedule = {
        db: opts.db,
        calendar: opts.calendar,
        now,
        addDelayed: async (d: DelayedJob) => {
          await opts.queue.add(d.name, d.data, { ...options, jobId: d.jobId, delay: d.delayMs });
        },
      };
      if (job.name === SCHEDULE_DEADLINES_JOB) {
        const next = await scheduleDeadlines(job.data.ticketId, schedule);
        return next ? 1 : 0;
      }
      const { outcome } = await runAlert(job.data as AlertJobData, {
        ...schedule,
        emit: opts.emit,
        logger: opts.logger,
      });
      return outcome;
    },
  });
}
