/** TURN credentials in coturn's shared-secret REST scheme, and their lifetime. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { iceServersFor, turnCredentials } from '../../server/operators/turn-credentials.ts';

const SECRET = 'coturn-chia-se-bi-mat';
/** 2026-03-09T08:00:00Z */
const EXPIRY = new Date(1773043200 * 1000);

describe('turnCredentials', () => {
  it('is coturn’s name and HMAC, as computed apart from the code', () => {
    // echo -n "1773043200:tdv01" | openssl dgst -sha1 -hmac "coturn-chia-se-bi-mat" -binary | base64
    expect(turnCredentials(SECRET, 'tdv01', EXPIRY)).toEqual({
      username: '1773043200:tdv01',
      credential: 'oAY+xABKOqZtWnJVEeqrrj9+p24=',
    });
  });

  it('rounds the expiry down to the second, and differs with the secret', () => {
    const later = new Date(EXPIRY.getTime() + 999);
    expect(turnCredentials(SECRET, 'tdv01', later).username).toBe('1773043200:tdv01');
    expect(turnCredentials('another', 'tdv01', EXPIRY).credential).not.toBe('oAY+xABKOqZtWnJVEeqrrj9+p24=');
  });
});

describe('iceServersFor', () => {
  const turn = {
    urls: ['turn:turn.example.vn:3478?transport=udp', 'turns:turn.example.vn:5349'],
    secret: SECRET,
    ttlSeconds: 7200,
  };
  const now = new Date('2026-03-09T06:00:00Z');

  it.each([
    ['the configured lifetime, well inside the session', new Date('2026-03-09T18:00:00Z'), '1773043200'],
    ['the session’s end, when it comes first', new Date('2026-03-09T07:30:10.500Z'), '1773041410'],
  ])('expires at %s', (_, sessionEnds, expiry) => {
    const [server] = iceServersFor(turn, 'tdv01', now, sessionEnds);
    expect(server?.urls).toEqual(turn.urls);
    expect(server?.username).toBe(`${expiry}:tdv01`);
  });

  it('gives the openssl-checked credential for the default lifetime', () => {
    expect(iceServersFor(turn, 'tdv01', now, new Date('2026-03-10T00:00:00Z'))).toEqual([
      { urls: turn.urls, username: '1773043200:tdv01', credential: 'oAY+xABKOqZtWnJVEeqrrj9+p24=' },
    ]);
  });

  it('is empty without TURN', () => {
    expect(iceServersFor(null, 'tdv01', now, new Date('2026-03-10T00:00:00Z'))).toEqual([]);
  });
});

describe('TURN and proxy configuration', () => {
  const base = { HOTLINE_ARI_ENABLED: 'false' };

  it('reads the TURN URLs, secret and lifetime; none without URLs', () => {
    expect(loadConfig(base).turn).toBeNull();
    expect(
      loadConfig({
        ...base,
        HOTLINE_TURN_URLS: 'turn:203.0.113.5:3478?transport=udp, turns:turn.example.vn:5349',
        HOTLINE_TURN_SECRET: SECRET,
      }).turn,
    ).toEqual({
      urls: ['turn:203.0.113.5:3478?transport=udp', 'turns:turn.example.vn:5349'],
      secret: SECRET,
      ttlSeconds: 7200,
    });
  });

  it.each([
    [{ HOTLINE_TURN_URLS: 'turn:turn.example.vn:3478' }, /HOTLINE_TURN_SECRET is required/],
    [{ HOTLINE_TURN_URLS: 'https://turn.example.vn', HOTLINE_TURN_SECRET: 's' }, /turn: or turns:/],
    [{ HOTLINE_TURN_URLS: 'turn:a', HOTLINE_TURN_SECRET: 's', HOTLINE_TURN_TTL_SECONDS: '5' }, /TTL/],
    [{ HOTLINE_TRUST_PROXY: '10.0.0.0/33' }, /HOTLINE_TRUST_PROXY/],
    [{ HOTLINE_TRUST_PROXY: 'proxy.local' }, /HOTLINE_TRUST_PROXY/],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });

  it('reads the trusted proxies; none by default', () => {
    expect(loadConfig(base).trustProxy).toEqual([]);
    expect(loadConfig({ ...base, HOTLINE_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1' }).trustProxy).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
    ]);
  });
});
