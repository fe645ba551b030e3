/**
 * Whether the hotline takes calls at a given instant. Pure: time is a parameter. Hours are local
 * to the configured time zone; a span whose close is not after its open runs past midnight into
 * the next day (that tail belongs to the day it opened, holiday or not).
 */
import { type DaySchedule, type Holiday, type IvrConfig, type OpeningHours, WEEKDAYS } from './menu.ts';

interface LocalTime {
  /** `YYYY-MM-DD` */
  date: string;
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localTime(timeZone: string, at: Date): LocalTime {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  const part = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    date: `${part.year}-${part.month}-${part.day}`,
    minutes: Number(part.hour) * 60 + Number(part.minute),
  };
}

const toMinutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** The day before a `YYYY-MM-DD` date. */
function previousDate(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** The schedule of a local date: its holiday entry, else its weekday's, else the daily hours. */
export function scheduleOn(hours: OpeningHours, date: string): DaySchedule {
  const holiday = hours.holidays.find((h) => h.date === date);
  if (holiday) return 'closed' in holiday ? { closed: true } : { open: holiday.open, close: holiday.close };
  const weekday = WEEKDAYS[new Date(`${date}T12:00:00Z`).getUTCDay()];
  const own = weekday ? hours.weekdays?.[weekday] : undefined;
  return own ?? { open: hours.open, close: hours.close };
}

/** Whether calls are taken at `now`. */
export function isOpen(hours: OpeningHours, now: Date): boolean {
  const { date, minutes } = localTime(hours.timeZone, now);
  const today = scheduleOn(hours, date);
  if ('open' in today) {
    const open = toMinutes(today.open);
    const close = toMinutes(today.close);
    if (close > open ? minutes >= open && minutes < close : minutes >= open) return true;
  }
  const yesterday = scheduleOn(hours, previousDate(date));
  if ('open' in yesterday) {
    const open = toMinutes(yesterday.open);
    const close = toMinutes(yesterday.close);
    if (close <= open && minutes < close) return true;
  }
  return false;
}

/**
 * The configuration with the calendar's holidays given `hours.holidayHours`: dates the file lists
 * in `hours.holidays` keep their own schedule; without `holidayHours` the config is unchanged.
 */
export function withCalendarHolidays(
  config: IvrConfig,
  holidays: readonly { date: string; name: string }[],
): IvrConfig {
  const schedule = config.hours.holidayHours;
  if (!schedule || holidays.length === 0) return config;
  const own = new Set(config.hours.holidays.map((h) => h.date));
  const added: Holiday[] = holidays
    .filter((h) => !own.has(h.date))
    .map((h) => ({ date: h.date, name: h.name, ...schedule }));
  return Object.freeze({
    ...config,
    hours: Object.freeze({ ...config.hours, holidays: [...config.hours.holidays, ...added] }),
  });
}

/** `hours` open all day, every day, holidays included: a demo that takes a test call at any hour. */
export function openAllHours(hours: OpeningHours): OpeningHours {
  return {
    ...hours,
    open: '00:00',
    close: '24:00',
    weekdays: {},
    holidays: [],
    holidayHours: { open: '00:00', close: '24:00' },
  };
}
