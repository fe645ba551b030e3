/**
 * The login limiter through the HTTP API: attempts are counted before the password is checked (a
 * burst of parallel guesses cannot pass), failures slow further attempts down instead of locking
 * the operator out, the address is the client's own behind a trusted proxy (and a forged
 * X-Forwarded-For from anyone else changes nothing), and every failure is logged.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiError } from '../../common/api.ts';
import { createLoginLimiter, DEFAULT_LOGIN_LIMITS } from '../../server/auth/rate-limit.ts';
import { buildFixture, type Fixture } from './server-fixture.ts';

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const PROXY = '10.0.0.1';

function attempt(
  app: Fixture,
  username: string,
  password: string,
  from: { remoteAddress?: string; forwardedFor?: string } = {},
) {
  return app.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
    remoteAddress: from.remoteAddress ?? '192.0.2.50',
    ...(from.forwardedFor ? { headers: { 'x-forwarded-for': from.forwardedFor } } : {}),
  });
}

/** An app whose limiter runs on a clock the test moves. */
async function withClock() {
  const clock = { now: new Date('2026-03-10T01:00:00Z') };
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  fx = await buildFixture({
    loginLimiter: createLoginLimiter(DEFAULT_LOGIN_LIMITS, () => clock.now),
    logger: pino({ level: 'info' }, sink),
  });
  const tick = (seconds: number) => {
    clock.now = new Date(clock.now.getTime() + seconds * 1000);
  };
  return { app: fx, tick, lines };
}

describe('slowing down, not locking out', () => {
  it('lets five failures through, then makes each attempt wait twice as long, up to a minute', async () => {
    const { app, tick } = await withClock();
    for (let i = 0; i < 5; i++) expect((await attempt(app, 'tdv01', 'sai')).statusCode).toBe(401);
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const refused = await attempt(app, 'tdv01', '1022demo');
      expect(refused.statusCode).toBe(429);
      expect(refused.json<ApiError>().error.code).toBe('RATE_LIMITED');
      const wait = Number(refused.headers['retry-after']);
      waits.push(wait);
      tick(wait - 1);
      // Not a second early.
      expect((await attempt(app, 'tdv01', '1022demo')).statusCode).toBe(429);
      tick(1);
      expect((await attempt(app, 'tdv01', 'sai')).statusCode).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);

    // The right password after the wait logs in, and the slate is clean again.
    tick(60);
    expect((await attempt(app, 'tdv01', '1022demo')).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await attempt(app, 'tdv01', 'sai')).statusCode).toBe(401);
    // Others were never slowed.
    expect((await attempt(app, 'tdv02', '1022demo', { remoteAddress: '192.0.2.51' })).statusCode).toBe(200);
  });

  it('forgets attempts older than the window', async () => {
    const { app, tick } = await withClock();
    for (let i = 0; i < 5; i++) expect((await attempt(app, 'tdv01', 'sai')).statusCode).toBe(401);
    expect((await attempt(app, 'tdv01', 'sai')).statusCode).toBe(429);
    tick(15 * 60 + 1);
    for (let i = 0; i < 5; i++) expect((await attempt(app, 'tdv01', 'sai')).statusCode).toBe(401);
  });

  it('an operator who mistypes twice logs in at once, and their slips are forgotten', async () => {
    const { app, lines } = await withClock();
    expect((await attempt(app, 'tdv03', '1022dem')).statusCode).toBe(401);
    expect((await attempt(app, 'tdv03', '1022 demo')).statusCode).toBe(401);
    const ok = await attempt(app, 'tdv03', '1022demo');
    expect(ok.statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await attempt(app, 'tdv03', 'sai')).statusCode).toBe(401);

    const failures = lines.filter((l) => l.msg === 'login failed');
    expect(failures[0]).toMatchObject({
      level: 40,
      username: 'tdv03',
      address: '192.0.2.50',
      count: { username: 1 },
    });
    expect(failures[1]).toMatchObject({ count: { username: 2 } });
    expect(failures).toHaveLength(7);
    expect(lines.find((l) => l.msg === 'logged in')).toMatchObject({ level: 30, address: '192.0.2.50' });
    // The password never reaches the log.
    expect(JSON.stringify(lines)).not.toContain('1022dem');
  });

  it('counts the address too, with a higher threshold, and a success does not count against it', async () => {
    const { app } = await withClock();
    for (let i = 0; i < 3; i++) expect((await attempt(app, 'tdv01', '1022demo')).statusCode).toBe(200);
    for (let i = 0; i < 20; i++) expect((await attempt(app, `khongco${i}`, 'sai')).statusCode).toBe(401);
    const refused = await attempt(app, 'tdv02', '1022demo');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
  });
});

