import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgencyView, ApiError, ListResponse, MeResponse, TicketView } from '../../common/api.ts';
import { agencies, categories, units } from '../../server/db/schema.ts';
import { isValidTrackingCode } from '../../server/tickets/tracking-code.ts';
import { buildFixture, csrfHeaders, type Fixture } from './server-fixture.ts';

let fx: Fixture;
beforeEach(async () => {
  fx = await buildFixture();
});
afterEach(async () => {
  await fx.close();
});

const ticket = {
  callerNumber: '0912345678',
  callerName: 'Nguyễn Văn An',
  category: 'health',
  description: 'Gia đình có người sốt cao, cần tư vấn cơ sở y tế gần nhất.',
};

/** Units of the shipped Đồng Nai list, by their official codes. */
const BIEN_HOA = '26068';
const TAM_HIEP = '26017';

async function createTicket(cookie: string, body: object = ticket) {
  return fx.app.inject({ method: 'POST', url: '/api/tickets', headers: csrfHeaders(cookie), payload: body });
}

describe('auth', () => {
  it('logs in, sets an HttpOnly SameSite=Strict session cookie, and /api/me returns SIP credentials', async () => {
    const res = await fx.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'tdv01', password: '1022demo' },
    });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'hotline_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    const csrf = res.cookies.find((c) => c.name === 'hotline_csrf');
    expect(csrf).toMatchObject({ sameSite: 'Strict', path: '/' });
    expect(csrf).not.toHaveProperty('httpOnly');
    expect(csrf?.value.length).toBeGreaterThanOrEqual(32);

    const me = await fx.app.inject({
      url: '/api/me',
      headers: { cookie: `hotline_session=${cookie?.value}` },
    });
    expect(me.statusCode).toBe(200);
    const body = me.json<MeResponse>();
    expect(body.user).toMatchObject({ username: 'tdv01', role: 'operator', skills: ['health', 'general'] });
    expect(body.user).not.toHaveProperty('passwordHash');
    expect(body.sip).toMatchObject({
      uri: 'sip:tdv01@hotline.test',
      authorizationUser: 'tdv01',
      wsUrl: 'ws://127.0.0.1:8088/ws',
      // No TURN server configured.
      iceServers: [],
    });
    expect(body.sip?.password.length).toBeGreaterThanOrEqual(16);
  });

  it('gives agency liaisons no SIP credentials', async () => {
    const me = await fx.app.inject({ url: '/api/me', headers: { cookie: await fx.login('syt') } });
    expect(me.json<MeResponse>()).toMatchObject({ user: { role: 'agency' }, sip: null });
  });

  it.each([
    ['a wrong password', 'tdv01', 'sai-mat-khau'],
    ['an unknown user', 'khongco', '1022demo'],
  ])('refuses %s with the same error', async (_, username, password) => {
    const res = await fx.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json<ApiError>().error.code).toBe('INVALID_CREDENTIALS');
    expect(res.cookies).toHaveLength(0);
  });

  it('logout ends the session', async () => {
    const cookie = await fx.login('tdv01');
    const out = await fx.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: csrfHeaders(cookie),
    });
    expect(out.statusCode).toBe(204);
    const me = await fx.app.inject({ url: '/api/me', headers: { cookie } });
    expect(me.statusCode).toBe(401);
  });
});

describe('roles', () => {
  it.each([
    ['GET', '/api/me'],
    ['GET', '/api/agencies'],
    ['GET', '/api/tickets'],
    ['GET', '/api/tickets/1'],
    ['POST', '/api/tickets'],
    ['GET', '/api/routing/suggest?category=health'],
  ] as const)('%s %s needs a session', async (method, url) => {
    const res = await fx.app.inject({ method, url, payload: method === 'POST' ? {} : undefined });
    expect(res.statusCode).toBe(401);
    expect(res.json<ApiError>().error.code).toBe('UNAUTHENTICATED');
  });

  it('rejects a forged session cookie', async () => {
    const res = await fx.app.inject({ url: '/api/me', headers: { cookie: 'hotline_session=forged' } });
    expect(res.statusCode).toBe(401);
  });

  it('an agency liaison may not create tickets or ask for routing', async () => {
    const cookie = await fx.login('syt');
    const created = await createTicket(cookie);
    expect(created.statusCode).toBe(403);
    expect(created.json<ApiError>().error.code).toBe('FORBIDDEN');
    const suggest = await fx.app.inject({
      url: '/api/routing/suggest?category=health',
      headers: { cookie },
    });
    expect(suggest.statusCode).toBe(403);
  });

  it('an agency liaison sees only its own agency tickets', async () => {
    const operator = await fx.login('tdv01');
    const health = (await createTicket(operator)).json<TicketView>();
    const goods = (await createTicket(operator, { ...ticket, category: 'goods' })).json<TicketView>();
    const syt = await fx.login('syt');
    const list = await fx.app.inject({ url: '/api/tickets', headers: { cookie: syt } });
    expect(list.json<ListResponse<TicketView>>().data.map((t) => t.id)).toEqual([health.id]);
    const other = await fx.app.inject({ url: `/api/tickets/${goods.id}`, headers: { cookie: syt } });
    expect(other.statusCode).toBe(404);
  });
});

