/**
 * Pure rules of the reports page: the periods its quick choices stand for, the granularity of the
 * calls report, and how its figures are written. No DOM, no globals, so
 * unit tests run them in Node.
 *
 * Report days are the hotline's local days (Asia/Ho_Chi_Minh, as the server counts them), whatever
 * the browser's own time zone.
 */
import type { ReportGranularity, ReportKind, ReportPeriod } from '../../common/api.ts';

export const HOTLINE_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** Periods of at most this many days are shown hour by hour. */
export const HOURLY_MAX_DAYS = 2;

export const QUICK_PERIODS = ['today', 'last7', 'thisMonth', 'lastMonth'] as const;
export type QuickPeriod = (typeof QUICK_PERIODS)[number];

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/** `"2026-12-07"` → days since 1970-01-01; `null` when it is not a calendar day. */
function dayNumber(day: string): number | null {
  const m = DAY_RE.exec(day);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const back = new Date(ms);
  // 2026-02-30 is not a day, though Date.UTC would roll it over.
  if (back.getUTCDate() !== Number(m[3]) || back.getUTCMonth() !== Number(m[2]) - 1) return null;
  return ms / DAY_MS;
}

function dayString(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** The hotline's calendar day at `now`, `YYYY-MM-DD`. */
export function hotlineDay(now: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: HOTLINE_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The local days a quick choice stands for, at `now`; both ends included. */
export function quickPeriod(choice: QuickPeriod, now: Date): ReportPeriod {
  const today = hotlineDay(now);
  const n = dayNumber(today) ?? 0;
  const [year, month] = today.split('-').map(Number) as [number, number];
  switch (choice) {
    case 'today':
      return { from: today, to: today };
    case 'last7':
      return { from: dayString(n - 6), to: today };
    case 'thisMonth':
      return { from: `${today.slice(0, 7)}-01`, to: today };
    case 'lastMonth': {
      const firstOfThis = dayNumber(`${today.slice(0, 7)}-01`) ?? n;
      const prev = month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
      return { from: `${prev}-01`, to: dayString(firstOfThis - 1) };
    }
  }
}

/** The quick choice that stands for exactly `period` at `now`, if any (to mark its button). */
export function matchingQuickPeriod(period: ReportPeriod, now: Date): QuickPeriod | null {
  return (
    QUICK_PERIODS.find((choice) => {
      const p = quickPeriod(choice, now);
      return p.from === period.from && p.to === period.to;
    }) ?? null
  );
}

/** Days in the period, both ends included; `null` when either end is not a day. */
export function periodDays(period: ReportPeriod): number | null {
  const from = dayNumber(period.from);
  const to = dayNumber(period.to);
  return from === null || to === null ? null : to - from + 1;
}

/** Hour by hour for a period of up to two days, day by day beyond. */
export function granularityFor(period: ReportPeriod): ReportGranularity {
  const days = periodDays(period);
  return days !== null && days <= HOURLY_MAX_DAYS ? 'hour' : 'day';
}

/** What a report is asked for: the period, and for the calls report its granularity. */
export function reportQuery(
  kind: ReportKind,
  period: ReportPeriod,
): ReportPeriod & { granularity?: ReportGranularity } {
  const { from, to } = period;
  return kind === 'calls' ? { from, to, granularity: granularityFor(period) } : { from, to };
}

/** `1234567` → `"1.234.567"`, Vietnamese grouping. */
export function formatCount(value: number): string {
  const sign = value < 0 ? '-' : '';
  return sign + String(Math.round(Math.abs(value))).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

/**
 * Seconds as `m:ss` below an hour and `h:mm:ss` from an hour on (`75` → `"1:15"`,
 * `3725` → `"1:02:05"`); `null` (nothing to average) → `"—"`.
 */
export function formatDuration(totalSeconds: number | null): string {
  if (totalSeconds === null || !Number.isFinite(totalSeconds)) return '—';
  const seconds = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The hotline-local parts of an instant. */
function localParts(iso: string): { year: number; month: number; day: number; hour: number } | null {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: HOTLINE_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour') };
}

/**
 * A report row's start as its label: `"07/12/2026"` for a day, `"07/12 08:00"` for an hour
 * (hotline time); the ISO text itself when it is not a time.
 */
export function formatRowStart(iso: string, granularity: ReportGranularity): string {
  const p = localParts(iso);
  if (!p) return iso;
  return granularity === 'day'
    ? `${pad(p.day)}/${pad(p.month)}/${p.year}`
    : `${pad(p.day)}/${pad(p.month)} ${pad(p.hour)}:00`;
}

/** `"2026-12-07"` → `"07/12/2026"`. */
export function formatDay(day: string): string {
  const m = DAY_RE.exec(day);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : day;
}

/** `part ÷ whole`, or `null` when the whole is 0 (shown as "—", never as 0%). */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}
