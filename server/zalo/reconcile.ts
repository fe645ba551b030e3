/**
 * SQLite is the truth for Zalo too: an event stored but not processed, or a message to a citizen
 * still pending, whose job Redis no longer has (lost in a restart without persistence, a
 * FLUSHALL) gets a fresh intent, which the relay queues again. A job that exists (waiting,
 * delayed for a retry, active) or failed (left for a person to see) is left alone, as is anything
 * younger than `graceMs` or whose intent is not relayed yet.
 */
import type { Queue } from 'bullmq';
import { and, desc, eq, gte, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/index.ts';
import { addIntent } from '../outbox/outbox.ts';
import { outboxJobId } from '../outbox/relay.ts';
import { type OutboxIntent, outbox } from '../outbox/schema.ts';
import { zaloInboundEvents, zaloMessages } from './schema.ts';

/** Longer than a job's retries take (5 attempts, doubling from 2 s, 10 s time limit each). */
export const ZALO_RECONCILE_GRACE_MS = 10 * 60_000;
/** Items looked at per run, oldest first. */
const BATCH = 200;
/** Older items are not taken up again (a failed job is kept 7 days, then removed). */
const MAX_AGE_MS = 6 * 24 * 3600_000;

export interface ZaloReconcileDeps {
  db: Db;
  queue: Pick<Queue, 'getJob'>;
  /** Items younger than this are not judged (their job may be on its way). */
  graceMs: number;
  now: () => Date;
}

/** Resolves with how many events and messages were queued again. */
export async function reconcileZalo(deps: ZaloReconcileDeps): Promise<{ events: number; messages: number }> {
  const { db } = deps;
  const now = deps.now();
  const before = new Date(now.getTime() - deps.graceMs);
  const since = new Date(now.getTime() - MAX_AGE_MS);
  const events = db
    .select({ id: zaloInboundEvents.id })
    .from(zaloInboundEvents)
    .where(
      and(
        isNull(zaloInboundEvents.processedAt),
        lt(zaloInboundEvents.receivedAt, before),
        gte(zaloInboundEvents.receivedAt, since),
      ),
    )
    .orderBy(zaloInboundEvents.id)
    .limit(BATCH)
    .all();
  const messages = db
    .select({ id: zaloMessages.id })
    .from(zaloMessages)
    .where(
      and(
        eq(zaloMessages.status, 'pending'),
        eq(zaloMessages.direction, 'out'),
        lt(zaloMessages.at, before),
        gte(zaloMessages.at, since),
      ),
    )
    .orderBy(zaloMessages.id)
    .limit(BATCH)
    .all();
  const counts = { events: 0, messages: 0 };
  for (const [kind, field, rows] of [
    ['zalo_inbound', 'eventId', events],
    ['zalo_send', 'messageId', messages],
  ] as const) {
    for (const { id } of rows) {
      const intent = db
        .select({ id: outbox.id, relayedAt: outbox.relayedAt })
        .from(outbox)
        .where(and(eq(outbox.kind, kind), sql`json_extract(${outbox.payload}, ${`$.${field}`}) = ${id}`))
        .orderBy(desc(outbox.id))
        .limit(1)
        .get();
      // Not relayed yet: the relay will queue it.
      if (intent && !intent.relayedAt) continue;
      if (intent && (await deps.queue.getJob(outboxJobId(intent.id)))) continue;
      const fresh: OutboxIntent =
        kind === 'zalo_inbound' ? { kind, eventId: id } : { kind: 'zalo_send', messageId: id };
      addIntent(db, fresh, now);
      if (kind === 'zalo_inbound') counts.events++;
      else counts.messages++;
    }
  }
  return counts;
}

/** Runs `reconcileZalo` every `everyMs` (first after one period); `requeued` after it queued anything. */
export function startZaloReconciler(
  deps: ZaloReconcileDeps & { everyMs: number; requeued(): void; onError(err: unknown): void },
): { close(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    reconcileZalo(deps)
      .then((counts) => {
        if (counts.events + counts.messages > 0) deps.requeued();
      }, deps.onError)
      .finally(() => {
        running = false;
      });
  }, deps.everyMs);
  timer.unref();
  return { close: () => clearInterval(timer) };
}