describe('tickets', () => {
  it('creates an assigned ticket with a valid tracking code, the suggested agency and due times', async () => {
    const res = await createTicket(await fx.login('tdv01'));
    expect(res.statusCode).toBe(201);
    const body = res.json<TicketView>();
    expect(isValidTrackingCode(body.trackingCode)).toBe(true);
    expect(body).toMatchObject({
      callerNumber: '0912***678',
      callerName: 'Nguyễn Văn An',
      category: 'health',
      categoryName: 'Y tế, dịch bệnh',
      unit: null,
      address: null,
      legacyDistrict: null,
      status: 'assigned',
      priority: 'normal',
      overdue: false,
      extension: null,
      result: null,
      parentId: null,
      delivery: { status: 'none', attempts: 0, lastError: null, deliveredAt: null },
      callId: null,
      agency: { code: 'syt', name: 'Sở Y tế', kind: 'department', unitCode: null, active: true },
    });
    expect(Date.parse(body.ackDueAt!)).toBeGreaterThan(Date.parse(body.createdAt));
    expect(Date.parse(body.resolveDueAt!)).toBeGreaterThan(Date.parse(body.ackDueAt!));
  });

  it("uses the commune's exception to the routing and honours an explicit agency", async () => {
    const cookie = await fx.login('tdv02');
    const suggested = await createTicket(cookie, {
      ...ticket,
      category: 'infrastructure',
      unitCode: BIEN_HOA,
      address: '  Khu phố 3, đường Bùi Hữu Nghĩa  ',
    });
    expect(suggested.statusCode).toBe(201);
    expect(suggested.json<TicketView>()).toMatchObject({
      category: 'infrastructure',
      categoryName: 'Hạ tầng đô thị',
      unit: { code: BIEN_HOA, name: 'Phường Biên Hòa' },
      address: 'Khu phố 3, đường Bùi Hữu Nghĩa',
      agency: {
        code: 'ubnd-bien-hoa',
        name: 'UBND phường Biên Hòa',
        kind: 'commune_committee',
        unitCode: BIEN_HOA,
      },
    });
    const elsewhere = await createTicket(cookie, {
      ...ticket,
      category: 'infrastructure',
      unitCode: TAM_HIEP,
    });
    expect(elsewhere.json<TicketView>().agency.code).toBe('sxd');

    const agencies = (await fx.app.inject({ url: '/api/agencies', headers: { cookie } })).json<
      ListResponse<AgencyView>
    >().data;
    const sct = agencies.find((a) => a.code === 'sct');
    const chosen = await createTicket(cookie, { ...ticket, agencyId: sct?.id });
    expect(chosen.json<TicketView>().agency.code).toBe('sct');

    const unknown = await createTicket(cookie, { ...ticket, agencyId: 9999 });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<ApiError>().error.code).toBe('UNKNOWN_AGENCY');
  });

  it.each([
    ['a malformed category', { category: 'Y tế' }, '/category'],
    ['a malformed unit code', { unitCode: 'Biên Hòa' }, '/unitCode'],
    ['an address over 300 characters', { address: 'x'.repeat(301) }, '/address'],
    ['an empty description', { description: '' }, '/description'],
    ['a description over 4000 characters', { description: 'x'.repeat(4001) }, '/description'],
    ['letters in the caller number', { callerNumber: '09123abc' }, '/callerNumber'],
    ['a caller number too short', { callerNumber: '12' }, '/callerNumber'],
  ])('rejects %s with VALIDATION', async (_, change, field) => {
    const res = await createTicket(await fx.login('tdv01'), { ...ticket, ...change });
    expect(res.statusCode).toBe(400);
    const { error } = res.json<ApiError>();
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toContain(field);
    expect(fx.db.$client.prepare('select count(*) as n from tickets').get()).toEqual({ n: 0 });
  });

  it('accepts an international caller number and a description of exactly 4000 characters', async () => {
    const res = await createTicket(await fx.login('tdv01'), {
      ...ticket,
      callerNumber: '+84912345678',
      description: 'đ'.repeat(4000),
    });
    expect(res.statusCode).toBe(201);
  });

  it('lists a caller’s tickets, newest first, and honours the limit', async () => {
    const cookie = await fx.login('tdv03');
    const first = (await createTicket(cookie)).json<TicketView>();
    const second = (await createTicket(cookie, { ...ticket, category: 'goods' })).json<TicketView>();
    await createTicket(cookie, { ...ticket, callerNumber: '0987654321' });

    const list = await fx.app.inject({ url: '/api/tickets?callerNumber=0912345678', headers: { cookie } });
    expect(list.statusCode).toBe(200);
    expect(list.json<ListResponse<TicketView>>().data.map((t) => t.id)).toEqual([second.id, first.id]);

    const limited = await fx.app.inject({
      url: '/api/tickets?callerNumber=0912345678&limit=1',
      headers: { cookie },
    });
    expect(limited.json<ListResponse<TicketView>>().data.map((t) => t.id)).toEqual([second.id]);

    const tooMany = await fx.app.inject({ url: '/api/tickets?limit=1000', headers: { cookie } });
    expect(tooMany.statusCode).toBe(400);
  });

  it('gets a ticket by id, and 404s with a typed error', async () => {
    const cookie = await fx.login('giamsat');
    const created = (await createTicket(cookie)).json<TicketView>();
    const got = await fx.app.inject({ url: `/api/tickets/${created.id}`, headers: { cookie } });
    const { events, ...view } = got.json<TicketView>();
    // Only a ticket's detail shows the number in full (and logs it); other answers mask it.
    expect(view).toEqual({ ...created, callerNumber: '0912345678' });
    expect(events?.map((e) => [e.action, e.from, e.to])).toEqual([
      ['create', null, 'received'],
      ['assign', 'received', 'assigned'],
    ]);

    const missing = await fx.app.inject({ url: '/api/tickets/424242', headers: { cookie } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<ApiError>().error).toEqual({
      code: 'TICKET_NOT_FOUND',
      message: 'Không tìm thấy phiếu yêu cầu.',
    });
  });
});

