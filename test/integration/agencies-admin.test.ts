/** The admin's agency API on a real in-memory database: roles, validation, secrets, deactivation with its tickets. */
import { and, eq, isNull, notInArray } from 'drizzle-orm';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  AgencyAdminView,
  AgencyCreated,
  AgencyDeactivated,
  AgencyView,
  ListResponse,
  TicketView,
} from '../../common/api.ts';
import {
  agencies,
  auditLog,
  categories,
  outbox,
  routingUnits,
  ticketEvents,
  tickets,
  units,
} from '../../server/db/schema.ts';
import { forwardTicket } from '../../server/forwarding/processor.ts';
import { verifySignature } from '../../server/forwarding/signature.ts';
import { type AuthHeaders, buildFixture, type Fixture } from './server-fixture.ts';

let fx: Fixture;
afterEach(async () => {
  await fx?.close();
});

const agencyRow = (code: string) => fx.db.select().from(agencies).where(eq(agencies.code, code)).get()!;

/** A commune-level unit no commune committee governs yet. */
function freeUnit(): { code: string; name: string } {
  const taken = fx.db
    .select({ code: agencies.unitCode })
    .from(agencies)
    .all()
    .flatMap((a) => (a.code ? [a.code] : []));
  return fx.db
    .select({ code: units.code, name: units.name })
    .from(units)
    .where(notInArray(units.code, taken))
    .limit(1)
    .get()!;
}

async function post(headers: AuthHeaders | undefined, url: string, payload: object = {}) {
  return fx.app.inject({ method: 'POST', url, ...(headers ? { headers } : {}), payload });
}

async function ticketFor(operator: AuthHeaders, body: object = {}): Promise<TicketView> {
  const res = await post(operator, '/api/tickets', {
    callerNumber: '0912345678',
    category: 'health',
    description: 'Trạm y tế đóng cửa giờ hành chính.',
    ...body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<TicketView>();
}

function auditRows(entityId: number) {
  return fx.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entity, 'agency'), eq(auditLog.entityId, String(entityId))))
    .all();
}

describe('agency admin routes: who may call them', () => {
  it('401 without a session, 403 for an operator, a supervisor and a liaison, on every route', async () => {
    fx = await buildFixture();
    const syt = agencyRow('syt').id;
    const routes: [method: 'GET' | 'POST' | 'PATCH', url: string][] = [
      ['GET', '/api/admin/agencies'],
      ['POST', '/api/admin/agencies'],
      ['PATCH', `/api/admin/agencies/${syt}`],
      ['POST', `/api/admin/agencies/${syt}/rotate-secret`],
      ['POST', `/api/admin/agencies/${syt}/deactivate`],
      ['POST', `/api/admin/agencies/${syt}/activate`],
    ];
    const sessions = {
      operator: await fx.session('tdv01'),
      supervisor: await fx.session('giamsat'),
      liaison: await fx.session('syt'),
    };
    for (const [method, url] of routes) {
      const anonymous = await fx.app.inject({ method, url, ...(method === 'GET' ? {} : { payload: {} }) });
      expect([method, url, anonymous.statusCode]).toEqual([method, url, 401]);
      for (const [who, headers] of Object.entries(sessions)) {
        const res = await fx.app.inject({
          method,
          url,
          headers,
          ...(method === 'GET' ? {} : { payload: {} }),
        });
        expect([who, method, url, res.statusCode]).toEqual([who, method, url, 403]);
      }
    }
    expect(agencyRow('syt').active).toBe(true);
  });
});

