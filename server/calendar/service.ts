/**
 * The one calendar of the hotline: Vietnam's computed public holidays plus the days the admin
 * enters (`calendar_days`). The store keeps the combined days in memory and rebuilds them when an
 * entry changes (or the year turns), so the deadline clock (`calendar`, a live `WorkingCalendar`)
 * and the IVR's holiday hours (`holidaysBetween`) follow an admin's change without a restart.
 */
import { asc, eq, like } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { CalendarDayView, CalendarYearView } from '../../common/api.ts';
import { audit } from '../audit/service.ts';
import type { Db } from '../db/index.ts';
import { calendarDays, users } from '../db/schema.ts';
import {
  type CalendarDaySets,
  createCalendar,
  liveCalendar,
  type WorkingCalendar,
} from '../deadlines/calendar.ts';
import { AppError } from '../errors.ts';
import decreedDaysFile from './decreed-days.json' with { type: 'json' };
import {
  type CalendarDate,
  type CalendarEntry,
  combineCalendar,
  computedHolidays,
  yearWarnings,
} from './holidays.ts';

export class CalendarDayTakenError extends AppError {
  constructor(date: string) {
    super('CALENDAR_DAY_TAKEN', 409, `Ngày ${date} đã có trong lịch; xóa mục cũ trước khi nhập lại.`);
  }
}

export class CalendarDayNotFoundError extends AppError {
  constructor() {
    super('CALENDAR_DAY_NOT_FOUND', 404, 'Không có mục lịch do quản trị nhập cho ngày này.');
  }
}

export class InvalidCalendarDateError extends AppError {
  constructor(date: string) {
    super('INVALID_DATE', 400, `"${date}" không phải là một ngày hợp lệ (YYYY-MM-DD).`);
  }
}

/** A real calendar date written `YYYY-MM-DD`. */
export function isCalendarDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}

/** Local (UTC+7) year of an instant. */
function localYear(at: Date, utcOffsetMinutes: number): number {
  return new Date(at.getTime() + utcOffsetMinutes * 60_000).getUTCFullYear();
}

export interface CalendarStore {
  /** The deadline clock's calendar: office hours, its holidays always the current data. */
  readonly calendar: WorkingCalendar;
  /** Days off from `from` to `to` (local dates, inclusive), computed and entered, by date. */
  holidaysBetween(from: string, to: string): CalendarDate[];
  /** Changes each time the data is rebuilt (for caches of what is derived from it). */
  version(): number;
  /** Reads the entries again (after a change made elsewhere, e.g. by the server for the job process). */
  refresh(): void;
  /** Told after each rebuild. */
  onChange(listener: () => void): void;
  year(year: number): CalendarYearView;
  /** Throws `CalendarDayTakenError` when the date already has an entry. */
  add(entry: CalendarEntry, actorId: number | null): CalendarDayView;
  /** Throws `CalendarDayNotFoundError`. */
  remove(date: string, actorId: number | null): void;
  /** Warnings for the year after `now`'s (what the server logs at start). */
  nextYearWarnings(): string[];
}

export interface CalendarStoreDeps {
  db: Db;
  now?: () => Date;
  logger?: Logger;
  /** Office hours and the time zone; the Vietnamese provincial office by default. */
  base?: WorkingCalendar;
}

function entries(db: Db): CalendarEntry[] {
  return db
    .select({ date: calendarDays.date, kind: calendarDays.kind, name: calendarDays.name })
    .from(calendarDays)
    .orderBy(asc(calendarDays.date))
    .all();
}

