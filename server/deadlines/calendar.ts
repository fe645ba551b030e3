/**
 * The working calendar that deadlines are counted in: office hours on working days in Vietnam
 * (UTC+7 all year, no daylight saving), minus holidays. Pure: no clock, no I/O. The holidays are
 * data (`server/calendar/`: the computed public holidays and the admin's entries), never listed here.
 */

/** A stretch of office hours within a day, in minutes after local midnight, `start` < `end`. */
export interface WorkingPeriod {
  start: number;
  end: number;
}

export interface WorkingCalendar {
  /** Offset of local time from UTC, in minutes (+420 for Asia/Ho_Chi_Minh). */
  utcOffsetMinutes: number;
  /** Office hours of a working day, in order and not overlapping. */
  periods: readonly WorkingPeriod[];
  /** Working weekdays, 0 = Sunday … 6 = Saturday. */
  workdays: ReadonlySet<number>;
  /** Local dates (`YYYY-MM-DD`) with no office hours although they are working weekdays. */
  holidays: ReadonlySet<string>;
  /** Local dates worked although they fall on a weekend (a Saturday swapped for a bridge day). */
  extraWorkdays: ReadonlySet<string>;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Parses `HH:MM-HH:MM`; throws on anything else. */
export function parsePeriod(text: string): WorkingPeriod {
  const match = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match) throw new Error(`working period "${text}" is not HH:MM-HH:MM`);
  const [h1, m1, h2, m2] = match.slice(1).map(Number) as [number, number, number, number];
  const start = h1 * 60 + m1;
  const end = h2 * 60 + m2;
  if (m1 > 59 || m2 > 59 || end > 24 * 60 || start >= end) {
    throw new Error(`working period "${text}" is not a valid time range`);
  }
  return { start, end };
}

export interface CalendarOptions {
  /** e.g. `['07:30-11:30', '13:30-17:00']`. */
  periods?: readonly string[];
  workdays?: readonly number[];
  holidays?: readonly string[];
  extraWorkdays?: readonly string[];
  utcOffsetMinutes?: number;
}

/**
 * A calendar from options; defaults are a Vietnamese provincial office (Mon–Fri, 7:30–17:00)
 * without holidays.
 */
export function createCalendar(opts: CalendarOptions = {}): WorkingCalendar {
  const periods = (opts.periods ?? ['07:30-11:30', '13:30-17:00']).map(parsePeriod);
  periods.sort((a, b) => a.start - b.start);
  for (let i = 1; i < periods.length; i++) {
    if (periods[i]!.start < periods[i - 1]!.end) throw new Error('working periods overlap');
  }
  if (periods.length === 0) throw new Error('a working calendar needs at least one working period');
  const dateRe = /^\d{4}-\d{2}-\d{2}$/;
  const holidays = opts.holidays ?? [];
  const extra = opts.extraWorkdays ?? [];
  for (const d of [...holidays, ...extra]) {
    if (!dateRe.test(d)) throw new Error(`calendar date "${d}" is not YYYY-MM-DD`);
  }
  const workdays = opts.workdays ?? [1, 2, 3, 4, 5];
  if (workdays.length === 0) throw new Error('a working calendar needs at least one working weekday');
  return Object.freeze({
    utcOffsetMinutes: opts.utcOffsetMinutes ?? 7 * 60,
    periods: Object.freeze(periods),
    workdays: new Set(workdays),
    holidays: new Set(holidays),
    extraWorkdays: new Set(extra),
  });
}

/**
 * Office hours without holidays: for code and tests that have no calendar data. The server counts
 * in the calendar store's live calendar (`server/calendar/service.ts`), which has the holidays.
 */
export const DEFAULT_CALENDAR: WorkingCalendar = createCalendar();

/** The days off and the weekend days worked of a calendar, which change when its data does. */
export interface CalendarDaySets {
  holidays: ReadonlySet<string>;
  extraWorkdays: ReadonlySet<string>;
}

/**
 * A calendar with `base`'s office hours whose holidays are read from `days()` at each use: the
 * ticket service and the deadline jobs keep one object for their lifetime and still see an
 * admin's change at once.
 */
