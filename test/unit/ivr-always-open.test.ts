/** The demo's HOTLINE_ALWAYS_OPEN: a test call is taken at any hour, holidays included. */
import { describe, expect, it } from 'vitest';
import { isOpen, openAllHours } from '../../ivr/hours.ts';
import { menuWithHolidays } from '../../server/calendar/ivr-hours.ts';
import { DEFAULT_MENU } from '../support/menu.ts';

const lateNight = new Date('2026-12-07T16:30:00Z'); // 23:30 in Hồ Chí Minh City
const tet = new Date('2027-02-06T03:00:00Z'); // Tết, 10:00 local
const calendar = { holidaysBetween: () => [{ date: '2027-02-06', name: 'Tết' }], version: () => 1 };

describe('always open', () => {
  const config = DEFAULT_MENU;

  it('the shipped hours are closed late at night; open all hours is not', () => {
    expect(isOpen(config.hours, lateNight)).toBe(false);
    expect(isOpen(openAllHours(config.hours), lateNight)).toBe(true);
  });

  it('menuWithHolidays keeps the file hours unless told to take calls at any hour', () => {
    const kept = menuWithHolidays(
      () => config,
      calendar,
      () => lateNight,
    );
    const open = menuWithHolidays(
      () => config,
      calendar,
      () => tet,
      true,
    );
    expect(isOpen(kept().hours, lateNight)).toBe(false);
    expect(isOpen(open().hours, lateNight)).toBe(true);
    expect(isOpen(open().hours, tet)).toBe(true);
  });
});
