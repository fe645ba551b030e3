import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { ListResponse, TicketView } from '../../common/api.ts';
import { smsMessages } from '../../server/db/schema.ts';
import { DEFAULT_CALENDAR } from '../../server/deadlines/calendar.ts';
import { FORWARD_QUEUE, SMS_QUEUE } from '../../server/outbox/queues.ts';
import { createReconciler, type ReconcilerDeps } from '../../server/outbox/reconcile.ts';
import { deadlineIntentJob, nextAlertJob } from '../../server/sla/processor.ts';
import { findTicket } from '../../server/tickets/repository.ts';
import { logger } from '../integration/server-fixture.ts';
import { type Pipeline, pipelinesOnRedis, sleep, waitFor } from '../support/jobs.ts';

const pipelines = pipelinesOnRedis();

function reconcilerFor(p: Pipeline, opts: Partial<ReconcilerDeps> = {}) {
  return createReconciler({
    db: p.fx.db,
    queues: p.queues,
    deadlineJob: deadlineIntentJob({ db: p.fx.db, calendar: DEFAULT_CALENDAR, logger }),
    requeued: () => undefined,
    logger,
    everyMs: 60_000,
    ...opts,
  });
}

const deliveryOf = (p: Pipeline, id: number) => findTicket(p.fx.db, id)!.ticket;
const nextAlertId = (p: Pipeline, id: number) =>
  nextAlertJob(id, { db: p.fx.db, calendar: DEFAULT_CALENDAR })!.jobId;

async function flushRedis(url: string): Promise<void> {
  const redis = new Redis(url);
  try {
    await redis.flushall();
  } finally {
    redis.disconnect();
  }
}

