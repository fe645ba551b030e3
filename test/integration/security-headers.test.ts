/**
 * The headers that keep the console safe on the public internet (`server/security-headers.ts`),
 * HTTPS as the trusted reverse proxy reports it (HSTS, Secure cookies), and the console's pages
 * staying free of inline script and style, which the policy would block.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildFixture, type Fixture } from './server-fixture.ts';

let fx: Fixture | undefined;
let dir: string | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const PROXY = '10.0.0.1';

/** The policy's directives by name. */
function policy(header: unknown): Map<string, string[]> {
  expect(typeof header).toBe('string');
  return new Map(
    String(header)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name ?? '', values]),
  );
}

describe('security headers', () => {
  it('every answer carries the policy: own scripts only, no framing, SIP over WebSocket allowed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hotline-console-'));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><title>1022</title><script type="module" src="login.js"></script>',
    );
    fx = await buildFixture({ consoleDir: dir });
    for (const url of ['/', '/api/health', '/api/me', '/api/nope']) {
      const res = await fx.app.inject({ url });
      const csp = policy(res.headers['content-security-policy']);
      expect(csp.get('script-src'), url).toEqual(["'self'"]);
      expect(csp.get('script-src-attr')).toEqual(["'none'"]);
      expect(csp.get('style-src')).toEqual(["'self'"]);
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:8088']);
      expect(csp.get('media-src')).toEqual(["'self'", 'blob:']);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('base-uri')).toEqual(["'self'"]);
      // Plain HTTP (npm start) must keep working.
      expect(csp.has('upgrade-insecure-requests')).toBe(false);
      expect(String(res.headers['content-security-policy'])).not.toContain('unsafe');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['permissions-policy']).toContain('microphone=(self)');
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('the SIP address in the policy follows the configuration', async () => {
    fx = await buildFixture({ config: { sipWsUrl: 'wss://1022.example.vn/ws' } });
    const res = await fx.app.inject({ url: '/api/health' });
    expect(policy(res.headers['content-security-policy']).get('connect-src')).toEqual([
      "'self'",
      'wss://1022.example.vn',
    ]);
  });

  it('API answers, errors included, are never cached; the console’s files may be', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hotline-console-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>1022</title>');
    fx = await buildFixture({ consoleDir: dir });
    const headers = await fx.session('tdv01');
    for (const url of [
      '/api/me',
      '/api/tickets',
      '/api/health',
      '/api/nope',
      '/api/calls/khong-co/recording',
    ]) {
      const res = await fx.app.inject({ url, headers });
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
    const anonymous = await fx.app.inject({ url: '/api/me' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['cache-control']).toBe('no-store');
    const login = await fx.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'tdv01', password: '1022demo' },
    });
    expect(login.headers['cache-control']).toBe('no-store');
    expect((await fx.app.inject({ url: '/' })).headers['cache-control']).not.toBe('no-store');
  });
});

describe('HTTPS behind the trusted reverse proxy', () => {
  const login = (f: Fixture, remoteAddress: string, proto?: string) =>
    f.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'tdv01', password: '1022demo' },
      remoteAddress,
      headers: proto ? { 'x-forwarded-proto': proto, 'x-forwarded-for': '203.0.113.7' } : {},
    });

  it('gives HSTS and Secure cookies when the proxy says the request came over HTTPS', async () => {
    fx = await buildFixture({ config: { trustProxy: [PROXY] } });
    const res = await login(fx, PROXY, 'https');
    expect(res.statusCode).toBe(200);
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
    for (const name of ['hotline_session', 'hotline_csrf']) {
      expect(res.cookies.find((c) => c.name === name)).toMatchObject({ secure: true, sameSite: 'Strict' });
    }
  });

  it('believes no X-Forwarded-Proto from anyone else, and plain HTTP stays plain', async () => {
    fx = await buildFixture({ config: { trustProxy: [PROXY] } });
    for (const res of [await login(fx, '198.51.100.9', 'https'), await login(fx, '127.0.0.1')]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['strict-transport-security']).toBeUndefined();
      for (const c of res.cookies) expect(c.secure).toBeFalsy();
    }
  });
});

describe('the console’s pages', () => {
  const root = join(import.meta.dirname, '../../agent-console/public');
  const pages = readdirSync(root).filter((f) => f.endsWith('.html'));

  it.each(pages)('%s has no inline script or style for the policy to block', (page) => {
    const html = readFileSync(join(root, page), 'utf8');
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\bsrc=/);
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/javascript:/i);
  });
});
