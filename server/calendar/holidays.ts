/**
 * Vietnam's public holidays as the `date-holidays` package computes them (solar and lunar dates,
 * Labour Code 2019 art. 112), and the pure rules that combine them with the days an admin enters:
 * a `holiday` entry adds a day off (a bridge day, a day in lieu), a `workday` entry makes a day
 * worked (a swapped Saturday, or a computed holiday the government moved).
 */
import Holidays from 'date-holidays';

export interface CalendarDate {
  /** Local date, `YYYY-MM-DD`. */
  date: string;
  name: string;
}

export interface CalendarEntry extends CalendarDate {
  kind: 'holiday' | 'workday';
}

const vietnam = new Holidays('VN');
const DAY_MS = 86_400_000;
const byYear = new Map<number, readonly CalendarDate[]>();

/** `YYYY-MM-DD` plus `days`. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The public holidays of `year` (only the package's `public` type: its `observance` days such as
 * Tết Trung thu are worked). A multi-day holiday (Tết Nguyên đán: the eve and four days) gives
 * one entry per day. Sorted by date; the weekend days of a holiday are included.
 */
export function computedHolidays(year: number): readonly CalendarDate[] {
  const cached = byYear.get(year);
  if (cached) return cached;
  const names = new Map<string, string>();
  const spans: { first: string; days: number; name: string }[] = [];
  for (const h of vietnam.getHolidays(year)) {
    if (h.type !== 'public') continue;
    const first = h.date.slice(0, 10);
    names.set(first, h.name);
    const days = Math.round((h.end.getTime() - h.start.getTime()) / DAY_MS);
    // The Tết span starts at the eve ("Giao thừa"); its other days are simply Tết.
    if (days > 1) spans.push({ first, days, name: `Nghỉ ${h.name.replace(/^Giao thừa\s+/i, '')}` });
  }
  for (const span of spans) {
    for (let i = 1; i < span.days; i++) {
      const date = addDays(span.first, i);
      if (!names.has(date)) names.set(date, span.name);
    }
  }
  const list = Object.freeze(
    [...names]
      .filter(([date]) => date.startsWith(`${year}-`))
      .map(([date, name]) => Object.freeze({ date, name }))
      .sort((a, b) => a.date.localeCompare(b.date)),
  );
  byYear.set(year, list);
  return list;
}

export interface CalendarDays {
  /** Days off, by date, with their names. */
  holidays: ReadonlyMap<string, string>;
  /** Days worked although a weekend or a computed holiday. */
  workdays: ReadonlySet<string>;
}

/** The computed holidays of `years` with the admin's entries applied. */
export function combineCalendar(years: Iterable<number>, entries: readonly CalendarEntry[]): CalendarDays {
  const holidays = new Map<string, string>();
  for (const year of years) for (const h of computedHolidays(year)) holidays.set(h.date, h.name);
  const workdays = new Set<string>();
  for (const entry of entries) {
    if (entry.kind === 'holiday') {
      holidays.set(entry.date, entry.name);
    } else {
      holidays.delete(entry.date);
      workdays.add(entry.date);
    }
  }
  return { holidays, workdays };
}

const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
const dayMonth = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}`;

/**
 * What an admin should check for `year`, in Vietnamese: no entry at all (the Ministry of Home
 * Affairs announces the Tết bridge days and swapped Saturdays each year); no second day of Quốc
 * khánh (the law gives 2/9 and one day next to it, chosen each year; the package knows only 2/9);
 * public holidays on a Saturday or Sunday with no day off entered within a week of them (the law
 * gives a day in lieu, usually the next working day, which the package does not compute).
 */
export function yearWarnings(
  year: number,
  entries: readonly CalendarEntry[],
  computed: readonly CalendarDate[] = computedHolidays(year),
): string[] {
  const own = entries.filter((e) => e.date.startsWith(`${year}-`));
  const warnings: string[] = [];
  if (own.length === 0) {
    warnings.push(
      `Năm ${year} chưa có ngày nghỉ bù/hoán đổi nào do quản trị nhập — kiểm tra thông báo nghỉ Tết của Bộ Nội vụ.`,
    );
  }
  const secondDay = own.some(
    (e) => e.kind === 'holiday' && (e.date === `${year}-09-01` || e.date === `${year}-09-03`),
  );
  if (!secondDay) {
    warnings.push(
      `Năm ${year} chưa có ngày nghỉ thứ hai của Quốc khánh (1/9 hoặc 3/9) — nhập theo thông báo của Bộ Nội vụ.`,
    );
  }
  const daysOff = entries.filter((e) => e.kind === 'holiday').map((e) => e.date);
  const workdays = new Set(entries.filter((e) => e.kind === 'workday').map((e) => e.date));
  const uncompensated = computed.filter(
    (h) =>
      (weekday(h.date) === 0 || weekday(h.date) === 6) &&
      !workdays.has(h.date) &&
      !daysOff.some((d) => d !== h.date && d >= addDays(h.date, -7) && d <= addDays(h.date, 7)),
  );
  if (uncompensated.length > 0) {
    warnings.push(
      `Ngày lễ trùng thứ Bảy, Chủ nhật chưa có ngày nghỉ bù: ${uncompensated.map((h) => dayMonth(h.date)).join(', ')} — nhập ngày nghỉ bù (Bộ luật Lao động 2019, Điều 112).`,
    );
  }
  return warnings;
}
