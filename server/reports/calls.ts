/**
 * Calls per hour or local day, by when they arrived: offered (reached a queue), answered,
 * abandoned (hung up while waiting) and of those the ones who waited longer than the
 * short-abandon threshold, service level, mean wait to answer and mean talk.
 *
 * Service level = answered within `serviceLevelSeconds` ÷ (answered + abandoned after the
 * threshold): a caller who hangs up within a few seconds (a misdial) neither helps nor hurts it.
 * Summed in SQLite, one group per hour or day, so a month of 100,000 calls stays one quick scan.
 */
import { and, gte, isNotNull, lt, sql } from 'drizzle-orm';
import type { CallsReport, CallVolumeRow, ReportGranularity } from '../../common/api.ts';
import type { Db } from '../db/index.ts';
import { calls } from '../db/schema.ts';
import { bucketStarts, DAY_MS, HOUR_MS, type LocalPeriod, localIso } from './period.ts';

export interface CallsReportOptions {
  granularity: ReportGranularity;
  serviceLevelSeconds: number;
  shortAbandonSeconds: number;
}

/** The sums one row's figures come from. */
interface Sums {
  offered: number;
  answered: number;
  abandoned: number;
  abandonedAfterThreshold: number;
  withinLevel: number;
  waitMs: number;
  talkSeconds: number;
  talked: number;
}

const ZERO: Sums = {
  offered: 0,
  answered: 0,
  abandoned: 0,
  abandonedAfterThreshold: 0,
  withinLevel: 0,
  waitMs: 0,
  talkSeconds: 0,
  talked: 0,
};

/** Means to a tenth of a second. */
const mean = (sum: number, n: number): number | null => (n > 0 ? Math.round((sum / n) * 10) / 10 : null);

function figures(s: Sums): Omit<CallVolumeRow, 'start'> {
  const counted = s.answered + s.abandonedAfterThreshold;
  return {
    offered: s.offered,
    answered: s.answered,
    abandoned: s.abandoned,
    abandonedAfterThreshold: s.abandonedAfterThreshold,
    serviceLevel: counted > 0 ? s.withinLevel / counted : null,
    averageWaitSeconds: mean(s.waitMs / 1000, s.answered),
    averageTalkSeconds: mean(s.talkSeconds, s.talked),
  };
}

export function callsReport(db: Db, period: LocalPeriod, opts: CallsReportOptions): CallsReport {
  const step = opts.granularity === 'hour' ? HOUR_MS : DAY_MS;
  const start = period.start.getTime();
  const answered = sql`${calls.answeredAt} is not null`;
  const abandoned = sql`(${calls.answeredAt} is null and ${calls.endReason} = 'abandoned_in_queue')`;
  // Hours and local days are fixed lengths from the period's local midnight (no daylight saving).
  const bucket = sql<number>`cast((${calls.arrivedAt} - ${start}) / ${step} as integer)`;
  const rows = db
    .select({
      bucket,
      offered: sql<number>`count(*)`,
      answered: sql<number>`coalesce(sum(${answered}), 0)`,
      abandoned: sql<number>`coalesce(sum(${abandoned}), 0)`,
      abandonedAfterThreshold: sql<number>`coalesce(sum(${abandoned} and coalesce(${calls.leftQueueAt}, ${calls.endedAt}, ${calls.queuedAt}) - ${calls.queuedAt} > ${opts.shortAbandonSeconds * 1000}), 0)`,
      withinLevel: sql<number>`coalesce(sum(${answered} and ${calls.answeredAt} - ${calls.queuedAt} <= ${opts.serviceLevelSeconds * 1000}), 0)`,
      waitMs: sql<number>`coalesce(sum(case when ${answered} then max(0, ${calls.answeredAt} - ${calls.queuedAt}) end), 0)`,
      talkSeconds: sql<number>`coalesce(sum(case when ${answered} then ${calls.talkSeconds} end), 0)`,
      talked: sql<number>`coalesce(sum(${answered} and ${calls.talkSeconds} is not null), 0)`,
    })
    .from(calls)
    .where(
      and(gte(calls.arrivedAt, period.start), lt(calls.arrivedAt, period.end), isNotNull(calls.queuedAt)),
    )
    .groupBy(bucket)
    .all();

  const byBucket = new Map(rows.map(({ bucket: b, ...sums }) => [b, sums]));
  const total: Sums = { ...ZERO };
  const out: CallVolumeRow[] = bucketStarts(period, opts.granularity).map((at, i) => {
    const sums = byBucket.get(i) ?? ZERO;
    for (const key of Object.keys(total) as (keyof Sums)[]) total[key] += sums[key];
    return { start: localIso(at), ...figures(sums) };
  });
  return {
    period: { from: period.from, to: period.to },
    granularity: opts.granularity,
    serviceLevelSeconds: opts.serviceLevelSeconds,
    shortAbandonSeconds: opts.shortAbandonSeconds,
    rows: out,
    total: figures(total),
  };
}
