/**
 * Reconciling deliveries and text messages: each ticket whose delivery SQLite holds `pending`,
 * and each `pending` SMS, is matched with the BullMQ job of its latest relayed intent
 * (`outbox-<id>`). A job Redis no longer has (lost in a restart without persistence, a
 * FLUSHALL) or that finished while SQLite still waits is re-queued by recording a fresh intent,
 * so the relay stays the only producer and the next run sees the new intent, not the lost job.
 * A job that failed without the processor recording it (BullMQ gave up on it after it stalled:
 * its worker died or hung each time) or that has been active far too long is given up the way
 * the processor gives up: the delivery becomes `dead` (the supervisor's list, with its retry)
 * and the SMS `failed`. An intent relayed only moments ago, or not relayed yet, is left alone.
 */
import type { Job, Queue } from 'bullmq';
import { and, eq, gt, gte, inArray, isNull, max, sql } from 'drizzle-orm';
import type { Db } from '../db/index.ts';
import { smsMessages, tickets } from '../db/schema.ts';
import { markDeliveryFailed } from '../tickets/repository.ts';
import { addIntent, type Tx } from './outbox.ts';
import type { JobQueues } from './queues.ts';
import { outboxJobId } from './relay.ts';
import { type OutboxIntent, outbox } from './schema.ts';

type Kind = 'forward' | 'sms';

/** A pending delivery (a ticket id) or message (an SMS id) and its latest intent. */
interface Pending {
  kind: Kind;
  id: number;
  createdAt: Date;
  /** Null: no intent in the outbox for it since it was created. */
  intent: { id: number; relayedAt: Date | null } | null;
}

export interface PendingCounts {
  requeued: Record<Kind, number>;
  stalled: Record<Kind, number>;
}

export interface PendingLimits {
  /** An intent relayed less than this long ago is not judged yet. */
  graceMs: number;
  /** A job active for longer than this has hung. */
  stuckActiveMs: number;
}

/** Intents relayed this long before the oldest pending item still count as its own (clock steps). */
const SINCE_MARGIN_MS = 60_000;
/** Jobs looked up at once. */
const CHUNK = 200;

const keyOf = (kind: Kind, id: number) => `${kind}:${id}`;

function subjectOf(intent: OutboxIntent): [Kind, number] | null {
  if (intent.kind === 'forward') return ['forward', intent.ticketId];
  if (intent.kind === 'sms') return ['sms', intent.smsId];
  return null;
}

/** Forward and SMS intents recorded after `afterId`, or relayed since `since`, or not relayed. */
function latestIntents(db: Tx, opts: { since?: Date; afterId?: number }): Map<string, Pending['intent']> {
  const kinds = inArray(outbox.kind, ['forward', 'sms']);
  const columns = { id: outbox.id, payload: outbox.payload, relayedAt: outbox.relayedAt };
  const rows =
    opts.afterId !== undefined
      ? db
          .select(columns)
          .from(outbox)
          .where(and(kinds, gt(outbox.id, opts.afterId)))
          .all()
      : [
          // Two range scans of the (relayed_at, id) index; one OR would scan the whole table.
          ...db
            .select(columns)
            .from(outbox)
            .where(and(kinds, isNull(outbox.relayedAt)))
            .all(),
          ...db
            .select(columns)
            .from(outbox)
            .where(and(kinds, gte(outbox.relayedAt, opts.since ?? new Date(0))))
            .all(),
        ];
  const latest = new Map<string, Pending['intent']>();
  for (const row of rows) {
    const subject = subjectOf(row.payload);
    if (!subject) continue;
    const key = keyOf(...subject);
    const known = latest.get(key);
    if (!known || known.id < row.id) latest.set(key, { id: row.id, relayedAt: row.relayedAt });
  }
  return latest;
}

function pendingItems(db: Db): { items: Pending[]; lastIntentId: number } {
  const lastIntentId =
    db
      .select({ id: max(outbox.id) })
      .from(outbox)
      .get()?.id ?? 0;
  const rows: Omit<Pending, 'intent'>[] = [
    ...db
      .select({ id: tickets.id, createdAt: tickets.createdAt })
      .from(tickets)
      .where(eq(tickets.deliveryStatus, 'pending'))
      .all()
      .map((r) => ({ kind: 'forward' as const, ...r })),
    ...db
      .select({ id: smsMessages.id, createdAt: smsMessages.createdAt })
      .from(smsMessages)
      .where(eq(smsMessages.status, 'pending'))
      .all()
      .map((r) => ({ kind: 'sms' as const, ...r })),
  ];
  if (rows.length === 0) return { items: [], lastIntentId };
  const oldest = Math.min(...rows.map((r) => r.createdAt.getTime()));
  const intents = latestIntents(db, { since: new Date(oldest - SINCE_MARGIN_MS) });
  return {
    items: rows.map((r) => ({ ...r, intent: intents.get(keyOf(r.kind, r.id)) ?? null })),
    lastIntentId,
  };
}

