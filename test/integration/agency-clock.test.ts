/**
 * An agency's clock counts only while the ticket is with it, through the HTTP API on a real SQLite
 * database with a clock the test moves. Urgent tickets (24 h to resolve, elapsed time) so every
 * deadline is worked out by hand; T0 is Tuesday 1 December 2026, 08:00 local time (UTC+7).
 *
 * - A: syt posts its result at T0+20h; the hotline approves at T0+30h, after the 24 h deadline.
 * - B: syt posts at T0+10h; sent back at T0+16h (6 h of review: due T0+30h); posts again at
 *   T0+28h; approved at T0+29h.
 * - C: goods, assigned to sct, which returns it at T0+1h; the hotline re-routes it to syt at
 *   T0+27h (due T0+51h).
 * - D: syt acknowledges and never posts until T0+32h; approved at T0+33h (late: the control).
 * - E: created the day before (due T0); syt posts at T0−12h, approved at T0+26h.
 * - F: created the day before (due T0); syt posts at T0+25h, approved at T0+27h (late).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgencyDeadlineReport, TicketReportRow, TicketsReport, TicketView } from '../../common/api.ts';
import { type AuthHeaders, buildFixture, type Fixture } from './server-fixture.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 1, 8 - 7);
const clock = { at: T0 };
const h = (hours: number) => new Date(T0 + hours * HOUR);

let fx: Fixture;
const ids: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F', number> = { A: 0, B: 0, C: 0, D: 0, E: 0, F: 0 };
/** What was seen at T0+26h, while A waited for review, B was back with syt and C was returned. */
let at26: {
  overdueList: number[];
  views: Record<string, TicketView>;
  deadlines: AgencyDeadlineReport[];
  byAgencyToday: TicketReportRow[];
};

async function as(username: string): Promise<AuthHeaders> {
  return fx.session(username);
}

async function at(hours: number, username: string, run: (headers: AuthHeaders) => Promise<void>) {
  clock.at = T0 + hours * HOUR;
  await run(await as(username));
}

