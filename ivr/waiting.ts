/**
 * What a waiting caller is told: their position and the estimated wait. Pure: the samples, the
 * position, the operators on duty and the time are passed in, so the rules are tested
 * table-driven.
 *
 * The estimate (`expectedWait`):
 * - No operator on duty for the queue (ready, ringing, on a call or in wrap-up, serving it):
 *   nothing is said about the wait; a number would be a guess, and "a few minutes" a promise
 *   nobody on duty can keep. The position is still said.
 * - With recent handle times (talk plus wrap-up of the queue's last `WAIT_SAMPLES` answered
 *   calls within the hour, or of all queues when this one has none): position × mean handle
 *   time ÷ operators on duty. The callers ahead are served that many at a time, each taking an
 *   operator for about one handle time.
 * - Without handle times (just after a start, before any call ended): the mean wait of the
 *   queue's recent answered calls, less what this caller has waited already. It ignores the
 *   position, so it is only the fallback, never blended in: it would pull the tenth caller's
 *   estimate towards the first's.
 * - Without either: nothing is said about the wait.
 * Under `FEW_MINUTES_MS` the estimate is "a few minutes"; above, whole minutes.
 */
import { MAX_SPOKEN_NUMBER, numberSound, type Sound } from './flow.ts';

/** How long an answered call waited in its queue, and when it was answered. */
export interface WaitSample {
  answeredAt: Date;
  waitMs: number;
}

/** How long an answered call kept its operator (talk plus wrap-up), and when that ended. */
export interface HandleSample {
  endedAt: Date;
  handleMs: number;
}

export const WAIT_SAMPLES = 20;
export const WAIT_SAMPLE_MAX_AGE_MS = 60 * 60_000;
/** Estimates below this are said as "a few minutes" rather than a number. */
export const FEW_MINUTES_MS = 150_000;

export type WaitEstimate = { kind: 'fewMinutes' } | { kind: 'minutes'; minutes: number };

/** The latest `WAIT_SAMPLES` of `samples` (oldest first) within the hour before `now`. */
function recent<T>(samples: readonly T[], at: (s: T) => Date, now: Date): T[] {
  const since = now.getTime() - WAIT_SAMPLE_MAX_AGE_MS;
  return samples.filter((s) => at(s).getTime() >= since).slice(-WAIT_SAMPLES);
}

function mean<T>(samples: readonly T[], value: (s: T) => number): number | null {
  if (samples.length === 0) return null;
  return samples.reduce((sum, s) => sum + value(s), 0) / samples.length;
}

/** The samples with `sample` added, keeping the latest `WAIT_SAMPLES` within the hour. */
export function addWaitSample(samples: readonly WaitSample[], sample: WaitSample): WaitSample[] {
  return recent([...samples, sample], (s) => s.answeredAt, sample.answeredAt);
}

/** The mean wait of the latest `WAIT_SAMPLES` answered within the hour before `now`; null without any. */
export function averageWait(samples: readonly WaitSample[], now: Date): number | null {
  return mean(
    recent(samples, (s) => s.answeredAt, now),
    (s) => s.waitMs,
  );
}

/** The handle samples with `sample` added, keeping the latest `WAIT_SAMPLES` within the hour. */
export function addHandleSample(samples: readonly HandleSample[], sample: HandleSample): HandleSample[] {
  return recent([...samples, sample], (s) => s.endedAt, sample.endedAt);
}

/** The mean handle time of the latest `WAIT_SAMPLES` ended within the hour before `now`; null without any. */
export function averageHandle(samples: readonly HandleSample[], now: Date): number | null {
  return mean(
    recent(samples, (s) => s.endedAt, now),
    (s) => s.handleMs,
  );
}

/** What the estimate of one waiting caller goes by. */
export interface WaitInputs {
  /** 1 for the next caller of the queue. */
  position: number;
  /** Operators serving the queue who are ready, ringing, on a call or in wrap-up. */
  operatorsOnDuty: number;
  /** Mean talk plus wrap-up of recent answered calls; null without any. */
  averageHandleMs: number | null;
  /** Mean wait of the queue's recent answered calls; null without any. */
  averageWaitMs: number | null;
  /** How long this caller has waited already. */
  waitedMs: number;
}

/** The wait still ahead of the caller, in ms; null when there is nothing honest to say (see above). */
export function expectedWait(i: WaitInputs): number | null {
  if (i.operatorsOnDuty <= 0) return null;
  if (i.averageHandleMs !== null) return (Math.max(1, i.position) * i.averageHandleMs) / i.operatorsOnDuty;
  if (i.averageWaitMs !== null) return Math.max(0, i.averageWaitMs - i.waitedMs);
  return null;
}

/** How the expected wait is said; null says nothing about the wait. */
export function estimateWait(expectedMs: number | null): WaitEstimate | null {
  if (expectedMs === null) return null;
  if (expectedMs < FEW_MINUTES_MS) return { kind: 'fewMinutes' };
  return { kind: 'minutes', minutes: Math.min(MAX_SPOKEN_NUMBER, Math.round(expectedMs / 60_000)) };
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
