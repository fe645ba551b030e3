/**
 * What a waiting caller is told: their position and the estimated wait. Pure: the samples, the
 * position and the time are passed in, so the rules are tested table-driven.
 *
 * The estimate is a moving average of how long recent answered calls of the queue waited (the
 * last `WAIT_SAMPLES`, none older than `WAIT_SAMPLE_MAX_AGE_MS`), less what this caller has
 * waited already. Under `FEW_MINUTES_MS` it is "a few minutes"; above, whole minutes. Without
 * recent answered calls nothing is said about the wait.
 */
import { MAX_SPOKEN_NUMBER, numberSound, type Sound } from './flow.ts';

/** How long an answered call waited in its queue, and when it was answered. */
export interface WaitSample {
  answeredAt: Date;
  waitMs: number;
}

export const WAIT_SAMPLES = 20;
export const WAIT_SAMPLE_MAX_AGE_MS = 60 * 60_000;
/** Estimates below this are said as "a few minutes" rather than a number. */
export const FEW_MINUTES_MS = 150_000;

export type WaitEstimate = { kind: 'fewMinutes' } | { kind: 'minutes'; minutes: number };

/** The samples with `sample` added, keeping the latest `WAIT_SAMPLES` within the hour. */
export function addWaitSample(samples: readonly WaitSample[], sample: WaitSample): WaitSample[] {
  const since = sample.answeredAt.getTime() - WAIT_SAMPLE_MAX_AGE_MS;
  return [...samples, sample].filter((s) => s.answeredAt.getTime() >= since).slice(-WAIT_SAMPLES);
}

/** The mean wait of the latest `WAIT_SAMPLES` answered within the hour before `now`; null without any. */
export function averageWait(samples: readonly WaitSample[], now: Date): number | null {
  const since = now.getTime() - WAIT_SAMPLE_MAX_AGE_MS;
  const recent = samples.filter((s) => s.answeredAt.getTime() >= since).slice(-WAIT_SAMPLES);
  if (recent.length === 0) return null;
  return recent.reduce((sum, s) => sum + s.waitMs, 0) / recent.length;
}

/** What to tell a caller who has waited `waitedMs` already; null when there is nothing to go on. */
export function estimateWait(average: number | null, waitedMs: number): WaitEstimate | null {
  if (average === null) return null;
  const left = average - waitedMs;
  if (left < FEW_MINUTES_MS) return { kind: 'fewMinutes' };
  return { kind: 'minutes', minutes: Math.min(MAX_SPOKEN_NUMBER, Math.round(left / 60_000)) };
}

/**
 * "Quý vị đang ở vị trí số <n>. Thời gian chờ dự kiến khoảng <m> phút." Positions beyond what the
 * prompts can say are left out rather than said wrong.
 */
export function announcementSounds(position: number | null, estimate: WaitEstimate | null): Sound[] {
  const sounds: Sound[] = [];
  if (position !== null && position >= 1 && position <= MAX_SPOKEN_NUMBER)
    sounds.push('positionIs', numberSound(position));
  if (estimate?.kind === 'fewMinutes') sounds.push('waitFewMinutes');
  else if (estimate) sounds.push('waitAbout', numberSound(estimate.minutes), 'minutes');
  return sounds;
}
