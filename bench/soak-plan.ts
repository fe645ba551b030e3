/**
 * What a soak run does and when, from its length: the shift's call pattern (a steady trickle,
 * bursts after an announcement, an after-hours window), the faults and their times, and the
 * bounds (callers at once, callers in all). Pure: the run in `soak.ts` follows it.
 */

/** What a simulated citizen does once connected. */
export type CallerKind =
  /** Presses 0 (or 1 for health), waits, talks until the operator hangs up; patience bounded. */
  | 'talk'
  /** Presses 0, gives up after a short wait. */
  | 'abandon'
  /** Presses 0, then 1 when the callback offer comes: the hotline calls them back. */
  | 'callback'
  /** Calls while the hotline is closed and leaves a message after the beep. */
  | 'after_hours';

export type FaultKind = 'kill_server' | 'stop_redis' | 'restart_asterisk' | 'drop_browser';

export interface PlannedFault {
  kind: FaultKind;
  /** ms from the start of the calls. */
  atMs: number;
  /** stop_redis: how long Redis is away; drop_browser: how long before the operator logs back in. */
  forMs?: number;
  /** drop_browser: whose browser. */
  operator?: string;
}

export interface SoakPlan {
  minutes: number;
  /**
   * The calls part lasts this long (ms): callers arrive until their patience would carry them past
   * it; then the run drains.
   */
  callsMs: number;
  /** New calls per minute outside bursts. */
  steadyPerMinute: number;
  /** Bursts: when (ms), and how many callers each brings within `burstSpreadMs`. */
  bursts: number[];
  burstSize: number;
  burstSpreadMs: number;
  /** The hotline's hours are closed within [start, end) ms: only after-hours callers then. */
  afterHours: { startMs: number; endMs: number; callers: number };
  /** Shares of the callers outside the after-hours window (they add up to 1). */
  mix: { talk: number; abandon: number; callback: number };
  /** Hard caps: sipp callers at once, and callers in all. */
  maxAtOnce: number;
  maxTotal: number;
  /** How long a waiting caller stays before hanging up (talk callers). */
  patienceMs: number;
  /** The longest the drain may take: callers finishing, callbacks reaching citizens, deliveries. */
  drainMs: number;
  faults: PlannedFault[];
  /** Shares of answered calls: operators who let it ring out, and who write a ticket. */
  ringOutShare: number;
  ticketShare: number;
  operators: string[];
}

const MINUTE = 60_000;

/** The plan for a run of `minutes` (≥ 1). Runs of 3 minutes or less get the CI's smaller faults. */
export function soakPlan(minutes: number): SoakPlan {
  if (!Number.isFinite(minutes) || minutes < 1 || minutes > 240)
    throw new Error(`a soak lasts 1 to 240 minutes, not ${minutes}`);
  const callsMs = Math.round(minutes * MINUTE);
  const short = minutes <= 3;
  const at = (share: number) => Math.round(callsMs * share);
  // A burst after each announcement: every 5 minutes in a long run, once in a short one.
  // Away from the faults, so a burst's callers wait long enough to hear the callback offer.
  const bursts = short
    ? [at(0.05)]
    : Array.from({ length: Math.floor(minutes / 5) }, (_, i) => (i * 5 + 2.5) * MINUTE).filter(
        (t) => t < callsMs - MINUTE,
      );
  const afterHoursLength = short ? 30_000 : Math.min(2 * MINUTE, at(0.1));
  // After the short run's faults have settled (a server killed at 30 % may take half a minute to
  // come back on a busy machine), so the after-hours callers meet the after-hours service.
  const afterHoursStart = at(short ? 0.58 : 0.55);
  const faults: PlannedFault[] = short
    ? [
        { kind: 'stop_redis', atMs: at(0.22), forMs: 15_000 },
        { kind: 'kill_server', atMs: at(0.38) },
        { kind: 'drop_browser', atMs: at(0.5), forMs: 15_000, operator: 'tdv03' },
      ]
    : [
        { kind: 'kill_server', atMs: at(0.2) },
        { kind: 'drop_browser', atMs: at(0.3), forMs: MINUTE, operator: 'tdv02' },
        { kind: 'stop_redis', atMs: at(0.38), forMs: MINUTE },
        { kind: 'restart_asterisk', atMs: at(0.5) },
        { kind: 'kill_server', atMs: at(0.65) },
        { kind: 'drop_browser', atMs: at(0.7), forMs: MINUTE, operator: 'tdv03' },
      ];
  return {
    minutes,
    callsMs,
    steadyPerMinute: short ? 6 : 5,
    bursts,
    burstSize: 10,
    burstSpreadMs: 15_000,
    afterHours: {
      startMs: afterHoursStart,
      endMs: afterHoursStart + afterHoursLength,
      callers: short ? 2 : 4,
    },
    mix: { talk: 0.6, abandon: 0.2, callback: 0.2 },
    maxAtOnce: 12,
    maxTotal: Math.ceil(minutes * 12) + 20,
    patienceMs: short ? 35_000 : 150_000,
    drainMs: short ? 15_000 : 5 * MINUTE,
    faults,
    ringOutShare: 0.1,
    ticketShare: 0.3,
    operators: ['tdv01', 'tdv02', 'tdv03', 'tdv04'],
  };
}

