/**
 * `HOTLINE_ENV=production`: the hotline refuses to start while anything of the demo is left, and
 * a first start on an empty database creates the admin `quantri` with a one-time password.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, notInArray } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MeResponse } from '../../common/api.ts';
import { listAudit } from '../../server/audit/service.ts';
import { loadConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/db/index.ts';
import { agencies } from '../../server/db/schema.ts';
import { DEMO_PASSWORD, seedDemo } from '../../server/db/seed.ts';
import { startHotline } from '../../server/main.ts';
import { DEMO_API_KEY } from '../../server/open311/clients.ts';
import { configProblems, ProductionRefusedError } from '../../server/production.ts';
import { startRedis } from '../support/redis.ts';

const logger = pino({ level: 'silent' });
let dir: string;
let redis: { url: string; stop(): Promise<void> };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hotline-production-'));
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A database file of its own; with the demo data when `demo`. */
async function database(name: string, demo: boolean): Promise<string> {
  mkdirSync(join(dir, name), { recursive: true });
  const path = join(dir, name, 'hotline.sqlite');
  if (demo) {
    const db = openDatabase(path);
    await seedDemo(db, { agencyUrl: null });
    db.$client.close();
  }
  return path;
}

function env(dbPath: string, extra: Record<string, string> = {}) {
  return loadConfig({
    HOTLINE_ENV: 'production',
    HOTLINE_ARI_ENABLED: 'false',
    HOTLINE_HTTP_PORT: '0',
    HOTLINE_CONSOLE_DIR: '',
    HOTLINE_DB_PATH: dbPath,
    HOTLINE_REDIS_URL: redis.url,
    HOTLINE_QUEUE_PREFIX: `test-${randomUUID()}`,
    HOTLINE_SMS_DRIVER: 'http',
    HOTLINE_SMS_URL: 'http://127.0.0.1:9/sms',
    HOTLINE_SMS_TOKEN: 'b7c1f0e2d9a84e1c9b3f5a7d',
    HOTLINE_MAIL_DRIVER: 'smtp',
    HOTLINE_SMTP_URL: 'smtp://127.0.0.1:9',
    ...extra,
  });
}

