import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isNull } from 'drizzle-orm';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/index.ts';
import { outbox } from '../../server/db/schema.ts';
import { addIntent } from '../../server/outbox/outbox.ts';
import { createJobQueues } from '../../server/outbox/queues.ts';
import { createOutboxRelay, outboxJobId } from '../../server/outbox/relay.ts';
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

describe('the outbox relay in trouble', () => {
  it('names the database, not Redis, when a write lock holds it up, and names Redis when Redis is away', async () => {
    redis = await startRedis();
    const dir = mkdtempSync(join(tmpdir(), 'hotline-relay-'));
    const path = join(dir, 'hotline.sqlite');
    const db = openDatabase(path);
    db.$client.pragma('busy_timeout = 50');
    const lines: { msg: string; err?: string }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const queues = createJobQueues({
      redisUrl: redis.url,
      prefix: `test-${Date.now()}`,
      logger: pino({ level: 'silent' }),
    });
    const policy = { attempts: 1, backoffMs: 10 };
    const relay = createOutboxRelay({
      db,
      queues,
      policies: { forward: policy, sms: policy, deadline: policy },
      deadlineJob: () => null,
      logger: log,
      pollMs: 20,
      maxBackoffMs: 100,
    });
    const relayLines = () => lines.filter((l) => l.msg.startsWith('outbox relay:'));
    const pending = () => db.select().from(outbox).where(isNull(outbox.relayedAt)).all().length;
    // Another connection (the server's, in a long write) holds the write lock.
    const other = new Database(path);
    try {
      await waitFor('Redis connected', () => queues.ready());
      addIntent(db, { kind: 'sms', smsId: 1 }, new Date());
      other.exec('BEGIN IMMEDIATE');
      relay.start();
      await waitFor('a warning', () => relayLines().length > 0);
      await sleep(200);
      expect(relayLines()).toEqual([
        expect.objectContaining({
          msg: 'outbox relay: the database is busy or failing, retrying',
          err: 'database is locked',
        }),
      ]);
      other.exec('ROLLBACK');
      await waitFor('relayed', () => pending() === 0);
      expect(relayLines().at(-1)?.msg).toBe('outbox relay: relaying again');
      // Each attempt added the job again; it exists once.
      expect((await queues.sms.getJobs(['wait'])).map((j) => j.id)).toEqual([outboxJobId(1)]);

      lines.length = 0;
      await redis.stop();
      addIntent(db, { kind: 'sms', smsId: 2 }, new Date());
      relay.nudge();
      await waitFor('a warning', () => relayLines().length > 0);
      expect(relayLines()).toEqual([
        expect.objectContaining({ msg: 'outbox relay: cannot reach Redis, retrying' }),
      ]);
    } finally {
      other.close();
      await relay.close();
      await queues.close();
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
