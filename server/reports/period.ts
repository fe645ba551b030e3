/**
 * Report periods. The figures' reports (calls, callbacks, operators, tickets) take whole local
 * days (Asia/Ho_Chi_Minh, UTC+7 all year, no daylight saving), `from` and `to` both included;
 * the older deadline report takes instants (`parsePeriod`). Pure: `now` is a parameter.
 */
import type { ReportGranularity, ReportPeriod } from '../../common/api.ts';
import { VIETNAM_UTC_OFFSET_MINUTES } from '../calls/stats.ts';
import { AppError } from '../errors.ts';

export const HOUR_MS = 3600_000;
export const DAY_MS = 24 * HOUR_MS;
const OFFSET_MS = VIETNAM_UTC_OFFSET_MINUTES * 60_000;
/** Longest period a report may cover. */
export const MAX_PERIOD_DAYS = 366;
/** Longest period a report by the hour may cover (744 rows). */
export const MAX_HOURLY_DAYS = 31;
/** Days a report covers when the request names none: the week up to today. */
const DEFAULT_DAYS = 7;

export class InvalidPeriodError extends AppError {
  constructor(message: string) {
    super('INVALID_PERIOD', 400, message);
  }
}

/** A period of local days as the reports read it: the days, and the instants they span. */
export interface LocalPeriod extends ReportPeriod {
  /** Local midnight starting `from`. */
  start: Date;
  /** Local midnight after `to` (exclusive). */
  end: Date;
  days: number;
}

/** The local day (`YYYY-MM-DD`) containing `at`. */
export function localDay(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** Local midnight starting `day` (`YYYY-MM-DD`), as an instant; null when it is no real date. */
export function localMidnight(day: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const utc = new Date(`${day}T00:00:00Z`);
  // `2026-02-30` parses as 2 March: the round trip catches it.
  if (Number.isNaN(utc.getTime()) || utc.toISOString().slice(0, 10) !== day) return null;
  return new Date(utc.getTime() - OFFSET_MS);
}

/** `day` moved by `n` days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  return new Date(d.getTime() + n * DAY_MS).toISOString().slice(0, 10);
}

/** The ISO time of `at` in local time, e.g. `2026-12-01T08:00:00+07:00`, as rows' `start`. */
export function localIso(at: Date): string {
  return `${new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 19)}+07:00`;
}

/** The local days from `from` to `to`, both included. */
export function localPeriod(from: string, to: string): LocalPeriod {
  const start = localMidnight(from);
  const last = localMidnight(to);
  if (!start || !last) throw new InvalidPeriodError(`Khoảng ngày ${from} – ${to} không hợp lệ.`);
  const end = new Date(last.getTime() + DAY_MS);
  return { from, to, start, end, days: Math.round((end.getTime() - start.getTime()) / DAY_MS) };
}

function day(text: string, name: 'from' | 'to'): string {
  if (localMidnight(text) === null) {
    const label = name === 'from' ? 'bắt đầu' : 'kết thúc';
    throw new InvalidPeriodError(
      `Ngày ${label} ("${name}") không hợp lệ: "${text}". Hãy nhập một ngày có thật theo dạng NNNN-TT-NN, ví dụ 2026-12-01.`,
    );
  }
  return text;
}

/**
 * The local days a report request asks for, checked: real dates, `from` not after `to`, at most
 * `MAX_PERIOD_DAYS`, and at most `MAX_HOURLY_DAYS` by the hour. Without dates: the week up to
 * today; a lone `from` runs to today, a lone `to` starts a week before it.
 */
export function parseLocalPeriod(
  query: { from?: string; to?: string; granularity?: ReportGranularity },
  now: Date,
): LocalPeriod & { granularity: ReportGranularity } {
  const to = query.to !== undefined ? day(query.to, 'to') : localDay(now);
  const from = query.from !== undefined ? day(query.from, 'from') : addDays(to, -(DEFAULT_DAYS - 1));
  if (from > to) {
    throw new InvalidPeriodError(
      `Ngày bắt đầu (${from}) đang sau ngày kết thúc (${to}): hãy chọn ngày bắt đầu trước hoặc bằng ngày kết thúc.`,
    );
  }
  const period = localPeriod(from, to);
  if (period.days > MAX_PERIOD_DAYS) {
    throw new InvalidPeriodError(
      `Khoảng thời gian báo cáo tối đa ${MAX_PERIOD_DAYS} ngày; khoảng đã chọn có ${period.days} ngày.`,
    );
  }
  const granularity = query.granularity ?? 'day';
  if (granularity === 'hour' && period.days > MAX_HOURLY_DAYS) {
    throw new InvalidPeriodError(
      `Báo cáo theo giờ chỉ xem được tối đa ${MAX_HOURLY_DAYS} ngày; khoảng đã chọn có ${period.days} ngày. Hãy chọn xem theo ngày hoặc rút ngắn khoảng thời gian.`,
    );
  }
  return { ...period, granularity };
}

function parseTime(text: string, name: string): Date {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new InvalidPeriodError(`Thời điểm "${name}" không hợp lệ.`);
  return d;
}

/** The instants the deadline report asks for; by default the 30 days up to now. */
export function parsePeriod(query: { from?: string; to?: string }, now: Date): { from: Date; to: Date } {
  const to = query.to !== undefined ? parseTime(query.to, 'to') : now;
  const from =
    query.from !== undefined ? parseTime(query.from, 'from') : new Date(to.getTime() - 30 * DAY_MS);
  if (from.getTime() >= to.getTime())
    throw new InvalidPeriodError('Thời điểm bắt đầu phải trước thời điểm kết thúc.');
  if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY_MS) {
    throw new InvalidPeriodError(`Khoảng thời gian báo cáo tối đa ${MAX_PERIOD_DAYS} ngày.`);
  }
  return { from, to };
}

/** The start of each hour or local day of the period, oldest first. */
export function bucketStarts(period: LocalPeriod, granularity: ReportGranularity): Date[] {
  const step = granularity === 'hour' ? HOUR_MS : DAY_MS;
  const starts: Date[] = [];
  for (let t = period.start.getTime(); t < period.end.getTime(); t += step) starts.push(new Date(t));
  return starts;
}
