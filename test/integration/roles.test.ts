/** Every route × every role: the API, not the console, enforces who may do what. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgencyView, ListResponse, TicketView } from '../../common/api.ts';
import { createCallRecords } from '../../server/calls/service.ts';
import { type AuthHeaders, buildFixture, type Fixture, logger } from './server-fixture.ts';

type Who = 'anonymous' | 'operator' | 'supervisor' | 'admin' | 'liaison';
const LOGINS: Record<Exclude<Who, 'anonymous'>, string> = {
  operator: 'tdv01',
  supervisor: 'giamsat',
  admin: 'quantri',
  liaison: 'syt',
};

let fx: Fixture;
const sessions = new Map<Who, AuthHeaders>();
let sctId: number;
const RECORDED_CALL = 'call-with-message';

beforeAll(async () => {
  fx = await buildFixture();
  for (const [who, username] of Object.entries(LOGINS)) sessions.set(who as Who, await fx.session(username));
  const agencies = await fx.app.inject({ url: '/api/agencies', headers: sessions.get('admin')! });
  sctId = agencies.json<ListResponse<AgencyView>>().data.find((a) => a.code === 'sct')!.id;
  // A citizen's after-hours message, stored in Asterisk and named on the call record.
  const records = createCallRecords({ db: fx.db, logger, serviceLevelSeconds: 20 });
  const at = new Date();
  records.record({ type: 'arrived', callId: RECORDED_CALL, callerNumber: '0912000999', at });
  records.record({
    type: 'recorded',
    callId: RECORDED_CALL,
    kind: 'message',
    name: `message-${RECORDED_CALL}`,
    at,
  });
  records.record({ type: 'ended', callId: RECORDED_CALL, reason: 'after_hours_message', at });
  records.flush();
  fx.desk.recordings.set(`message-${RECORDED_CALL}`, Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(40)]));
});
afterAll(async () => {
  await fx.close();
});

/** A fresh ticket (health → Sở Y tế, or goods → Sở Công Thương), moved on by a supervisor. */
async function ticket(category: 'health' | 'goods', actions: string[] = []): Promise<number> {
  const supervisor = sessions.get('supervisor')!;
  const created = await fx.app.inject({
    method: 'POST',
    url: '/api/tickets',
    headers: supervisor,
    payload: { callerNumber: '0912345678', category, description: 'Phản ánh.' },
  });
  const id = created.json<TicketView>().id;
  for (const action of actions) {
    const res = await fx.app.inject({
      method: 'POST',
      url: `/api/tickets/${id}/actions`,
      headers: supervisor,
      payload: { action, text: 'Kết quả' },
    });
    expect(res.statusCode).toBe(200);
  }
  return id;
}

interface Case {
  route: string;
  request: () => Promise<{
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    url: string;
    payload?: object;
  }>;
  expect: Record<Who, number>;
}

const all = (status: number): Record<Who, number> => ({
  anonymous: 401,
  operator: status,
  supervisor: status,
  admin: status,
  liaison: status,
});

