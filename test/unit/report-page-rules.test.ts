import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatDay,
  formatDuration,
  formatRowStart,
  granularityFor,
  hotlineDay,
  matchingQuickPeriod,
  periodDays,
  quickPeriod,
  reportQuery,
} from '../../agent-console/src/report-rules.ts';

describe('hotlineDay', () => {
  it.each([
    // 16:59 UTC is 23:59 in Vietnam; 17:00 UTC is already the next day there.
    ['2026-12-07T16:59:00Z', '2026-12-07'],
    ['2026-12-07T17:00:00Z', '2026-12-08'],
    ['2026-12-31T20:00:00Z', '2027-01-01'],
  ])('%s → %s', (iso, day) => {
    expect(hotlineDay(new Date(iso))).toBe(day);
  });
});

describe('quickPeriod', () => {
  const now = new Date('2026-12-07T03:00:00Z');
  it.each([
    ['today', '2026-12-07', '2026-12-07'],
    ['last7', '2026-12-01', '2026-12-07'],
    ['thisMonth', '2026-12-01', '2026-12-07'],
    ['lastMonth', '2026-11-01', '2026-11-30'],
  ] as const)('%s', (choice, from, to) => {
    expect(quickPeriod(choice, now)).toEqual({ from, to });
  });

  it('crosses month and year ends in the hotline time zone', () => {
    // 1 January, 01:00 in Vietnam, still 31 December in UTC.
    const newYear = new Date('2026-12-31T18:00:00Z');
    expect(quickPeriod('today', newYear)).toEqual({ from: '2027-01-01', to: '2027-01-01' });
    expect(quickPeriod('last7', newYear)).toEqual({ from: '2026-12-26', to: '2027-01-01' });
    expect(quickPeriod('lastMonth', newYear)).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(quickPeriod('lastMonth', new Date('2028-03-10T03:00:00Z'))).toEqual({
      from: '2028-02-01',
      to: '2028-02-29',
    });
  });

  it('names the quick choice a period stands for', () => {
    expect(matchingQuickPeriod({ from: '2026-12-01', to: '2026-12-07' }, now)).toBe('last7');
    expect(matchingQuickPeriod({ from: '2026-11-01', to: '2026-11-30' }, now)).toBe('lastMonth');
    expect(matchingQuickPeriod({ from: '2026-11-02', to: '2026-11-30' }, now)).toBeNull();
  });
});

describe('granularityFor', () => {
  it.each([
    ['2026-12-07', '2026-12-07', 1, 'hour'],
    ['2026-12-06', '2026-12-07', 2, 'hour'],
    ['2026-12-05', '2026-12-07', 3, 'day'],
    ['2026-11-01', '2026-11-30', 30, 'day'],
    // Across a month end the days still count right.
    ['2026-02-28', '2026-03-01', 2, 'hour'],
  ] as const)('%s … %s: %s days, by %s', (from, to, days, granularity) => {
    expect(periodDays({ from, to })).toBe(days);
    expect(granularityFor({ from, to })).toBe(granularity);
  });

  it('asks by the day when a date is not real or the period is reversed', () => {
    expect(periodDays({ from: '2026-02-30', to: '2026-03-01' })).toBeNull();
    expect(granularityFor({ from: '2026-02-30', to: '2026-03-01' })).toBe('day');
    expect(granularityFor({ from: '2026-12-07', to: '2026-12-01' })).toBe('hour');
  });
});

describe('reportQuery', () => {
  it('asks the calls report by the hour for a short period and by the day beyond; the others by the period', () => {
    expect(reportQuery('calls', { from: '2026-12-07', to: '2026-12-07' })).toEqual({
      from: '2026-12-07',
      to: '2026-12-07',
      granularity: 'hour',
    });
    expect(reportQuery('calls', { from: '2026-11-01', to: '2026-11-30' })).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
      granularity: 'day',
    });
    expect(reportQuery('tickets', { from: '2026-11-01', to: '2026-11-30' })).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
    });
  });
});

describe('figures', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1000, '1.000'],
    [1234567, '1.234.567'],
    [-4500, '-4.500'],
  ])('count %s → %s', (n, text) => {
    expect(formatCount(n)).toBe(text);
  });

  it.each([
    [null, '—'],
    [0, '0:00'],
    [59.4, '0:59'],
    [75, '1:15'],
    [3599, '59:59'],
    [3600, '1:00:00'],
    [3725, '1:02:05'],
    [36 * 3600 + 61, '36:01:01'],
  ])('duration %s s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('labels rows in hotline time, whatever offset the instant is written with', () => {
    expect(formatRowStart('2026-12-07T08:00:00+07:00', 'hour')).toBe('07/12 08:00');
    expect(formatRowStart('2026-12-07T01:00:00Z', 'hour')).toBe('07/12 08:00');
    expect(formatRowStart('2026-12-07T00:00:00+07:00', 'day')).toBe('07/12/2026');
    expect(formatRowStart('not a time', 'day')).toBe('not a time');
    expect(formatDay('2026-12-07')).toBe('07/12/2026');
  });
});
