/**
 * The read side of the outbox: hands recorded intents to BullMQ, oldest first, and marks them
 * relayed. A `forward`, `sms` or `zalo_*` intent becomes the job `outbox-<id>`; a `deadline` intent becomes
 * the delayed job of the ticket's next alert, whose id names the ticket, alert and due time. So
 * a relay that stops between adding a job and marking its intent adds nothing new when it runs
 * again. Nothing here runs in a request: a ticket is stored whatever Redis is doing, and its
 * intents wait here until Redis is back.
 */

import type { JobsOptions, Queue } from 'bullmq';
import { isNull, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/index.ts';
import { DEFAULT_ZALO_POLICY, type JobPolicies, type JobQueues, jobOptions } from './queues.ts';
import { withTimeout } from './redis.ts';
import { type OutboxIntent, outbox } from './schema.ts';

export function outboxJobId(outboxId: number): string {
  return `outbox-${outboxId}`;
}

export interface OutboxRelay {
  start(): void;
  /** Relay soon (on the next turn of the event loop), e.g. right after a transaction commits. */
  nudge(): void;
  /** Relays everything pending now; resolves with how many intents were relayed. */
  drain(): Promise<number>;
  close(): Promise<void>;
}

/** A delayed job that carries out a `deadline` intent (the ticket's next deadline alert). */
export interface DeadlineJob {
  name: string;
  data: object;
  jobId: string;
  delayMs: number;
}

export interface RelayDeps {
  db: Db;
  queues: Pick<JobQueues, 'forward' | 'sms' | 'deadline' | 'zalo' | 'ready'>;
  policies: JobPolicies;
  /** The job of a `deadline` intent, worked out when it is relayed; null when no alert is left. */
  deadlineJob(ticketId: number): DeadlineJob | null;
  logger: Logger;
  /** How often to look for intents nobody nudged about. */
  pollMs: number;
  batchSize?: number;
  /** Longest wait between attempts while Redis is away. */
  maxBackoffMs?: number;
  addTimeoutMs?: number;
  now?: () => Date;
}

class RedisUnavailableError extends Error {}

/** What kept intents from being relayed, so the log names the right culprit. */
type Trouble = 'redis' | 'database' | 'other';

function troubleOf(err: unknown): Trouble {
  if (err instanceof RedisUnavailableError) return 'redis';
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return 'database';
  }
  return 'other';
}

const TROUBLE_TEXT: Record<Trouble, string> = {
  redis: 'outbox relay: cannot reach Redis, retrying',
  database: 'outbox relay: the database is busy or failing, retrying',
  other: 'outbox relay: failed, retrying',
};

interface Job {
  name: string;
  data: object;
  opts: JobsOptions;
}

