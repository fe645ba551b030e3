/** Account management (admins) and the first-login password change, through the HTTP API. */
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountCreated, AccountView, ApiError, ListResponse, MeResponse } from '../../common/api.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../common/events.ts';
import { listAudit } from '../../server/audit/service.ts';
import { agencies, auditLog, sessions, users } from '../../server/db/schema.ts';
import { sipAccounts } from '../../server/operators/sip-accounts.ts';
import {
  attachRealtime,
  createRealtimeServer,
  type RealtimeServer,
  socketAccountListener,
} from '../../server/realtime.ts';
import { type AuthHeaders, buildFixture, csrfHeaders, type Fixture, logger } from './server-fixture.ts';

let fx: Fixture;
let io: RealtimeServer;
let url: string;
let admin: AuthHeaders;
let agencyId: number;
const changed: number[] = [];
const OTP = /^[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){3}$/;
const NEW_PASSWORD = 'Sông Đồng Nai chảy mãi';

beforeAll(async () => {
  io = createRealtimeServer();
  let listener: ((userId: number) => void) | undefined;
  fx = await buildFixture({
    accountListeners: [(id: number) => changed.push(id), (id: number) => listener?.(id)],
  });
  listener = socketAccountListener(io, fx.db);
  attachRealtime(fx.app, { io, db: fx.db, desk: fx.desk, logger });
  await fx.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(fx.app.server.address() as AddressInfo).port}`;
  admin = await fx.session('quantri');
  const agency = fx.db.select({ id: agencies.id }).from(agencies).where(eq(agencies.active, true)).get();
  if (!agency) throw new Error('no active agency in the demo data');
  agencyId = agency.id;
});

afterAll(async () => {
  await fx?.close();
});

let serial = 0;
/** A fresh username, so tests do not depend on each other's order. */
const fresh = (prefix = 'nv') => `${prefix}${Date.now().toString(36)}${serial++}`;

async function create(body: Record<string, unknown>, headers: AuthHeaders = admin) {
  return fx.app.inject({ method: 'POST', url: '/api/admin/users', headers, payload: body });
}

async function createOperator(): Promise<AccountCreated> {
  const res = await create({
    username: fresh(),
    displayName: 'Nguyễn Văn An',
    role: 'operator',
    skills: ['health', 'general'],
  });
  expect(res.statusCode).toBe(201);
  return res.json<AccountCreated>();
}

async function login(username: string, password: string) {
  return fx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
}

function cookiesOf(res: Awaited<ReturnType<typeof login>>): AuthHeaders {
  const session = res.cookies.find((c) => c.name === 'hotline_session');
  const csrf = res.cookies.find((c) => c.name === 'hotline_csrf');
  if (!session || !csrf) throw new Error(`no cookies: ${res.statusCode} ${res.body}`);
  return csrfHeaders(`hotline_session=${session.value}; hotline_csrf=${csrf.value}`);
}

async function changePassword(headers: AuthHeaders, currentPassword: string, newPassword: string) {
  return fx.app.inject({
    method: 'POST',
    url: '/api/auth/password',
    headers,
    payload: { currentPassword, newPassword },
  });
}

/** A new operator who has already chosen their own password, logged in. */
async function activeOperator(): Promise<{ account: AccountView; headers: AuthHeaders }> {
  const { data, oneTimePassword } = await createOperator();
  const first = cookiesOf(await login(data.username, oneTimePassword));
  expect((await changePassword(first, oneTimePassword, NEW_PASSWORD)).statusCode).toBe(200);
  return { account: data, headers: first };
}

const code = (res: { json<T>(): T }) => res.json<ApiError>().error.code;

/** The user's softphone account as Asterisk would be given it; undefined for a user without one. */
const softphoneOf = (userId: number) => sipAccounts(fx.db).find((a) => a.operatorId === userId);

describe('admin account routes: who may call them', () => {
  const routes: { method: 'GET' | 'POST' | 'PATCH'; url: string; payload?: object }[] = [
    { method: 'GET', url: '/api/admin/users' },
    {
      method: 'POST',
      url: '/api/admin/users',
      payload: { username: 'x1x', displayName: 'X', role: 'admin' },
    },
    { method: 'PATCH', url: '/api/admin/users/1', payload: { displayName: 'X' } },
    { method: 'POST', url: '/api/admin/users/1/disable' },
    { method: 'POST', url: '/api/admin/users/1/enable' },
    { method: 'POST', url: '/api/admin/users/1/reset-password' },
  ];
  it.each(routes)(
    '$method $url: 401 without a session, 403 for operator, supervisor and liaison',
    async (route) => {
      const anonymous = await fx.app.inject({ ...route });
      expect(anonymous.statusCode).toBe(401);
      for (const username of ['tdv01', 'giamsat', 'syt']) {
        const res = await fx.app.inject({ ...route, headers: await fx.session(username) });
        expect(res.statusCode, username).toBe(403);
        expect(code(res)).toBe('FORBIDDEN');
      }
    },
  );
});

describe('creating accounts', () => {
  it('creates an operator with a one-time password, a SIP secret, and an audit entry without secrets', async () => {
    const username = fresh('tdv');
    const res = await create({
      username,
      displayName: ' Trần Thị Bình ',
      role: 'operator',
      skills: ['welfare'],
    });
    expect(res.statusCode).toBe(201);
    const body = res.json<AccountCreated>();
    expect(body.oneTimePassword).toMatch(OTP);
    expect(body.data).toMatchObject({
      username,
      displayName: 'Trần Thị Bình',
      role: 'operator',
      skills: ['welfare'],
      agencyId: null,
      agencyName: null,
      disabled: false,
      mustChangePassword: true,
    });
    expect(new Date(body.data.createdAt).getTime()).toBeGreaterThan(0);
    expect(changed).toContain(body.data.id);
    const row = fx.db.select().from(users).where(eq(users.id, body.data.id)).get();
    // The softphone's secret comes with a login, not with the account.
    expect(softphoneOf(body.data.id)).toMatchObject({ password: null });
    expect(row?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row?.passwordHash).not.toContain(body.oneTimePassword);

    const [entry] = listAudit(fx.db, { entity: 'user', entityId: String(body.data.id) });
    expect(entry).toMatchObject({
      action: 'user.create',
      actor: { username: 'quantri' },
      before: null,
      after: { username, role: 'operator', mustChangePassword: true },
    });
    const raw = JSON.stringify(entry);
    expect(raw).not.toContain(body.oneTimePassword);
    expect(raw).not.toMatch(/argon2|passwordHash|sipPassword|sipSecret/);
  });

  it('creates a liaison of an active agency, named in the view, without a softphone', async () => {
    const res = await create({
      username: fresh('cq'),
      displayName: 'Lê Văn Cường',
      role: 'agency',
      agencyId,
    });
    expect(res.statusCode).toBe(201);
    const { data } = res.json<AccountCreated>();
    expect(data.agencyId).toBe(agencyId);
    expect(data.agencyName).toBeTruthy();
    expect(softphoneOf(data.id)).toBeUndefined();
  });

  it.each([
    ['a username with capitals', { username: 'NguyenA', displayName: 'A', role: 'operator' }, 'VALIDATION'],
    ['a one-letter username', { username: 'a', displayName: 'A', role: 'operator' }, 'VALIDATION'],
    ['a username with a space', { username: 'nguyen a', displayName: 'A', role: 'operator' }, 'VALIDATION'],
    ['an unknown role', { username: 'abc1', displayName: 'A', role: 'root' }, 'VALIDATION'],
    ['an empty display name', { username: 'abc2', displayName: '', role: 'admin' }, 'VALIDATION'],
    ['a blank display name', { username: 'abc3', displayName: '   ', role: 'admin' }, 'INVALID_ACCOUNT'],
    [
      'an unknown skill',
      { username: 'abc4', displayName: 'A', role: 'operator', skills: ['cooking'] },
      'VALIDATION',
    ],
    [
      'skills for an admin',
      { username: 'abc5', displayName: 'A', role: 'admin', skills: ['health'] },
      'INVALID_ACCOUNT',
    ],
    [
      'a liaison without an agency',
      { username: 'abc6', displayName: 'A', role: 'agency' },
      'INVALID_ACCOUNT',
    ],
    [
      'a liaison of an unknown agency',
      { username: 'abc7', displayName: 'A', role: 'agency', agencyId: 99999 },
      'INVALID_ACCOUNT',
    ],
    [
      'an operator with an agency',
      { username: 'abc8', displayName: 'A', role: 'operator', agencyId: 1 },
      'INVALID_ACCOUNT',
    ],
  ])('refuses %s with 400', async (_name, body, expected) => {
    const res = await create(body);
    expect(res.statusCode).toBe(400);
    expect(code(res)).toBe(expected);
    expect(res.json<ApiError>().error.message).toMatch(
      /[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/i,
    );
  });

  it('refuses a liaison of an agency that is no longer active', async () => {
    const other = fx.db.select({ id: agencies.id }).from(agencies).all().at(-1);
    if (!other) throw new Error('no agency');
    fx.db.update(agencies).set({ active: false }).where(eq(agencies.id, other.id)).run();
    try {
      const res = await create({
        username: fresh('cq'),
        displayName: 'A',
        role: 'agency',
        agencyId: other.id,
      });
      expect(res.statusCode).toBe(400);
      expect(code(res)).toBe('INVALID_ACCOUNT');
    } finally {
      fx.db.update(agencies).set({ active: true }).where(eq(agencies.id, other.id)).run();
    }
  });

  it('refuses a username already taken with 409', async () => {
    const res = await create({ username: 'tdv01', displayName: 'Khác', role: 'operator' });
    expect(res.statusCode).toBe(409);
    expect(code(res)).toBe('USERNAME_TAKEN');
  });
});

describe('listing accounts', () => {
  it('lists every account with its state, and filters by role and text', async () => {
    const all = await fx.app.inject({ url: '/api/admin/users', headers: admin });
    expect(all.statusCode).toBe(200);
    const data = all.json<ListResponse<AccountView>>().data;
    expect(data.find((a) => a.username === 'syt')).toMatchObject({ role: 'agency', disabled: false });
    expect(JSON.stringify(data)).not.toMatch(/passwordHash|sipPassword|sipSecret|argon2/);

    const ops = await fx.app.inject({ url: '/api/admin/users?role=operator', headers: admin });
    const operators = ops.json<ListResponse<AccountView>>().data;
    expect(operators.length).toBeGreaterThan(0);
    expect(operators.every((a) => a.role === 'operator')).toBe(true);

    const q = await fx.app.inject({ url: `/api/admin/users?q=${encodeURIComponent('Hoa')}`, headers: admin });
    expect(q.json<ListResponse<AccountView>>().data.map((a) => a.username)).toContain('tdv01');

    const bad = await fx.app.inject({ url: '/api/admin/users?role=root', headers: admin });
    expect(bad.statusCode).toBe(400);
  });
});

describe('editing accounts', () => {
  it('changes display name and skills, audited with before and after', async () => {
    const { data } = await createOperator();
    const res = await fx.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${data.id}`,
      headers: admin,
      payload: { displayName: 'Nguyễn Văn Bình', skills: ['goods'] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ data: AccountView }>().data).toMatchObject({
      displayName: 'Nguyễn Văn Bình',
      skills: ['goods'],
    });
    const [entry] = listAudit(fx.db, { entity: 'user', entityId: String(data.id), action: 'user.update' });
    expect(entry).toMatchObject({
      before: { displayName: 'Nguyễn Văn An', skills: ['health', 'general'] },
      after: { displayName: 'Nguyễn Văn Bình', skills: ['goods'] },
    });
  });

  it('moves an operator to an agency only with an agency, dropping the skills', async () => {
    const { data } = await createOperator();
    const patch = (payload: object) =>
      fx.app.inject({ method: 'PATCH', url: `/api/admin/users/${data.id}`, headers: admin, payload });
    const without = await patch({ role: 'agency' });
    expect(without.statusCode).toBe(400);
    expect(code(without)).toBe('INVALID_ACCOUNT');
    const moved = await patch({ role: 'agency', agencyId });
    expect(moved.statusCode).toBe(200);
    expect(moved.json<{ data: AccountView }>().data).toMatchObject({ role: 'agency', agencyId, skills: [] });
    expect(softphoneOf(data.id)).toBeUndefined();
  });

  it('answers 404 for an unknown account and 400 for a bad id', async () => {
    const missing = await fx.app.inject({
      method: 'PATCH',
      url: '/api/admin/users/99999',
      headers: admin,
      payload: { displayName: 'X' },
    });
    expect(missing.statusCode).toBe(404);
    const bad = await fx.app.inject({ method: 'POST', url: '/api/admin/users/abc/disable', headers: admin });
    expect(bad.statusCode).toBe(400);
  });

  it('does not let an admin drop their own admin role', async () => {
    const res = await fx.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${fx.userId('quantri')}`,
      headers: admin,
      payload: { role: 'operator' },
    });
    expect(res.statusCode).toBe(400);
  });
});

describe('the first login with a one-time password', () => {
  it('allows only me, password and logout until the password is changed, then everything', async () => {
    const { data, oneTimePassword } = await createOperator();
    const res = await login(data.username, oneTimePassword);
    expect(res.statusCode).toBe(200);
    expect(res.json<MeResponse>()).toMatchObject({ mustChangePassword: true, sip: null });
    const headers = cookiesOf(res);

    const me = await fx.app.inject({ url: '/api/me', headers });
    expect(me.json<MeResponse>()).toMatchObject({ mustChangePassword: true, sip: null });
    for (const route of [
      { method: 'GET' as const, url: '/api/tickets' },
      { method: 'GET' as const, url: '/api/agencies' },
      { method: 'PUT' as const, url: '/api/agent/state', payload: { state: 'ready' } },
    ]) {
      const gated = await fx.app.inject({ ...route, headers });
      expect(gated.statusCode, route.url).toBe(403);
      expect(code(gated)).toBe('PASSWORD_CHANGE_REQUIRED');
    }
    // A socket waits for the password too.
    await expect(socketOf(headers.cookie)).rejects.toThrow('PASSWORD_CHANGE_REQUIRED');

    const weak: [string, string][] = [
      ['ngan', 'ít nhất 12 ký tự'],
      [`${data.username.toUpperCase()}-2026-xyz`, 'tên đăng nhập'],
      ['matkhau123456', 'phổ biến'],
      [oneTimePassword, 'khác mật khẩu hiện tại'],
    ];
    for (const [password, words] of weak) {
      const refused = await changePassword(headers, oneTimePassword, password);
      expect(refused.statusCode, password).toBe(400);
      expect(code(refused)).toBe('WEAK_PASSWORD');
      expect(refused.json<ApiError>().error.message).toContain(words);
    }
    const wrong = await changePassword(headers, 'not-the-password', NEW_PASSWORD);
    expect(wrong.statusCode).toBe(400);
    expect(code(wrong)).toBe('WRONG_PASSWORD');

    const ok = await changePassword(headers, oneTimePassword, NEW_PASSWORD);
    expect(ok.statusCode).toBe(200);
    expect(ok.json<MeResponse>()).toMatchObject({
      mustChangePassword: false,
      sip: { authorizationUser: data.username },
    });
    expect((await fx.app.inject({ url: '/api/tickets', headers })).statusCode).toBe(200);
    expect((await login(data.username, oneTimePassword)).statusCode).toBe(401);
    expect((await login(data.username, NEW_PASSWORD)).statusCode).toBe(200);
    const row = fx.db.select().from(users).where(eq(users.id, data.id)).get();
    expect(row).toMatchObject({ mustChangePassword: false });
    expect(row?.passwordChangedAt).toBeInstanceOf(Date);
  });

  it('ends the user’s other sessions when they change their password', async () => {
    const { account, headers } = await activeOperator();
    const other = cookiesOf(await login(account.username, NEW_PASSWORD));
    expect((await fx.app.inject({ url: '/api/me', headers: other })).statusCode).toBe(200);
    const next = 'Mây trắng bay trên núi Chứa Chan';
    expect((await changePassword(headers, NEW_PASSWORD, next)).statusCode).toBe(200);
    expect((await fx.app.inject({ url: '/api/me', headers: other })).statusCode).toBe(401);
    expect((await fx.app.inject({ url: '/api/me', headers })).statusCode).toBe(200);
  });

  it('refuses a change without a session', async () => {
    const res = await fx.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: 'a', newPassword: NEW_PASSWORD },
    });
    expect(res.statusCode).toBe(401);
  });
});

function socketOf(cookie: string): Promise<Socket<ServerToClientEvents, ClientToServerEvents>> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { cookie },
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

describe('disabling and enabling', () => {
  it('ends the sessions and sockets at once, refuses the login, and lets it back in once enabled', async () => {
    const { account, headers } = await activeOperator();
    const socket = await socketOf(headers.cookie);
    const dropped = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    expect((await fx.app.inject({ url: '/api/me', headers })).statusCode).toBe(200);

    const res = await fx.app.inject({
      method: 'POST',
      url: `/api/admin/users/${account.id}/disable`,
      headers: admin,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ data: AccountView }>().data.disabled).toBe(true);
    // The very next request, within the session cache's time, is refused.
    expect((await fx.app.inject({ url: '/api/me', headers })).statusCode).toBe(401);
    expect(await dropped).toBe('io server disconnect');
    const refused = await login(account.username, NEW_PASSWORD);
    expect(refused.statusCode).toBe(401);
    expect(code(refused)).toBe('INVALID_CREDENTIALS');

    const enabled = await fx.app.inject({
      method: 'POST',
      url: `/api/admin/users/${account.id}/enable`,
      headers: admin,
    });
    expect(enabled.json<{ data: AccountView }>().data.disabled).toBe(false);
    expect((await login(account.username, NEW_PASSWORD)).statusCode).toBe(200);

    const actions = listAudit(fx.db, { entity: 'user', entityId: String(account.id) }).map((e) => e.action);
    expect(actions.slice(0, 2)).toEqual(['user.enable', 'user.disable']);
  });

  it('refuses an admin disabling themself with 409', async () => {
    const res = await fx.app.inject({
      method: 'POST',
      url: `/api/admin/users/${fx.userId('quantri')}/disable`,
      headers: admin,
    });
    expect(res.statusCode).toBe(409);
    expect(code(res)).toBe('CANNOT_DISABLE_SELF');
  });
});

describe('resetting a password', () => {
  it('gives a working one-time password that must be changed, ends the sessions and their SIP secret', async () => {
    const { account, headers } = await activeOperator();
    const sipBefore = softphoneOf(account.id)?.password;
    expect(sipBefore).toBeTruthy();
    const res = await fx.app.inject({
      method: 'POST',
      url: `/api/admin/users/${account.id}/reset-password`,
      headers: admin,
    });
    expect(res.statusCode).toBe(200);
    const { data, oneTimePassword } = res.json<AccountCreated>();
    expect(oneTimePassword).toMatch(OTP);
    expect(data.mustChangePassword).toBe(true);
    expect((await fx.app.inject({ url: '/api/me', headers })).statusCode).toBe(401);
    expect((await login(account.username, NEW_PASSWORD)).statusCode).toBe(401);
    expect(softphoneOf(account.id)).toMatchObject({ password: null });

    const fresh = await login(account.username, oneTimePassword);
    expect(fresh.json<MeResponse>()).toMatchObject({ mustChangePassword: true, sip: null });
    // A one-time password handed over on paper is not enough to take calls.
    expect(softphoneOf(account.id)).toMatchObject({ password: null });
    const session = cookiesOf(fresh);
    expect(code(await fx.app.inject({ url: '/api/tickets', headers: session }))).toBe(
      'PASSWORD_CHANGE_REQUIRED',
    );
    const changed = await changePassword(session, oneTimePassword, 'Trăng rằm tháng Tám sáng tỏ');
    expect(changed.statusCode).toBe(200);
    const sipAfter = softphoneOf(account.id)?.password;
    expect(sipAfter).toBeTruthy();
    expect(sipAfter).not.toBe(sipBefore);
    expect(changed.json<MeResponse>().sip?.password).toBe(sipAfter);

    const [entry] = listAudit(fx.db, {
      entity: 'user',
      entityId: String(account.id),
      action: 'user.reset_password',
    });
    expect(entry?.after).toMatchObject({ mustChangePassword: true });
    const raw = JSON.stringify(entry);
    expect(raw).not.toContain(oneTimePassword);
    expect(raw).not.toContain(sipAfter ?? '-');
    expect(raw).not.toMatch(/argon2|passwordHash|sipPassword|sipSecret/);
  });
});

describe('the audit log', () => {
  it('never holds a password hash or a SIP secret', () => {
    const secrets = [
      ...fx.db
        .select({ hash: users.passwordHash })
        .from(users)
        .all()
        .map((u) => u.hash),
      ...fx.db
        .select({ sip: sessions.sipSecret })
        .from(sessions)
        .all()
        .flatMap((s) => (s.sip ? [s.sip] : [])),
    ];
    const rows = fx.db.select().from(auditLog).all();
    expect(rows.length).toBeGreaterThan(5);
    const raw = JSON.stringify(rows);
    for (const secret of secrets) expect(raw).not.toContain(secret);
  });
});