describe('listing and creating agencies', () => {
  it('lists each agency with its kind, unit, liaisons and open tickets, never its secret', async () => {
    fx = await buildFixture();
    const admin = await fx.session('quantri');
    await ticketFor(await fx.session('tdv01'));
    const res = await fx.app.inject({ url: '/api/admin/agencies', headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(agencyRow('syt').forwardSecret);
    const list = res.json<ListResponse<AgencyAdminView>>().data;
    const syt = list.find((a) => a.code === 'syt')!;
    expect(syt).toMatchObject({ kind: 'department', active: true, unit: null, openTickets: 1 });
    expect(syt.liaisons).toEqual([
      { id: fx.userId('syt'), username: 'syt', displayName: 'Huỳnh Thị Mai (Sở Y tế)', disabled: false },
    ]);
    const bienHoa = list.find((a) => a.code === 'ubnd-bien-hoa')!;
    expect(bienHoa.kind).toBe('commune_committee');
    expect(bienHoa.unit?.name).toBe('Phường Biên Hòa');
  });

  it('creates an agency, shows its secret once, and audits it without the secret', async () => {
    fx = await buildFixture();
    const admin = await fx.session('quantri');
    const unit = freeUnit();
    const res = await post(admin, '/api/admin/agencies', {
      code: 'ubnd-moi',
      name: `UBND ${unit.name}`,
      kind: 'commune_committee',
      unitCode: unit.code,
      forwardUrl: 'https://ubnd-moi.example.vn/1022',
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json<AgencyCreated>();
    expect(created.data).toMatchObject({
      code: 'ubnd-moi',
      kind: 'commune_committee',
      unit,
      active: true,
      forwardUrl: 'https://ubnd-moi.example.vn/1022',
      liaisons: [],
      openTickets: 0,
    });
    expect(created.secret.length).toBeGreaterThanOrEqual(32);
    expect(agencyRow('ubnd-moi').forwardSecret).toBe(created.secret);
    const rows = auditRows(created.data.id);
    expect(rows.map((r) => [r.action, r.actorId])).toEqual([['agency.create', fx.userId('quantri')]]);
    expect(JSON.stringify(rows)).not.toContain(created.secret);
    expect(JSON.stringify(rows)).not.toContain('forwardSecret');
    // Another active committee for the same unit is refused.
    const twice = await post(admin, '/api/admin/agencies', {
      code: 'ubnd-moi-2',
      name: 'UBND trùng',
      kind: 'commune_committee',
      unitCode: unit.code,
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe('COMMITTEE_EXISTS');
  });

  it.each<[string, object, number, string]>([
    ['a code with capitals', { code: 'SYT-2' }, 400, 'INVALID_AGENCY_CODE'],
    ['a one-letter code', { code: 'a' }, 400, 'INVALID_AGENCY_CODE'],
    ['a code in use', { code: 'syt' }, 409, 'AGENCY_CODE_TAKEN'],
    ['an empty name', { name: '   ' }, 400, 'NAME_REQUIRED'],
    ['an unknown kind', { kind: 'ministry' }, 400, 'VALIDATION'],
    ['a commune committee without a unit', { kind: 'commune_committee' }, 400, 'UNIT_REQUIRED'],
    ['an unknown unit', { kind: 'commune_committee', unitCode: '00000' }, 400, 'UNKNOWN_UNIT'],
    ['a forward URL that is not a URL', { forwardUrl: 'not a url' }, 400, 'INVALID_FORWARD_URL'],
    ['an ftp forward URL', { forwardUrl: 'ftp://example.vn/x' }, 400, 'INVALID_FORWARD_URL'],
  ])('refuses %s', async (_label, change, status, code) => {
    fx = await buildFixture();
    const res = await post(await fx.session('quantri'), '/api/admin/agencies', {
      code: 'so-moi',
      name: 'Sở Mới',
      kind: 'department',
      ...change,
    });
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json().error.code).toBe(code);
  });

  it('edits name, kind, unit and forward URL, audited before and after without the secret', async () => {
    fx = await buildFixture();
    const admin = await fx.session('quantri');
    const id = agencyRow('dienluc').id;
    const res = await fx.app.inject({
      method: 'PATCH',
      url: `/api/admin/agencies/${id}`,
      headers: admin,
      payload: { name: 'Tổng công ty Điện lực Đồng Nai', forwardUrl: 'http://127.0.0.1:9/dienluc' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ data: AgencyAdminView }>().data).toMatchObject({
      name: 'Tổng công ty Điện lực Đồng Nai',
      forwardUrl: 'http://127.0.0.1:9/dienluc',
    });
    const [row] = auditRows(id);
    expect(row).toMatchObject({
      action: 'agency.update',
      before: { name: 'Công ty Điện lực Đồng Nai', forwardUrl: null },
      after: { name: 'Tổng công ty Điện lực Đồng Nai', forwardUrl: 'http://127.0.0.1:9/dienluc' },
    });
    expect(JSON.stringify(row)).not.toContain(agencyRow('dienluc').forwardSecret);
    const bad = await fx.app.inject({
      method: 'PATCH',
      url: `/api/admin/agencies/${id}`,
      headers: admin,
      payload: { kind: 'commune_committee' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('UNIT_REQUIRED');
    const missing = await fx.app.inject({
      method: 'PATCH',
      url: '/api/admin/agencies/9999',
      headers: admin,
      payload: { name: 'x' },
    });
    expect(missing.statusCode).toBe(404);
  });
});

describe('what a forwarded ticket may carry, and where', () => {
  it('sets whether forwarded tickets carry the caller’s number, audited, and the next delivery follows it', async () => {
    fx = await buildFixture();
    const admin = await fx.session('quantri');
    const id = agencyRow('syt').id;
    fx.db.update(agencies).set({ receivesCallerNumber: false }).where(eq(agencies.id, id)).run();
    const patch = (receivesCallerNumber: boolean) =>
      fx.app.inject({
        method: 'PATCH',
        url: `/api/admin/agencies/${id}`,
        headers: admin,
        payload: { receivesCallerNumber },
      });
    const on = await patch(true);
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json<{ data: AgencyAdminView }>().data.receivesCallerNumber).toBe(true);
    expect(agencyRow('syt').receivesCallerNumber).toBe(true);
    const [row] = auditRows(id);
    expect(row).toMatchObject({
      action: 'agency.update',
      actorId: fx.userId('quantri'),
      before: { receivesCallerNumber: false },
      after: { receivesCallerNumber: true },
    });
    const listed = (await fx.app.inject({ url: '/api/admin/agencies', headers: admin }))
      .json<ListResponse<AgencyAdminView>>()
      .data.find((a) => a.id === id);
    expect(listed?.receivesCallerNumber).toBe(true);

    // The processor reads the flag when it builds each payload.
    const bodies: string[] = [];
    const deliver = async (ticketId: number) =>
      forwardTicket(
        ticketId,
        {
          db: fx.db,
          timeoutMs: 1000,
          logger: pino({ level: 'silent' }),
          post: async (_url, _headers, body) => {
            bodies.push(body);
            return 200;
          },
        },
        { lastAttempt: true },
      );
    fx.db
      .update(agencies)
      .set({ forwardUrl: 'https://syt.example.vn/1022' })
      .where(eq(agencies.id, id))
      .run();
    const operator = await fx.session('tdv01');
    await deliver((await ticketFor(operator)).id);
    expect((await patch(false)).statusCode).toBe(200);
    await deliver((await ticketFor(operator)).id);
    expect(bodies.map((b) => JSON.parse(b).callerNumber)).toEqual(['0912345678', undefined]);

    const created = await post(admin, '/api/admin/agencies', {
      code: 'cong-an-moi',
      name: 'Công an mới',
      kind: 'department',
      receivesCallerNumber: true,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json<AgencyCreated>().data.receivesCallerNumber).toBe(true);
    const plain = await post(admin, '/api/admin/agencies', {
      code: 'so-moi',
      name: 'Sở mới',
      kind: 'department',
    });
    expect(plain.json<AgencyCreated>().data.receivesCallerNumber).toBe(false);
  });

  it('in production refuses an http forward URL with 400 FORWARD_URL_NOT_HTTPS, on create and on edit', async () => {
    fx = await buildFixture({ config: { environment: 'production' } });
    const admin = await fx.session('quantri');
    const created = await post(admin, '/api/admin/agencies', {
      code: 'so-moi',
      name: 'Sở mới',
      kind: 'department',
      forwardUrl: 'http://so-moi.example.vn/1022',
    });
    expect(created.statusCode).toBe(400);
    expect(created.json().error.code).toBe('FORWARD_URL_NOT_HTTPS');
    expect(fx.db.select().from(agencies).where(eq(agencies.code, 'so-moi')).get()).toBeUndefined();

    const id = agencyRow('dienluc').id;
    const edit = (forwardUrl: string) =>
      fx.app.inject({
        method: 'PATCH',
        url: `/api/admin/agencies/${id}`,
        headers: admin,
        payload: { forwardUrl },
      });
    const refused = await edit('HTTP://dienluc.example.vn/1022');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'FORWARD_URL_NOT_HTTPS' });
    expect(agencyRow('dienluc').forwardUrl).toBeNull();
    const accepted = await edit('https://dienluc.example.vn/1022');
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(agencyRow('dienluc').forwardUrl).toBe('https://dienluc.example.vn/1022');
  });

  it('in development still takes an http forward URL (the demo agency receiver is plain http on loopback)', async () => {
    fx = await buildFixture();
    const res = await post(await fx.session('quantri'), '/api/admin/agencies', {
      code: 'so-moi',
      name: 'Sở mới',
      kind: 'department',
      forwardUrl: 'http://127.0.0.1:9/so-moi',
    });
    expect(res.statusCode, res.body).toBe(201);
  });
});

describe('rotating an agency secret', () => {
  it('signs the next delivery with the new secret at once; the old one no longer verifies', async () => {
    fx = await buildFixture({ agencyUrl: 'http://127.0.0.1:9/agencies' });
    const admin = await fx.session('quantri');
    const ticket = await ticketFor(await fx.session('tdv01'));
    const old = agencyRow('syt').forwardSecret;
    const res = await post(admin, `/api/admin/agencies/${agencyRow('syt').id}/rotate-secret`);
    expect(res.statusCode, res.body).toBe(200);
    const { secret } = res.json<{ secret: string }>();
    expect(secret).not.toBe(old);
    expect(agencyRow('syt').forwardSecret).toBe(secret);

    const sent: { headers: Record<string, string>; body: string }[] = [];
    await forwardTicket(
      ticket.id,
      {
        db: fx.db,
        timeoutMs: 1000,
        logger: pino({ level: 'silent' }),
        post: async (_url, headers, body) => {
          sent.push({ headers, body });
          return 200;
        },
      },
      { lastAttempt: false },
    );
    expect(sent).toHaveLength(1);
    expect(verifySignature(secret, sent[0]!.headers, sent[0]!.body, 60)).toBe(true);
    expect(verifySignature(old, sent[0]!.headers, sent[0]!.body, 60)).toBe(false);

    const rows = auditRows(agencyRow('syt').id);
    expect(rows.map((r) => r.action)).toEqual(['agency.rotate_secret']);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(JSON.stringify(rows)).not.toContain(old);
  });
});

describe('deactivating an agency', () => {
  it('asks where its open tickets go, then moves them, its routing rules, and forwards them', async () => {
    fx = await buildFixture({ agencyUrl: 'http://127.0.0.1:9/agencies' });
    const admin = await fx.session('quantri');
    const operator = await fx.session('tdv01');
    const liaison = await fx.session('syt');
    const syt = agencyRow('syt');
    const snv = agencyRow('snv');
    const first = await ticketFor(operator);
    const second = await ticketFor(operator, { priority: 'urgent' });
    const ack = await post(liaison, `/api/tickets/${second.id}/actions`, { action: 'acknowledge' });
    expect(ack.statusCode, ack.body).toBe(200);
    const waiting = await ticketFor(operator, { outcome: 'callback' });
    const answered = await ticketFor(operator, { outcome: 'answered', answer: 'Đã hướng dẫn.' });
    const exception = fx.db.select().from(units).limit(1).get()!;
    fx.db
      .insert(routingUnits)
      .values({ category: 'health', unitCode: exception.code, agencyId: syt.id })
      .run();

    const noTarget = await post(admin, `/api/admin/agencies/${syt.id}/deactivate`);
    expect(noTarget.statusCode).toBe(400);
    expect(noTarget.json()).toMatchObject({ error: { code: 'TARGET_REQUIRED' }, openTickets: 3, rules: 2 });
    expect(noTarget.json().error.message).toContain('3 phiếu');
    const inactive = agencyRow('dienluc').id;
    expect((await post(admin, `/api/admin/agencies/${inactive}/deactivate`)).statusCode).toBe(200);
    for (const target of [syt.id, inactive, 9999]) {
      const bad = await post(admin, `/api/admin/agencies/${syt.id}/deactivate`, {
        moveOpenTicketsTo: target,
      });
      expect([target, bad.statusCode, bad.json().error.code]).toEqual([target, 400, 'INVALID_TARGET']);
    }
    expect(agencyRow('syt').active).toBe(true);

    const outboxBefore = fx.db.select().from(outbox).all().length;
    const res = await post(admin, `/api/admin/agencies/${syt.id}/deactivate`, { moveOpenTicketsTo: snv.id });
    expect(res.statusCode, res.body).toBe(200);
    const done = res.json<AgencyDeactivated>();
    expect(done.data).toMatchObject({ code: 'syt', active: false, openTickets: 0 });
    expect(done.moved).toBe(3);
    expect(done.rulesMoved).toEqual([
      { category: 'health', categoryName: 'Y tế, dịch bệnh', unitCode: null, unitName: null },
      {
        category: 'health',
        categoryName: 'Y tế, dịch bệnh',
        unitCode: exception.code,
        unitName: exception.name,
      },
    ]);
    expect(fx.db.select().from(categories).where(eq(categories.key, 'health')).get()?.defaultAgencyId).toBe(
      snv.id,
    );
    expect(fx.db.select().from(routingUnits).where(eq(routingUnits.agencyId, syt.id)).all()).toEqual([]);

    const row = (id: number) => fx.db.select().from(tickets).where(eq(tickets.id, id)).get()!;
    for (const t of [first, second]) {
      expect(row(t.id)).toMatchObject({
        agencyId: snv.id,
        status: 'assigned',
        ackedAt: null,
        deliveryStatus: 'pending',
      });
      expect(row(t.id).assignedAt!.getTime()).toBeGreaterThan(Date.parse(t.createdAt) - 1);
      const last = fx.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, t.id)).all().at(-1)!;
      expect(last).toMatchObject({ action: 'assign', to: 'assigned', actorId: fx.userId('quantri') });
      expect(last.reason).toContain('Sở Y tế');
    }
    // The acknowledged urgent ticket starts its 2 hours again at the move.
    expect(row(second.id).ackDueAt!.getTime() - row(second.id).assignedAt!.getTime()).toBe(2 * 3_600_000);
    // Waiting for a callback: only the suggested agency changes.
    expect(row(waiting.id)).toMatchObject({ agencyId: snv.id, status: 'callback_pending' });
    // Done with: stays with the agency that answered it.
    expect(row(answered.id).agencyId).toBe(syt.id);
    const intents = fx.db.select().from(outbox).all().slice(outboxBefore);
    expect(
      intents.filter((i) => i.kind === 'forward').map((i) => 'ticketId' in i.payload && i.payload.ticketId),
    ).toEqual([first.id, second.id]);

    const [entry] = auditRows(syt.id);
    expect(entry).toMatchObject({
      action: 'agency.deactivate',
      before: { active: true },
      after: { active: false, movedTo: snv.id, movedTickets: [first.id, second.id, waiting.id] },
    });

    // No new tickets for it, and it is listed only on request; its liaison still logs in.
    const active = await fx.app.inject({ url: '/api/agencies', headers: operator });
    expect(active.json<ListResponse<AgencyView>>().data.map((a) => a.code)).not.toContain('syt');
    const all = await fx.app.inject({ url: '/api/agencies?all=1', headers: operator });
    expect(all.json<ListResponse<AgencyView>>().data.map((a) => a.code)).toContain('syt');
    const refused = await post(operator, '/api/tickets', {
      callerNumber: '0912345678',
      category: 'health',
      description: 'x',
      agencyId: syt.id,
    });
    expect(refused.statusCode).toBe(400);
    const again = await fx.session('syt');
    const inbox = await fx.app.inject({ url: '/api/tickets', headers: again });
    expect(inbox.statusCode).toBe(200);

    const twice = await post(admin, `/api/admin/agencies/${syt.id}/deactivate`, {
      moveOpenTicketsTo: snv.id,
    });
    expect(twice.statusCode).toBe(409);
  });

  it('needs no target without open tickets or rules, and activates again', async () => {
    fx = await buildFixture();
    const admin = await fx.session('quantri');
    const id = agencyRow('dienluc').id;
    expect(fx.db.select().from(categories).where(eq(categories.defaultAgencyId, id)).all()).toEqual([]);
    const res = await post(admin, `/api/admin/agencies/${id}/deactivate`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<AgencyDeactivated>()).toMatchObject({
      moved: 0,
      rulesMoved: [],
      data: { active: false },
    });
    const back = await post(admin, `/api/admin/agencies/${id}/activate`);
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json<{ data: AgencyAdminView }>().data.active).toBe(true);
    expect((await post(admin, `/api/admin/agencies/${id}/activate`)).statusCode).toBe(409);
    expect(auditRows(id).map((r) => r.action)).toEqual(['agency.deactivate', 'agency.activate']);
    expect(
      fx.db
        .select()
        .from(auditLog)
        .where(isNull(auditLog.actorId))
        .all()
        .map((r) => r.action),
    ).not.toContain('agency.deactivate');
  });
});
