import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketView } from '../../common/api.ts';
import { loadConfig } from '../../server/config.ts';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import { type JobsHealth, startJobsProcess } from '../../server/jobs.ts';
import { type RunningHotline, startHotline } from '../../server/main.ts';
import { AgencyWebhook, sleep, waitFor } from '../support/jobs.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';

let redis: TestRedis;
let webhook: AgencyWebhook;
let dir: string;

beforeAll(async () => {
  redis = await startRedis();
  webhook = new AgencyWebhook();
  await webhook.start();
  dir = mkdtempSync(join(tmpdir(), 'hotline-jobs-'));
});

afterAll(async () => {
  await redis?.stop();
  await webhook?.close();
  rmSync(dir, { recursive: true, force: true });
});

function configFor(name: string, env: Record<string, string> = {}) {
  return loadConfig({
    HOTLINE_JOB_WORKERS: 'separate',
    HOTLINE_ARI_ENABLED: 'false',
    HOTLINE_HTTP_PORT: '0',
    HOTLINE_DB_PATH: join(dir, name, 'hotline.sqlite'),
    HOTLINE_REDIS_URL: redis.url,
    HOTLINE_QUEUE_PREFIX: `test-${randomUUID()}`,
    HOTLINE_SEED_DEMO: 'true',
    HOTLINE_DEMO_AGENCY_URL: `${webhook.url}/agencies`,
    LOG_LEVEL: 'warn',
    ...env,
  });
}

const start = (config: ReturnType<typeof loadConfig>) =>
  startHotline(config, { logger: pino({ level: 'silent' }) });

/** Waits for a job process other than `than`; when it appeared. */
async function nextJobProcess(than: number | undefined): Promise<{ pid: number; at: number }> {
  const pid = await waitFor('a new job process', () => jobProcesses().find((p) => p !== than) ?? 0, 20_000);
  return { pid, at: Date.now() };
}

async function health(hotline: RunningHotline): Promise<JobsHealth> {
  const res = await fetch(`${hotline.url}/api/health`);
  return ((await res.json()) as { jobs: JobsHealth }).jobs;
}

async function createTicket(hotline: RunningHotline): Promise<TicketView> {
  const login = await fetch(`${hotline.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'tdv04', password: DEMO_PASSWORD }),
  });
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
  const csrf = /hotline_csrf=([^;]+)/.exec(cookie)![1]!;
  const created = await fetch(`${hotline.url}/api/tickets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
    body: JSON.stringify({ callerNumber: '0251123456', category: 'welfare', description: 'Xin hỗ trợ.' }),
  });
  expect(created.status).toBe(201);
  return (await created.json()) as TicketView;
}

/** The pids of this process's job processes (children running workers-main). */
function jobProcesses(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
        return ppid === process.pid && cmdline.includes('workers-main') ? [Number(name)] : [];
      } catch {
        return []; // exited meanwhile
      }
    });
}

describe('the separate job process', () => {
  it('is started again after it is killed, says so in /api/health, and delivers what comes next', async () => {
    webhook.answers = [200];
    webhook.received.length = 0;
    const hotline = await start(configFor('killed'));
    try {
      expect(await health(hotline)).toEqual({
        mode: 'separate',
        state: 'running',
        restarts: 0,
        lastExitCode: null,
        lastSignal: null,
      });
      const [first] = jobProcesses();
      expect(first).toBeDefined();
      process.kill(first!, 'SIGKILL');

      const seen = new Set<string>();
      const restarted = await waitFor(
        'the job process running again',
        async () => {
          const h = await health(hotline);
          seen.add(h.state);
          return h.state === 'running' && h.restarts === 1 ? h : null;
        },
        20_000,
      );
      expect(seen.has('restarting')).toBe(true);
      expect(restarted).toEqual({
        mode: 'separate',
        state: 'running',
        restarts: 1,
        lastExitCode: null,
        lastSignal: 'SIGKILL',
      });
      const now = jobProcesses();
      expect(now).toHaveLength(1);
      expect(now[0]).not.toBe(first);

      const ticket = await createTicket(hotline);
      await waitFor('delivered', () => webhook.deliveredTimes(ticket.id) === 1, 15_000);
    } finally {
      await hotline.close();
    }
    expect(jobProcesses()).toEqual([]);
  });

  it('re-queues at start a delivery whose job Redis lost while the hotline was down', async () => {
    webhook.answers = [503];
    webhook.received.length = 0;
    // One failed attempt, then the next one far away: the delivery stays pending on a delayed job.
    const config = configFor('lost', {
      HOTLINE_FORWARD_ATTEMPTS: '5',
      HOTLINE_FORWARD_BACKOFF_MS: '3600000',
    });
    let hotline = await start(config);
    let ticket: TicketView;
    try {
      ticket = await createTicket(hotline);
      await waitFor('a failed attempt', () => webhook.received.some((r) => r.status === 503), 15_000);
    } finally {
      await hotline.close();
    }
    // Redis restarted without its data; an hour passes (well past the reconciler's grace period).
    const flush = new Redis(redis.url);
    await flush.flushall();
    flush.disconnect();
    const db = new Database(config.dbPath);
    for (const [table, column] of [
      ['tickets', 'created_at'],
      ['sms_messages', 'created_at'],
      ['outbox', 'created_at'],
      ['outbox', 'relayed_at'],
    ]) {
      db.prepare(`update ${table} set ${column} = ${column} - 3600000`).run();
    }
    expect(db.prepare('select delivery_status from tickets where id = ?').get(ticket.id)).toEqual({
      delivery_status: 'pending',
    });
    db.close();

    webhook.answers = [200];
    hotline = await start(config);
    try {
      await waitFor('delivered', () => webhook.deliveredTimes(ticket.id) === 1, 20_000);
      await sleep(500);
      expect(webhook.deliveredTimes(ticket.id)).toBe(1);
      expect(await health(hotline)).toMatchObject({ mode: 'separate', state: 'running' });
    } finally {
      await hotline.close();
    }
  });

  it('waits longer after each exit that comes soon after a start', async () => {
    const config = configFor('backoff');
    mkdirSync(join(dir, 'backoff'), { recursive: true });
    const jobs = await startJobsProcess(
      config,
      { logger: pino({ level: 'silent' }), emitDeadline: () => undefined },
      { firstMs: 400, mostMs: 1000, resetAfterMs: 60_000 },
    );
    try {
      const waits: number[] = [];
      let current = jobProcesses()[0];
      for (let i = 0; i < 3; i++) {
        // Each one is killed as soon as it runs: it exits long before the reset.
        await waitFor('running', () => jobs.health().state === 'running', 20_000);
        const killedAt = Date.now();
        process.kill(current!, 'SIGKILL');
        const next = await nextJobProcess(current);
        waits.push(next.at - killedAt);
        current = next.pid;
      }
      // 0.4 s, then doubled to 0.8 s, then capped at 1 s.
      expect(waits[0]).toBeGreaterThanOrEqual(380);
      expect(waits[0]).toBeLessThan(780);
      expect(waits[1]).toBeGreaterThanOrEqual(780);
      expect(waits[2]).toBeGreaterThanOrEqual(980);
      expect(waits[2]).toBeLessThan(1600);
      await waitFor('running', () => jobs.health().state === 'running', 20_000);
      expect(jobs.health()).toMatchObject({ mode: 'separate', restarts: 3, lastSignal: 'SIGKILL' });
    } finally {
      await jobs.close();
    }
    expect(jobs.health().state).toBe('stopped');
    expect(jobProcesses()).toEqual([]);
  });
});
