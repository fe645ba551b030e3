/** Tickets through the HTTP API on a real SQLite database: life cycle, audit log, outbox, access. */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiError, ListResponse, TicketView } from '../../common/api.ts';
import type { TicketStatus } from '../../common/domain.ts';
import { createLoginLimiter } from '../../server/auth/rate-limit.ts';
import { agencies, outbox, ticketEvents, tickets } from '../../server/db/schema.ts';
import type { TicketHooks } from '../../server/tickets/hooks.ts';
import { type AuthHeaders, buildFixture, type Fixture } from './server-fixture.ts';

let fx: Fixture;
afterEach(async () => {
  await fx?.close();
});

const NEW_TICKET = {
  callerNumber: '0912345678',
  callerName: 'Nguyễn Văn An',
  category: 'health',
  unitCode: '26068',
  description: 'Trạm y tế phường đóng cửa giờ hành chính.',
};

async function create(headers: AuthHeaders, body: object = {}) {
  return fx.app.inject({ method: 'POST', url: '/api/tickets', headers, payload: { ...NEW_TICKET, ...body } });
}

async function act(headers: AuthHeaders, id: number, payload: object) {
  return fx.app.inject({ method: 'POST', url: `/api/tickets/${id}/actions`, headers, payload });
}

async function get(headers: AuthHeaders, id: number): Promise<TicketView> {
  const res = await fx.app.inject({ url: `/api/tickets/${id}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<TicketView>();
}

function agencyId(code: string): number {
  return fx.db.select().from(agencies).where(eq(agencies.code, code)).get()!.id;
}

function intents(ticketId: number): string[] {
  return fx.db
    .select()
    .from(outbox)
    .all()
    .filter((row) => 'ticketId' in row.payload && row.payload.ticketId === ticketId)
    .map((row) => row.kind);
}

describe('creating a ticket', () => {
  it('assigns it, records create + assign, and commits forward and deadline intents with it', async () => {
    fx = await buildFixture({ agencyUrl: 'http://127.0.0.1:9/agencies' });
    const operator = await fx.session('tdv01');
    const res = await create(operator, { priority: 'urgent' });
    expect(res.statusCode, res.body).toBe(201);
    const ticket = res.json<TicketView>();
    expect(ticket).toMatchObject({
      status: 'assigned',
      priority: 'urgent',
      agency: { code: 'syt' },
      delivery: { status: 'pending', attempts: 0 },
    });
    expect(Date.parse(ticket.ackDueAt!) - Date.parse(ticket.createdAt)).toBe(2 * 3_600_000);
    expect(intents(ticket.id).sort()).toEqual(['deadline', 'forward']);
    const events = fx.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticket.id)).all();
    expect(events.map((e) => [e.action, e.from, e.to, e.actorId])).toEqual([
      ['create', null, 'received', fx.userId('tdv01')],
      ['assign', 'received', 'assigned', fx.userId('tdv01')],
    ]);
  });

  it('records no forward intent for an agency without a webhook', async () => {
    fx = await buildFixture();
    const ticket = (await create(await fx.session('tdv01'))).json<TicketView>();
    expect(ticket.delivery.status).toBe('none');
    expect(intents(ticket.id)).toEqual(['deadline']);
  });

  it('commits nothing when a step inside the transaction fails', async () => {
    const hooks: TicketHooks = {
      afterChange() {
        throw new Error('SMS table unavailable');
      },
    };
    fx = await buildFixture({ agencyUrl: 'http://127.0.0.1:9/agencies', ticketHooks: hooks });
    const res = await create(await fx.session('tdv01'));
    expect(res.statusCode).toBe(500);
    expect(fx.db.select().from(tickets).all()).toEqual([]);
    expect(fx.db.select().from(ticketEvents).all()).toEqual([]);
    expect(fx.db.select().from(outbox).all()).toEqual([]);
  });

  it('calls the hooks inside the transaction and the notifier after it', async () => {
    const seen: { status: TicketStatus; from: TicketStatus | null; committed: boolean }[] = [];
    const notified: number[] = [];
    fx = await buildFixture({
      ticketHooks: {
        afterChange(tx, ticket, from) {
          const stored = tx.select().from(tickets).where(eq(tickets.id, ticket.id)).get();
          seen.push({ status: ticket.status, from, committed: stored?.status === ticket.status });
        },
      },
      ticketNotifier: { ticketChanged: (id) => notified.push(id) },
    });
    const liaison = await fx.session('syt');
    const ticket = (await create(await fx.session('tdv01'))).json<TicketView>();
    await act(liaison, ticket.id, { action: 'acknowledge' });
    expect(seen).toEqual([
      { status: 'assigned', from: null, committed: true },
      { status: 'acknowledged', from: 'assigned', committed: true },
    ]);
    expect(notified).toEqual([ticket.id, ticket.id]);
  });

  it.each([
    ['answered', { outcome: 'answered', answer: 'Trạm mở cửa từ 7 giờ.' }, 'answered_at_intake'],
    ['callback', { outcome: 'callback' }, 'callback_pending'],
  ])('%s on the call: no agency work, no deadlines, no intents', async (_, body, status) => {
    fx = await buildFixture({ agencyUrl: 'http://127.0.0.1:9/agencies' });
    const ticket = (await create(await fx.session('tdv01'), body)).json<TicketView>();
    expect(ticket).toMatchObject({
      status,
      ackDueAt: null,
      resolveDueAt: null,
      delivery: { status: 'none' },
    });
    expect(intents(ticket.id)).toEqual([]);
    const liaison = await fx.app.inject({
      url: `/api/tickets/${ticket.id}`,
      headers: await fx.session('syt'),
    });
    expect(liaison.statusCode).toBe(404);
  });

  it('needs the answer when answered on the call', async () => {
    fx = await buildFixture();
    const res = await create(await fx.session('tdv01'), { outcome: 'answered' });
    expect(res.statusCode).toBe(400);
    expect(res.json<ApiError>().error.code).toBe('TEXT_REQUIRED');
  });
});

describe('the life cycle through the API', () => {
  it('assign → acknowledge → start → note → post_result → approve → close, all in the audit log', async () => {
    fx = await buildFixture();
    const [operator, liaison, supervisor] = [
      await fx.session('tdv01'),
      await fx.session('syt'),
      await fx.session('giamsat'),
    ];
    const { id } = (await create(operator)).json<TicketView>();
    const steps: [AuthHeaders, object, TicketStatus][] = [
      [liaison, { action: 'acknowledge' }, 'acknowledged'],
      [liaison, { action: 'start' }, 'in_progress'],
      [liaison, { action: 'note', text: 'Đã liên hệ trạm y tế.' }, 'in_progress'],
      [liaison, { action: 'post_result', text: 'Trạm đã mở cửa lại đúng giờ.' }, 'pending_review'],
      [supervisor, { action: 'approve' }, 'resolved'],
      [supervisor, { action: 'close' }, 'closed'],
    ];
    for (const [who, payload, status] of steps) {
      const res = await act(who, id, payload);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<TicketView>().status).toBe(status);
    }
    const final = await get(supervisor, id);
    expect(final).toMatchObject({
      result: 'Trạm đã mở cửa lại đúng giờ.',
      ackDueAt: null,
      resolveDueAt: null,
    });
    expect(final.events?.map((e) => [e.action, e.from, e.to, e.actor?.role ?? null])).toEqual([
      ['create', null, 'received', 'operator'],
      ['assign', 'received', 'assigned', 'operator'],
      ['acknowledge', 'assigned', 'acknowledged', 'agency'],
      ['start', 'acknowledged', 'in_progress', 'agency'],
      ['note', 'in_progress', 'in_progress', 'agency'],
      ['post_result', 'in_progress', 'pending_review', 'agency'],
      ['approve', 'pending_review', 'resolved', 'supervisor'],
      ['close', 'resolved', 'closed', 'supervisor'],
    ]);
    expect(final.events?.[4]).toMatchObject({
      text: 'Đã liên hệ trạm y tế.',
      actor: { displayName: expect.any(String) },
    });
  });

  it('a return needs a reason; the hotline re-routes it and the first agency loses sight of it', async () => {
    fx = await buildFixture({ agencyUrl: 'http://127.0.0.1:9/agencies' });
    const [operator, syt] = [await fx.session('tdv01'), await fx.session('syt')];
    const { id } = (await create(operator)).json<TicketView>();

    const bare = await act(syt, id, { action: 'return' });
    expect(bare.statusCode).toBe(400);
    expect(bare.json<ApiError>().error.code).toBe('REASON_REQUIRED');
    const returned = await act(syt, id, { action: 'return', reason: 'Thuộc thẩm quyền UBND thành phố.' });
    expect(returned.json<TicketView>().status).toBe('returned');

    const rerouted = await act(operator, id, { action: 'assign', agencyId: agencyId('ubnd-bien-hoa') });
    expect(rerouted.json<TicketView>()).toMatchObject({
      status: 'assigned',
      agency: { code: 'ubnd-bien-hoa' },
      delivery: { status: 'pending' },
    });
    expect(intents(id).sort()).toEqual(['deadline', 'deadline', 'forward', 'forward']);
    expect((await fx.app.inject({ url: `/api/tickets/${id}`, headers: syt })).statusCode).toBe(404);
    const city = await fx.session('ubnd-bien-hoa');
    expect((await act(city, id, { action: 'acknowledge' })).statusCode).toBe(200);
    const events = (await get(operator, id)).events ?? [];
    expect(events.find((e) => e.action === 'return')?.reason).toBe('Thuộc thẩm quyền UBND thành phố.');
  });

  it('re-routes to the suggested agency when none is given', async () => {
    fx = await buildFixture();
    const operator = await fx.session('tdv01');
    const { id } = (await create(operator, { outcome: 'callback' })).json<TicketView>();
    const res = await act(operator, id, { action: 'assign' });
    expect(res.json<TicketView>()).toMatchObject({ status: 'assigned', agency: { code: 'syt' } });
  });

  it('sends a result back, reopens a closed ticket and re-assigns it', async () => {
    fx = await buildFixture();
    const [operator, syt, supervisor] = [
      await fx.session('tdv01'),
      await fx.session('syt'),
      await fx.session('giamsat'),
    ];
    const { id } = (await create(operator)).json<TicketView>();
    await act(syt, id, { action: 'acknowledge' });
    await act(syt, id, { action: 'post_result', text: 'Đã xử lý.' });
    expect((await act(supervisor, id, { action: 'send_back' })).statusCode).toBe(400);
    const back = await act(supervisor, id, { action: 'send_back', reason: 'Chưa nêu thời gian khắc phục.' });
    expect(back.json<TicketView>().status).toBe('in_progress');
    await act(syt, id, { action: 'post_result', text: 'Khắc phục xong ngày 12/3.' });
    await act(supervisor, id, { action: 'approve' });
    await act(supervisor, id, { action: 'close' });
    const reopened = await act(operator, id, {
      action: 'reopen',
      reason: 'Công dân phản ánh vẫn chưa mở cửa.',
    });
    expect(reopened.json<TicketView>().status).toBe('reopened');
    const again = await act(operator, id, { action: 'assign' });
    expect(again.json<TicketView>()).toMatchObject({ status: 'assigned', result: null, overdue: false });
  });

  it('rejects with a reason, and marks a duplicate of an existing other ticket only', async () => {
    fx = await buildFixture();
    const [operator, supervisor] = [await fx.session('tdv01'), await fx.session('giamsat')];
    const first = (await create(operator)).json<TicketView>();
    const second = (await create(operator)).json<TicketView>();
    const third = (await create(operator)).json<TicketView>();

    expect((await act(operator, first.id, { action: 'reject', reason: 'Spam' })).statusCode).toBe(403);
    expect((await act(supervisor, first.id, { action: 'reject' })).statusCode).toBe(400);
    const rejected = await act(supervisor, first.id, { action: 'reject', reason: 'Nội dung không rõ ràng.' });
    expect(rejected.json<TicketView>().status).toBe('rejected');
    const late = await act(supervisor, first.id, { action: 'acknowledge' });
    expect(late.statusCode).toBe(409);
    expect(late.json<ApiError>().error.code).toBe('ILLEGAL_TRANSITION');

    const dup = (parentId: number) =>
      act(operator, second.id, { action: 'mark_duplicate', reason: 'Gọi lại', parentId });
    expect((await dup(second.id)).json<ApiError>().error.code).toBe('SELF_DUPLICATE');
    expect((await dup(999_999)).json<ApiError>().error.code).toBe('UNKNOWN_PARENT');
    const marked = await dup(third.id);
    expect(marked.json<TicketView>()).toMatchObject({ status: 'duplicate', parentId: third.id });
  });

  it('grants one extension, later than the current deadline, with an audit line and a deadline intent', async () => {
    fx = await buildFixture();
    const [operator, supervisor] = [await fx.session('tdv01'), await fx.session('giamsat')];
    const ticket = (await create(operator)).json<TicketView>();
    const extend = (body: object) =>
      fx.app.inject({
        method: 'POST',
        url: `/api/tickets/${ticket.id}/extension`,
        headers: supervisor,
        payload: body,
      });
    const later = new Date(Date.parse(ticket.resolveDueAt!) + 3 * 86_400_000).toISOString();

    const earlier = await extend({ reason: 'Cần thêm thời gian', resolveDueAt: ticket.createdAt });
    expect(earlier.json<ApiError>().error.code).toBe('EXTENSION_NOT_LATER');
    const badDate = await extend({ reason: 'Cần thêm thời gian', resolveDueAt: 'thứ hai tuần sau' });
    expect(badDate.json<ApiError>().error.code).toBe('VALIDATION');
    const ok = await extend({ reason: 'Cần khảo sát thực địa', resolveDueAt: later });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json<TicketView>()).toMatchObject({
      resolveDueAt: later,
      extension: { reason: 'Cần khảo sát thực địa' },
    });
    const twice = await extend({
      reason: 'Lần nữa',
      resolveDueAt: new Date(Date.parse(later) + 1000).toISOString(),
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.json<ApiError>().error.code).toBe('EXTENSION_USED');
    expect(intents(ticket.id)).toEqual(['deadline', 'deadline']);
    const events = (await get(supervisor, ticket.id)).events ?? [];
    expect(events.at(-1)).toMatchObject({ action: 'extend', reason: 'Cần khảo sát thực địa', text: later });
  });

  it('keeps the audit log append-only: one row per change, none rewritten', async () => {
    fx = await buildFixture();
    const [operator, syt] = [await fx.session('tdv01'), await fx.session('syt')];
    const { id } = (await create(operator)).json<TicketView>();
    const before = fx.db.select().from(ticketEvents).all();
    await act(syt, id, { action: 'acknowledge' });
    await act(syt, id, { action: 'start' });
    const after = fx.db.select().from(ticketEvents).all();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after).toHaveLength(before.length + 2);
  });
});

describe('what a liaison sees', () => {
  it('masks the caller number for liaisons only', async () => {
    fx = await buildFixture();
    const operator = await fx.session('tdv01');
    const { id } = (await create(operator)).json<TicketView>();
    const syt = await fx.session('syt');
    expect((await get(syt, id)).callerNumber).toBe('0912***678');
    const list = await fx.app.inject({ url: '/api/tickets', headers: syt });
    expect(list.json<ListResponse<TicketView>>().data.map((t) => t.callerNumber)).toEqual(['0912***678']);
    expect((await act(syt, id, { action: 'acknowledge' })).json<TicketView>().callerNumber).toBe(
      '0912***678',
    );
    expect((await get(operator, id)).callerNumber).toBe('0912345678');
    expect((await get(await fx.session('giamsat'), id)).callerNumber).toBe('0912345678');
  });

  it('lists only its own agency, whatever agencyId it asks for', async () => {
    fx = await buildFixture();
    const operator = await fx.session('tdv01');
    await create(operator, { category: 'goods' });
    const mine = (await create(operator)).json<TicketView>();
    const syt = await fx.session('syt');
    const list = (url: string) => fx.app.inject({ url, headers: syt });
    expect((await list('/api/tickets')).json<ListResponse<TicketView>>().data.map((t) => t.id)).toEqual([
      mine.id,
    ]);
    expect(
      (await list(`/api/tickets?agencyId=${agencyId('sct')}`)).json<ListResponse<TicketView>>().data,
    ).toEqual([]);
  });
});

describe('listing tickets', () => {
  it('filters by status, priority, agency, overdue and due soon, with paging', async () => {
    let clock = new Date('2026-03-10T01:00:00Z');
    fx = await buildFixture({ now: () => clock });
    const operator = await fx.session('tdv01');
    const urgent = (await create(operator, { priority: 'urgent' })).json<TicketView>();
    const normal = (await create(operator)).json<TicketView>();
    const goods = (await create(operator, { category: 'goods', outcome: 'callback' })).json<TicketView>();
    const ids = async (query: string) => {
      const res = await fx.app.inject({ url: `/api/tickets?${query}`, headers: operator });
      expect(res.statusCode, res.body).toBe(200);
      return res
        .json<ListResponse<TicketView>>()
        .data.map((t) => t.id)
        .sort();
    };
    expect(await ids('status=assigned')).toEqual([urgent.id, normal.id].sort());
    expect(await ids('status=callback_pending,assigned')).toHaveLength(3);
    expect(await ids('priority=urgent')).toEqual([urgent.id]);
    expect(await ids(`agencyId=${agencyId('sct')}`)).toEqual([goods.id]);
    expect(await ids('dueWithinHours=3')).toEqual([urgent.id]);
    expect(await ids('overdue=true')).toEqual([]);

    clock = new Date(clock.getTime() + 3 * 3_600_000);
    expect(await ids('overdue=true')).toEqual([urgent.id]);
    const view = await get(operator, urgent.id);
    expect(view.overdue).toBe(true);
    expect(await ids('limit=1&offset=1')).toHaveLength(1);
  });

  it.each([
    ['an unknown status', 'status=forwarded'],
    ['a malformed status list', 'status=assigned,,closed'],
    ['an unknown priority', 'priority=khan'],
    ['a zero window', 'dueWithinHours=0'],
    ['a negative offset', 'offset=-1'],
  ])('refuses %s with VALIDATION', async (_, query) => {
    fx = await buildFixture();
    const res = await fx.app.inject({ url: `/api/tickets?${query}`, headers: await fx.session('tdv01') });
    expect(res.statusCode).toBe(400);
    expect(res.json<ApiError>().error.code).toBe('VALIDATION');
  });
});

describe('input validation', () => {
  it.each([
    ['an unknown action', { action: 'escalate' }],
    ['an over-long reason', { action: 'return', reason: 'x'.repeat(2001) }],
    ['a non-numeric agency', { action: 'assign', agencyId: 'syt' }],
    ['no action', { reason: 'x' }],
  ])('refuses %s', async (_, payload) => {
    fx = await buildFixture();
    const operator = await fx.session('tdv01');
    const { id } = (await create(operator)).json<TicketView>();
    const res = await act(operator, id, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json<ApiError>().error.code).toBe('VALIDATION');
  });

  it('refuses an unknown priority or outcome when creating', async () => {
    fx = await buildFixture();
    const operator = await fx.session('tdv01');
    expect((await create(operator, { priority: 'khan' })).statusCode).toBe(400);
    expect((await create(operator, { outcome: 'ignore' })).statusCode).toBe(400);
  });
});

describe('routing by commune', () => {
  it("re-routes a ticket by its commune's exception as it stands when re-assigned", async () => {
    fx = await buildFixture();
    const [operator, admin] = [await fx.session('tdv01'), await fx.session('quantri')];
    const created = await create(operator, { category: 'infrastructure', outcome: 'callback' });
    expect(created.json<TicketView>()).toMatchObject({
      unit: { code: '26068', name: 'Phường Biên Hòa' },
      agency: { code: 'ubnd-bien-hoa' },
    });
    const put = await fx.app.inject({
      method: 'PUT',
      url: '/api/routing/exceptions',
      headers: admin,
      payload: { category: 'infrastructure', unitCode: '26068', agencyId: agencyId('ubnd-tran-bien') },
    });
    expect(put.statusCode).toBe(200);
    const { id } = created.json<TicketView>();
    const assigned = await act(operator, id, { action: 'assign' });
    expect(assigned.json<TicketView>()).toMatchObject({
      status: 'assigned',
      agency: { code: 'ubnd-tran-bien' },
    });
  });
});

describe('CSRF', () => {
  it('refuses a logged-in change request without the token, or with the wrong one', async () => {
    fx = await buildFixture();
    const { cookie, 'x-csrf-token': token } = await fx.session('tdv01');
    const post = (headers: Record<string, string>) =>
      fx.app.inject({ method: 'POST', url: '/api/tickets', headers, payload: NEW_TICKET });
    const withoutOrWrong: Record<string, string>[] = [{ cookie }, { cookie, 'x-csrf-token': `${token}x` }];
    for (const headers of withoutOrWrong) {
      const res = await post(headers);
      expect(res.statusCode).toBe(403);
      expect(res.json<ApiError>().error.code).toBe('CSRF');
    }
    const sessionOnly = cookie.split('; ')[0]!;
    expect((await post({ cookie: sessionOnly, 'x-csrf-token': token })).json<ApiError>().error.code).toBe(
      'CSRF',
    );
    expect((await post({ cookie, 'x-csrf-token': token })).statusCode).toBe(201);
    expect((await fx.app.inject({ url: '/api/tickets', headers: { cookie } })).statusCode).toBe(200);
    expect(fx.db.select().from(tickets).all()).toHaveLength(1);
  });

  it('does not accept another session’s token', async () => {
    fx = await buildFixture();
    const mine = await fx.session('tdv01');
    const theirs = await fx.session('tdv02');
    const res = await fx.app.inject({
      method: 'POST',
      url: '/api/tickets',
      headers: {
        cookie: `${mine.cookie.split('; ')[0]}; hotline_csrf=${theirs['x-csrf-token']}`,
        'x-csrf-token': theirs['x-csrf-token'],
      },
      payload: NEW_TICKET,
    });
    expect(res.json<ApiError>().error.code).toBe('CSRF');
  });
});

describe('login rate limit', () => {
  const login = (username: string, password: string, remoteAddress = '10.0.0.1') =>
    fx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress });

  it('locks a username out after 5 failures, even with the right password, until the window passes', async () => {
    let clock = new Date('2026-03-10T01:00:00Z');
    fx = await buildFixture({ loginLimiter: createLoginLimiter(undefined, () => clock) });
    for (let i = 0; i < 5; i++) expect((await login('tdv01', 'sai')).statusCode).toBe(401);
    const locked = await login('tdv01', '1022demo', '10.0.0.2');
    expect(locked.statusCode).toBe(429);
    expect(locked.json<ApiError>().error.code).toBe('RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login('tdv02', '1022demo')).statusCode).toBe(200);
    clock = new Date(clock.getTime() + 15 * 60_000 + 1);
    expect((await login('tdv01', '1022demo')).statusCode).toBe(200);
  });

  it('locks an address out after 20 failures across usernames', async () => {
    fx = await buildFixture();
    for (let i = 0; i < 20; i++) expect((await login(`khongco${i}`, 'sai', '10.0.0.9')).statusCode).toBe(401);
    expect((await login('tdv01', '1022demo', '10.0.0.9')).statusCode).toBe(429);
    expect((await login('tdv01', '1022demo', '10.0.0.10')).statusCode).toBe(200);
  });
});
