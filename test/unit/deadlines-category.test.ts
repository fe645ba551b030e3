/** A category's own resolution time, passed into the pure deadline policy. */
import { describe, expect, it } from 'vitest';
import type { Priority } from '../../common/domain.ts';
import { addWorkingTime, DEFAULT_CALENDAR } from '../../server/deadlines/calendar.ts';
import { dueTimes, WORKING_DAY_MS } from '../../server/deadlines/policy.ts';

// Monday 2025-09-08 08:00 in Vietnam.
const FROM = new Date('2025-09-08T01:00:00Z');

describe('dueTimes with a category override', () => {
  it('replaces the normal priority’s resolution time, leaving acknowledgement alone', () => {
    const plain = dueTimes('normal', FROM, DEFAULT_CALENDAR);
    const three = dueTimes('normal', FROM, DEFAULT_CALENDAR, 3);
    expect(three.ackDueAt).toEqual(plain.ackDueAt);
    expect(three.resolveDueAt).toEqual(addWorkingTime(FROM, 3 * WORKING_DAY_MS, DEFAULT_CALENDAR));
    expect(three.resolveDueAt.getTime()).toBeLessThan(plain.resolveDueAt.getTime());
  });

  it.each<Priority>(['urgent', 'complex'])('does not change a %s ticket', (priority) => {
    expect(dueTimes(priority, FROM, DEFAULT_CALENDAR, 3)).toEqual(dueTimes(priority, FROM, DEFAULT_CALENDAR));
  });

  it('null means the priority’s default', () => {
    expect(dueTimes('normal', FROM, DEFAULT_CALENDAR, null)).toEqual(
      dueTimes('normal', FROM, DEFAULT_CALENDAR),
    );
  });
});
