/** BullMQ wiring of the deadline jobs: scheduling on the `ticket-deadline` queue, and the alerts. */
import type { Job, Queue } from 'bullmq';
import type { Db } from '../db/index.ts';
import type { WorkingCalendar } from '../deadlines/calendar.ts';
import { DEADLINE_QUEUE, jobOptions, type RetryPolicy, SCHEDULE_DEADLINES_JOB } from '../outbox/queues.ts';
import { type RedisOptions, startWorker } from '../outbox/worker.ts';
import {
  type AlertJobData,
  type DeadlineEvent,
  raiseAlert,
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
      if (job.name === SCHEDULE_DEADLINES_JOB) {
        const jobs = await scheduleDeadlines(job.data.ticketId, {
          db: opts.db,
          calendar: opts.calendar,
          now,
          addDelayed: async (delayed) => {
            await opts.queue.addBulk(
              delayed.map((d) => ({
                name: d.name,
                data: d.data,
                opts: { ...options, jobId: d.jobId, delay: d.delayMs },
              })),
            );
          },
        });
        return jobs.length;
      }
      return raiseAlert(job.data as AlertJobData, { db: opts.db, emit: opts.emit, logger: opts.logger, now });
    },
  });
}
