/**
 * Which scheduled summaries are due at a time. Pure: the settings and the time are parameters.
 *
 * The daily summary covers yesterday and is due from `sendAt` (local time) until the end of the
 * day; the weekly one covers the previous Monday–Sunday and is due on Mondays from `sendAt`. So
 * a server started late in the morning still sends the day's summaries, and one down all day
 * does not send stale ones the next. The runner sends each (kind, period) once; asking again the
 * same day answers the same periods.
 */
import type { ReportScheduleSettings } from '../../common/api.ts';
import { addDays, localDay } from './period.ts';
import type { ReportMailKind } from './schema.ts';

export interface DueSummary {
  kind: ReportMailKind;
  /** Local days, both included. */
  from: string;
  to: string;
}

/** Minutes since local midnight at `at` (UTC+7). */
function localMinutes(at: Date): number {
  const local = new Date(at.getTime() + 7 * 3600_000);
  return local.getUTCHours() * 60 + local.getUTCMinutes();
}

/** `HH:MM` → minutes since midnight; null when malformed. */
export function parseSendAt(sendAt: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(sendAt);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** 1 = Monday … 7 = Sunday, of the local day `day`. */
function isoWeekday(day: string): number {
  const d = new Date(`${day}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

export function dueSummaries(schedule: ReportScheduleSettings, at: Date): DueSummary[] {
  const sendAt = parseSendAt(schedule.sendAt);
  if (schedule.recipients.length === 0 || sendAt === null || localMinutes(at) < sendAt) return [];
  const today = localDay(at);
  const due: DueSummary[] = [];
  if (schedule.daily) {
    const yesterday = addDays(today, -1);
    due.push({ kind: 'daily', from: yesterday, to: yesterday });
  }
  if (schedule.weekly && isoWeekday(today) === 1) {
    due.push({ kind: 'weekly', from: addDays(today, -7), to: addDays(today, -1) });
  }
  return due;
}