describe('reconciling jobs with the database', () => {
  it('re-queues what Redis lost once, after a grace period, and each ticket is delivered and texted once', async () => {
    const p = await pipelines.start();
    await p.stopWorkers();
    const tickets = [];
    for (let i = 0; i < 3; i++) tickets.push(await p.createTicket());
    expect(await p.relay.drain()).toBe(9); // forward, SMS and deadline per ticket
    expect(await p.queues.forward.getWaitingCount()).toBe(3);
    // Redis restarted without persistence, or flushed: every job is gone.
    await flushRedis(p.redisUrl);
    expect(await p.queues.forward.getJobCountByTypes('wait', 'delayed', 'active')).toBe(0);

    const reconciler = reconcilerFor(p, { graceMs: 500 });
    // Relayed moments ago: not judged yet.
    expect(await reconciler.run()).toEqual({
      requeued: { forward: 0, sms: 0 },
      stalled: { forward: 0, sms: 0 },
      deadlinesRebuilt: 3,
    });
    await sleep(600);
    expect(await reconciler.run()).toMatchObject({ requeued: { forward: 3, sms: 3 }, deadlinesRebuilt: 0 });
    // The fresh intents are not relayed yet, then relayed moments ago: nothing is queued twice.
    expect(await reconciler.run()).toMatchObject({ requeued: { forward: 0, sms: 0 }, deadlinesRebuilt: 0 });
    expect(await p.relay.drain()).toBe(9);
    expect(await reconciler.run()).toMatchObject({ requeued: { forward: 0, sms: 0 }, deadlinesRebuilt: 0 });
    for (const t of tickets) {
      expect(await p.queues.deadline.getJobState(nextAlertId(p, t.id))).toBe('delayed');
    }

    p.startWorkers();
    for (const t of tickets) {
      await waitFor(`ticket ${t.id} delivered`, () => deliveryOf(p, t.id).deliveryStatus === 'delivered');
    }
    await waitFor('all texted', () => p.gateway.sent.length >= 3);
    await sleep(600);
    expect(await reconciler.run()).toMatchObject({ requeued: { forward: 0, sms: 0 }, deadlinesRebuilt: 0 });
    await sleep(300);
    for (const t of tickets) expect(p.webhook.deliveredTimes(t.id)).toBe(1);
    expect(p.webhook.received).toHaveLength(3);
    expect(p.gateway.sent).toHaveLength(3);
    expect(new Set(p.gateway.sent.map((s) => s.idempotencyKey)).size).toBe(3);
    expect(p.fx.db.select().from(smsMessages).where(eq(smsMessages.status, 'pending')).all()).toEqual([]);
  });

  it("rebuilds a ticket's missing deadline alert and leaves the others alone", async () => {
    const p = await pipelines.start();
    const [lost, kept] = [await p.createTicket(), await p.createTicket()];
    await waitFor('both delivered', () =>
      [lost, kept].every((t) => deliveryOf(p, t.id).deliveryStatus === 'delivered'),
    );
    const lostJob = nextAlertId(p, lost.id);
    await waitFor('alerts scheduled', async () =>
      (
        await Promise.all([lostJob, nextAlertId(p, kept.id)].map((id) => p.queues.deadline.getJobState(id)))
      ).every((s) => s === 'delayed'),
    );
    await p.queues.deadline.remove(lostJob);
    expect(await p.queues.deadline.getJobState(lostJob)).toBe('unknown');

    let nudged = 0;
    const reconciler = reconcilerFor(p, { graceMs: 0, requeued: () => nudged++ });
    expect(await reconciler.run()).toEqual({
      requeued: { forward: 0, sms: 0 },
      stalled: { forward: 0, sms: 0 },
      deadlinesRebuilt: 1,
    });
    expect(nudged).toBe(1);
    await waitFor('alert rebuilt', async () => (await p.queues.deadline.getJobState(lostJob)) === 'delayed');
    expect(await reconciler.run()).toMatchObject({ deadlinesRebuilt: 0 });
  });

  it('gives up stalled and hung deliveries for the supervisor, whose retry delivers each once', async () => {
    const p = await pipelines.start();
    await p.stopWorkers();
    const [stalled, hung] = [await p.createTicket(), await p.createTicket()];
    await p.relay.drain();
    const connection = { url: p.redisUrl };
    // Workers that take a job and die without a word: no lock renewal, no result.
    const dying = new Worker(FORWARD_QUEUE, null, {
      connection,
      prefix: p.prefix,
      lockDuration: 200,
      stalledInterval: 100,
      maxStalledCount: 0,
    });
    const hanging = new Worker(FORWARD_QUEUE, null, { connection, prefix: p.prefix, lockDuration: 60_000 });
    const hangingSms = new Worker(SMS_QUEUE, null, { connection, prefix: p.prefix, lockDuration: 60_000 });
    try {
      const first = await dying.getNextJob(randomUUID());
      const second = await hanging.getNextJob(randomUUID());
      const hungSms = await hangingSms.getNextJob(randomUUID());
      expect([first?.data, second?.data]).toEqual([{ ticketId: stalled.id }, { ticketId: hung.id }]);
      // Past BullMQ's stall limit the job goes back to wait marked to fail; a worker then fails it
      // without running the processor, which so never records anything.
      // The stopped workers' last check holds off the next for their 30 s interval.
      const redis = new Redis(p.redisUrl);
      await redis.del(p.queues.forward.toKey('stalled-check'));
      redis.disconnect();
      await dying.startStalledCheckTimer();
      await waitFor(
        'stall detected',
        async () => (await p.queues.forward.getJobState(first!.id!)) === 'waiting',
      );
      await dying.close(true);
      p.startWorkers();
      await waitFor(
        'failed by BullMQ',
        async () => (await p.queues.forward.getJobState(first!.id!)) === 'failed',
      );
      expect((await p.queues.forward.getJob(first!.id!))?.failedReason).toBe(
        'job stalled more than allowable limit',
      );
      expect(deliveryOf(p, stalled.id).deliveryStatus).toBe('pending');
      expect(p.webhook.received).toHaveLength(0);

      const reconciler = reconcilerFor(p, { graceMs: 0, stuckActiveMs: 300 });
      await sleep(400);
      expect(await reconciler.run()).toMatchObject({
        requeued: { forward: 0, sms: 0 },
        stalled: { forward: 2, sms: 1 },
      });
      expect(deliveryOf(p, stalled.id)).toMatchObject({
        deliveryStatus: 'dead',
        deliveryLastError: expect.stringMatching(/stalled more than allowable/),
      });
      expect(deliveryOf(p, hung.id)).toMatchObject({
        deliveryStatus: 'dead',
        deliveryLastError: expect.stringMatching(/active for/),
      });

      const sms = p.fx.db.select().from(smsMessages).all();
      expect(sms.find((m) => m.id === hungSms?.data.smsId)).toMatchObject({
        status: 'failed',
        lastError: expect.stringMatching(/active for/),
      });
      await waitFor(
        'the other SMS sent',
        () => p.fx.db.select().from(smsMessages).where(eq(smsMessages.status, 'sent')).all().length === 1,
      );
      const dead = await p.fx.app.inject({ url: '/api/deliveries/dead', headers: p.supervisor });
      expect(
        dead
          .json<ListResponse<TicketView>>()
          .data.map((t) => t.id)
          .sort(),
      ).toEqual([stalled.id, hung.id].sort());
      for (const t of [stalled, hung]) {
        const retry = await p.fx.app.inject({
          method: 'POST',
          url: `/api/deliveries/${t.id}/retry`,
          headers: p.supervisor,
        });
        expect(retry.statusCode).toBe(202);
      }
      await p.relay.drain();
      for (const t of [stalled, hung]) {
        await waitFor(`ticket ${t.id} delivered`, () => deliveryOf(p, t.id).deliveryStatus === 'delivered');
      }
      await sleep(300);
      for (const t of [stalled, hung]) expect(p.webhook.deliveredTimes(t.id)).toBe(1);
    } finally {
      await Promise.all([dying.close(true), hanging.close(true), hangingSms.close(true)]);
    }
  });

  it('runs at start and again every period', async () => {
    const p = await pipelines.start();
    await p.stopWorkers();
    const ticket = await p.createTicket();
    await p.relay.drain();
    await flushRedis(p.redisUrl);
    p.startWorkers();
    const reconciler = reconcilerFor(p, { graceMs: 300, everyMs: 200, requeued: () => void p.relay.drain() });
    reconciler.start();
    try {
      await waitFor('delivered', () => deliveryOf(p, ticket.id).deliveryStatus === 'delivered');
      await sleep(500);
      expect(p.webhook.deliveredTimes(ticket.id)).toBe(1);
    } finally {
      await reconciler.close();
    }
  });
});
