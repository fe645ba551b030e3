/** GET /api/reports/<kind>: every figure on records whose answers are known by hand. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CallbacksReport,
  CallsReport,
  OperatorsReport,
  TicketReportRow,
  TicketsReport,
} from '../../common/api.ts';
import { NOW, type Seeded, seedReportRecords } from './reports-fixture.ts';
import { type AuthHeaders, buildFixture, type Fixture } from './server-fixture.ts';

let fx: Fixture;
let supervisor: AuthHeaders;
let seeded: Seeded;

beforeAll(async () => {
  fx = await buildFixture({ now: () => NOW });
  supervisor = await fx.session('giamsat');
  seeded = seedReportRecords(fx.db, {
    tdv01: fx.userId('tdv01'),
    tdv02: fx.userId('tdv02'),
    tdv03: fx.userId('tdv03'),
  });
});
afterAll(async () => {
  await fx.close();
});

async function get<T>(url: string, headers: Record<string, string> = supervisor): Promise<T> {
  const res = await fx.app.inject({ url, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<T>();
}

const empty = { offered: 0, answered: 0, abandoned: 0, abandonedAfterThreshold: 0 };
const none = { serviceLevel: null, averageWaitSeconds: null, averageTalkSeconds: null };

describe('calls report', () => {
  it('sums each local day, the service level leaving out short abandons', async () => {
    const report = await get<CallsReport>('/api/reports/calls?from=2026-12-01&to=2026-12-02&granularity=day');
    expect(report.period).toEqual({ from: '2026-12-01', to: '2026-12-02' });
    expect(report.granularity).toBe('day');
    expect(report.serviceLevelSeconds).toBe(20);
    expect(report.shortAbandonSeconds).toBe(5);
    expect(report.rows).toEqual([
      {
        // The midnight call, 8:00 (15 s), 8:30 (40 s), 8:45 (abandoned after 3 s), 10:00 (after 30 s).
        start: '2026-12-01T00:00:00+07:00',
        offered: 5,
        answered: 3,
        abandoned: 2,
        abandonedAfterThreshold: 1,
        // Within 20 s: the midnight call (5 s) and 8:00 (15 s), of 3 answered + 1 long abandon.
        serviceLevel: 2 / 4,
        averageWaitSeconds: (5 + 15 + 40) / 3,
        averageTalkSeconds: (30 + 120 + 60) / 3,
      },
      {
        // 14:00 answered at exactly 20 s, still talking; 23:59:59 asked for a callback.
        start: '2026-12-02T00:00:00+07:00',
        offered: 2,
        answered: 1,
        abandoned: 0,
        abandonedAfterThreshold: 0,
        serviceLevel: 1,
        averageWaitSeconds: 20,
        averageTalkSeconds: null,
      },
    ]);
    expect(report.total).toEqual({
      offered: 7,
      answered: 4,
      abandoned: 2,
      abandonedAfterThreshold: 1,
      serviceLevel: 3 / 5,
      averageWaitSeconds: 20,
      averageTalkSeconds: 70,
    });
  });

  it('has every hour of the day, empty ones included, by local time', async () => {
    const report = await get<CallsReport>(
      '/api/reports/calls?from=2026-12-01&to=2026-12-01&granularity=hour',
    );
    expect(report.rows).toHaveLength(24);
    expect(report.rows.map((r) => r.start)).toEqual(
      Array.from({ length: 24 }, (_, h) => `2026-12-01T${String(h).padStart(2, '0')}:00:00+07:00`),
    );
    expect(report.rows[0]).toMatchObject({
      offered: 1,
      answered: 1,
      serviceLevel: 1,
      averageWaitSeconds: 5,
      averageTalkSeconds: 30,
    });
    expect(report.rows[8]).toEqual({
      start: '2026-12-01T08:00:00+07:00',
      offered: 3,
      answered: 2,
      abandoned: 1,
      abandonedAfterThreshold: 0,
      serviceLevel: 1 / 2,
      averageWaitSeconds: 27.5,
      averageTalkSeconds: 90,
    });
    // The menu hang-up at 9:00 never reached a queue.
    expect(report.rows[9]).toEqual({ start: '2026-12-01T09:00:00+07:00', ...empty, ...none });
    expect(report.rows[10]).toEqual({
      start: '2026-12-01T10:00:00+07:00',
      offered: 1,
      answered: 0,
      abandoned: 1,
      abandonedAfterThreshold: 1,
      serviceLevel: 0,
      averageWaitSeconds: null,
      averageTalkSeconds: null,
    });
    expect(report.rows[23]).toEqual({ start: '2026-12-01T23:00:00+07:00', ...empty, ...none });
    expect(report.total.offered).toBe(5);
  });

  it('defaults to days', async () => {
    const report = await get<CallsReport>('/api/reports/calls?from=2026-12-02&to=2026-12-02');
    expect(report.granularity).toBe('day');
    expect(report.rows).toHaveLength(1);
    expect(report.total.offered).toBe(2);
  });
});

describe('callbacks report', () => {
  it('counts tasks opened, reached, given up and attempts per day, and those open at the end', async () => {
    const report = await get<CallbacksReport>('/api/reports/callbacks?from=2026-12-01&to=2026-12-02');
    expect(report.rows).toEqual([
      { start: '2026-12-01T00:00:00+07:00', opened: 2, reached: 1, givenUp: 0, attempts: 2 },
      { start: '2026-12-02T00:00:00+07:00', opened: 2, reached: 0, givenUp: 1, attempts: 2 },
    ]);
    expect(report.total).toEqual({ opened: 4, reached: 1, givenUp: 1, attempts: 4 });
    // The one from before the period, the one opened on 2 Dec, and the one reached on 3 Dec.
    expect(report.openAtEnd).toBe(3);
  });
});

describe('operators report', () => {
  it('sums calls handled and time per state, clipped to the period', async () => {
    const report = await get<OperatorsReport>('/api/reports/operators?from=2026-12-01&to=2026-12-02');
    const row = (id: number) => report.rows.find((r) => r.operatorId === id);
    expect(row(seeded.operators.hoa)).toEqual({
      operatorId: seeded.operators.hoa,
      displayName: 'Nguyễn Thị Hoa',
      handled: 2,
      talkSeconds: 150,
      averageTalkSeconds: 75,
      wrapUpSeconds: 30,
      // The break began the evening before: only its hour inside the period counts.
      notReadySeconds: { break: 3600, training: 3600, callback_work: 0, missed_call: 0, connection_lost: 0 },
      readySeconds: 7 * 3600 + 3 * 3600 + 57 * 60 + 30,
    });
    expect(row(seeded.operators.minh)).toEqual({
      operatorId: seeded.operators.minh,
      displayName: 'Trần Văn Minh',
      handled: 2,
      talkSeconds: 60,
      averageTalkSeconds: 60,
      wrapUpSeconds: 0,
      // Connection lost at 23:00 on the last day: the hour up to the period's end.
      notReadySeconds: { break: 0, training: 0, callback_work: 0, missed_call: 300, connection_lost: 3600 },
      readySeconds: 2 * 3600 + 12 * 3600 + 55 * 60,
    });
    // Answered five seconds into the period a call that arrived before it.
    expect(row(seeded.operators.third)).toMatchObject({
      handled: 1,
      talkSeconds: 40,
      averageTalkSeconds: 40,
      readySeconds: 0,
      wrapUpSeconds: 0,
    });
    // Every operator has a row, by name.
    const tdv04 = row(fx.userId('tdv04'));
    expect(tdv04).toMatchObject({ handled: 0, talkSeconds: 0, averageTalkSeconds: null, readySeconds: 0 });
    const names = report.rows.map((r) => r.displayName);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'vi')));
  });

  it('stops a period still running at now', async () => {
    const at = new Date(NOW);
    const fx2 = await buildFixture({ now: () => at });
    try {
      const tdv01 = fx2.userId('tdv01');
      seedReportRecords(fx2.db, { tdv01, tdv02: fx2.userId('tdv02'), tdv03: fx2.userId('tdv03') });
      // "Now" is 1 Dec 11:30: ready since 08:02:30 runs to now, and the training at 12:00 (a row
      // written ahead of time) has not begun.
      at.setTime(Date.UTC(2026, 11, 1, 11 - 7, 30));
      const res = await fx2.app.inject({
        url: '/api/reports/operators?from=2026-12-01&to=2026-12-01',
        headers: await fx2.session('giamsat'),
      });
      const row = res.json<OperatorsReport>().rows.find((r) => r.operatorId === tdv01);
      expect(row?.readySeconds).toBe(7 * 3600 + 3 * 3600 + 27 * 60 + 30);
      expect(row?.notReadySeconds.training).toBe(0);
    } finally {
      await fx2.close();
    }
  });
});

describe('tickets report', () => {
  const figures = (rows: TicketReportRow[], key: string) => {
    const found = rows.find((r) => r.key === key);
    if (!found) throw new Error(`no row ${key}`);
    const { key: _k, label: _l, ...rest } = found;
    return rest;
  };
  const zero = { created: 0, resolved: 0, resolvedOnTime: 0, onTimeRate: null, overdue: 0 };

  it('counts created, resolved on time and overdue at the end by category, commune and agency', async () => {
    const report = await get<TicketsReport>('/api/reports/tickets?from=2026-12-01&to=2026-12-02');
    const health = { created: 3, resolved: 2, resolvedOnTime: 1, onTimeRate: 0.5, overdue: 1 };
    const goods = { created: 1, resolved: 0, resolvedOnTime: 0, onTimeRate: null, overdue: 2 };
    expect(figures(report.byCategory, 'health')).toEqual(health);
    expect(figures(report.byCategory, 'goods')).toEqual(goods);
    expect(figures(report.byCategory, 'welfare')).toEqual(zero);
    expect(report.byCategory.find((r) => r.key === 'health')?.label).toBe('Y tế, dịch bệnh');

    expect(figures(report.byAgency, String(seeded.agencies.syt))).toEqual(health);
    expect(figures(report.byAgency, String(seeded.agencies.sct))).toEqual(goods);

    const { first, second } = seeded.units;
    expect(report.byCommune.map((r) => r.key).sort()).toEqual(['', first.code, second.code].sort());
    expect(figures(report.byCommune, first.code)).toEqual({
      created: 3,
      resolved: 2,
      resolvedOnTime: 1,
      onTimeRate: 0.5,
      overdue: 0,
    });
    expect(figures(report.byCommune, second.code)).toEqual({ ...zero, created: 1, overdue: 2 });
    expect(figures(report.byCommune, '')).toEqual({ ...zero, overdue: 1 });
    expect(report.byCommune.find((r) => r.key === first.code)?.label).toBe(first.name);
    expect(report.byCommune.at(-1)).toMatchObject({ key: '', label: 'Chưa xác định' });
  });
});

describe('requests', () => {
  it('answers 400 INVALID_PERIOD in Vietnamese for bad, reversed, too long or too fine periods', async () => {
    const cases: [string, RegExp][] = [
      ['from=2026-02-30&to=2026-03-01', /Ngày bắt đầu \("from"\) không hợp lệ/],
      ['from=yesterday', /không hợp lệ/],
      ['from=2026-12-01&to=2026-12-1', /Ngày kết thúc \("to"\) không hợp lệ/],
      ['from=2026-12-07&to=2026-12-01', /đang sau ngày kết thúc/],
      ['from=2025-01-01&to=2026-01-02', /tối đa 366 ngày; khoảng đã chọn có 367 ngày/],
      ['from=2026-01-01&to=2026-02-01&granularity=hour', /theo giờ chỉ xem được tối đa 31 ngày/],
    ];
    for (const [query, message] of cases) {
      const res = await fx.app.inject({ url: `/api/reports/calls?${query}`, headers: supervisor });
      expect(res.statusCode, query).toBe(400);
      const { error } = res.json<{ error: { code: string; message: string } }>();
      expect(error.code, query).toBe('INVALID_PERIOD');
      expect(error.message, query).toMatch(message);
    }
    // 366 days and 31 days by the hour are allowed.
    for (const query of ['from=2025-01-01&to=2026-01-01', 'from=2026-01-01&to=2026-01-31&granularity=hour']) {
      const res = await fx.app.inject({ url: `/api/reports/calls?${query}`, headers: supervisor });
      expect(res.statusCode, query).toBe(200);
    }
  });

  it('is for supervisors and admins only', async () => {
    for (const kind of ['calls', 'callbacks', 'operators', 'tickets']) {
      const url = `/api/reports/${kind}?from=2026-12-01&to=2026-12-02`;
      for (const who of ['tdv01', 'syt']) {
        expect((await fx.app.inject({ url, headers: await fx.session(who) })).statusCode).toBe(403);
      }
      expect((await fx.app.inject({ url })).statusCode).toBe(401);
      expect((await fx.app.inject({ url, headers: await fx.session('quantri') })).statusCode).toBe(200);
    }
  });
});
