/**
 * A softphone login's SIP secret lives exactly as long as its session: Asterisk (here, the desk
 * the provisioning hands the accounts to) gets it before the login answers, loses it before the
 * logout answers, and within seconds of the session expiring; a newer login takes it over. The
 * session's sockets go at the same moments. Wired as `server/main.ts` wires it, with a real
 * socket.io server and clients.
 */
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountCreated, MeResponse } from '../../common/api.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../common/events.ts';
import type { OperatorAccount } from '../../ivr/api.ts';
import { SESSION_SYNC_MS } from '../../server/app.ts';
import { SESSION_TTL_MS } from '../../server/auth/service.ts';
import type { Config } from '../../server/config.ts';
import {
  createOperatorProvisioning,
  type OperatorProvisioning,
} from '../../server/operators/provisioning.ts';
import { sipAccounts } from '../../server/operators/sip-accounts.ts';
import { attachRealtime, createRealtimeServer, socketAccountListener } from '../../server/realtime.ts';
import { buildFixture, csrfHeaders, type Fixture, logger } from './server-fixture.ts';

/** What Asterisk was last given, as the call controller's desk receives it. */
class AccountsDesk {
  readonly given: OperatorAccount[][] = [];
  async setOperators(accounts: OperatorAccount[]): Promise<void> {
    this.given.push(accounts);
  }
  secretOf(endpoint: string): string | null | undefined {
    return this.given.at(-1)?.find((a) => a.sipEndpoint === endpoint)?.sipPassword;
  }
}

interface Hotline {
  fx: Fixture;
  url: string;
  desk: AccountsDesk;
  provisioning: OperatorProvisioning;
  clock: { now: Date };
}

const open: Hotline[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  for (const h of open.splice(0)) await h.fx.close();
});