/** Whether `atMs` falls in the after-hours window. */
export const isAfterHours = (plan: SoakPlan, atMs: number) =>
  atMs >= plan.afterHours.startMs && atMs < plan.afterHours.endMs;

/**
 * When each caller arrives (ms from the start) and what they do: the steady trickle, the bursts,
 * and the after-hours callers, sorted, at most `maxTotal`. `random` in [0, 1) drives the draw.
 */
export function arrivals(plan: SoakPlan, random: () => number): { atMs: number; kind: CallerKind }[] {
  const out: { atMs: number; kind: CallerKind }[] = [];
  // Kinds in a fixed cycle that keeps the mix's shares (from a random place in it), so even a
  // short run has callers of every kind.
  const cycle: CallerKind[] = [];
  for (let i = 0; i < 10; i++) {
    const share = (i + 0.5) / 10;
    cycle.push(
      share < plan.mix.talk ? 'talk' : share < plan.mix.talk + plan.mix.abandon ? 'abandon' : 'callback',
    );
  }
  const order = [0, 6, 3, 8, 1, 7, 4, 9, 2, 5].map((i) => cycle[i]!);
  let next = Math.floor(random() * order.length);
  const pick = (): CallerKind => order[next++ % order.length]!;
  const gapMs = MINUTE / plan.steadyPerMinute;
  // Calls stop early enough that the last caller has hung up when the calls part ends.
  const lastMs = plan.callsMs - plan.patienceMs - 5000;
  for (let t = 2000 + random() * gapMs; t < lastMs; t += gapMs * (0.5 + random())) {
    if (!isAfterHours(plan, t)) out.push({ atMs: Math.round(t), kind: pick() });
  }
  // After an announcement the lines are busy: half of a burst's callers take the callback offer.
  const burstKinds: CallerKind[] = ['talk', 'callback', 'abandon', 'callback', 'talk'];
  for (const burst of plan.bursts) {
    for (let i = 0; i < plan.burstSize; i++) {
      const t = burst + (plan.burstSpreadMs * i) / plan.burstSize + random() * 1000;
      const kind = i < 4 ? pick() : burstKinds[i % burstKinds.length]!;
      if (t < lastMs && !isAfterHours(plan, t)) out.push({ atMs: Math.round(t), kind });
    }
  }
  const { startMs, endMs, callers } = plan.afterHours;
  for (let i = 0; i < callers; i++) {
    // Not in the window's first seconds: the menu file's reload must have landed.
    const t = startMs + 4000 + ((endMs - startMs - 30_000) * i) / Math.max(1, callers);
    out.push({ atMs: Math.round(Math.max(startMs + 4000, t)), kind: 'after_hours' });
  }
  return out.sort((a, b) => a.atMs - b.atMs).slice(0, plan.maxTotal);
}
