import { describe, expect, it } from 'vitest';
import { combineCalendar } from '../../server/calendar/holidays.ts';
import { decreedDays } from '../../server/calendar/service.ts';
import {
  addWorkingTime,
  createCalendar,
  DEFAULT_CALENDAR,
  isWorkingTime,
  workingTimeBetween,
} from '../../server/deadlines/calendar.ts';
import { DEADLINE_POLICY, dueTimes, WORKING_DAY_MS } from '../../server/deadlines/policy.ts';

/** The calendar the server builds from data: computed public holidays plus the shipped decreed days. */
const days = combineCalendar([2025, 2026, 2027], decreedDays().days);
const VN = createCalendar({ holidays: [...days.holidays.keys()], extraWorkdays: [...days.workdays] });

const HOUR = 3_600_000;
/** A local (UTC+7) wall-clock time as an instant. */
const vn = (local: string) => new Date(`${local}:00+07:00`);

describe('addWorkingTime (Mon–Fri 07:30–11:30, 13:30–17:00, Vietnamese holidays)', () => {
  it.each([
    ['within the morning', '2026-03-10T08:00', 1, '2026-03-10T09:00'],
    ['across the lunch break', '2026-03-10T11:00', 1, '2026-03-10T14:00'],
    ['ending exactly at closing', '2026-03-10T11:00', 0.5, '2026-03-10T11:30'],
    ['from before opening', '2026-03-10T06:00', 1, '2026-03-10T08:30'],
    ['from lunch', '2026-03-10T12:15', 1, '2026-03-10T14:30'],
    ['across the weekend', '2026-03-13T16:00', 2, '2026-03-16T08:30'],
    ['from a Saturday', '2026-03-14T10:00', 1, '2026-03-16T08:30'],
    ['across 30/4 and 1/5', '2026-04-29T16:30', 1, '2026-05-04T08:00'],
    ['across Tết Bính Ngọ', '2026-02-13T16:00', 8, '2026-02-23T16:30'],
    ['across Giỗ Tổ given in lieu (Mon 27/4/2026)', '2026-04-24T17:00', 1, '2026-04-28T08:30'],
    ['across Quốc khánh 2025', '2025-08-29T16:00', 2, '2025-09-03T08:30'],
    ['into a Saturday worked in exchange (26/4/2025)', '2025-04-25T16:30', 1, '2025-04-26T08:00'],
    ['nothing to add', '2026-03-14T10:00', 0, '2026-03-14T10:00'],
  ])('%s', (_, start, hours, due) => {
    expect(addWorkingTime(vn(start), hours * HOUR, VN)).toEqual(vn(due));
  });

  it('refuses a negative amount', () => {
    expect(() => addWorkingTime(vn('2026-03-10T08:00'), -1, VN)).toThrow(RangeError);
  });
});

describe('workingTimeBetween', () => {
  it.each([
    ['over a weekend', '2026-03-13T16:00', '2026-03-16T08:30', 2],
    ['over lunch', '2026-03-10T11:00', '2026-03-10T14:00', 1],
    ['a whole week', '2026-03-09T00:00', '2026-03-16T00:00', 5 * 7.5],
    ['within a holiday', '2026-09-02T08:00', '2026-09-02T16:00', 0],
    ['backwards, negative', '2026-03-10T14:00', '2026-03-10T11:00', -1],
  ])('%s', (_, a, b, hours) => {
    expect(workingTimeBetween(vn(a), vn(b), VN)).toBe(hours * HOUR);
  });

  it('is the inverse of addWorkingTime', () => {
    const start = vn('2026-02-12T09:10');
    for (const hours of [0.25, 3, 7.5, 20, 60]) {
      const due = addWorkingTime(start, hours * HOUR, VN);
      expect(workingTimeBetween(start, due, VN)).toBe(hours * HOUR);
    }
  });
});

describe('isWorkingTime', () => {
  it.each([
    ['2026-03-10T07:30', true],
    ['2026-03-10T11:29', true],
    ['2026-03-10T11:30', false],
    ['2026-03-10T12:00', false],
    ['2026-03-10T13:30', true],
    ['2026-03-10T17:00', false],
    ['2026-03-14T10:00', false],
    ['2026-09-02T10:00', false],
    ['2026-02-17T10:00', false],
    ['2025-04-26T10:00', true],
  ])('%s → %s', (local, working) => {
    expect(isWorkingTime(vn(local), VN)).toBe(working);
  });
});

describe('calendar data and options', () => {
  it('ships decreed days off on weekdays and worked days on weekends, with their source', () => {
    const file = decreedDays();
    expect(file.source).toMatch(/Bộ luật Lao động 2019, Điều 112/);
    expect(file.source).toMatch(/Bộ Nội vụ/);
    for (const { date, kind } of file.days) {
      const day = new Date(`${date}T00:00:00Z`).getUTCDay();
      expect([date, kind === 'holiday' ? day >= 1 && day <= 5 : day === 0 || day === 6]).toEqual([
        date,
        true,
      ]);
    }
  });

  it('has no holidays unless given some (the server builds them from data)', () => {
    expect(isWorkingTime(vn('2026-09-02T10:00'), DEFAULT_CALENDAR)).toBe(true);
    expect(DEFAULT_CALENDAR.holidays.size).toBe(0);
  });

  it('takes other office hours and holidays', () => {
    const cal = createCalendar({ periods: ['08:00-12:00'], holidays: ['2026-03-11'], extraWorkdays: [] });
    expect(addWorkingTime(vn('2026-03-10T11:00'), 2 * HOUR, cal)).toEqual(vn('2026-03-12T09:00'));
  });

  it.each([['25:00-26:00'], ['12:00-08:00'], ['8-12']])('rejects the period %s', (period) => {
    expect(() => createCalendar({ periods: [period] })).toThrow(/working period/);
  });

  it('rejects overlapping periods and malformed dates', () => {
    expect(() => createCalendar({ periods: ['08:00-12:00', '11:00-13:00'] })).toThrow(/overlap/);
    expect(() => createCalendar({ holidays: ['30/4/2026'] })).toThrow(/YYYY-MM-DD/);
  });
});

describe('dueTimes', () => {
  it.each([
    [
      'normal: 8 working hours, 5 working days',
      'normal',
      '2026-03-10T08:00',
      '2026-03-11T08:30',
      '2026-03-17T08:00',
    ],
    [
      'complex: 8 working hours, 15 working days',
      'complex',
      '2026-03-09T07:30',
      '2026-03-10T08:00',
      '2026-03-27T17:00',
    ],
    [
      'urgent runs around the clock, across midnight',
      'urgent',
      '2026-03-10T23:00',
      '2026-03-11T01:00',
      '2026-03-11T23:00',
    ],
    ['urgent ignores holidays', 'urgent', '2026-02-17T10:00', '2026-02-17T12:00', '2026-02-18T10:00'],
  ] as const)('%s', (_, priority, from, ack, resolve) => {
    expect(dueTimes(priority, vn(from), VN)).toEqual({
      ackDueAt: vn(ack),
      resolveDueAt: vn(resolve),
    });
  });

  it('keeps its constants in one table', () => {
    expect(DEADLINE_POLICY.normal.resolveMs).toBe(5 * WORKING_DAY_MS);
    expect(DEADLINE_POLICY.complex.resolveMs).toBe(15 * WORKING_DAY_MS);
    expect(DEADLINE_POLICY.urgent).toEqual({ clock: 'wall', ackMs: 2 * HOUR, resolveMs: 24 * HOUR });
  });
});
