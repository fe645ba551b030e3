/** Which scheduled summaries are due when: table-driven over local (UTC+7) times. */
import { describe, expect, it } from 'vitest';
import type { ReportScheduleSettings } from '../../common/api.ts';
import { dueSummaries, parseSendAt } from '../../server/reports/schedule.ts';

const schedule: ReportScheduleSettings = {
  recipients: ['giamsat@dongnai.gov.vn'],
  daily: true,
  weekly: true,
  sendAt: '07:30',
};
/** A local time: 7 December 2026 is a Monday. */
const local = (iso: string) => new Date(`${iso}+07:00`);
const daily = (day: string) => ({ kind: 'daily', from: day, to: day });
const weekly = { kind: 'weekly', from: '2026-11-30', to: '2026-12-06' };

describe('dueSummaries', () => {
  it.each([
    ['Monday before the time', '2026-12-07T07:29:59', schedule, []],
    [
      'Monday at the time: yesterday and last week',
      '2026-12-07T07:30:00',
      schedule,
      [daily('2026-12-06'), weekly],
    ],
    [
      'Monday evening, still the same periods',
      '2026-12-07T23:59:00',
      schedule,
      [daily('2026-12-06'), weekly],
    ],
    ['Tuesday: yesterday only', '2026-12-08T08:00:00', schedule, [daily('2026-12-07')]],
    ['Sunday', '2026-12-13T09:00:00', schedule, [daily('2026-12-12')]],
    ['weekly only, on a Tuesday', '2026-12-08T08:00:00', { ...schedule, daily: false }, []],
    ['weekly only, on Monday', '2026-12-07T08:00:00', { ...schedule, daily: false }, [weekly]],
    ['neither', '2026-12-07T08:00:00', { ...schedule, daily: false, weekly: false }, []],
    ['no recipients', '2026-12-07T08:00:00', { ...schedule, recipients: [] }, []],
    ['a malformed time sends nothing', '2026-12-07T08:00:00', { ...schedule, sendAt: '7h30' }, []],
    // 00:10 local on 1 Jan is still 31 Dec in UTC: the local day decides.
    [
      'just after local midnight',
      '2027-01-01T00:10:00',
      { ...schedule, sendAt: '00:05' },
      [daily('2026-12-31')],
    ],
    [
      'across a year on a Monday',
      '2029-01-01T08:00:00',
      schedule,
      [daily('2028-12-31'), { kind: 'weekly', from: '2028-12-25', to: '2028-12-31' }],
    ],
  ] as const)('%s', (_name, at, settings, expected) => {
    expect(dueSummaries({ ...settings, recipients: [...settings.recipients] }, local(at))).toEqual(expected);
  });
});

describe('parseSendAt', () => {
  it.each([
    ['07:30', 450],
    ['00:00', 0],
    ['23:59', 1439],
    ['24:00', null],
    ['7:30', null],
    ['07:60', null],
  ])('%s → %s', (text, minutes) => {
    expect(parseSendAt(text)).toBe(minutes);
  });
});
