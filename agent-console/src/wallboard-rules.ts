/**
 * The TV wallboard's rules, pure so unit tests run them in Node: which colour a figure takes
 * against the admin's thresholds, the longest wait counting up between the server's pushes, and
 * the figures of all queues together.
 */
import type { Threshold, WallboardSettings } from '../../common/api.ts';
import { AGENT_STATES, type AgentState } from '../../common/domain.ts';
import type { AgentStatus, FallbackQueueStats, QueueStats } from '../../common/events.ts';

/** How a figure looks on the wall: as usual, amber (look at it), red (act now). */
export type Level = 'normal' | 'amber' | 'red';

/**
 * A figure's level. Most figures are worse when higher: red at or above `red`, amber at or above
 * `amber`. A share (the service level) is worse when lower: red at or below `red`, amber at or
 * below `amber`. A figure with no value yet (`null`, e.g. no call answered today) or no
 * thresholds yet (settings not loaded) is normal.
 */
export function levelOf(
  value: number | null,
  threshold: Threshold | null | undefined,
  lowerIsWorse = false,
): Level {
  if (value === null || !Number.isFinite(value) || !threshold) return 'normal';
  if (lowerIsWorse) {
    if (value <= threshold.red) return 'red';
    if (value <= threshold.amber) return 'amber';
    return 'normal';
  }
  if (value >= threshold.red) return 'red';
  if (value >= threshold.amber) return 'amber';
  return 'normal';
}

/**
 * The longest-waiting caller's wait now, in whole seconds: the wait the snapshot gave, plus the
 * time since it arrived (the server pushes a snapshot the moment it takes it, so its `at` is the
 * moment it was received; counting on the local clock from there is right even when the
 * browser's clock is off). Nobody waiting is 0, whatever the time.
 */
export function longestWaitNow(
  figures: { waiting: number; longestWaitSeconds: number },
  receivedAtMs: number,
  nowMs: number,
): number {
  if (figures.waiting <= 0) return 0;
  const since = Math.max(0, nowMs - receivedAtMs) / 1000;
  return Math.max(0, Math.floor(figures.longestWaitSeconds + since));
}

/** All queues together, as the wall's top row shows them. */
export interface Totals {
  waiting: number;
  /** The longest wait of any queue; 0 when nobody waits. */
  longestWaitSeconds: number;
  answered: number;
  abandoned: number;
  /** Share (0–1) of today's answered calls answered in time; null when none was answered. */
  serviceLevel: number | null;
}

/**
 * The figures of all queues together. A queue's service level is a share of its answered calls,
 * so the whole is their mean weighted by answered calls. Callers waiting in the exchange's
 * fallback queue wait too: they count in `waiting` and the longest wait. Its answered and
 * abandoned calls are counted since the server started, not today, so they are left out.
 */
export function totalsOf(queues: readonly QueueStats[], fallback: FallbackQueueStats | null = null): Totals {
  let waiting = 0;
  let longestWaitSeconds = 0;
  let answered = 0;
  let abandoned = 0;
  let inTime = 0;
  let measured = 0;
  const waits = fallback ? [...queues, fallback] : queues;
  for (const q of waits) {
    waiting += q.waiting;
    if (q.waiting > 0) longestWaitSeconds = Math.max(longestWaitSeconds, q.longestWaitSeconds);
  }
  for (const q of queues) {
    answered += q.answered;
    abandoned += q.abandoned;
    if (q.serviceLevel !== null) {
      inTime += q.serviceLevel * q.serviceLevelCalls;
      measured += q.serviceLevelCalls;
    }
  }
  return {
    waiting,
    longestWaitSeconds,
    answered,
    abandoned,
    serviceLevel: measured > 0 ? inTime / measured : null,
  };
}

/** Figures of one row of the wall (all queues, one queue or the fallback queue) that take colours. */
export interface RowFigures {
  waiting: number;
  /** Already counted up to now. */
  longestWaitSeconds: number;
  abandoned: number;
  serviceLevel: number | null;
}

export type RowLevels = Record<'waiting' | 'longestWait' | 'abandoned' | 'serviceLevel', Level>;

/** The colours of a row's figures under the admin's thresholds (`null` until they are loaded). */
export function rowLevels(figures: RowFigures, settings: WallboardSettings | null): RowLevels {
  return {
    waiting: levelOf(figures.waiting, settings?.waiting),
    longestWait: levelOf(figures.longestWaitSeconds, settings?.longestWaitSeconds),
    abandoned: levelOf(figures.abandoned, settings?.abandoned),
    serviceLevel: levelOf(
      figures.serviceLevel === null ? null : figures.serviceLevel * 100,
      settings?.serviceLevelPercent,
      true,
    ),
  };
}

/** How many operators are in each state; every state is present, 0 when nobody is in it. */
export function agentCounts(agents: readonly Pick<AgentStatus, 'state'>[]): Record<AgentState, number> {
  const counts = Object.fromEntries(AGENT_STATES.map((state) => [state, 0])) as Record<AgentState, number>;
  for (const agent of agents) counts[agent.state]++;
  return counts;
}
