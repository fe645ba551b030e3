import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TicketView } from '../../common/api.ts';
import type { AuthUser } from '../../server/auth/service.ts';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { agencies, users } from '../../server/db/schema.ts';
import { seedDemo } from '../../server/db/seed.ts';
import {
  createForwardQueue,
  FORWARD_QUEUE,
  type ForwardQueueHandle,
  forwardJobId,
  startForwardWorker,
} from '../../server/forwarding/queue.ts';
import { verifySignature } from '../../server/forwarding/signature.ts';
import { findTicketView } from '../../server/tickets/repository.ts';
import { createTicketService, type TicketService } from '../../server/tickets/service.ts';
import { startRedis } from '../support/redis.ts';
import { logger } from './server-fixture.ts';

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

let redis: { url: string; stop(): Promise<void> };
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

let db: Db;
let agency: Server;
let received: Received[];
/** Status codes the agency answers with, in order; the last one repeats. */
let answers: number[];
let prefix: string;
let queue: ForwardQueueHandle;
let worker: { close(): Promise<void> };
let tickets: TicketService;
let operator: AuthUser;

beforeEach(async () => {
  received = [];
  answers = [200];
  agency = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, raw: Buffer.concat(chunks) });
      const status = answers.length > 1 ? answers.shift()! : answers[0]!;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => agency.listen(0, '127.0.0.1', resolve));
  const { port } = agency.address() as AddressInfo;

  db = openDatabase(':memory:');
  await seedDemo(db, { agencyUrl: `http://127.0.0.1:${port}/agencies` });
  const { passwordHash: _, ...user } = db.select().from(users).where(eq(users.username, 'tdv01')).get()!;
  operator = user;

  prefix = `test-${randomUUID()}`;
  const common = { redisUrl: redis.url, prefix, logger };
  queue = createForwardQueue({ ...common, attempts: 4, backoffMs: 50 });
  worker = startForwardWorker({ ...common, db, timeoutMs: 2000 });
  tickets = createTicketService({ db, forwardQueue: queue, logger });
});

afterEach(async () => {
  await worker.close();
  await queue.close();
  const admin = new Queue(FORWARD_QUEUE, { connection: { url: redis.url }, prefix });
  await admin.obliterate({ force: true });
  await admin.close();
  const client = new Redis(redis.url);
  expect(await client.keys(`${prefix}:*`)).toEqual([]);
  await client.quit();
  await new Promise<void>((resolve) => agency.close(() => resolve()));
  db.$client.close();
});

async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function jobState(ticketId: number): Promise<string | undefined> {
  const q = new Queue(FORWARD_QUEUE, { connection: { url: redis.url }, prefix });
  try {
    const job = await q.getJob(forwardJobId(ticketId));
    return job ? await job.getState() : undefined;
  } finally {
    await q.close();
  }
}

function createTicket(category: 'health' | 'goods' = 'health'): Promise<TicketView> {
  return tickets.create(
    {
      callerNumber: '0912345678',
      callerName: 'Trần Thị Bình',
      category,
      district: 'trang_bom',
      description: 'Khu phố 3 thiếu nước sạch ba ngày nay.',
    },
    operator,
  );
}

const secretOf = (code: string) =>
  db.select().from(agencies).where(eq(agencies.code, code)).get()!.forwardSecret;

describe('forwarding tickets to agencies', () => {
  it('posts a signed ticket with an Idempotency-Key and marks it forwarded', async () => {
    const ticket = await createTicket();
    const forwarded = await waitFor('forwarded', () => findTicketView(db, ticket.id)?.status === 'forwarded');
    expect(forwarded).toBe(true);
    expect(findTicketView(db, ticket.id)?.forwardedAt).not.toBeNull();

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.url).toBe('/agencies/syt');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['idempotency-key']).toBe(`ticket-${ticket.id}`);
    expect(verifySignature(secretOf('syt'), request!.headers, request!.raw, 60)).toBe(true);
    expect(verifySignature(secretOf('sct'), request!.headers, request!.raw, 60)).toBe(false);
    expect(JSON.parse(request!.raw.toString())).toEqual({
      ticketId: ticket.id,
      trackingCode: ticket.trackingCode,
      category: 'health',
      district: 'trang_bom',
      description: ticket.description,
      callerNumber: '0912345678',
      callerName: 'Trần Thị Bình',
      createdAt: ticket.createdAt,
    });

    const q = new Queue(FORWARD_QUEUE, { connection: { url: redis.url }, prefix });
    const job = await q.getJob(forwardJobId(ticket.id));
    await q.close();
    expect(job?.data).toEqual({ ticketId: ticket.id });

    await queue.enqueue(ticket.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(1);
  });

  it('retries 500s with backoff and forwards once the agency recovers', async () => {
    answers = [500, 500, 200];
    const ticket = await createTicket();
    await waitFor('forwarded', () => findTicketView(db, ticket.id)?.status === 'forwarded');
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers['idempotency-key']))).toEqual(
      new Set([`ticket-${ticket.id}`]),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(3);
    expect(await jobState(ticket.id)).toBe('completed');
  });

  it('does not retry a 400: the ticket stays received and the job fails', async () => {
    answers = [400, 200];
    const ticket = await createTicket();
    await waitFor('job failed', async () => (await jobState(ticket.id)) === 'failed');
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(1);
    expect(findTicketView(db, ticket.id)?.status).toBe('received');
  });

  it('fails without calling anyone when the agency has no forward URL', async () => {
    db.update(agencies).set({ forwardUrl: null }).where(eq(agencies.code, 'sct')).run();
    const ticket = await createTicket('goods');
    await waitFor('job failed', async () => (await jobState(ticket.id)) === 'failed');
    expect(received).toHaveLength(0);
    expect(findTicketView(db, ticket.id)?.status).toBe('received');
  });

  it('still stores the ticket, promptly, when Redis is unreachable', async () => {
    const down = createForwardQueue({
      redisUrl: 'redis://127.0.0.1:1',
      prefix,
      logger,
      attempts: 1,
      backoffMs: 50,
      enqueueTimeoutMs: 300,
    });
    try {
      const service = createTicketService({ db, forwardQueue: down, logger });
      const started = Date.now();
      const ticket = await service.create(
        {
          callerNumber: '0912000111',
          category: 'other',
          district: 'tan_phu',
          description: 'Hỏi giờ làm việc.',
        },
        operator,
      );
      expect(Date.now() - started).toBeLessThan(2000);
      expect(findTicketView(db, ticket.id)?.status).toBe('received');
    } finally {
      await down.close();
    }
  });
});