export function createCalendarStore(deps: CalendarStoreDeps): CalendarStore {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const base = deps.base ?? createCalendar();
  const listeners: (() => void)[] = [];
  let version = 0;
  let builtYear = 0;
  /** The local year `builtYear` as UTC instants: `current()` runs for every day a due time walks. */
  let yearStart = 0;
  let yearEnd = 0;
  let days: CalendarDaySets & { names: ReadonlyMap<string, string> } = {
    holidays: new Set(),
    extraWorkdays: new Set(),
    names: new Map(),
  };

  function rebuild(): void {
    const all = entries(db);
    builtYear = localYear(now(), base.utcOffsetMinutes);
    const offsetMs = base.utcOffsetMinutes * 60_000;
    yearStart = Date.UTC(builtYear, 0, 1) - offsetMs;
    yearEnd = Date.UTC(builtYear + 1, 0, 1) - offsetMs;
    // Due times run weeks ahead from now; stored ones are not recounted. (Computing a year of lunar
    // dates takes ~0.1 s, so not more years than needed; the admin's entries apply whatever their year.)
    const combined = combineCalendar([builtYear - 1, builtYear, builtYear + 1, builtYear + 2], all);
    days = {
      holidays: new Set(combined.holidays.keys()),
      extraWorkdays: combined.workdays,
      names: combined.holidays,
    };
    version++;
    for (const listener of listeners) listener();
  }

  function current(): typeof days {
    const at = now().getTime();
    if (at < yearStart || at >= yearEnd) rebuild();
    return days;
  }

  rebuild();

  function dayView(date: string): CalendarDayView {
    const row = db
      .select({ day: calendarDays, username: users.username, displayName: users.displayName })
      .from(calendarDays)
      .leftJoin(users, eq(users.id, calendarDays.createdBy))
      .where(eq(calendarDays.date, date))
      .get();
    if (!row) throw new CalendarDayNotFoundError();
    return toView(row);
  }

  function toView(row: {
    day: typeof calendarDays.$inferSelect;
    username: string | null;
    displayName: string | null;
  }): CalendarDayView {
    return {
      date: row.day.date,
      kind: row.day.kind,
      name: row.day.name,
      createdBy:
        row.day.createdBy === null
          ? null
          : { id: row.day.createdBy, username: row.username ?? '', displayName: row.displayName ?? '' },
      createdAt: row.day.createdAt.toISOString(),
    };
  }

  return {
    calendar: liveCalendar(base, current),

    holidaysBetween(from, to) {
      const { names } = current();
      return [...names]
        .filter(([date]) => date >= from && date <= to)
        .map(([date, name]) => ({ date, name }))
        .sort((a, b) => a.date.localeCompare(b.date));
    },

    version: () => {
      current();
      return version;
    },

    refresh: rebuild,

    onChange(listener) {
      listeners.push(listener);
    },

    year(year) {
      const own = db
        .select({ day: calendarDays, username: users.username, displayName: users.displayName })
        .from(calendarDays)
        .leftJoin(users, eq(users.id, calendarDays.createdBy))
        .where(like(calendarDays.date, `${year}-%`))
        .orderBy(asc(calendarDays.date))
        .all()
        .map(toView);
      const cancelled = new Set(own.filter((e) => e.kind === 'workday').map((e) => e.date));
      const computed = computedHolidays(year).map((h) => ({ ...h, cancelled: cancelled.has(h.date) }));
      const thisYear = localYear(now(), base.utcOffsetMinutes);
      return {
        year,
        computed,
        entries: own,
        warnings: year >= thisYear ? yearWarnings(year, own) : [],
      };
    },

    add(entry, actorId) {
      const at = now();
      db.transaction((tx) => {
        const existing = tx.select().from(calendarDays).where(eq(calendarDays.date, entry.date)).get();
        if (existing) throw new CalendarDayTakenError(entry.date);
        tx.insert(calendarDays)
          .values({ date: entry.date, kind: entry.kind, name: entry.name, createdBy: actorId, createdAt: at })
          .run();
        audit(
          tx,
          {
            actorId,
            action: 'calendar.add',
            entity: 'calendar',
            entityId: entry.date,
            after: { date: entry.date, kind: entry.kind, name: entry.name },
          },
          at,
        );
      });
      rebuild();
      deps.logger?.info({ date: entry.date, kind: entry.kind }, 'calendar day added');
      return dayView(entry.date);
    },

    remove(date, actorId) {
      const at = now();
      db.transaction((tx) => {
        const existing = tx.select().from(calendarDays).where(eq(calendarDays.date, date)).get();
        if (!existing) throw new CalendarDayNotFoundError();
        tx.delete(calendarDays).where(eq(calendarDays.date, date)).run();
        audit(
          tx,
          {
            actorId,
            action: 'calendar.delete',
            entity: 'calendar',
            entityId: date,
            before: { date, kind: existing.kind, name: existing.name },
          },
          at,
        );
      });
      rebuild();
      deps.logger?.info({ date }, 'calendar day removed');
    },

    nextYearWarnings() {
      const next = localYear(now(), base.utcOffsetMinutes) + 1;
      return yearWarnings(next, entries(db));
    },
  };
}

interface DecreedDaysFile {
  source: string;
  days: CalendarEntry[];
}

/** The decreed days shipped with the hotline (`decreed-days.json`, its source named in the file). */
export function decreedDays(): DecreedDaysFile {
  return decreedDaysFile as DecreedDaysFile;
}

/**
 * On a database's first start (no calendar entry yet), imports the shipped decreed days, audited
 * as the system's `calendar.import`. Later starts leave the table to the admins, so a day they
 * removed stays removed. Returns how many days were imported.
 */
export function importDecreedDays(db: Db, at: Date = new Date()): number {
  const file = decreedDays();
  return db.transaction((tx) => {
    if (tx.select({ date: calendarDays.date }).from(calendarDays).limit(1).get()) return 0;
    for (const day of file.days) {
      if (!isCalendarDate(day.date)) throw new Error(`decreed-days.json: "${day.date}" is not a date`);
      tx.insert(calendarDays)
        .values({ date: day.date, kind: day.kind, name: day.name, createdBy: null, createdAt: at })
        .run();
    }
    audit(
      tx,
      {
        actorId: null,
        action: 'calendar.import',
        entity: 'calendar',
        after: { source: file.source, days: file.days.length },
      },
      at,
    );
    return file.days.length;
  });
}
