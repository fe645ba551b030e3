/**
 * Callback tasks per local day: opened (created that day), reached and given up (closed that day
 * that way), attempts made that day, and the tasks still open when the period ends.
 */
import { and, eq, gte, isNull, lt, or, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { CallbackReportRow, CallbacksReport } from '../../common/api.ts';
import type { Db } from '../db/index.ts';
import { callbackAttempts, callbacks } from '../db/schema.ts';
import { bucketStarts, DAY_MS, type LocalPeriod, localIso } from './period.ts';

type Counts = Omit<CallbackReportRow, 'start'>;

export function callbacksReport(db: Db, period: LocalPeriod, now: Date): CallbacksReport {
  const start = period.start.getTime();
  const dayOf = (column: SQLiteColumn) => sql<number>`cast((${column} - ${start}) / ${DAY_MS} as integer)`;
  const within = (column: SQLiteColumn) => and(gte(column, period.start), lt(column, period.end));
  const perDay = (
    column: SQLiteColumn,
    table: typeof callbacks | typeof callbackAttempts,
    ...where: Parameters<typeof and>
  ) =>
    new Map(
      db
        .select({ day: dayOf(column), n: sql<number>`count(*)` })
        .from(table)
        .where(and(within(column), ...where))
        .groupBy(dayOf(column))
        .all()
        .map((r) => [r.day, r.n]),
    );
  const opened = perDay(callbacks.createdAt, callbacks);
  const reached = perDay(callbacks.closedAt, callbacks, eq(callbacks.status, 'reached'));
  const givenUp = perDay(callbacks.closedAt, callbacks, eq(callbacks.status, 'given_up'));
  const attempts = perDay(callbackAttempts.startedAt, callbackAttempts);

  const total: Counts = { opened: 0, reached: 0, givenUp: 0, attempts: 0 };
  const rows = bucketStarts(period, 'day').map((at, i) => {
    const counts: Counts = {
      opened: opened.get(i) ?? 0,
      reached: reached.get(i) ?? 0,
      givenUp: givenUp.get(i) ?? 0,
      attempts: attempts.get(i) ?? 0,
    };
    for (const key of Object.keys(total) as (keyof Counts)[]) total[key] += counts[key];
    return { start: localIso(at), ...counts };
  });

  // Open at the end of the period (or now, for a period still running): created before it and
  // not closed by then.
  const end = new Date(Math.min(period.end.getTime(), now.getTime()));
  const openAtEnd =
    db
      .select({ n: sql<number>`count(*)` })
      .from(callbacks)
      .where(
        and(
          lt(callbacks.createdAt, end),
          or(and(eq(callbacks.status, 'open'), isNull(callbacks.closedAt)), gte(callbacks.closedAt, end)),
        ),
      )
      .get()?.n ?? 0;

  return { period: { from: period.from, to: period.to }, rows, total, openAtEnd };
}
