/**
 * Today's per-queue figures for the wallboard, computed from call records. Pure: the rows and the
 * start of the day are passed in, so the rules are tested table-driven.
 */
import { type EndReason, QUEUE_NAMES, type QueueName } from '../../common/domain.ts';
import type { QueueStats, WallboardSnapshot } from '../../common/events.ts';

/** What the figures need of a call that joined a queue. */
export interface QueuedCallFacts {
  queue: QueueName;
  queuedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  endReason: EndReason | null;
}

export type QueueFigures = Pick<
  QueueStats,
  'answered' | 'abandoned' | 'serviceLevel' | 'serviceLevelCalls' | 'averageSpeedOfAnswerSeconds'
>;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Asia/Ho_Chi_Minh: UTC+7 all year. */
export const VIETNAM_UTC_OFFSET_MINUTES = 7 * 60;

/** Local midnight (as a UTC instant) of the day containing `at`, at a fixed UTC offset. */
export function startOfLocalDay(at: Date, utcOffsetMinutes: number = VIETNAM_UTC_OFFSET_MINUTES): Date {
  const offset = utcOffsetMinutes * MINUTE;
  return new Date(Math.floor((at.getTime() + offset) / DAY) * DAY - offset);
}

/** Running sums behind one queue's figures, so they can be kept up to date call by call. */
export interface QueueTally {
  answered: number;
  abandoned: number;
  /** Abandons after more than the short-abandon threshold: they count against the service level. */
  abandonedAfterThreshold: number;
  withinLevel: number;
  waitMs: number;
}

/**
 * How the figures are counted: an answer within `serviceLevelSeconds` of joining the queue meets
 * the service level; a caller who hangs up within `shortAbandonSeconds` (a wrong number, a change
 * of mind) is counted as an abandon but left out of the service level.
 */
export interface FigureRules {
  serviceLevelSeconds: number;
  shortAbandonSeconds: number;
}

export type QueueTallies = Map<QueueName, QueueTally>;

export const emptyTallies = (): QueueTallies =>
  new Map(
    QUEUE_NAMES.map((q) => [
      q,
      { answered: 0, abandoned: 0, abandonedAfterThreshold: 0, withinLevel: 0, waitMs: 0 },
    ]),
  );

/** Counts a first answer `waitMs` after the caller joined the queue. */
export function tallyAnswer(t: QueueTally, waitMs: number, serviceLevelSeconds: number): void {
  const wait = Math.max(0, waitMs);
  t.answered++;
  t.waitMs += wait;
  if (wait <= serviceLevelSeconds * 1000) t.withinLevel++;
}

/** Counts a caller who hung up `waitMs` after joining the queue, never answered. */
export function tallyAbandon(t: QueueTally, waitMs: number, shortAbandonSeconds: number): void {
  t.abandoned++;
  if (waitMs > shortAbandonSeconds * 1000) t.abandonedAfterThreshold++;
}

/** The sums for calls answered or abandoned since `since` (see `queueFigures`). */
export function tallyCalls(
  calls: readonly QueuedCallFacts[],
  opts: { since: Date } & FigureRules,
): QueueTallies {
  const since = opts.since.getTime();
  const acc = emptyTallies();
  for (const call of calls) {
    const a = acc.get(call.queue);
    if (!a) continue;
    if (call.answeredAt && call.answeredAt.getTime() >= since) {
      tallyAnswer(a, call.answeredAt.getTime() - call.queuedAt.getTime(), opts.serviceLevelSeconds);
    } else if (
      !call.answeredAt &&
      call.endReason === 'abandoned_in_queue' &&
      call.endedAt &&
      call.endedAt.getTime() >= since
    ) {
      tallyAbandon(a, call.endedAt.getTime() - call.queuedAt.getTime(), opts.shortAbandonSeconds);
    }
  }
  return acc;
}

/** The wallboard figures from the running sums. */
export function figuresOf(tallies: QueueTallies): Record<QueueName, QueueFigures> {
  const figures = {} as Record<QueueName, QueueFigures>;
  for (const [queue, a] of tallies) {
    const counted = a.answered + a.abandonedAfterThreshold;
    figures[queue] = {
      answered: a.answered,
      abandoned: a.abandoned,
      serviceLevel: counted > 0 ? a.withinLevel / counted : null,
      serviceLevelCalls: counted,
      averageSpeedOfAnswerSeconds: a.answered > 0 ? Math.round(a.waitMs / a.answered / 1000) : null,
    };
  }
  return figures;
}

/**
 * Per queue, since `since`: calls answered (by answer time), callers who hung up while waiting
 * (by hang-up time), the service level (answered within `serviceLevelSeconds` of joining the
 * queue ÷ (answered + abandoned after `shortAbandonSeconds`); null when both are 0), and the mean
 * time to answer in whole seconds (null when nothing was answered).
 */
export function queueFigures(
  calls: readonly QueuedCallFacts[],
  opts: { since: Date } & FigureRules,
): Record<QueueName, QueueFigures> {
  return figuresOf(tallyCalls(calls, opts));
}

/** The controller's live snapshot with today's figures filled in. */
export function withFigures(
  snapshot: WallboardSnapshot,
  figures: Record<QueueName, QueueFigures>,
  serviceLevelSeconds: number,
): WallboardSnapshot {
  return {
    ...snapshot,
    serviceLevelSeconds,
    queues: snapshot.queues.map((q) => ({ ...q, ...figures[q.queue] })),
  };
}
