/** The agency's resolution deadline after the hotline's review: moved by the review's time, on the priority's clock. */
import { describe, expect, it } from 'vitest';
import type { Priority } from '../../common/domain.ts';
import { DEFAULT_CALENDAR } from '../../server/deadlines/calendar.ts';
import { resumedDeadline } from '../../server/deadlines/policy.ts';

/** A local time in Vietnam (UTC+7), September 2025: Monday the 8th to Monday the 15th. */
const vn = (day: number, hour: number, minute = 0) => new Date(Date.UTC(2025, 8, day, hour - 7, minute));

describe('resumedDeadline', () => {
  it.each<[string, Priority, Date, Date, Date, Date]>([
    ['urgent: elapsed time, nights included', 'urgent', vn(9, 10), vn(8, 12), vn(8, 18), vn(9, 16)],
    ['normal: a review within office hours', 'normal', vn(12, 10), vn(8, 9), vn(8, 10, 30), vn(12, 11, 30)],
    ['normal: the lunch break does not count', 'normal', vn(12, 10), vn(8, 11), vn(8, 14), vn(12, 11)],
    [
      'normal: nor the night, and the moved deadline skips the weekend',
      'normal',
      vn(12, 16),
      vn(8, 16),
      vn(9, 8),
      vn(15, 8),
    ],
    [
      'complex: a review over the weekend counts its office hours only',
      'complex',
      vn(10, 9),
      vn(12, 16),
      vn(15, 8),
      vn(10, 10, 30),
    ],
    [
      'normal: a review outside office hours moves nothing',
      'normal',
      vn(12, 10),
      vn(8, 18),
      vn(8, 20),
      vn(12, 10),
    ],
    ['resumed no later than it stopped: unchanged', 'urgent', vn(9, 10), vn(8, 12), vn(8, 12), vn(9, 10)],
  ])('%s', (_label, priority, dueAt, stoppedAt, resumedAt, expected) => {
    expect(resumedDeadline(dueAt, stoppedAt, resumedAt, priority, DEFAULT_CALENDAR).toISOString()).toBe(
      expected.toISOString(),
    );
  });
});