const CASES: Case[] = [
  { route: 'GET /api/me', request: async () => ({ method: 'GET', url: '/api/me' }), expect: all(200) },
  {
    route: 'GET /api/agencies',
    request: async () => ({ method: 'GET', url: '/api/agencies' }),
    expect: all(200),
  },
  {
    route: 'GET /api/routing/suggest',
    request: async () => ({ method: 'GET', url: '/api/routing/suggest?category=health' }),
    expect: { ...all(200), liaison: 403 },
  },
  {
    route: 'GET /api/routing/exceptions',
    request: async () => ({ method: 'GET', url: '/api/routing/exceptions?category=infrastructure' }),
    expect: { ...all(200), liaison: 403 },
  },
  {
    route: 'PUT /api/routing/exceptions',
    request: async () => ({
      method: 'PUT',
      url: '/api/routing/exceptions',
      payload: { category: 'goods', unitCode: '26017', agencyId: sctId },
    }),
    expect: { ...all(403), admin: 200 },
  },
  {
    route: 'GET /api/categories',
    request: async () => ({ method: 'GET', url: '/api/categories' }),
    expect: all(200),
  },
  {
    route: 'PATCH /api/admin/categories/:key',
    request: async () => ({
      method: 'PATCH',
      url: '/api/admin/categories/goods',
      payload: { sortOrder: 3 },
    }),
    expect: { ...all(403), admin: 200 },
  },
  {
    route: 'POST /api/tickets',
    request: async () => ({
      method: 'POST',
      url: '/api/tickets',
      payload: { callerNumber: '0912345678', category: 'health', description: 'Hỏi.' },
    }),
    expect: { ...all(201), liaison: 403 },
  },
  {
    route: 'GET /api/tickets',
    request: async () => ({ method: 'GET', url: '/api/tickets' }),
    expect: all(200),
  },
  {
    route: 'GET /api/tickets/:id (own agency)',
    request: async () => ({ method: 'GET', url: `/api/tickets/${await ticket('health')}` }),
    expect: all(200),
  },
  {
    route: 'GET /api/tickets/:id (other agency)',
    request: async () => ({ method: 'GET', url: `/api/tickets/${await ticket('goods')}` }),
    expect: { ...all(200), liaison: 404 },
  },
  {
    route: 'POST /api/tickets/:id/actions acknowledge (own agency)',
    request: async () => ({
      method: 'POST',
      url: `/api/tickets/${await ticket('health')}/actions`,
      payload: { action: 'acknowledge' },
    }),
    expect: { ...all(200), operator: 403 },
  },
  {
    route: 'POST /api/tickets/:id/actions acknowledge (other agency)',
    request: async () => ({
      method: 'POST',
      url: `/api/tickets/${await ticket('goods')}/actions`,
      payload: { action: 'acknowledge' },
    }),
    expect: { ...all(200), operator: 403, liaison: 404 },
  },
  {
    route: 'POST /api/tickets/:id/actions approve',
    request: async () => ({
      method: 'POST',
      url: `/api/tickets/${await ticket('health', ['acknowledge', 'post_result'])}/actions`,
      payload: { action: 'approve' },
    }),
    expect: { ...all(200), operator: 403, liaison: 403 },
  },
  {
    route: 'POST /api/tickets/:id/actions reject',
    request: async () => ({
      method: 'POST',
      url: `/api/tickets/${await ticket('health')}/actions`,
      payload: { action: 'reject', reason: 'Không thuộc thẩm quyền' },
    }),
    expect: { ...all(200), operator: 403, liaison: 403 },
  },
  {
    route: 'POST /api/tickets/:id/extension',
    request: async () => ({
      method: 'POST',
      url: `/api/tickets/${await ticket('health')}/extension`,
      payload: { reason: 'Cần khảo sát thực địa', resolveDueAt: '2099-01-01T00:00:00.000Z' },
    }),
    expect: { ...all(200), operator: 403, liaison: 403 },
  },
  {
    route: 'GET /api/calls',
    request: async () => ({ method: 'GET', url: '/api/calls' }),
    expect: { ...all(200), operator: 403, liaison: 403 },
  },
  {
    route: 'GET /api/calls/:id',
    request: async () => ({ method: 'GET', url: `/api/calls/${RECORDED_CALL}` }),
    expect: { ...all(200), liaison: 403 },
  },
  {
    // A citizen's voice is for the hotline's staff only; an agency is not even told it exists. An
    // operator hears this after-hours message as any open callback's (recording-access.test.ts).
    route: 'GET /api/calls/:id/recording',
    request: async () => ({ method: 'GET', url: `/api/calls/${RECORDED_CALL}/recording` }),
    expect: { ...all(200), liaison: 404 },
  },
  {
    route: 'GET /api/callbacks',
    request: async () => ({ method: 'GET', url: '/api/callbacks' }),
    expect: { ...all(200), liaison: 403 },
  },
  {
    route: 'POST /api/auth/logout',
    request: async () => ({ method: 'POST', url: '/api/auth/logout' }),
    expect: all(204),
  },
];

const ROWS = CASES.flatMap((c) =>
  (Object.keys(c.expect) as Who[]).map((who) => [c.route, who, c.expect[who], c] as const),
);

describe('route × role', () => {
  it.each(ROWS)('%s as %s → %i', async (_, who, status, c) => {
    const request = await c.request();
    // Logging out ends the session the other rows use; log in afresh for that row.
    const headers =
      who === 'anonymous'
        ? {}
        : c.route === 'POST /api/auth/logout'
          ? await fx.session(LOGINS[who])
          : sessions.get(who)!;
    const res = await fx.app.inject({ ...request, headers });
    expect(res.statusCode, res.body).toBe(status);
    if (status >= 400) expect(res.json().error.code).toBeTypeOf('string');
  });
});