async function refusal(config: ReturnType<typeof loadConfig>): Promise<ProductionRefusedError> {
  const err = await startHotline(config, { logger }).then(
    async (hotline) => {
      await hotline.close();
      throw new Error('the hotline started');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProductionRefusedError);
  return err as ProductionRefusedError;
}

describe('production mode', () => {
  it('refuses to start while accounts keep the demo password, naming them in Vietnamese and English', async () => {
    const err = await refusal(env(await database('demo', true)));
    expect(err.message).toContain('Không khởi động ở chế độ production');
    expect(err.message).toContain('Refusing to start in production');
    expect(err.message).toContain(`mật khẩu demo ${DEMO_PASSWORD}`);
    expect(err.message).toContain('demo password');
    for (const username of ['quantri', 'tdv01', 'giamsat', 'syt']) expect(err.message).toContain(username);
    // And the demo's Open311 app still holds its published key.
    expect(err.message).toContain(`api_key demo ${DEMO_API_KEY}`);
    expect(err.problems).toHaveLength(2);
  });

  it('lists every problem at once: demo seed, outbox SMS, plain ws: softphone, default secrets', async () => {
    const config = env(await database('many', false), {
      HOTLINE_SEED_DEMO: 'true',
      HOTLINE_SMS_DRIVER: 'outbox',
      HOTLINE_SMS_TOKEN: '',
      HOTLINE_SMS_URL: '',
      HOTLINE_ARI_ENABLED: 'true',
      HOTLINE_ARI_USERNAME: 'hotline',
      HOTLINE_ARI_PASSWORD: 'asterisk',
      HOTLINE_AMI_USERNAME: 'hotline',
      HOTLINE_AMI_PASSWORD: 'amp111',
    });
    const err = await refusal(config);
    expect(err.message).toContain('HOTLINE_SEED_DEMO');
    expect(err.message).toContain('HOTLINE_SMS_DRIVER=http');
    expect(err.message).toContain('HOTLINE_ARI_PASSWORD');
    expect(err.message).toContain('HOTLINE_AMI_PASSWORD');
    expect(err.message).toContain('HOTLINE_SIP_WS_URL');
    expect(err.problems).toHaveLength(5);
  });

  it('refuses while an active agency forwards tickets over plain http, naming each; https or none passes', async () => {
    mkdirSync(join(dir, 'webhooks'), { recursive: true });
    const path = join(dir, 'webhooks', 'hotline.sqlite');
    const db = openDatabase(path);
    await seedDemo(db, { agencyUrl: 'http://127.0.0.1:9/agencies' });
    db.update(agencies)
      .set({ forwardUrl: null })
      .where(notInArray(agencies.code, ['syt', 'cat']))
      .run();
    db.update(agencies)
      .set({ forwardUrl: 'https://cat.example.vn/1022' })
      .where(eq(agencies.code, 'cat'))
      .run();
    db.$client.close();
    const err = await refusal(env(path));
    const problem = err.problems.find((p) => p.includes('http'));
    expect(problem).toContain('1 cơ quan nhận phiếu qua http');
    expect(problem).toContain('syt (http://127.0.0.1:9/agencies/syt)');
    expect(problem).toContain('https://');
    expect(problem).not.toContain('cat.example.vn');

    const fixed = openDatabase(path);
    fixed
      .update(agencies)
      .set({ forwardUrl: 'https://syt.example.vn/1022' })
      .where(eq(agencies.code, 'syt'))
      .run();
    fixed.$client.close();
    const after = await refusal(env(path));
    // Only the demo passwords and the demo app's key are left.
    expect(after.problems).toHaveLength(2);
    expect(after.message).not.toContain('http (không mã hóa)');
  });

  it('refuses the outbox SMS driver unless HOTLINE_ALLOW_OUTBOX_SMS=true', () => {
    const outbox = { HOTLINE_SMS_DRIVER: 'outbox', HOTLINE_SMS_URL: '', HOTLINE_SMS_TOKEN: '' };
    expect(configProblems(env(':memory:', outbox)).join('\n')).toContain('HOTLINE_ALLOW_OUTBOX_SMS=true');
    expect(configProblems(env(':memory:', { ...outbox, HOTLINE_ALLOW_OUTBOX_SMS: 'true' }))).toEqual([]);
    expect(configProblems(env(':memory:', { HOTLINE_SMS_TOKEN: 'changeme' })).join('\n')).toContain(
      'HOTLINE_SMS_TOKEN',
    );
  });

  it('refuses a softphone WebSocket that is not wss:, and a default TURN secret', () => {
    const telephony = {
      HOTLINE_ARI_ENABLED: 'true',
      HOTLINE_ARI_USERNAME: 'hotline',
      HOTLINE_ARI_PASSWORD: 'f3a9c2e7b1d84a6c9e0b5d7a',
    };
    const plain = configProblems(
      env(':memory:', { ...telephony, HOTLINE_SIP_WS_URL: 'ws://10.0.0.5:8088/ws' }),
    );
    expect(plain.join('\n')).toContain('HOTLINE_SIP_WS_URL');
    expect(
      configProblems(env(':memory:', { ...telephony, HOTLINE_SIP_WS_URL: 'wss://1022.example.gov.vn/ws' })),
    ).toEqual([]);
    const turn = { HOTLINE_TURN_URLS: 'turn:1022.example.gov.vn:3478', HOTLINE_TURN_SECRET: 'secret' };
    expect(configProblems(env(':memory:', turn)).join('\n')).toContain('HOTLINE_TURN_SECRET');
  });

  it('starts in development with the demo data as before', async () => {
    const hotline = await startHotline(
      env(await database('development', true), { HOTLINE_ENV: 'development' }),
      {
        logger,
      },
    );
    await hotline.close();
  });

  it('on a first start creates quantri with a one-time password printed once, then starts as production', async () => {
    const dbPath = await database('first-run', false);
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    let hotline: Awaited<ReturnType<typeof startHotline>>;
    try {
      hotline = await startHotline(env(dbPath), { logger });
    } finally {
      write.mockRestore();
    }
    try {
      const line = printed.find((l) => l.includes('quantri'));
      expect(line).toContain('mật khẩu một lần');
      const oneTimePassword = /one-time password: ([a-z0-9-]+)/.exec(line ?? '')?.[1];
      expect(oneTimePassword).toMatch(/^[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){3}$/);

      const login = await fetch(`${hotline.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'quantri', password: oneTimePassword }),
      });
      expect(login.status).toBe(200);
      expect((await login.json()) as MeResponse).toMatchObject({
        user: { username: 'quantri', role: 'admin' },
        mustChangePassword: true,
      });
      const cookie = login.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const gated = await fetch(`${hotline.url}/api/admin/users`, { headers: { cookie } });
      expect(gated.status).toBe(403);

      const [entry] = listAudit(hotline.db, { action: 'user.create' });
      expect(entry).toMatchObject({ actor: null, after: { username: 'quantri', role: 'admin' } });
    } finally {
      await hotline.close();
    }

    // The next start finds the account and prints nothing.
    const again: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      again.push(String(chunk));
      return true;
    });
    try {
      const second = await startHotline(env(dbPath), { logger });
      await second.close();
    } finally {
      spy.mockRestore();
    }
    expect(again.join('')).not.toContain('quantri');
  });
});
