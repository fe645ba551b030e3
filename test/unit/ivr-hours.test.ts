import { describe, expect, it } from 'vitest';
import { isOpen, withCalendarHolidays } from '../../ivr/hours.ts';
import type { OpeningHours } from '../../ivr/menu.ts';
import { DEFAULT_MENU } from '../support/menu.ts';

const DAILY: OpeningHours = { timeZone: 'Asia/Ho_Chi_Minh', open: '07:00', close: '20:00', holidays: [] };

describe('isOpen', () => {
  it.each<[string, OpeningHours, string, boolean]>([
    // Hồ Chí Minh City is UTC+7 all year.
    ['06:59 local', DAILY, '2026-03-10T23:59:00Z', false],
    ['07:00 local, the minute it opens', DAILY, '2026-03-11T00:00:00Z', true],
    ['19:59 local', DAILY, '2026-03-11T12:59:59Z', true],
    ['20:00 local, the minute it closes', DAILY, '2026-03-11T13:00:00Z', false],
    ['midnight local', DAILY, '2026-03-11T17:00:00Z', false],
    [
      '09:00 UTC is 16:00 local (a UTC clock would say otherwise at 02:00 UTC)',
      DAILY,
      '2026-03-11T09:00:00Z',
      true,
    ],
    ['02:00 UTC is 09:00 local', DAILY, '2026-03-11T02:00:00Z', true],
    ['23:30 UTC is 06:30 local next day', DAILY, '2026-03-11T23:30:00Z', false],
    [
      'a closed holiday',
      { ...DAILY, holidays: [{ date: '2026-09-02', closed: true }] },
      '2026-09-02T03:00:00Z',
      false,
    ],
    [
      'the holiday is the local date, not the UTC one (01:00 local on 2 Sep is 1 Sep UTC)',
      { ...DAILY, open: '00:00', close: '24:00', holidays: [{ date: '2026-09-02', closed: true }] },
      '2026-09-01T18:00:00Z',
      false,
    ],
    [
      'the day before the holiday is open',
      { ...DAILY, holidays: [{ date: '2026-09-02', closed: true }] },
      '2026-09-01T03:00:00Z',
      true,
    ],
    [
      'a holiday with short hours, inside them',
      { ...DAILY, holidays: [{ date: '2026-04-30', open: '08:00', close: '11:00' }] },
      '2026-04-30T02:00:00Z',
      true,
    ],
    [
      'a holiday with short hours, after them',
      { ...DAILY, holidays: [{ date: '2026-04-30', open: '08:00', close: '11:00' }] },
      '2026-04-30T05:00:00Z',
      false,
    ],
    [
      'a closed weekday (Sunday)',
      { ...DAILY, weekdays: { sun: { closed: true } } },
      '2026-03-15T03:00:00Z',
      false,
    ],
    [
      'a weekday with its own hours',
      { ...DAILY, weekdays: { sat: { open: '08:00', close: '12:00' } } },
      '2026-03-14T06:00:00Z',
      false,
    ],
    [
      'a holiday wins over its weekday',
      {
        ...DAILY,
        weekdays: { sun: { closed: true } },
        holidays: [{ date: '2026-03-15', open: '07:00', close: '20:00' }],
      },
      '2026-03-15T03:00:00Z',
      true,
    ],
    [
      'open around the clock (00:00–24:00) at 23:59',
      { ...DAILY, open: '00:00', close: '24:00' },
      '2026-03-11T16:59:00Z',
      true,
    ],
    [
      'hours past midnight: 22:00 local',
      { ...DAILY, open: '20:00', close: '02:00' },
      '2026-03-11T15:00:00Z',
      true,
    ],
    [
      'hours past midnight: 01:59 local the next day',
      { ...DAILY, open: '20:00', close: '02:00' },
      '2026-03-11T18:59:00Z',
      true,
    ],
    [
      'hours past midnight: 02:00 local',
      { ...DAILY, open: '20:00', close: '02:00' },
      '2026-03-11T19:00:00Z',
      false,
    ],
    [
      'the tail past midnight belongs to the day it opened (closed holiday after an open evening)',
      { ...DAILY, open: '20:00', close: '02:00', holidays: [{ date: '2026-03-12', closed: true }] },
      '2026-03-11T18:00:00Z',
      true,
    ],
    [
      'no tail after a closed day',
      { ...DAILY, open: '20:00', close: '02:00', holidays: [{ date: '2026-03-11', closed: true }] },
      '2026-03-11T18:00:00Z',
      false,
    ],
    ['another time zone', { ...DAILY, timeZone: 'Europe/Paris' }, '2026-03-11T05:30:00Z', false],
  ])('%s', (_label, hours, iso, open) => {
    expect(isOpen(hours, new Date(iso))).toBe(open);
  });
});

describe('withCalendarHolidays', () => {
  const tet = [
    { date: '2026-02-16', name: 'Giao thừa Tết Nguyên Đán' },
    { date: '2026-02-17', name: 'Tết Nguyên Đán' },
  ];
  // 18:00 local on 17/2/2026: open on a normal day (07:00–20:00), not on holiday hours (07:30–17:00).
  const evening = new Date('2026-02-17T11:00:00Z');

  it("gives every calendar holiday the file's holidayHours", () => {
    expect(isOpen(DEFAULT_MENU.hours, evening)).toBe(true);
    const merged = withCalendarHolidays(DEFAULT_MENU, tet);
    expect(merged.hours.holidays).toEqual([
      { date: '2026-02-16', name: 'Giao thừa Tết Nguyên Đán', open: '07:30', close: '17:00' },
      { date: '2026-02-17', name: 'Tết Nguyên Đán', open: '07:30', close: '17:00' },
    ]);
    expect(isOpen(merged.hours, evening)).toBe(false);
    expect(isOpen(merged.hours, new Date('2026-02-17T03:00:00Z'))).toBe(true);
  });

  it('closes on holidays when holidayHours says closed', () => {
    const closed = {
      ...DEFAULT_MENU,
      hours: { ...DEFAULT_MENU.hours, holidayHours: { closed: true as const } },
    };
    expect(isOpen(withCalendarHolidays(closed, tet).hours, new Date('2026-02-17T03:00:00Z'))).toBe(false);
  });

  it('keeps a date the file lists itself, and changes nothing without holidayHours', () => {
    const own = {
      ...DEFAULT_MENU,
      hours: { ...DEFAULT_MENU.hours, holidays: [{ date: '2026-02-17', open: '07:00', close: '20:00' }] },
    };
    const merged = withCalendarHolidays(own, tet);
    expect(merged.hours.holidays.map((h) => h.date)).toEqual(['2026-02-17', '2026-02-16']);
    expect(isOpen(merged.hours, evening)).toBe(true);
    const { holidayHours: _none, ...withoutHours } = DEFAULT_MENU.hours;
    const plain = { ...DEFAULT_MENU, hours: withoutHours };
    expect(withCalendarHolidays(plain, tet)).toBe(plain);
  });
});