async function start(
  opts: { slowListener?: () => Promise<void>; config?: Partial<Config> } = {},
): Promise<Hotline> {
  const clock = { now: new Date('2026-03-02T08:00:00+07:00') };
  const now = () => clock.now;
  const io = createRealtimeServer();
  const desk = new AccountsDesk();
  let provisioning: OperatorProvisioning | undefined;
  let dropSockets: ((userId: number) => void) | undefined;
  const fx = await buildFixture({
    now,
    ...(opts.config ? { config: opts.config } : {}),
    sessionListeners: [
      (id) => dropSockets?.(id),
      () => provisioning?.refreshIfChanged(),
      ...(opts.slowListener ? [opts.slowListener] : []),
    ],
    accountListeners: [(id) => dropSockets?.(id), () => void provisioning?.refresh()],
  });
  provisioning = createOperatorProvisioning({ db: fx.db, desk, logger, now });
  dropSockets = socketAccountListener(io, fx.db, now);
  attachRealtime(fx.app, { io, db: fx.db, desk: fx.desk, logger, now });
  await fx.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(fx.app.server.address() as AddressInfo).port}`;
  const hotline = { fx, url, desk, provisioning, clock };
  open.push(hotline);
  return hotline;
}

async function login(h: Hotline, username: string, password = '1022demo') {
  const res = await h.fx.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
  });
  expect(res.statusCode, res.body).toBe(200);
  const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  return { me: res.json<MeResponse>(), headers: csrfHeaders(cookie) };
}

async function socketOf(h: Hotline, cookie: string): Promise<Socket> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(h.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { cookie },
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

const disconnected = (socket: Socket) =>
  new Promise<{ reason: string; at: number }>((resolve) =>
    socket.once('disconnect', (reason) => resolve({ reason, at: Date.now() })),
  );

const secretInDb = (h: Hotline, endpoint: string) =>
  sipAccounts(h.fx.db, h.clock.now).find((a) => a.endpoint === endpoint)?.password;

describe('a softphone login’s SIP secret', () => {
  it('is fresh at each login, in Asterisk before the login answers, and taken over by a newer login', async () => {
    const h = await start();
    const first = await login(h, 'tdv01');
    const secret1 = first.me.sip?.password;
    expect(secret1).toMatch(/^.{16,}$/);
    expect(h.desk.secretOf('tdv01')).toBe(secret1);
    expect(secretInDb(h, 'tdv01')).toBe(secret1);

    const second = await login(h, 'tdv01');
    const secret2 = second.me.sip?.password;
    expect(secret2).toMatch(/^.{16,}$/);
    expect(secret2).not.toBe(secret1);
    expect(h.desk.secretOf('tdv01')).toBe(secret2);
    // The first login goes on (tickets, the screen), without the softphone.
    const firstMe = await h.fx.app.inject({ url: '/api/me', headers: first.headers });
    expect(firstMe.statusCode).toBe(200);
    expect(firstMe.json<MeResponse>().sip).toBeNull();
    // Nobody else's account changed.
    expect(h.desk.secretOf('tdv02')).toBeNull();
  });

  it('ends at logout: gone from Asterisk before the answer, and the session’s socket dropped at once', async () => {
    const h = await start();
    const kept = await login(h, 'tdv02');
    const ending = await login(h, 'tdv01');
    const socket = await socketOf(h, ending.headers.cookie);
    const other = await socketOf(h, kept.headers.cookie);
    const gone = disconnected(socket);

    const before = Date.now();
    const res = await h.fx.app.inject({ method: 'POST', url: '/api/auth/logout', headers: ending.headers });
    expect(res.statusCode).toBe(204);
    expect(h.desk.secretOf('tdv01')).toBeNull();
    expect(secretInDb(h, 'tdv01')).toBeNull();
    const { reason, at } = await gone;
    expect(reason).toBe('io server disconnect');
    // Well before the sockets' periodic session check (SESSION_CHECK_MS, 5 s).
    expect(at - before).toBeLessThan(1000);
    expect(other.connected).toBe(true);
    expect(h.desk.secretOf('tdv02')).toBe(kept.me.sip?.password);
  });

  it('ends when the session expires: the expiry watch takes it from Asterisk within seconds', async () => {
    const h = await start();
    const { me } = await login(h, 'tdv03');
    expect(h.desk.secretOf('tdv03')).toBe(me.sip?.password);
    const pushes = h.desk.given.length;
    await h.provisioning.refreshIfChanged();
    await h.provisioning.refreshIfChanged();
    // Nothing changed: nothing is pushed again.
    expect(h.desk.given.length).toBe(pushes);

    const stop = h.provisioning.watch(50);
    try {
      h.clock.now = new Date(h.clock.now.getTime() + SESSION_TTL_MS + 1000);
      await expect.poll(() => h.desk.secretOf('tdv03'), { timeout: 2000 }).toBeNull();
      await new Promise((r) => setTimeout(r, 300));
      // Once in line, the watch pushes nothing more.
      expect(h.desk.given.length).toBe(pushes + 1);
    } finally {
      stop();
    }
  });

  it('ends when the session expires: its socket is dropped by the periodic session check', async () => {
    const h = await start();
    const { headers } = await login(h, 'tdv04');
    const socket = await socketOf(h, headers.cookie);
    const gone = disconnected(socket);
    h.clock.now = new Date(h.clock.now.getTime() + SESSION_TTL_MS + 1000);
    expect((await gone).reason).toBe('io server disconnect');
  }, 10_000);

  it('starts working when a one-time password is replaced, and the answer carries it', async () => {
    const h = await start();
    const admin = await login(h, 'quantri');
    const created = await h.fx.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: admin.headers,
      payload: { username: 'tdv-moi', displayName: 'Lê Thị Mai', role: 'operator', skills: ['health'] },
    });
    const { data, oneTimePassword } = created.json<AccountCreated>();
    await expect.poll(() => h.desk.given.at(-1)?.some((a) => a.operatorId === data.id)).toBe(true);

    const first = await login(h, 'tdv-moi', oneTimePassword);
    expect(first.me.sip).toBeNull();
    expect(h.desk.secretOf('tdv-moi')).toBeNull();

    const changed = await h.fx.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: first.headers,
      payload: { currentPassword: oneTimePassword, newPassword: 'Sông Đồng Nai chảy mãi' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const secret = changed.json<MeResponse>().sip?.password;
    expect(secret).toMatch(/^.{16,}$/);
    expect(h.desk.secretOf('tdv-moi')).toBe(secret);
  });

  it('goes to the session that changes the password, and the other sessions’ sockets go at once', async () => {
    const h = await start();
    const older = await login(h, 'giamsat');
    const newer = await login(h, 'giamsat');
    const socket = await socketOf(h, newer.headers.cookie);
    const gone = disconnected(socket);
    expect(
      (await h.fx.app.inject({ url: '/api/me', headers: older.headers })).json<MeResponse>().sip,
    ).toBeNull();

    const changed = await h.fx.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: older.headers,
      payload: { currentPassword: '1022demo', newPassword: 'Trăng rằm tháng Tám sáng tỏ' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const secret = changed.json<MeResponse>().sip?.password;
    expect(secret).toMatch(/^.{16,}$/);
    expect(secret).not.toBe(newer.me.sip?.password);
    expect(h.desk.secretOf('giamsat')).toBe(secret);
    expect((await gone).reason).toBe('io server disconnect');
  });

  it('a login answers within its bound when Asterisk is slow to follow', async () => {
    const h = await start({ slowListener: () => new Promise(() => {}) });
    const started = Date.now();
    const { me } = await login(h, 'tdv02');
    const took = Date.now() - started;
    expect(me.sip?.password).toMatch(/^.{16,}$/);
    expect(took).toBeGreaterThanOrEqual(SESSION_SYNC_MS - 100);
    expect(took).toBeLessThan(SESSION_SYNC_MS + 1500);
  }, 10_000);

  it('comes with TURN credentials that expire with the configured lifetime, renewed by /api/me', async () => {
    const turn = { urls: ['turn:198.51.100.7:3478?transport=udp'], secret: 'bi-mat-turn', ttlSeconds: 1200 };
    const h = await start({ config: { turn } });
    const { me, headers } = await login(h, 'tdv01');
    const expiry = Math.floor(h.clock.now.getTime() / 1000) + 1200;
    const [server] = me.sip?.iceServers ?? [];
    expect(server).toEqual({
      urls: turn.urls,
      username: `${expiry}:tdv01`,
      credential: createHmac('sha1', turn.secret).update(`${expiry}:tdv01`).digest('base64'),
    });
    h.clock.now = new Date(h.clock.now.getTime() + 20 * 60_000);
    const renewed = (await h.fx.app.inject({ url: '/api/me', headers })).json<MeResponse>();
    expect(renewed.sip?.iceServers[0]?.username).toBe(`${expiry + 1200}:tdv01`);
    expect(renewed.sip?.password).toBe(me.sip?.password);
    // Never past the session's end.
    h.clock.now = new Date(h.clock.now.getTime() + SESSION_TTL_MS - 20 * 60_000 - 60_000);
    const last = (await h.fx.app.inject({ url: '/api/me', headers })).json<MeResponse>();
    const sessionEnds = Math.floor(h.clock.now.getTime() / 1000) + 60;
    expect(last.sip?.iceServers[0]?.username).toBe(`${sessionEnds}:tdv01`);
  });
});
