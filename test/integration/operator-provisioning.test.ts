/**
 * Accounts changed while the server runs reach the desk at once: a new operator is on the
 * wallboard (offline) and may change state, a disabled one is gone from it. Without telephony,
 * so the desk is the server's own; the call controller's side is covered by the unit tests and
 * end to end (test/e2e/operator-accounts.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountCreated } from '../../common/api.ts';
import type { WallboardSnapshot } from '../../common/events.ts';
import { loadConfig } from '../../server/config.ts';
import { startHotline } from '../../server/main.ts';
import { startRedis } from '../support/redis.ts';

let redis: { url: string; stop(): Promise<void> };
let dir: string;

beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'hotline-provisioning-'));
});

afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function session(baseUrl: string, username: string) {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: '1022demo' }),
  });
  if (!res.ok) throw new Error(`login ${username} → ${res.status}`);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0] ?? '');
  const csrf = cookies.find((c) => c.startsWith('hotline_csrf='))?.slice('hotline_csrf='.length) ?? '';
  const headers = { cookie: cookies.join('; '), 'x-csrf-token': csrf, 'content-type': 'application/json' };
  return {
    async get<T>(path: string): Promise<T> {
      const answer = await fetch(`${baseUrl}${path}`, { headers });
      if (!answer.ok) throw new Error(`GET ${path} → ${answer.status}`);
      return (await answer.json()) as T;
    },
    async post<T>(path: string, body: unknown = {}): Promise<T> {
      const answer = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
      if (!answer.ok) throw new Error(`POST ${path} → ${answer.status} ${await answer.text()}`);
      return (await answer.json()) as T;
    },
  };
}

describe('operators provisioned while the server runs (no telephony)', () => {
  it('a created operator is on the wallboard at once; a disabled one leaves it', async () => {
    const config = loadConfig({
      HOTLINE_ARI_ENABLED: 'false',
      HOTLINE_HTTP_PORT: '0',
      HOTLINE_DB_PATH: join(dir, 'hotline.sqlite'),
      HOTLINE_REDIS_URL: redis.url,
      HOTLINE_QUEUE_PREFIX: `test-${randomUUID()}`,
      HOTLINE_SEED_DEMO: 'true',
    });
    const hotline = await startHotline(config, { logger: pino({ level: 'silent' }) });
    try {
      const admin = await session(hotline.url, 'quantri');
      const supervisor = await session(hotline.url, 'giamsat');
      const onWallboard = async () =>
        (await supervisor.get<WallboardSnapshot>('/api/wallboard')).agents.map((a) => a.displayName);

      const created = await admin.post<AccountCreated>('/api/admin/users', {
        username: 'tdv-moi',
        displayName: 'Lê Thị Mai',
        role: 'operator',
        skills: ['health', 'general'],
      });
      await expect.poll(onWallboard).toContain('Lê Thị Mai');
      const agent = (await supervisor.get<WallboardSnapshot>('/api/wallboard')).agents.find(
        (a) => a.operatorId === created.data.id,
      );
      expect(agent?.state).toBe('offline');

      await admin.post(`/api/admin/users/${created.data.id}/disable`);
      await expect.poll(onWallboard).not.toContain('Lê Thị Mai');
      expect(await onWallboard()).toContain('Nguyễn Thị Hoa');

      await admin.post(`/api/admin/users/${created.data.id}/enable`);
      await expect.poll(onWallboard).toContain('Lê Thị Mai');
    } finally {
      await hotline.close();
    }
  });
});