describe('tickets: category and unit are data', () => {
  it('refuses an unknown or inactive category (UNKNOWN_CATEGORY) and an unknown unit (UNKNOWN_UNIT)', async () => {
    const cookie = await fx.login('tdv01');
    const weather = await createTicket(cookie, { ...ticket, category: 'weather' });
    expect(weather.statusCode).toBe(400);
    expect(weather.json<ApiError>().error.code).toBe('UNKNOWN_CATEGORY');
    fx.db.update(categories).set({ active: false }).where(eq(categories.key, 'goods')).run();
    const inactive = await createTicket(cookie, { ...ticket, category: 'goods' });
    expect(inactive.statusCode).toBe(400);
    expect(inactive.json<ApiError>().error.code).toBe('UNKNOWN_CATEGORY');
    const unit = await createTicket(cookie, { ...ticket, unitCode: '99999' });
    expect(unit.statusCode).toBe(400);
    expect(unit.json<ApiError>().error).toEqual({
      code: 'UNKNOWN_UNIT',
      message: 'Xã, phường không tồn tại trong danh mục đơn vị hành chính.',
    });
    fx.db.update(units).set({ active: false }).where(eq(units.code, TAM_HIEP)).run();
    const retired = await createTicket(cookie, { ...ticket, unitCode: TAM_HIEP });
    expect(retired.json<ApiError>().error.code).toBe('UNKNOWN_UNIT');
    expect(fx.db.$client.prepare('select count(*) as n from tickets').get()).toEqual({ n: 0 });
  });

  it("a category's own working days replace a normal ticket's resolution time, not an urgent one's", async () => {
    const cookie = await fx.login('tdv01');
    const resolveMs = async (body: object) => {
      const t = (await createTicket(cookie, body)).json<TicketView>();
      return Date.parse(t.resolveDueAt!) - Date.parse(t.createdAt);
    };
    const normal = await resolveMs(ticket);
    const urgent = await resolveMs({ ...ticket, priority: 'urgent' });
    fx.db.update(categories).set({ resolveWorkingDays: 1 }).where(eq(categories.key, 'health')).run();
    expect(await resolveMs(ticket)).toBeLessThan(normal);
    expect(await resolveMs({ ...ticket, priority: 'urgent' })).toBe(urgent);
    fx.db.update(categories).set({ resolveWorkingDays: 20 }).where(eq(categories.key, 'health')).run();
    expect(await resolveMs(ticket)).toBeGreaterThan(normal);
  });

  it('a deactivated agency takes no new ticket', async () => {
    const cookie = await fx.login('tdv01');
    fx.db.update(agencies).set({ active: false }).where(eq(agencies.code, 'sct')).run();
    const sct = fx.db.select().from(agencies).where(eq(agencies.code, 'sct')).get()!;
    const chosen = await createTicket(cookie, { ...ticket, agencyId: sct.id });
    expect(chosen.statusCode).toBe(400);
    expect(chosen.json<ApiError>().error.code).toBe('UNKNOWN_AGENCY');
    const suggested = await createTicket(cookie, { ...ticket, category: 'goods' });
    expect(suggested.statusCode).toBe(422);
    expect(suggested.json<ApiError>().error.code).toBe('NO_ROUTE');
  });
});