async function create(headers: AuthHeaders, category: 'health' | 'goods'): Promise<number> {
  const res = await fx.app.inject({
    method: 'POST',
    url: '/api/tickets',
    headers,
    payload: {
      callerNumber: '0912345678',
      category,
      unitCode: '26068',
      description: 'Phản ánh của người dân.',
      priority: 'urgent',
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<TicketView>().id;
}

async function act(headers: AuthHeaders, id: number, payload: object): Promise<void> {
  const res = await fx.app.inject({ method: 'POST', url: `/api/tickets/${id}/actions`, headers, payload });
  expect(res.statusCode, res.body).toBe(200);
}

async function get<T>(url: string): Promise<T> {
  const res = await fx.app.inject({ url, headers: await as('giamsat') });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json<T | { data: T }>();
  return typeof body === 'object' && body !== null && 'data' in body ? body.data : (body as T);
}

const result = { action: 'post_result', text: 'Đã xử lý xong.' };

beforeAll(async () => {
  fx = await buildFixture({ now: () => new Date(clock.at) });
  const syt = (hours: number, run: (headers: AuthHeaders) => Promise<void>) => at(hours, 'syt', run);
  const hotline = (hours: number, run: (headers: AuthHeaders) => Promise<void>) => at(hours, 'giamsat', run);

  // The day before: E and F, due at T0.
  await hotline(-24, async (hq) => {
    ids.E = await create(hq, 'health');
    ids.F = await create(hq, 'health');
  });
  await syt(-23, async (a) => {
    await act(a, ids.E, { action: 'acknowledge' });
    await act(a, ids.F, { action: 'acknowledge' });
  });
  await syt(-12, (a) => act(a, ids.E, result));

  await hotline(0, async (hq) => {
    ids.A = await create(hq, 'health');
    ids.B = await create(hq, 'health');
    ids.C = await create(hq, 'goods');
    ids.D = await create(hq, 'health');
  });
  await syt(1, async (a) => {
    for (const id of [ids.A, ids.B, ids.D]) await act(a, id, { action: 'acknowledge' });
  });
  await at(1, 'sct', (a) => act(a, ids.C, { action: 'return', reason: 'Không thuộc thẩm quyền của Sở.' }));
  await syt(10, (a) => act(a, ids.B, result));
  await hotline(16, (hq) => act(hq, ids.B, { action: 'send_back', reason: 'Thiếu ảnh hiện trường.' }));
  await syt(20, (a) => act(a, ids.A, result));
  await syt(25, (a) => act(a, ids.F, result));

  // T0+26h: A in review past its deadline, B back with syt (due T0+30h), C returned, D overdue.
  clock.at = T0 + 26 * HOUR;
  const overdue = await get<TicketView[] | { items: TicketView[] }>('/api/tickets?overdue=true&limit=100');
  const list = Array.isArray(overdue) ? overdue : overdue.items;
  const views: Record<string, TicketView> = {};
  for (const [name, id] of Object.entries(ids)) views[name] = await get<TicketView>(`/api/tickets/${id}`);
  at26 = {
    overdueList: list.map((t) => t.id).sort(),
    views,
    deadlines: await get<AgencyDeadlineReport[]>(
      `/api/reports/deadlines?from=${h(-48).toISOString()}&to=${h(26).toISOString()}`,
    ),
    byAgencyToday: (await get<TicketsReport>('/api/reports/tickets?from=2026-12-01&to=2026-12-02')).byAgency,
  };

  await hotline(26, (hq) => act(hq, ids.E, { action: 'approve' }));
  await hotline(27, async (hq) => {
    await act(hq, ids.F, { action: 'approve' });
    await act(hq, ids.C, { action: 'assign', agencyId: agencyId('syt') });
  });
  await syt(28, (a) => act(a, ids.B, result));
  await hotline(29, (hq) => act(hq, ids.B, { action: 'approve' }));
  await hotline(30, (hq) => act(hq, ids.A, { action: 'approve' }));
  await syt(32, (a) => act(a, ids.D, result));
  await hotline(33, (hq) => act(hq, ids.D, { action: 'approve' }));
  clock.at = T0 + 7 * 24 * HOUR;
});
afterAll(async () => {
  await fx.close();
});

function agencyId(code: string): number {
  const row = fx.db.$client.prepare('select id from agencies where code = ?').get(code) as { id: number };
  return row.id;
}

const row = (rows: { key: string }[], key: string) => rows.find((r) => r.key === key);
const deadlinesOf = (code: string) => at26.deadlines.find((r) => r.agency.id === agencyId(code));

describe('while the ticket is not with the agency, its clock stands', () => {
  it('a result under review is not overdue, though the deadline passed during the review', () => {
    expect(at26.views.A).toMatchObject({ status: 'pending_review', overdue: false });
    expect(at26.overdueList).not.toContain(ids.A);
  });

  it('a result sent back resumes the clock with the deadline moved by the review (6 h)', () => {
    expect(at26.views.B).toMatchObject({
      status: 'in_progress',
      overdue: false,
      resolveDueAt: h(30).toISOString(),
    });
    expect(at26.overdueList).not.toContain(ids.B);
  });

  it('a ticket the agency returned is overdue for nobody, and leaves that agency’s figures', () => {
    expect(at26.views.C).toMatchObject({ status: 'returned', overdue: false });
    expect(at26.overdueList).not.toContain(ids.C);
    expect(deadlinesOf('sct')).toMatchObject({ open: 0, overdue: 0 });
    expect(row(at26.byAgencyToday, String(agencyId('sct')))).toMatchObject({ overdue: 0 });
  });

  it('a ticket still with the agency past its deadline is overdue (the control)', () => {
    expect(at26.views.D).toMatchObject({ status: 'acknowledged', overdue: true });
    expect(at26.overdueList).toEqual([ids.D]);
    // syt: D overdue; A (review) and B (due T0+30h) open, not overdue; E and F in review.
    expect(deadlinesOf('syt')).toMatchObject({ open: 5, overdue: 1, dueSoon: 1 });
    expect(row(at26.byAgencyToday, String(agencyId('syt')))).toMatchObject({ overdue: 1 });
  });
});

describe('resolved when the agency resolved it', () => {
  it('stamps the agency’s result, and keeps the approval apart', () => {
    const stamps = (id: number) =>
      fx.db.$client.prepare('select resolved_at, approved_at from tickets where id = ?').get(id);
    expect(stamps(ids.A)).toEqual({ resolved_at: h(20).getTime(), approved_at: h(30).getTime() });
    expect(stamps(ids.B)).toEqual({ resolved_at: h(28).getTime(), approved_at: h(29).getTime() });
  });

  it('counts on time what the agency resolved within its own time, by agency', async () => {
    const report = await get<TicketsReport>('/api/reports/tickets?from=2026-12-01&to=2026-12-02');
    const { key: _k, label: _l, ...syt } = row(report.byAgency, String(agencyId('syt'))) as TicketReportRow;
    // Created 1 Dec: A, B, C (now syt's), D. Resolved on 1–2 Dec: A (T0+20h ≤ 24h), B (T0+28h ≤
    // 30h), D (T0+32h, late), F (T0+25h, late); E resolved on 30 Nov. Overdue at the end (T0+40h):
    // C, re-routed to syt at T0+27h and not acknowledged by T0+29h; it counts for syt, never sct.
    expect(syt).toEqual({ created: 4, resolved: 4, resolvedOnTime: 2, onTimeRate: 0.5, overdue: 1 });
    const { key: _k2, label: _l2, ...sct } = row(report.byAgency, String(agencyId('sct'))) as TicketReportRow;
    expect(sct).toEqual({ created: 0, resolved: 0, resolvedOnTime: 0, onTimeRate: null, overdue: 0 });
  });

  it('overdue at a period’s end only if the agency still had the ticket then', async () => {
    // 1 Dec ends at T0+16h: E (resolved at T0−12h, approved at T0+26h) was in review, not overdue;
    // F (due T0, resolved at T0+25h) still with syt: overdue.
    const report = await get<TicketsReport>('/api/reports/tickets?from=2026-12-01&to=2026-12-01');
    expect(row(report.byAgency, String(agencyId('syt')))).toMatchObject({ overdue: 1 });
  });

  it('the deadline report counts as resolved and on time what the agency resolved in time', async () => {
    const report = await get<AgencyDeadlineReport[]>(
      `/api/reports/deadlines?from=${h(-8).toISOString()}&to=${h(40).toISOString()}`,
    );
    const syt = report.find((r) => r.agency.id === agencyId('syt'));
    // A, B, D and F resolved from 1 Dec 00:00 to 2 Dec 24:00; A and B in time. Open now: C, which
    // syt never answered by T0+51h: it counts against syt, the agency it went to next.
    expect(syt).toMatchObject({ open: 1, overdue: 1, resolved: 4, resolvedOnTime: 2 });
    expect(report.find((r) => r.agency.id === agencyId('sct'))).toMatchObject({
      open: 0,
      overdue: 0,
      resolved: 0,
    });
  });
});
