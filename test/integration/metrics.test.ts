/**
 * `/metrics`: off without a token, 401 without the right bearer token, and with it a scrape that a
 * Prometheus text-format parser reads, whose figures follow the desk, the call records and the
 * job queues (real SQLite, real Redis).
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WallboardSnapshot } from '../../common/events.ts';
import type { CallRecordEvent } from '../../ivr/api.ts';
import { openMenuStore } from '../../ivr/menu-file.ts';
import { createApp } from '../../server/app.ts';
import { findCall } from '../../server/calls/repository.ts';
import { createCallRecords } from '../../server/calls/service.ts';
import { loadConfig } from '../../server/config.ts';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { seedDemo } from '../../server/db/seed.ts';
import { startHotline as startServer } from '../../server/main.ts';
import { createHotlineMetrics } from '../../server/metrics/registry.ts';
import { sipAccounts } from '../../server/operators/sip-accounts.ts';
import { createJobQueues, type JobQueues } from '../../server/outbox/queues.ts';
import { MENU_FILE } from '../support/menu.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { config, FakeDesk, logger } from './server-fixture.ts';

/** One metric family as the parser gives it (prom2json's shape: values as strings). */
interface MetricFamily {
  name: string;
  help: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string> }[];
}
// The package ships no types; its one export is the parser.
const parsePrometheusText = createRequire(import.meta.url)('parse-prometheus-text-format') as (
  text: string,
) => MetricFamily[];

const TOKEN = 'a-metrics-token-long-enough-1234567890';

interface Hotline {
  app: FastifyInstance;
  db: Db;
  desk: FakeDesk;
  queues: JobQueues;
  record(e: CallRecordEvent): void;
  /** Records without counting: what the records got before this process started. */
  recordBeforeStart(e: CallRecordEvent): void;
  /** Writes the buffered call events to SQLite. */
  flush(): void;
  /** What the fake controller and fallback watch report; callers in the fallback queue, if it is up. */
  telephony: { ariUp: boolean; amiUp: boolean; fallbackWaiting: number | null };
  close(): Promise<void>;
}

async function startHotline(redis: TestRedis, metricsToken: string | null): Promise<Hotline> {
  const db = openDatabase(':memory:');
  await seedDemo(db, { agencyUrl: null });
  const desk = new FakeDesk(sipAccounts(db).map((a) => a.operatorId));
  const jobRedis = { redisUrl: redis.url, prefix: `metrics-${randomUUID()}`, logger };
  const queues = createJobQueues(jobRedis);
  const metrics = createHotlineMetrics({
    jobQueues: [queues.forward, queues.sms, queues.deadline],
    logger,
    jobEvents: jobRedis,
  });
  const telephony: Hotline['telephony'] = { ariUp: false, amiUp: false, fallbackWaiting: null };
  metrics.followDesk({
    snapshot: (): WallboardSnapshot => ({
      ...desk.snapshot(new Date()),
      telephonyUp: telephony.ariUp,
      fallbackQueue:
        telephony.fallbackWaiting === null
          ? null
          : { waiting: telephony.fallbackWaiting, longestWaitSeconds: 0, answered: 0, abandoned: 0 },
    }),
    amiUp: () => telephony.amiUp,
  });
  const callRecords = createCallRecords({ db, logger, serviceLevelSeconds: 20 });
  const records = metrics.counting(callRecords);
  await metrics.ready();
  const ivrMenu = await openMenuStore({ path: MENU_FILE, soundsDir: null, logger, watch: false });
  const app = await createApp({
    config: { ...config, metricsToken },
    db,
    logger,
    desk,
    ivrMenu,
    metrics: metrics.registry,
  });
  return {
    app,
    db,
    desk,
    queues,
    record: (e) => records.record(e),
    recordBeforeStart: (e) => callRecords.record(e),
    flush: () => callRecords.flush(),
    telephony,
    async close() {
      await app.close();
      await metrics.close();
      await queues.close();
      db.$client.close();
    },
  };
}

async function scrape(app: FastifyInstance): Promise<MetricFamily[]> {
  const res = await app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(res.headers['cache-control']).toBe('no-store');
  return parsePrometheusText(res.body);
}

function family(families: MetricFamily[], name: string): MetricFamily {
  const found = families.find((f) => f.name === name);
  if (!found) throw new Error(`no metric ${name} in the scrape`);
  return found;
}