describe('reference data', () => {
  it('lists agencies and suggests one per category', async () => {
    const cookie = await fx.login('tdv01');
    const agencies = await fx.app.inject({ url: '/api/agencies', headers: { cookie } });
    const codes = agencies.json<ListResponse<AgencyView>>().data.map((a) => a.code);
    expect(codes).toEqual(
      expect.arrayContaining(['syt', 'snv', 'sct', 'stc', 'sxd', 'skhcn', 'snnmt', 'bhxh', 'cat', 'vpubnd']),
    );
    expect(codes).not.toContain('sldtbxh');
    expect(codes.filter((c) => c.startsWith('ubnd-'))).toHaveLength(6);
    expect(agencies.json<ListResponse<AgencyView>>().data[0]).not.toHaveProperty('forwardSecret');

    const suggest = await fx.app.inject({
      url: `/api/routing/suggest?category=welfare&unitCode=${BIEN_HOA}`,
      headers: { cookie },
    });
    expect(suggest.json<AgencyView>()).toMatchObject({ code: 'snv' });
    const bad = await fx.app.inject({
      url: '/api/routing/suggest?category=x',
      headers: { cookie },
    });
    expect(bad.json<ApiError>().error.code).toBe('VALIDATION');
  });

  it('health needs no session; unknown API paths are typed 404s', async () => {
    const health = await fx.app.inject({ url: '/api/health' });
    expect(health.json()).toEqual({ status: 'ok', telephonyUp: false });
    const missing = await fx.app.inject({ url: '/api/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<ApiError>().error.code).toBe('NOT_FOUND');
  });

  it('seeding twice changes nothing and keeps the live logins’ SIP secrets', async () => {
    const { seedDemo } = await import('../../server/db/seed.ts');
    const { sipAccounts } = await import('../../server/operators/sip-accounts.ts');
    await fx.login('tdv02');
    const before = sipAccounts(fx.db);
    expect(before.find((a) => a.endpoint === 'tdv02')?.password).toBeTruthy();
    await seedDemo(fx.db, { agencyUrl: 'http://127.0.0.1:9/agency' });
    expect(sipAccounts(fx.db)).toEqual(before);
    expect(before.map((a) => a.endpoint)).toEqual(['tdv01', 'tdv02', 'tdv03', 'tdv04', 'giamsat']);
    const syt = fx.db.query.agencies.findFirst({ where: (a, { eq }) => eq(a.code, 'syt') }).sync();
    expect(syt?.forwardUrl).toBe('http://127.0.0.1:9/agency/syt');
  });
});

describe('edges', () => {
  it('hides the details of an unexpected failure', async () => {
    fx.desk.snapshot = () => {
      throw new Error('secret internal detail');
    };
    const res = await fx.app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(500);
    expect(res.json<ApiError>().error.code).toBe('INTERNAL');
    expect(res.body).not.toContain('secret internal detail');
  });

  it('rejects malformed JSON with a typed 400', async () => {
    const res = await fx.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<ApiError>().error.code).toBeTypeOf('string');
  });

  it('serves the console, with index.html for its client-side routes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotline-console-'));
    try {
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Tổng đài 1022</title>');
      writeFileSync(join(dir, 'app.js'), 'console.log(1022);');
      const withConsole = await buildFixture({ consoleDir: dir });
      try {
        const index = await withConsole.app.inject({ url: '/' });
        expect(index.statusCode).toBe(200);
        expect(index.body).toContain('Tổng đài 1022');
        expect((await withConsole.app.inject({ url: '/app.js' })).body).toBe('console.log(1022);');
        expect((await withConsole.app.inject({ url: '/wallboard' })).body).toContain('Tổng đài 1022');
        const api = await withConsole.app.inject({ url: '/api/nope' });
        expect(api.statusCode).toBe(404);
        expect(api.json<ApiError>().error.code).toBe('NOT_FOUND');
      } finally {
        await withConsole.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