export function createOutboxRelay(deps: RelayDeps): OutboxRelay {
  const { db, queues, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const batchSize = deps.batchSize ?? 500;
  const maxBackoffMs = deps.maxBackoffMs ?? 5000;
  const addTimeoutMs = deps.addTimeoutMs ?? 2000;
  const options = {
    forward: jobOptions(deps.policies.forward),
    sms: jobOptions(deps.policies.sms),
    deadline: jobOptions(deps.policies.deadline),
    zalo: jobOptions(deps.policies.zalo ?? DEFAULT_ZALO_POLICY),
  };

  const pending = db
    .select({ id: outbox.id, payload: outbox.payload })
    .from(outbox)
    .where(isNull(outbox.relayedAt))
    .orderBy(outbox.id)
    .limit(batchSize)
    .prepare();
  // The batch's ids as one JSON array parameter: one statement for any batch size.
  const markRelayed = db
    .update(outbox)
    .set({ relayedAt: sql.placeholder('at') as unknown as Date })
    .where(sql`${outbox.id} in (select value from json_each(${sql.placeholder('ids')}))`)
    .prepare();

  let started = false;
  let closed = false;
  let running: Promise<number> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  /** What the current run of failures is about, to log each kind of trouble once. */
  let trouble: Trouble | null = null;

  /** The job of an intent; null when there is nothing left to do (a ticket with no alert due). */
  function toJob(id: number, intent: OutboxIntent): [Queue, Job] | null {
    const jobId = outboxJobId(id);
    switch (intent.kind) {
      case 'forward':
        return [
          queues.forward,
          { name: 'forward', data: { ticketId: intent.ticketId }, opts: { ...options.forward, jobId } },
        ];
      case 'sms':
        return [queues.sms, { name: 'send', data: { smsId: intent.smsId }, opts: { ...options.sms, jobId } }];
      case 'zalo_inbound':
        return [
          queues.zalo,
          { name: 'inbound', data: { eventId: intent.eventId }, opts: { ...options.zalo, jobId } },
        ];
      case 'zalo_send':
        return [
          queues.zalo,
          { name: 'send', data: { messageId: intent.messageId }, opts: { ...options.zalo, jobId } },
        ];
      case 'deadline': {
        const next = deps.deadlineJob(intent.ticketId);
        if (!next) return null;
        return [
          queues.deadline,
          {
            name: next.name,
            data: next.data,
            opts: { ...options.deadline, jobId: next.jobId, delay: next.delayMs },
          },
        ];
      }
    }
  }

  async function relayBatch(): Promise<number> {
    const rows = pending.all();
    if (rows.length === 0) return 0;
    if (!queues.ready()) throw new RedisUnavailableError('Redis is not connected');
    const byQueue = new Map<Queue, Job[]>();
    for (const row of rows) {
      const found = toJob(row.id, row.payload);
      if (!found) continue;
      const [queue, job] = found;
      const jobs = byQueue.get(queue) ?? [];
      jobs.push(job);
      byQueue.set(queue, jobs);
    }
    try {
      await withTimeout(
        Promise.all([...byQueue].map(([queue, jobs]) => queue.addBulk(jobs))),
        addTimeoutMs,
        'adding jobs',
      );
    } catch (err) {
      throw new RedisUnavailableError(err instanceof Error ? err.message : String(err), { cause: err });
    }
    markRelayed.run({ at: now(), ids: JSON.stringify(rows.map((r) => r.id)) });
    return rows.length;
  }

  async function relayAll(): Promise<number> {
    let total = 0;
    do {
      again = false;
      for (;;) {
        const n = await relayBatch();
        total += n;
        if (n < batchSize) break;
      }
    } while (again && !closed);
    return total;
  }

  let soon = false;

  function schedule(ms: number): void {
    if (closed || !started) return;
    clearTimeout(timer);
    timer = setTimeout(tick, ms);
  }

  /** Relays once the current turn of the event loop is over: right after the nudging commit. */
  function scheduleNow(): void {
    if (closed || !started || soon) return;
    soon = true;
    clearTimeout(timer);
    setImmediate(() => {
      soon = false;
      if (!closed) tick();
    });
  }

  function run(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = relayAll().finally(() => {
      running = null;
    });
    return running;
  }

  function tick(): void {
    run().then(
      (n) => {
        if (failures > 0) logger.info({ relayed: n, after: trouble }, 'outbox relay: relaying again');
        failures = 0;
        trouble = null;
        schedule(deps.pollMs);
      },
      (err: unknown) => {
        const kind = troubleOf(err);
        if (kind !== trouble) {
          logger.warn({ err: err instanceof Error ? err.message : String(err) }, TROUBLE_TEXT[kind]);
          trouble = kind;
        }
        failures++;
        schedule(Math.min(maxBackoffMs, deps.pollMs * 2 ** Math.min(failures, 16)));
      },
    );
  }

  return {
    start() {
      if (started || closed) return;
      started = true;
      schedule(0);
    },
    nudge() {
      // While Redis or the database is in trouble the backoff decides when to try again.
      if (!started || closed || failures > 0) return;
      scheduleNow();
    },
    drain: run,
    async close() {
      closed = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