/** The value of the one sample of `name` with exactly these labels. */
function sample(families: MetricFamily[], name: string, labels: Record<string, string> = {}): number {
  const matches = family(families, name).metrics.filter(
    (m) =>
      JSON.stringify(Object.entries(m.labels ?? {}).sort()) === JSON.stringify(Object.entries(labels).sort()),
  );
  if (matches.length !== 1 || matches[0]?.value === undefined) {
    throw new Error(`${matches.length} samples of ${name}${JSON.stringify(labels)}`);
  }
  return Number(matches[0].value);
}

let redis: TestRedis;
let hotline: Hotline | undefined;

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await hotline?.close();
  hotline = undefined;
});
afterAll(async () => {
  await redis.stop();
});

describe('/metrics access', () => {
  it('does not exist without a token configured', async () => {
    hotline = await startHotline(redis, null);
    const res = await hotline.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('refuses a scrape without the token, with a wrong one or another scheme', async () => {
    hotline = await startHotline(redis, TOKEN);
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, 'Bearer wrong', `Basic ${TOKEN}`, TOKEN]) {
      const res = await hotline.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(res.statusCode, String(authorization)).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body).not.toContain('hotline_');
    }
  });
});

describe('/metrics figures', () => {
  it('serves the default metrics, event-loop lag among them', async () => {
    hotline = await startHotline(redis, TOKEN);
    const families = await scrape(hotline.app);
    expect(family(families, 'nodejs_eventloop_lag_seconds').type).toBe('GAUGE');
    expect(sample(families, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(family(families, 'process_resident_memory_bytes').type).toBe('GAUGE');
  });

  it('counts operators by state and callers waiting per queue from the desk, and ARI/AMI as 0/1', async () => {
    hotline = await startHotline(redis, TOKEN);
    const operators = [...hotline.desk.states.keys()];
    const [first, second] = operators;
    if (first === undefined || second === undefined) throw new Error('the seed has fewer than two operators');

    let families = await scrape(hotline.app);
    expect(sample(families, 'hotline_operators', { state: 'ready' })).toBe(0);
    expect(sample(families, 'hotline_operators', { state: 'offline' })).toBe(operators.length);
    expect(sample(families, 'hotline_ari_up')).toBe(0);
    expect(sample(families, 'hotline_ami_up')).toBe(0);
    expect(sample(families, 'hotline_fallback_calls_waiting')).toBe(0);

    hotline.desk.setAgentState(first, { state: 'ready' });
    hotline.desk.setAgentState(second, { state: 'not_ready', reason: 'break' });
    hotline.telephony.ariUp = true;
    hotline.telephony.amiUp = true;
    hotline.telephony.fallbackWaiting = 3;
    families = await scrape(hotline.app);
    expect(family(families, 'hotline_operators').type).toBe('GAUGE');
    expect(sample(families, 'hotline_operators', { state: 'ready' })).toBe(1);
    expect(sample(families, 'hotline_operators', { state: 'not_ready' })).toBe(1);
    expect(sample(families, 'hotline_operators', { state: 'offline' })).toBe(operators.length - 2);
    expect(sample(families, 'hotline_operators', { state: 'on_call' })).toBe(0);
    // The fake desk has two callers waiting for health, 40 s the longest.
    expect(sample(families, 'hotline_calls_waiting', { queue: 'health' })).toBe(2);
    expect(sample(families, 'hotline_calls_waiting', { queue: 'welfare' })).toBe(0);
    expect(sample(families, 'hotline_queue_longest_wait_seconds', { queue: 'health' })).toBe(40);
    expect(sample(families, 'hotline_ari_up')).toBe(1);
    expect(sample(families, 'hotline_ami_up')).toBe(1);
    expect(sample(families, 'hotline_fallback_calls_waiting')).toBe(3);
  });

  it('counts answered and abandoned calls from the call records, once per call', async () => {
    hotline = await startHotline(redis, TOKEN);
    const { record } = hotline;
    const t0 = Date.now() - 60_000;
    const at = (s: number) => new Date(t0 + s * 1000);
    let families = await scrape(hotline.app);
    expect(family(families, 'hotline_calls_answered_total').type).toBe('COUNTER');
    expect(sample(families, 'hotline_calls_answered_total', { queue: 'health' })).toBe(0);
    expect(sample(families, 'hotline_calls_abandoned_total', { queue: 'welfare' })).toBe(0);

    // Answered, lost by the operator's console and answered again: one answered call.
    record({ callId: 'answered', at: at(0), type: 'arrived', callerNumber: '0901234567' });
    record({ callId: 'answered', at: at(5), type: 'queued', queue: 'health' });
    record({ callId: 'answered', at: at(10), type: 'offered', operatorId: 1 });
    record({ callId: 'answered', at: at(12), type: 'answered', operatorId: 1 });
    record({ callId: 'answered', at: at(20), type: 'operatorLost', operatorId: 1 });
    record({ callId: 'answered', at: at(25), type: 'answered', operatorId: 1 });
    record({ callId: 'answered', at: at(40), type: 'ended', reason: 'caller_hung_up' });
    // Hung up while waiting.
    record({ callId: 'abandoned', at: at(1), type: 'arrived', callerNumber: '0907654321' });
    record({ callId: 'abandoned', at: at(3), type: 'queued', queue: 'welfare' });
    record({ callId: 'abandoned', at: at(30), type: 'ended', reason: 'abandoned_in_queue' });
    // Hung up at the menu, before any queue: neither.
    record({ callId: 'menu', at: at(2), type: 'arrived', callerNumber: '0911111111' });
    record({ callId: 'menu', at: at(4), type: 'ended', reason: 'abandoned_in_queue' });
    hotline.flush();

    families = await scrape(hotline.app);
    expect(sample(families, 'hotline_calls_answered_total', { queue: 'health' })).toBe(1);
    expect(sample(families, 'hotline_calls_abandoned_total', { queue: 'welfare' })).toBe(1);
    expect(sample(families, 'hotline_calls_answered_total', { queue: 'welfare' })).toBe(0);
    expect(sample(families, 'hotline_calls_abandoned_total', { queue: 'health' })).toBe(0);
    expect(sample(families, 'hotline_calls_abandoned_total', { queue: 'general' })).toBe(0);
    // The same events reached the call records.
    expect(findCall(hotline.db, 'answered')?.answeredAt).toEqual(at(12));
    expect(findCall(hotline.db, 'abandoned')?.endReason).toBe('abandoned_in_queue');
  });

  it('counts a call adopted after a restart from its record: waiting then, once answered', async () => {
    hotline = await startHotline(redis, TOKEN);
    const at = (s: number) => new Date(Date.now() - 60_000 + s * 1000);
    hotline.recordBeforeStart({ callId: 'waiting', at: at(0), type: 'arrived', callerNumber: '0901234567' });
    hotline.recordBeforeStart({ callId: 'waiting', at: at(1), type: 'queued', queue: 'goods' });
    hotline.recordBeforeStart({ callId: 'talking', at: at(0), type: 'arrived', callerNumber: '0907654321' });
    hotline.recordBeforeStart({ callId: 'talking', at: at(1), type: 'queued', queue: 'goods' });
    hotline.recordBeforeStart({ callId: 'talking', at: at(2), type: 'answered', operatorId: 1 });
    hotline.flush();

    hotline.record({ callId: 'waiting', at: at(30), type: 'answered', operatorId: 2 });
    hotline.record({ callId: 'talking', at: at(31), type: 'answered', operatorId: 1 });
    hotline.record({ callId: 'talking', at: at(40), type: 'ended', reason: 'abandoned_in_queue' });
    const families = await scrape(hotline.app);
    expect(sample(families, 'hotline_calls_answered_total', { queue: 'goods' })).toBe(1);
    expect(sample(families, 'hotline_calls_abandoned_total', { queue: 'goods' })).toBe(0);
  });

  it('reads the job queue depths and failures from Redis', async () => {
    hotline = await startHotline(redis, TOKEN);
    const { queues } = hotline;
    let families = await scrape(hotline.app);
    expect(sample(families, 'hotline_job_queues_up')).toBe(1);
    expect(sample(families, 'hotline_job_queue_jobs', { queue: 'sms', state: 'waiting' })).toBe(0);
    expect(family(families, 'hotline_job_failures_total').type).toBe('COUNTER');
    expect(sample(families, 'hotline_job_failures_total', { queue: 'ticket-deadline' })).toBe(0);

    await queues.sms.add('send', { smsId: 1 });
    await queues.sms.add('send', { smsId: 2 });
    await queues.forward.add('forward', { ticketId: 1 }, { delay: 60_000 });
    await queues.deadline.add('deadline', { ticketId: 1 }, { attempts: 1 });
    // A real worker fails the deadline job for good.
    const worker = new Worker(
      queues.deadline.name,
      async () => {
        throw new Error('the agency is down');
      },
      {
        connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null },
        prefix: queues.deadline.opts.prefix,
      },
    );
    worker.on('error', () => undefined);
    try {
      await new Promise<void>((resolve) => worker.once('failed', () => resolve()));
    } finally {
      await worker.close();
    }

    families = await scrape(hotline.app);
    expect(family(families, 'hotline_job_queue_jobs').type).toBe('GAUGE');
    expect(sample(families, 'hotline_job_queue_jobs', { queue: 'sms', state: 'waiting' })).toBe(2);
    expect(sample(families, 'hotline_job_queue_jobs', { queue: 'ticket-forward', state: 'delayed' })).toBe(1);
    expect(sample(families, 'hotline_job_queue_jobs', { queue: 'ticket-deadline', state: 'failed' })).toBe(1);
    expect(sample(families, 'hotline_job_queue_jobs', { queue: 'ticket-deadline', state: 'waiting' })).toBe(
      0,
    );
    expect(sample(families, 'hotline_job_queue_jobs', { queue: 'sms', state: 'failed' })).toBe(0);
    // The failure's event reaches the counter through Redis' event stream, soon after.
    await expect
      .poll(
        async () =>
          sample(await scrape(hotline!.app), 'hotline_job_failures_total', { queue: 'ticket-deadline' }),
        { timeout: 5000 },
      )
      .toBe(1);
    expect(sample(families, 'hotline_job_failures_total', { queue: 'sms' })).toBe(0);
  });

  it('says the job queues are unreachable while their Redis is down, and still answers', async () => {
    const own = await startRedis();
    try {
      hotline = await startHotline(own, TOKEN);
      expect(sample(await scrape(hotline.app), 'hotline_job_queues_up')).toBe(1);
      await own.stop();
      const families = await scrape(hotline.app);
      expect(sample(families, 'hotline_job_queues_up')).toBe(0);
      expect(family(families, 'hotline_job_queue_jobs').metrics).toEqual([]);
      expect(sample(families, 'hotline_operators', { state: 'offline' })).toBeGreaterThan(0);
    } finally {
      await own.stop();
    }
  });
});

describe('/metrics in the composed server', () => {
  it('follows an operator who logs in and gets ready, and the job queues, over HTTP', async () => {
    const server = await startServer(
      loadConfig({
        HOTLINE_ARI_ENABLED: 'false',
        HOTLINE_HTTP_PORT: '0',
        HOTLINE_DB_PATH: ':memory:',
        HOTLINE_REDIS_URL: redis.url,
        HOTLINE_QUEUE_PREFIX: `metrics-${randomUUID()}`,
        HOTLINE_SEED_DEMO: 'true',
        HOTLINE_CONSOLE_DIR: '',
        HOTLINE_METRICS_TOKEN: TOKEN,
      }),
      { logger },
    );
    try {
      const scrapeOverHttp = async () => {
        const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
        expect(res.status).toBe(200);
        return parsePrometheusText(await res.text());
      };
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      let families = await scrapeOverHttp();
      expect(sample(families, 'hotline_operators', { state: 'ready' })).toBe(0);
      expect(sample(families, 'hotline_ari_up')).toBe(0);
      expect(sample(families, 'hotline_job_queues_up')).toBe(1);

      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'tdv04', password: '1022demo' }),
      });
      expect(login.status).toBe(200);
      const cookie = login.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const csrf = /hotline_csrf=([^;]+)/.exec(cookie)?.[1] ?? '';
      const ready = await fetch(`${server.url}/api/agent/state`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
        body: JSON.stringify({ state: 'ready' }),
      });
      expect(ready.status).toBe(200);

      families = await scrapeOverHttp();
      expect(sample(families, 'hotline_operators', { state: 'ready' })).toBe(1);
      expect(sample(families, 'hotline_calls_answered_total', { queue: 'general' })).toBe(0);
      expect(sample(families, 'hotline_job_queue_jobs', { queue: 'sms', state: 'failed' })).toBe(0);
    } finally {
      await server.close();
    }
  });
});