type Verdict = { is: 'live' } | { is: 'lost' } | { is: 'stalled'; reason: string };

async function verdictOf(job: Job | undefined, now: number, limits: PendingLimits): Promise<Verdict> {
  if (!job) return { is: 'lost' };
  const state = await job.getState();
  switch (state) {
    case 'unknown':
    case 'completed':
      return { is: 'lost' };
    case 'failed':
      return { is: 'stalled', reason: job.failedReason || 'failed' };
    case 'active':
      if (job.processedOn !== undefined && now - job.processedOn > limits.stuckActiveMs) {
        return { is: 'stalled', reason: `active for ${Math.round((now - job.processedOn) / 1000)} s` };
      }
      return { is: 'live' };
    default:
      return { is: 'live' };
  }
}

/** What a supervisor reads beside the retry button; BullMQ's own reason in brackets. */
export function stalledText(reason: string): string {
  return `Việc gửi bị treo, không hoàn tất (${reason}).`;
}

export async function reconcilePending(
  deps: { db: Db; queues: Pick<JobQueues, 'forward' | 'sms'> },
  now: Date,
  limits: PendingLimits,
): Promise<PendingCounts> {
  const { db } = deps;
  const counts: PendingCounts = { requeued: { forward: 0, sms: 0 }, stalled: { forward: 0, sms: 0 } };
  const { items, lastIntentId } = pendingItems(db);
  const at = now.getTime();
  const judged: { item: Pending; verdict: Verdict }[] = [];
  const due = items.filter((item) => {
    // Not relayed yet: the relay's to do.
    if (item.intent && item.intent.relayedAt === null) return false;
    const since = item.intent?.relayedAt ?? item.createdAt;
    return at - since.getTime() >= limits.graceMs;
  });
  for (let i = 0; i < due.length; i += CHUNK) {
    const chunk = due.slice(i, i + CHUNK);
    judged.push(
      ...(await Promise.all(
        chunk.map(async (item) => {
          if (!item.intent) return { item, verdict: { is: 'lost' } as Verdict };
          const queue: Queue = item.kind === 'forward' ? deps.queues.forward : deps.queues.sms;
          const job = await queue.getJob(outboxJobId(item.intent.id));
          return { item, verdict: await verdictOf(job, at, limits) };
        }),
      )),
    );
  }
  const acting = judged.filter((j) => j.verdict.is !== 'live');
  if (acting.length === 0) return counts;

  // Immediate: it reads before it writes, and the server (or the job process) writes meanwhile.
  db.transaction(
    (tx) => {
      // A supervisor's retry or a new assignment since the read has its own intent and job.
      const newer = latestIntents(tx, { afterId: lastIntentId });
      for (const { item, verdict } of acting) {
        if (newer.has(keyOf(item.kind, item.id)) || !stillPending(tx, item)) continue;
        if (verdict.is === 'lost') {
          const intent: OutboxIntent =
            item.kind === 'forward'
              ? { kind: 'forward', ticketId: item.id }
              : { kind: 'sms', smsId: item.id };
          addIntent(tx, intent, now);
          counts.requeued[item.kind]++;
        } else if (verdict.is === 'stalled') {
          giveUp(tx, item, stalledText(verdict.reason));
          counts.stalled[item.kind]++;
        }
      }
    },
    { behavior: 'immediate' },
  );
  return counts;
}

function stillPending(db: Tx, item: Pending): boolean {
  if (item.kind === 'forward') {
    const row = db
      .select({ status: tickets.deliveryStatus })
      .from(tickets)
      .where(eq(tickets.id, item.id))
      .get();
    return row?.status === 'pending';
  }
  const row = db
    .select({ status: smsMessages.status })
    .from(smsMessages)
    .where(eq(smsMessages.id, item.id))
    .get();
  return row?.status === 'pending';
}

/** As the processor's last failed attempt leaves it: a dead delivery, a failed message. */
function giveUp(db: Tx, item: Pending, text: string): void {
  if (item.kind === 'forward') {
    markDeliveryFailed(db, item.id, text, true);
    return;
  }
  db.update(smsMessages)
    .set({ status: 'failed', attempts: sql`${smsMessages.attempts} + 1`, lastError: text })
    .where(and(eq(smsMessages.id, item.id), eq(smsMessages.status, 'pending')))
    .run();
}
