/**
 * The ticket pipeline on a real Redis, for integration tests: the API on an in-memory database
 * with the demo data, the outbox relay, the forward/SMS/deadline workers on a queue prefix of
 * the test's own, and an agency webhook that answers what the test says.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { TicketView } from '../../common/api.ts';
import type { Category } from '../../common/domain.ts';
import { createGroupCommitter } from '../../server/db/group-commit.ts';
import { DEFAULT_CALENDAR } from '../../server/deadlines/calendar.ts';
import { startForwardWorker } from '../../server/forwarding/worker.ts';
import { combineHooks, createNotificationHooks } from '../../server/notifications/hooks.ts';
import {
  createJobQueues,
  DEADLINE_QUEUE,
  FORWARD_QUEUE,
  type JobQueues,
  SMS_QUEUE,
} from '../../server/outbox/queues.ts';
import { createOutboxRelay, type OutboxRelay } from '../../server/outbox/relay.ts';
import { type DeadlineEvent, deadlineIntentJob } from '../../server/sla/processor.ts';
import { startDeadlineWorker } from '../../server/sla/worker.ts';
import type { SmsGateway } from '../../server/sms/gateway.ts';
import { startSmsWorker } from '../../server/sms/worker.ts';
import { type AuthHeaders, buildFixture, type Fixture, logger } from '../integration/server-fixture.ts';
import { startRedis, type TestRedis } from './redis.ts';

export interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  status: number;
}

/** An agency webhook: answers `answers` in order (the last one repeats) and records every request. */
export class AgencyWebhook {
  readonly received: Received[] = [];
  answers: number[] = [200];
  /** How long each answer takes, per request path (e.g. `/agencies/syt`); none when absent. */
  delays = new Map<string, number>();
  /** Requests being answered now, and the most at once, per request path. */
  readonly inFlight = new Map<string, number>();
  readonly mostInFlight = new Map<string, number>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = req.url ?? '';
      const busy = (this.inFlight.get(path) ?? 0) + 1;
      this.inFlight.set(path, busy);
      this.mostInFlight.set(path, Math.max(busy, this.mostInFlight.get(path) ?? 0));
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = this.answers.length > 1 ? this.answers.shift()! : this.answers[0]!;
        setTimeout(() => {
          this.inFlight.set(path, (this.inFlight.get(path) ?? 1) - 1);
          this.received.push({ url: path, headers: req.headers, raw: Buffer.concat(chunks), status });
          res.writeHead(status).end();
        }, this.delays.get(path) ?? 0);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Successful deliveries of a ticket. */
  deliveredTimes(ticketId: number): number {
    return this.received.filter((r) => r.status < 300 && JSON.parse(r.raw.toString()).ticketId === ticketId)
      .length;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A gateway that records what it was asked to send. */
export class RecordingGateway implements SmsGateway {
  readonly sent: { to: string; body: string; idempotencyKey: string }[] = [];
  async send(to: string, body: string, idempotencyKey: string) {
    this.sent.push({ to, body, idempotencyKey });
    return { providerId: `p-${this.sent.length}` };
  }
}

export interface Pipeline {
  fx: Fixture;
  webhook: AgencyWebhook;
  gateway: RecordingGateway;
  queues: JobQueues;
  relay: OutboxRelay;
  /** The Redis the queues are on. */
  redisUrl: string;
  prefix: string;
  deadlineEvents: DeadlineEvent[];
  supervisor: AuthHeaders;
  createTicket(opts?: {
    category?: Category;
    priority?: 'urgent' | 'normal' | 'complex';
    unitCode?: string;
    address?: string;
  }): Promise<TicketView>;
  act(ticketId: number, action: string, extra?: object): Promise<TicketView>;
  /** Stops workers and relay; they can be started again with `startWorkers`. */
  stopWorkers(): Promise<void>;
  startWorkers(): void;
  close(): Promise<void>;
}

export interface PipelineOptions {
  redisUrl: string;
  forwardAttempts?: number;
  /** Deliveries in flight per agency; the worker's default otherwise. */
  agencyConcurrency?: number;
  startRelay?: boolean;
  now?: () => Date;
}

export async function startPipeline(opts: PipelineOptions): Promise<Pipeline> {
  const webhook = new AgencyWebhook();
  await webhook.start();
  const prefix = `test-${randomUUID()}`;
  const redis = { redisUrl: opts.redisUrl, prefix, logger };
  const queues = createJobQueues(redis);
  const gateway = new RecordingGateway();
  const deadlineEvents: DeadlineEvent[] = [];
  const policies = {
    forward: { attempts: opts.forwardAttempts ?? 3, backoffMs: 20 },
    sms: { attempts: 3, backoffMs: 20 },
    deadline: { attempts: 3, backoffMs: 20 },
  };
  let relay!: OutboxRelay;
  const fx = await buildFixture({
    agencyUrl: `${webhook.url}/agencies`,
    ticketHooks: combineHooks(createNotificationHooks(), { afterChange: () => relay.nudge() }),
    ...(opts.now ? { now: opts.now } : {}),
  });
  const now = opts.now ?? (() => new Date());
  relay = createOutboxRelay({
    db: fx.db,
    queues,
    policies,
    deadlineJob: deadlineIntentJob({ db: fx.db, calendar: DEFAULT_CALENDAR, now, logger }),
    logger,
    pollMs: 50,
    maxBackoffMs: 200,
    now,
  });
  // As in the job process: deliveries and sent messages are marked through a group commit.
  const committer = createGroupCommitter(fx.db.$client);
  let workers: { close(): Promise<void> }[] = [];
  const startWorkers = () => {
    workers = [
      startForwardWorker({
        ...redis,
        db: fx.db,
        timeoutMs: 2000,
        now,
        committer,
        ...(opts.agencyConcurrency ? { agencyConcurrency: opts.agencyConcurrency } : {}),
      }),
      startSmsWorker({ ...redis, db: fx.db, gateway, timeoutMs: 2000, now, committer }),
      startDeadlineWorker({
        ...redis,
        db: fx.db,
        calendar: DEFAULT_CALENDAR,
        queue: queues.deadline,
        policy: policies.deadline,
        emit: (e) => deadlineEvents.push(e),
        now,
      }),
    ];
  };
  startWorkers();
  if (opts.startRelay !== false) relay.start();
  const supervisor = await fx.session('giamsat');

  async function act(ticketId: number, action: string, extra: object = {}): Promise<TicketView> {
    const res = await fx.app.inject({
      method: 'POST',
      url: `/api/tickets/${ticketId}/actions`,
      headers: supervisor,
      payload: { action, ...extra },
    });
    if (res.statusCode !== 200) throw new Error(`${action} failed: ${res.statusCode} ${res.body}`);
    return res.json<TicketView>();
  }

  return {
    fx,
    webhook,
    gateway,
    queues,
    relay,
    redisUrl: opts.redisUrl,
    prefix,
    deadlineEvents,
    supervisor,
    async createTicket(o = {}) {
      const res = await fx.app.inject({
        method: 'POST',
        url: '/api/tickets',
        headers: supervisor,
        payload: {
          callerNumber: '0912345678',
          callerName: 'Trần Thị Bình',
          category: o.category ?? 'health',
          description: 'Khu phố 3 thiếu nước sạch ba ngày nay.',
          ...(o.priority ? { priority: o.priority } : {}),
          ...(o.unitCode ? { unitCode: o.unitCode } : {}),
          ...(o.address ? { address: o.address } : {}),
        },
      });
      if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
      return res.json<TicketView>();
    },
    act,
    async stopWorkers() {
      await relay.close();
      await Promise.all(workers.map((w) => w.close()));
    },
    startWorkers,
    async close() {
      await relay.close();
      await Promise.all(workers.map((w) => w.close()));
      await queues.close();
      for (const name of [FORWARD_QUEUE, SMS_QUEUE, DEADLINE_QUEUE]) {
        const admin = new Queue(name, { connection: { url: opts.redisUrl }, prefix });
        await admin.obliterate({ force: true }).catch(() => undefined);
        await admin.close();
      }
      await webhook.close();
      await fx.close();
    },
  };
}

export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One private Redis for the test file and a pipeline per test, closed after it:
 * `const pipelines = pipelinesOnRedis();` at the top, `const p = await pipelines.start();` in a test.
 */
export function pipelinesOnRedis(): { start(opts?: Omit<PipelineOptions, 'redisUrl'>): Promise<Pipeline> } {
  let redis: TestRedis | undefined;
  let current: Pipeline | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  afterAll(async () => {
    await redis?.stop();
  });
  return {
    async start(opts = {}) {
      if (!redis)
        throw new Error('pipelinesOnRedis() must be called at the top of a test file or describe block');
      current = await startPipeline({ redisUrl: redis.url, ...opts });
      return current;
    },
  };
}
