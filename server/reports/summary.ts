/**
 * The summary of a period: every report, and the headline figures the monitoring team reads
 * first (also the mail's subject and body). Its workbook opens on an overview sheet, then one
 * sheet per report table. The calls go by the hour for a single day, by the day otherwise.
 */
import { setImmediate } from 'node:timers/promises';
import type { ReportByKind, ReportGranularity } from '../../common/api.ts';
import type { Db } from '../db/index.ts';
import { buildReport, type ReportOptions } from './build.ts';
import type { LocalPeriod } from './period.ts';
import { type ReportTable, reportTables } from './tables.ts';
import { toXlsx } from './xlsx.ts';

export interface Headline {
  offered: number;
  answered: number;
  abandoned: number;
  serviceLevel: number | null;
  callbacksOpened: number;
  callbacksOpenAtEnd: number;
  ticketsCreated: number;
  ticketsResolved: number;
  ticketsResolvedOnTime: number;
  onTimeRate: number | null;
  ticketsOverdue: number;
}

export interface Summary {
  period: { from: string; to: string };
  reports: ReportByKind;
  headline: Headline;
  tables: ReportTable[];
}

function headlineOf(r: ReportByKind): Headline {
  // Each ticket is in exactly one category: the categories' sums are the totals.
  const sum = (key: 'created' | 'resolved' | 'resolvedOnTime' | 'overdue') =>
    r.tickets.byCategory.reduce((n, row) => n + row[key], 0);
  const resolved = sum('resolved');
  return {
    offered: r.calls.total.offered,
    answered: r.calls.total.answered,
    abandoned: r.calls.total.abandoned,
    serviceLevel: r.calls.total.serviceLevel,
    callbacksOpened: r.callbacks.total.opened,
    callbacksOpenAtEnd: r.callbacks.openAtEnd,
    ticketsCreated: sum('created'),
    ticketsResolved: resolved,
    ticketsResolvedOnTime: sum('resolvedOnTime'),
    onTimeRate: resolved > 0 ? sum('resolvedOnTime') / resolved : null,
    ticketsOverdue: sum('overdue'),
  };
}

function overview(period: { from: string; to: string }, h: Headline): ReportTable {
  return {
    title: 'Tổng quan',
    columns: [
      { header: 'Chỉ số', kind: 'text' },
      { header: 'Số lượng', kind: 'count' },
      { header: 'Tỷ lệ (%)', kind: 'percent' },
    ],
    rows: [
      ['Cuộc gọi vào hàng chờ', h.offered, null],
      ['Đã trả lời', h.answered, h.offered > 0 ? h.answered / h.offered : null],
      ['Bỏ máy khi chờ', h.abandoned, h.offered > 0 ? h.abandoned / h.offered : null],
      ['Mức phục vụ', null, h.serviceLevel],
      ['Yêu cầu gọi lại mới', h.callbacksOpened, null],
      ['Yêu cầu gọi lại còn mở cuối kỳ', h.callbacksOpenAtEnd, null],
      ['Phiếu tiếp nhận', h.ticketsCreated, null],
      ['Phiếu đã giải quyết', h.ticketsResolved, null],
      ['Giải quyết đúng hạn', h.ticketsResolvedOnTime, h.onTimeRate],
      ['Phiếu quá hạn cuối kỳ', h.ticketsOverdue, null],
    ],
    notes: [['Kỳ báo cáo', `${period.from} – ${period.to}`]],
  };
}

/**
 * Builds the four reports one after the other, letting the event loop run between them: the
 * server process also runs call control, which must not wait for a whole week's summary.
 */
export async function buildSummary(
  db: Db,
  period: LocalPeriod,
  opts: ReportOptions & { now: Date; granularity?: ReportGranularity },
): Promise<Summary> {
  const base = { ...opts, granularity: 'day' as ReportGranularity };
  const calls = buildReport(db, 'calls', period, {
    ...base,
    granularity: opts.granularity ?? (period.days === 1 ? 'hour' : 'day'),
  });
  await setImmediate();
  const callbacks = buildReport(db, 'callbacks', period, base);
  await setImmediate();
  const operators = buildReport(db, 'operators', period, base);
  await setImmediate();
  const tickets = buildReport(db, 'tickets', period, base);
  const reports: ReportByKind = { calls, callbacks, operators, tickets };
  const headline = headlineOf(reports);
  const range = { from: period.from, to: period.to };
  return {
    period: range,
    reports,
    headline,
    tables: [
      overview(range, headline),
      ...reportTables('calls', reports.calls),
      ...reportTables('callbacks', reports.callbacks),
      ...reportTables('operators', reports.operators),
      ...reportTables('tickets', reports.tickets),
    ],
  };
}

export function summaryXlsx(summary: Summary, created: Date): Promise<Buffer> {
  return toXlsx(summary.tables, {
    created,
    title: `Báo cáo tổng hợp Tổng đài 1022 ${summary.period.from} – ${summary.period.to}`,
  });
}
