import { isNull } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { outbox } from '../../server/db/schema.ts';
import { outboxJobId } from '../../server/outbox/relay.ts';
import { findTicket } from '../../server/tickets/repository.ts';
import { type Pipeline, sleep, startPipeline, waitFor } from '../support/jobs.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

let redis: TestRedis | undefined;
let p: Pipeline | undefined;
afterEach(async () => {
  await p?.close();
  p = undefined;
  await redis?.stop();
  redis = undefined;
});

const unrelayed = (pl: Pipeline) =>
  pl.fx.db.select().from(outbox).where(isNull(outbox.relayedAt)).all().length;

describe('the outbox', () => {
  it('stores tickets while Redis is stopped and delivers each exactly once when it returns', async () => {
    redis = await startRedis();
    p = await startPipeline({ redisUrl: redis.url });
    const first = await p.createTicket();
    await waitFor('first delivered', () => p!.webhook.deliveredTimes(first.id) === 1);

    await redis.stop();
    const started = Date.now();
    const tickets = [];
    for (let i = 0; i < 5; i++) tickets.push(await p.createTicket({ category: i % 2 ? 'goods' : 'health' }));
    // No Redis call in the request path: creating does not wait for it.
    expect(Date.now() - started).toBeLessThan(1500);
    for (const t of tickets) expect(findTicket(p.fx.db, t.id)?.ticket.deliveryStatus).toBe('pending');
    await sleep(500);
    expect(p.webhook.received).toHaveLength(1);
    expect(unrelayed(p)).toBeGreaterThanOrEqual(5 * 3); // forward, deadline, SMS per ticket

    redis = await startRedis({ port: redis.port });
    for (const t of tickets) {
      await waitFor(
        `ticket ${t.id} delivered`,
        () => findTicket(p!.fx.db, t.id)?.ticket.deliveryStatus === 'delivered',
        15_000,
      );
    }
    await waitFor('all relayed', () => unrelayed(p!) === 0);
    await waitFor('all texted', () => p!.gateway.sent.length === 6);
    await sleep(300);
    for (const t of [first, ...tickets]) expect(p.webhook.deliveredTimes(t.id)).toBe(1);
    expect(p.webhook.received).toHaveLength(6);
    expect(new Set(p.gateway.sent.map((s) => s.idempotencyKey)).size).toBe(6);
  });

  it('delivers once when the relay stopped between adding the job and marking the intent', async () => {
    redis = await startRedis();
    p = await startPipeline({ redisUrl: redis.url, startRelay: false });
    const ticket = await p.createTicket();
    const intent = p.fx.db
      .select()
      .from(outbox)
      .all()
      .find((r) => r.kind === 'forward' && r.payload.kind === 'forward' && r.payload.ticketId === ticket.id)!;
    // What a relay that crashed after `add` left behind: the job exists, the intent is unmarked.
    await p.queues.forward.add('forward', { ticketId: ticket.id }, { jobId: outboxJobId(intent.id) });
    await waitFor('delivered', () => p!.webhook.deliveredTimes(ticket.id) === 1);
    expect(unrelayed(p)).toBeGreaterThan(0);

    await p.relay.drain();
    expect(unrelayed(p)).toBe(0);
    await sleep(300);
    expect(p.webhook.deliveredTimes(ticket.id)).toBe(1);
    expect(p.webhook.received).toHaveLength(1);
  });
});
