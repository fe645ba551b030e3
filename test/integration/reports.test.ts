import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgencyDeadlineReport, ListResponse, TicketView } from '../../common/api.ts';
import { agencies, tickets } from '../../server/db/schema.ts';
import { type AuthHeaders, buildFixture, type Fixture } from './server-fixture.ts';

const NOW = new Date('2025-06-10T03:00:00Z');
const H = 3600_000;
let fx: Fixture;
let supervisor: AuthHeaders;

beforeAll(async () => {
  fx = await buildFixture({ now: () => NOW });
  supervisor = await fx.session('giamsat');
});
afterAll(async () => {
  await fx.close();
});

async function ticket(
  category: 'health' | 'goods',
  set: Partial<typeof tickets.$inferInsert>,
): Promise<number> {
  const res = await fx.app.inject({
    method: 'POST',
    url: '/api/tickets',
    headers: supervisor,
    payload: { callerNumber: '0912345678', category, description: 'x' },
  });
  const { id } = res.json<TicketView>();
  fx.db.update(tickets).set(set).where(eq(tickets.id, id)).run();
  return id;
}

const at = (offsetH: number) => new Date(NOW.getTime() + offsetH * H);

describe('GET /api/reports/deadlines', () => {
  it('counts open, overdue, due-soon and on-time resolutions per agency', async () => {
    // Sở Y tế: one overdue (ack passed), one due within a day, one due later, three resolved in
    // June (two on time, one of them thanks to its extended deadline), one resolved in May.
    await ticket('health', { ackDueAt: at(-1), resolveDueAt: at(100) });
    await ticket('health', { status: 'acknowledged', ackedAt: at(-2), resolveDueAt: at(5) });
    await ticket('health', { status: 'in_progress', ackedAt: at(-2), resolveDueAt: at(48) });
    await ticket('health', { status: 'resolved', resolvedAt: at(-24), resolveDueAt: at(-20) });
    await ticket('health', { status: 'closed', resolvedAt: at(-30), resolveDueAt: at(-40) });
    await ticket('health', {
      status: 'resolved',
      resolvedAt: at(-10),
      resolveDueAt: at(-5),
      extensionReason: 'Chờ kết quả xét nghiệm',
      extensionGrantedAt: at(-50),
    });
    await ticket('health', {
      status: 'closed',
      resolvedAt: new Date('2025-05-20T00:00:00Z'),
      resolveDueAt: at(-1),
    });
    // Sở Công Thương: nothing resolved in the period.
    await ticket('goods', { ackDueAt: at(30), resolveDueAt: at(200) });

    const res = await fx.app.inject({
      url: '/api/reports/deadlines?from=2025-06-01&to=2025-06-11',
      headers: supervisor,
    });
    expect(res.statusCode).toBe(200);
    const report = res.json<ListResponse<AgencyDeadlineReport>>().data;
    const of = (code: string) => {
      const { agency: _, ...figures } = report.find((r) => r.agency.code === code)!;
      return figures;
    };
    expect(of('syt')).toEqual({
      open: 3,
      overdue: 1,
      dueSoon: 1,
      resolved: 3,
      resolvedOnTime: 2,
      onTimeRate: 2 / 3,
    });
    expect(of('sct')).toEqual({
      open: 1,
      overdue: 0,
      dueSoon: 0,
      resolved: 0,
      resolvedOnTime: 0,
      onTimeRate: null,
    });
    // Every agency has a line, even without tickets.
    const agencies = await fx.app.inject({ url: '/api/agencies', headers: supervisor });
    expect(report).toHaveLength(agencies.json<ListResponse<unknown>>().data.length);
  });

  it('leaves out a deactivated agency with nothing to show, not one that still holds tickets', async () => {
    await ticket('goods', { priority: 'normal' });
    const deactivate = (active: boolean) =>
      fx.db
        .update(agencies)
        .set({ active })
        .where(inArray(agencies.code, ['sct', 'stc']))
        .run();
    deactivate(false);
    try {
      const res = await fx.app.inject({ url: '/api/reports/deadlines', headers: supervisor });
      const codes = res.json<ListResponse<AgencyDeadlineReport>>().data.map((r) => r.agency.code);
      expect(codes).toContain('sct');
      expect(codes).not.toContain('stc');
      expect(codes).toContain('syt');
    } finally {
      deactivate(true);
    }
  });

  it('rejects bad periods with 400 and other roles with 403', async () => {
    for (const query of [
      'from=2025-06-11&to=2025-06-01',
      'from=yesterday',
      'from=2025-13-45',
      'from=2020-01-01&to=2025-01-01',
    ]) {
      const res = await fx.app.inject({ url: `/api/reports/deadlines?${query}`, headers: supervisor });
      expect(res.statusCode, query).toBe(400);
      expect(res.json<{ error: { code: string } }>().error.code).toMatch(/INVALID_PERIOD|VALIDATION/);
    }
    for (const who of ['tdv01', 'syt']) {
      const res = await fx.app.inject({ url: '/api/reports/deadlines', headers: await fx.session(who) });
      expect(res.statusCode).toBe(403);
    }
    expect(
      (await fx.app.inject({ url: '/api/reports/deadlines', headers: await fx.session('quantri') }))
        .statusCode,
    ).toBe(200);
  });
});
