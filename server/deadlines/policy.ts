/**
 * How long an agency has to acknowledge and to resolve a ticket, by priority. Urgent tickets run
 * around the clock; the others count office hours on the working calendar.
 */
import type { Priority } from '../../common/domain.ts';
import { addWorkingTime, type WorkingCalendar, workingTimeBetween } from './calendar.ts';

const HOUR = 60 * 60 * 1000;
/** A working day of the default calendar: 07:30–11:30 and 13:30–17:00. */
export const WORKING_DAY_MS = 7.5 * HOUR;

export interface DeadlineRule {
  /** `wall`: elapsed time, nights and holidays included; `working`: office hours only. */
  clock: 'wall' | 'working';
  ackMs: number;
  resolveMs: number;
}

/** The one place the allowed times live. */
export const DEADLINE_POLICY: Readonly<Record<Priority, DeadlineRule>> = Object.freeze({
  urgent: { clock: 'wall', ackMs: 2 * HOUR, resolveMs: 24 * HOUR },
  normal: { clock: 'working', ackMs: 8 * HOUR, resolveMs: 5 * WORKING_DAY_MS },
  complex: { clock: 'working', ackMs: 8 * HOUR, resolveMs: 15 * WORKING_DAY_MS },
});

export interface DueTimes {
  ackDueAt: Date;
  resolveDueAt: Date;
}

/**
 * Due times for a ticket of `priority` assigned at `from`. `resolveWorkingDays`: the ticket's
 * category's own resolution time, which replaces the normal priority's (urgent and complex
 * tickets keep theirs).
 */
export function dueTimes(
  priority: Priority,
  from: Date,
  cal: WorkingCalendar,
  resolveWorkingDays: number | null = null,
): DueTimes {
  const base = DEADLINE_POLICY[priority];
  const rule =
    priority === 'normal' && resolveWorkingDays !== null
      ? { ...base, resolveMs: resolveWorkingDays * WORKING_DAY_MS }
      : base;
  if (rule.clock === 'wall') {
    return {
      ackDueAt: new Date(from.getTime() + rule.ackMs),
      resolveDueAt: new Date(from.getTime() + rule.resolveMs),
    };
  }
  return {
    ackDueAt: addWorkingTime(from, rule.ackMs, cal),
    resolveDueAt: addWorkingTime(from, rule.resolveMs, cal),
  };
}

/**
 * The resolution deadline once the agency's clock resumes at `resumedAt` after it stopped at
 * `stoppedAt` (its result was under the hotline's review): moved by the time it stood still, on
 * the priority's clock, so the agency is allowed only its own time.
 */
export function resumedDeadline(
  dueAt: Date,
  stoppedAt: Date,
  resumedAt: Date,
  priority: Priority,
  cal: WorkingCalendar,
): Date {
  if (resumedAt.getTime() <= stoppedAt.getTime()) return dueAt;
  if (DEADLINE_POLICY[priority].clock === 'wall') {
    return new Date(dueAt.getTime() + resumedAt.getTime() - stoppedAt.getTime());
  }
  const stood = workingTimeBetween(stoppedAt, resumedAt, cal);
  return stood > 0 ? addWorkingTime(dueAt, stood, cal) : dueAt;
}
