import { describe, expect, it } from 'vitest';
import {
  callbacksTable,
  callsTable,
  isEmptyReport,
  operatorsTable,
  ticketsTable,
} from '../../agent-console/src/report-tables.ts';
import type { CallsReport, OperatorReportRow, TicketReportRow } from '../../common/api.ts';

const period = { from: '2026-12-07', to: '2026-12-07' };

const calls: CallsReport = {
  period,
  granularity: 'hour',
  serviceLevelSeconds: 20,
  shortAbandonSeconds: 5,
  rows: [
    {
      start: '2026-12-07T08:00:00+07:00',
      offered: 1200,
      answered: 1100,
      abandoned: 100,
      abandonedAfterThreshold: 60,
      serviceLevel: 0.8125,
      averageWaitSeconds: 14.6,
      averageTalkSeconds: 3725,
    },
    {
      start: '2026-12-07T09:00:00+07:00',
      offered: 0,
      answered: 0,
      abandoned: 0,
      abandonedAfterThreshold: 0,
      serviceLevel: null,
      averageWaitSeconds: null,
      averageTalkSeconds: null,
    },
  ],
  total: {
    offered: 1200,
    answered: 1100,
    abandoned: 100,
    abandonedAfterThreshold: 60,
    serviceLevel: 0.8125,
    averageWaitSeconds: 14.6,
    averageTalkSeconds: 3725,
  },
};

const notReady = (s: number): OperatorReportRow['notReadySeconds'] => ({
  break: s,
  training: 0,
  callback_work: 0,
  missed_call: 0,
  connection_lost: 0,
});

describe('report tables', () => {
  it('writes calls with grouped counts, percentages and durations, and a dash for nothing to average', () => {
    const table = callsTable(calls);
    expect(table.columns.map((c) => c.header)).toEqual([
      'reports.hour',
      'reports.offered',
      'reports.answered',
      'reports.abandoned',
      'reports.abandonedAfterThreshold',
      'reports.serviceLevelWithin',
      'reports.averageWait',
      'reports.averageTalk',
    ]);
    expect(table.columns.map((c) => c.numeric)).toEqual([false, true, true, true, true, true, true, true]);
    expect(table.columns[4]?.params).toEqual({ seconds: 5 });
    expect(table.columns[5]?.params).toEqual({ seconds: 20 });
    expect(table.rows).toEqual([
      ['07/12 08:00', '1.200', '1.100', '100', '60', '81,3%', '0:15', '1:02:05'],
      ['07/12 09:00', '0', '0', '0', '0', '—', '—', '—'],
    ]);
    expect(table.total).toEqual(['1.200', '1.100', '100', '60', '81,3%', '0:15', '1:02:05']);
    expect(callsTable({ ...calls, granularity: 'day' }).columns[0]?.header).toBe('reports.day');
  });

  it('writes callbacks per day with their totals', () => {
    const table = callbacksTable({
      period,
      rows: [{ start: '2026-12-07T00:00:00+07:00', opened: 3, reached: 1, givenUp: 1, attempts: 4 }],
      total: { opened: 3, reached: 1, givenUp: 1, attempts: 4 },
      openAtEnd: 1,
    });
    expect(table.rows).toEqual([['07/12/2026', '3', '1', '1', '4']]);
    expect(table.total).toEqual(['3', '1', '1', '4']);
  });

  it('totals operators, the mean talk weighted by calls', () => {
    const row = (name: string, handled: number, avg: number | null): OperatorReportRow => ({
      operatorId: handled,
      displayName: name,
      handled,
      talkSeconds: handled * (avg ?? 0),
      averageTalkSeconds: avg,
      wrapUpSeconds: 30 * handled,
      notReadySeconds: notReady(600),
      readySeconds: 3600,
    });
    const table = operatorsTable({
      period,
      rows: [row('An', 3, 100), row('Bình', 1, 200), row('Chi', 0, null)],
    });
    expect(table.columns).toHaveLength(11);
    expect(table.rows[0]).toEqual([
      'An',
      '3',
      '5:00',
      '1:40',
      '1:30',
      '1:00:00',
      '10:00',
      '0:00',
      '0:00',
      '0:00',
      '0:00',
    ]);
    expect(table.rows[2]?.[3]).toBe('—');
    // (3 × 100 + 1 × 200) / 4 = 125 s.
    expect(table.total).toEqual([
      '4',
      '8:20',
      '2:05',
      '2:00',
      '3:00:00',
      '30:00',
      '0:00',
      '0:00',
      '0:00',
      '0:00',
    ]);
    expect(operatorsTable({ period, rows: [] }).total).toBeNull();
  });

  it('totals tickets, the on-time rate over all resolved tickets', () => {
    const rows: TicketReportRow[] = [
      { key: 'a', label: 'Điện', created: 4, resolved: 2, resolvedOnTime: 1, onTimeRate: 0.5, overdue: 1 },
      { key: 'b', label: 'Nước', created: 1, resolved: 0, resolvedOnTime: 0, onTimeRate: null, overdue: 0 },
      { key: 'c', label: 'Đường', created: 2, resolved: 2, resolvedOnTime: 2, onTimeRate: 1, overdue: 0 },
    ];
    const table = ticketsTable(rows, 'commune');
    expect(table.columns[0]?.header).toBe('reports.byCommune');
    expect(table.rows).toEqual([
      ['Điện', '4', '2', '1', '50%', '1'],
      ['Nước', '1', '0', '0', '—', '0'],
      ['Đường', '2', '2', '2', '100%', '0'],
    ]);
    expect(table.total).toEqual(['7', '4', '3', '75%', '1']);
    expect(ticketsTable([], 'agency').total).toBeNull();
  });

  it('calls a period empty only when every figure is 0', () => {
    const zero = { ...calls, rows: [calls.rows[1]!], total: { ...calls.rows[1]!, offered: 0 } };
    expect(isEmptyReport({ kind: 'calls', data: zero })).toBe(true);
    expect(isEmptyReport({ kind: 'calls', data: calls })).toBe(false);
    const idle: OperatorReportRow = {
      operatorId: 1,
      displayName: 'An',
      handled: 0,
      talkSeconds: 0,
      averageTalkSeconds: null,
      wrapUpSeconds: 0,
      notReadySeconds: notReady(0),
      readySeconds: 0,
    };
    expect(isEmptyReport({ kind: 'operators', data: { period, rows: [idle] } })).toBe(true);
    expect(
      isEmptyReport({
        kind: 'operators',
        data: { period, rows: [{ ...idle, notReadySeconds: notReady(5) }] },
      }),
    ).toBe(false);
    expect(
      isEmptyReport({
        kind: 'callbacks',
        data: { period, rows: [], total: { opened: 0, reached: 0, givenUp: 0, attempts: 0 }, openAtEnd: 2 },
      }),
    ).toBe(false);
  });
});