describe('a burst of parallel guesses', () => {
  it('gets exactly five password checks for one username; the rest are refused at once', async () => {
    fx = await buildFixture();
    const app = fx;
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        attempt(app, 'tdv01', i === 29 ? '1022demo' : `doan${i}`, { remoteAddress: `192.0.2.${100 + i}` }),
      ),
    );
    const codes = answers.map((a) => a.statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(5);
    expect(codes.filter((c) => c === 429)).toHaveLength(25);
    expect(codes).not.toContain(200);
  });

  it('gets twenty from one address across usernames', async () => {
    fx = await buildFixture();
    const app = fx;
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        attempt(app, `khongco${i}`, 'sai', { remoteAddress: '192.0.2.77' }),
      ),
    );
    const codes = answers.map((a) => a.statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(20);
    expect(codes.filter((c) => c === 429)).toHaveLength(20);
  });
});

describe('the client address behind the reverse proxy', () => {
  it('is X-Forwarded-For from the trusted proxy: one client is slowed, another behind the same proxy is not', async () => {
    fx = await buildFixture({ config: { trustProxy: [PROXY] } });
    const app = fx;
    for (let i = 0; i < 20; i++) {
      const res = await attempt(app, `khongco${i}`, 'sai', {
        remoteAddress: PROXY,
        forwardedFor: '203.0.113.7',
      });
      expect(res.statusCode).toBe(401);
    }
    const guesser = await attempt(app, 'tdv01', '1022demo', {
      remoteAddress: PROXY,
      forwardedFor: '203.0.113.7',
    });
    expect(guesser.statusCode).toBe(429);
    const colleague = await attempt(app, 'tdv01', '1022demo', {
      remoteAddress: PROXY,
      forwardedFor: '203.0.113.8',
    });
    expect(colleague.statusCode).toBe(200);
  });

  it('is the connection’s own address for anyone else, whatever X-Forwarded-For they send', async () => {
    fx = await buildFixture({ config: { trustProxy: [PROXY] } });
    const app = fx;
    for (let i = 0; i < 20; i++) {
      const res = await attempt(app, `khongco${i}`, 'sai', {
        remoteAddress: '198.51.100.9',
        forwardedFor: `203.0.113.${i}`,
      });
      expect(res.statusCode).toBe(401);
    }
    const forged = await attempt(app, 'tdv01', '1022demo', {
      remoteAddress: '198.51.100.9',
      forwardedFor: '203.0.113.200',
    });
    expect(forged.statusCode).toBe(429);
  });

  it('is the connection’s own address when no proxy is trusted', async () => {
    fx = await buildFixture();
    const app = fx;
    for (let i = 0; i < 20; i++) {
      const res = await attempt(app, `khongco${i}`, 'sai', {
        remoteAddress: PROXY,
        forwardedFor: `203.0.113.${i}`,
      });
      expect(res.statusCode).toBe(401);
    }
    expect(
      (await attempt(app, 'tdv01', '1022demo', { remoteAddress: PROXY, forwardedFor: '203.0.113.8' }))
        .statusCode,
    ).toBe(429);
  });
});

describe('changing one’s password', () => {
  it('counts wrong current passwords like failed logins', async () => {
    fx = await buildFixture();
    const headers = await fx.session('tdv04');
    const change = (currentPassword: string) =>
      fx!.app.inject({
        method: 'POST',
        url: '/api/auth/password',
        headers,
        payload: { currentPassword, newPassword: 'Trăng rằm tháng Tám sáng tỏ' },
      });
    for (let i = 0; i < 5; i++) expect((await change('sai')).statusCode).toBe(400);
    const refused = await change('1022demo');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
  });
});
