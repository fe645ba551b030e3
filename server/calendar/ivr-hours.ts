/**
 * The IVR menu as a call sees it: the menu file's configuration with the hotline calendar's
 * holidays given the file's `holidayHours`, so the hotline and the deadline clock share one
 * calendar. Rebuilt only when the file or the calendar changes, or the day turns.
 */
import { openAllHours, withCalendarHolidays } from '../../ivr/hours.ts';
import type { IvrConfig } from '../../ivr/menu.ts';
import { addDays } from './holidays.ts';
import type { CalendarStore } from './service.ts';

/** `current` gives the menu file's configuration; returns what `createIvr`'s `menu` dependency wants. */
export function menuWithHolidays(
  current: () => IvrConfig,
  calendar: Pick<CalendarStore, 'holidaysBetween' | 'version'>,
  now: () => Date = () => new Date(),
  /** The demo's `HOTLINE_ALWAYS_OPEN`: calls are taken at any hour, whatever the file says. */
  alwaysOpen = false,
): () => IvrConfig {
  let cached: { config: IvrConfig; version: number; day: string; merged: IvrConfig } | undefined;
  return () => {
    const config = current();
    const version = calendar.version();
    // The local (UTC+7) date: a call checks today's and yesterday's schedule.
    const day = new Date(now().getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
    if (cached && cached.config === config && cached.version === version && cached.day === day) {
      return cached.merged;
    }
    const withHolidays = withCalendarHolidays(
      config,
      calendar.holidaysBetween(addDays(day, -2), addDays(day, 7)),
    );
    const merged = alwaysOpen ? { ...withHolidays, hours: openAllHours(withHolidays.hours) } : withHolidays;
    cached = { config, version, day, merged };
    return merged;
  };
}
