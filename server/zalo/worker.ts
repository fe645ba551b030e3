/** BullMQ wiring of the Zalo jobs: `inbound` (an event from the webhook) and `send` (a message out). */
import type { Job } from 'bullmq';
import type { Db } from '../db/index.ts';
import { ZALO_QUEUE } from '../outbox/queues.ts';
import { type RedisOptions, startWorker } from '../outbox/worker.ts';
import { fetchImage } from './images.ts';
import type { OaClient } from './oa-client.ts';
import { processInbound, sendMessage } from './processor.ts';

export type ZaloJobData = { eventId: number } | { messageId: number };

export function startZaloWorker(
  opts: RedisOptions & {
    db: Db;
    client: OaClient;
    timeoutMs: number;
    concurrency?: number;
    now?: () => Date;
  },
): { close(): Promise<void> } {
  const base = { db: opts.db, logger: opts.logger, ...(opts.now ? { now: opts.now } : {}) };
  const inbound = { ...base, fetchImage: (url: string) => fetchImage(url, { timeoutMs: opts.timeoutMs }) };
  const send = { ...base, client: opts.client };
  return startWorker<ZaloJobData>(opts, {
    queue: ZALO_QUEUE,
    what: 'Zalo worker',
    concurrency: opts.concurrency ?? 4,
    closeTimeoutMs: opts.timeoutMs,
    process: (job: Job<ZaloJobData>, lastAttempt: boolean) => {
      const data = job.data;
      if ('eventId' in data) return processInbound(data.eventId, inbound, { lastAttempt });
      return sendMessage(data.messageId, send, { lastAttempt });
    },
  });
}
