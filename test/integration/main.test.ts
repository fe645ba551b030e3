import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeResponse, TicketView } from '../../common/api.ts';
import { loadConfig } from '../../server/config.ts';
import { startHotline } from '../../server/main.ts';
import { startRedis } from '../support/redis.ts';

let redis: { url: string; stop(): Promise<void> };
let agency: Server;
let agencyUrl: string;
let dir: string;
const deliveries: string[] = [];

beforeAll(async () => {
  redis = await startRedis();
  agency = createServer((req, res) => {
    deliveries.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => agency.listen(0, '127.0.0.1', resolve));
  agencyUrl = `http://127.0.0.1:${(agency.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'hotline-main-'));
});

afterAll(async () => {
  await redis?.stop();
  await new Promise<void>((resolve) => agency.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['in-process', 'separate'])('startHotline without telephony, job workers %s', (jobWorkers) => {
  it('serves the API, forwards a ticket to the demo agency, and closes cleanly', async () => {
    deliveries.length = 0;
    const config = loadConfig({
      HOTLINE_JOB_WORKERS: jobWorkers,
      HOTLINE_ARI_ENABLED: 'false',
      HOTLINE_HTTP_PORT: '0',
      HOTLINE_DB_PATH: join(dir, jobWorkers, 'hotline.sqlite'),
      HOTLINE_REDIS_URL: redis.url,
      HOTLINE_QUEUE_PREFIX: `test-${randomUUID()}`,
      HOTLINE_SEED_DEMO: 'true',
      HOTLINE_DEMO_AGENCY_URL: `${agencyUrl}/agency`,
    });
    const hotline = await startHotline(config, { logger: pino({ level: 'silent' }) });
    try {
      const health = await fetch(`${hotline.url}/api/health`);
      expect(await health.json()).toEqual({
        status: 'ok',
        telephonyUp: false,
        jobs: { mode: jobWorkers, state: 'running', restarts: 0, lastExitCode: null, lastSignal: null },
      });

      const login = await fetch(`${hotline.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'tdv04', password: '1022demo' }),
      });
      expect((await login.json()) as MeResponse).toMatchObject({ user: { username: 'tdv04' } });
      const cookie = login.headers
        .getSetCookie()
        .map((c) => c.split(';')[0]!)
        .join('; ');
      const csrf = /hotline_csrf=([^;]+)/.exec(cookie)![1]!;

      const created = await fetch(`${hotline.url}/api/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
        body: JSON.stringify({
          callerNumber: '0251123456',
          category: 'welfare',
          description: 'Xin hỗ trợ lương thực.',
        }),
      });
      expect(created.status).toBe(201);
      const ticket = (await created.json()) as TicketView;

      const deadline = Date.now() + 10_000;
      let status = ticket.delivery.status;
      while (status !== 'delivered' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        const res = await fetch(`${hotline.url}/api/tickets/${ticket.id}`, { headers: { cookie } });
        status = ((await res.json()) as TicketView).delivery.status;
      }
      expect(status).toBe('delivered');
      expect(deliveries).toEqual(['/agency/snv']);
    } finally {
      await hotline.close();
    }
    await expect(fetch(`${hotline.url}/api/health`)).rejects.toThrow();
  });
});

describe('shutdown', () => {
  it('goes on past a part that does not stop in time, and names it', async () => {
    const config = loadConfig({
      HOTLINE_ARI_ENABLED: 'false',
      HOTLINE_HTTP_PORT: '0',
      HOTLINE_DB_PATH: join(dir, 'shutdown', 'hotline.sqlite'),
      HOTLINE_REDIS_URL: redis.url,
      HOTLINE_QUEUE_PREFIX: `test-${randomUUID()}`,
    });
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
    const hotline = await startHotline(config, { logger, stopGraceMs: 500 });
    // A client that never finishes its request: the HTTP server waits for it to end.
    const { port } = new URL(hotline.url);
    const client = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => client.once('connect', resolve));
    client.write('GET /api/health HTTP/1.1\r\nHost: hotline\r\n');
    try {
      const started = performance.now();
      await hotline.close();
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(lines.join('')).toContain('error while stopping http');
    } finally {
      client.destroy();
    }
  });
});
