/**
 * The working calendar that deadlines are counted in: office hours on working days in Vietnam
 * (UTC+7 all year, no daylight saving), minus public holidays. Pure: no clock, no I/O.
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

/** A public holiday (or days off in lieu of one), as the government announced it. */
export interface Holiday {
  name: string;
  /** Local dates off that fall on working weekdays; weekend days need not be listed. */
  dates: readonly string[];
  /** True when the exact days were not yet decreed when this list was written. */
  estimated?: boolean;
}

/**
 * Public holidays for 2025–2027 (Labour Code 2019, art. 112): Tết Dương lịch 1/1; Tết Nguyên đán
 * 5 days (civil servants usually get the last day of the old year and the first four of the new,
 * stretched to the surrounding weekends); Giỗ Tổ Hùng Vương 10/3 lunar; 30/4 and 1/5; Quốc khánh
 * 2/9 plus 1/9 or 3/9. A holiday on a weekend gives the next working day off. Days the Ministry of
 * Home Affairs swaps with a Saturday are listed with that Saturday in `SWAPPED_WORKDAYS`.
 */
export const VIETNAM_HOLIDAYS: readonly Holiday[] = [
  { name: 'Tết Dương lịch 2025', dates: ['2025-01-01'] },
  // Official break Sat 25/1 – Sun 2/2/2025 (mùng 1 Tết = 29/1).
  {
    name: 'Tết Nguyên đán Ất Tỵ',
    dates: ['2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31'],
  },
  { name: 'Giỗ Tổ Hùng Vương 2025', dates: ['2025-04-07'] },
  // 30/4 – 4/5/2025, Friday 2/5 swapped with Saturday 26/4.
  { name: 'Giải phóng miền Nam, Quốc tế Lao động 2025', dates: ['2025-04-30', '2025-05-01', '2025-05-02'] },
  { name: 'Quốc khánh 2025', dates: ['2025-09-01', '2025-09-02'] },
  { name: 'Tết Dương lịch 2026', dates: ['2026-01-01'] },
  // Official break Sat 14/2 – Sun 22/2/2026 (mùng 1 Tết = 17/2).
  {
    name: 'Tết Nguyên đán Bính Ngọ',
    dates: ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'],
  },
  // 10/3 lunar falls on Sunday 26/4/2026: Monday off in lieu.
  { name: 'Giỗ Tổ Hùng Vương 2026', dates: ['2026-04-27'] },
  { name: 'Giải phóng miền Nam, Quốc tế Lao động 2026', dates: ['2026-04-30', '2026-05-01'] },
  // The day next to 2/9 is chosen each year; 1/9 assumed.
  { name: 'Quốc khánh 2026', dates: ['2026-09-01', '2026-09-02'], estimated: true },
  { name: 'Tết Dương lịch 2027', dates: ['2027-01-01'] },
  // Mùng 1 Tết = Saturday 6/2/2027: 30 Tết (5/2) to mùng 4 (9/2), the weekend days given back 10–11/2.
  {
    name: 'Tết Nguyên đán Đinh Mùi',
    dates: ['2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11'],
    estimated: true,
  },
  { name: 'Giỗ Tổ Hùng Vương 2027', dates: ['2027-04-16'] },
  // 1/5/2027 is a Saturday: Monday 3/5 off in lieu.
  { name: 'Giải phóng miền Nam, Quốc tế Lao động 2027', dates: ['2027-04-30', '2027-05-03'] },
  { name: 'Quốc khánh 2027', dates: ['2027-09-02', '2027-09-03'], estimated: true },
];

/** Saturdays worked in exchange for a bridge day off (see `VIETNAM_HOLIDAYS`). */
export const SWAPPED_WORKDAYS: readonly string[] = ['2025-04-26'];

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

/** A calendar from options; defaults are a Vietnamese provincial office (Mon–Fri, 7:30–17:00). */
export function createCalendar(opts: CalendarOptions = {}): WorkingCalendar {
  const periods = (opts.periods ?? ['07:30-11:30', '13:30-17:00']).map(parsePeriod);
  periods.sort((a, b) => a.start - b.start);
  for (let i = 1; i < periods.length; i++) {
    if (periods[i]!.start < periods[i - 1]!.end) throw new Error('working periods overlap');
  }
  if (periods.length === 0) throw new Error('a working calendar needs at least one working period');
  const dateRe = /^\d{4}-\d{2}-\d{2}$/;
  const holidays = opts.holidays ?? VIETNAM_HOLIDAYS.flatMap((h) => h.dates);
  const extra = opts.extraWorkdays ?? SWAPPED_WORKDAYS;
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

export const DEFAULT_CALENDAR: WorkingCalendar = createCalendar();

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
