/** BullMQ wiring of the SMS processor. */
import type { Job } from 'bullmq';
import type { GroupCommitter } from '../db/group-commit.ts';
import type { Db } from '../db/index.ts';
import { SMS_QUEUE } from '../outbox/queues.ts';
import { type RedisOptions, startWorker } from '../outbox/worker.ts';
import type { SmsGateway } from './gateway.ts';
import { type SmsJobData, sendSms } from './processor.ts';

export function startSmsWorker(
  opts: RedisOptions & {
    db: Db;
    gateway: SmsGateway;
    timeoutMs: number;
    concurrency?: number;
    now?: () => Date;
    committer?: GroupCommitter;
  },
): { close(): Promise<void> } {
  const deps = {
    db: opts.db,
    gateway: opts.gateway,
    logger: opts.logger,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.committer ? { committer: opts.committer } : {}),
  };
  return startWorker<SmsJobData>(opts, {
    queue: SMS_QUEUE,
    what: 'SMS worker',
    concurrency: opts.concurrency ?? 8,
    closeTimeoutMs: opts.timeoutMs,
    process: (job: Job<SmsJobData>, lastAttempt: boolean) => sendSms(job.data.smsId, deps, { lastAttempt }),
  });
}