export function liveCalendar(base: WorkingCalendar, days: () => CalendarDaySets): WorkingCalendar {
  return Object.freeze({
    utcOffsetMinutes: base.utcOffsetMinutes,
    periods: base.periods,
    workdays: base.workdays,
    get holidays() {
      return days().holidays;
    },
    get extraWorkdays() {
      return days().extraWorkdays;
    },
  });
}

/**
 * Date keys and weekdays by local midnight (as if it were UTC): due times walk the same few days
 * for every ticket, and formatting a date costs more than the rest of the walk.
 */
const localDates = new Map<number, { key: string; weekday: number }>();

/** Start of the local day containing `t` (as a UTC instant), and the local date's key. */
function localDay(t: number, cal: WorkingCalendar): { start: number; key: string; weekday: number } {
  const offset = cal.utcOffsetMinutes * MINUTE;
  const local = Math.floor((t + offset) / DAY) * DAY;
  let date = localDates.get(local);
  if (date === undefined) {
    const d = new Date(local);
    date = { key: d.toISOString().slice(0, 10), weekday: d.getUTCDay() };
    if (localDates.size >= 10_000) localDates.clear();
    localDates.set(local, date);
  }
  return { start: local - offset, key: date.key, weekday: date.weekday };
}

function isWorkingDay(day: { key: string; weekday: number }, cal: WorkingCalendar): boolean {
  if (cal.extraWorkdays.has(day.key)) return true;
  return cal.workdays.has(day.weekday) && !cal.holidays.has(day.key);
}

/** Working intervals (UTC ms) of the local day starting at `dayStart`. */
function intervalsOf(dayStart: number, cal: WorkingCalendar): [number, number][] {
  return cal.periods.map((p) => [dayStart + p.start * MINUTE, dayStart + p.end * MINUTE]);
}

/** Gives up after this many days without office hours, so a bad calendar cannot hang a request. */
const MAX_DAYS = 3 * 366;

/**
 * The instant at which `ms` of working time has passed since `start`. From outside office hours
 * the count starts at the next opening; a deadline ending exactly at a closing time is that time.
 */
export function addWorkingTime(start: Date, ms: number, cal: WorkingCalendar): Date {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError('working time to add must be a finite ms ≥ 0');
  let remaining = ms;
  const t0 = start.getTime();
  if (remaining === 0) return new Date(t0);
  let day = localDay(t0, cal);
  for (let i = 0; i < MAX_DAYS; i++) {
    if (isWorkingDay(day, cal)) {
      for (const [open, close] of intervalsOf(day.start, cal)) {
        const from = Math.max(open, t0);
        if (from >= close) continue;
        const available = close - from;
        if (remaining <= available) return new Date(from + remaining);
        remaining -= available;
      }
    }
    day = localDay(day.start + DAY, cal);
  }
  throw new RangeError('working calendar has no office hours within three years');
}

/**
 * Working time between two instants, in ms; negative when `b` is before `a` (time overdue).
 */
export function workingTimeBetween(a: Date, b: Date, cal: WorkingCalendar): number {
  const ta = a.getTime();
  const tb = b.getTime();
  if (tb < ta) return -workingTimeBetween(b, a, cal);
  let total = 0;
  let day = localDay(ta, cal);
  while (day.start < tb) {
    if (isWorkingDay(day, cal)) {
      for (const [open, close] of intervalsOf(day.start, cal)) {
        const from = Math.max(open, ta);
        const to = Math.min(close, tb);
        if (to > from) total += to - from;
      }
    }
    day = localDay(day.start + DAY, cal);
  }
  return total;
}

/** True inside office hours of a working day (opening time included, closing time not). */
export function isWorkingTime(d: Date, cal: WorkingCalendar): boolean {
  const t = d.getTime();
  const day = localDay(t, cal);
  if (!isWorkingDay(day, cal)) return false;
  return intervalsOf(day.start, cal).some(([open, close]) => t >= open && t < close);
}
