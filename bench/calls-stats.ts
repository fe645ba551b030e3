/**
 * Pure figures of the calls benchmark: percentiles, CPU time from `/proc`, sipp's statistics
 * file, and the two latencies measured from event times.
 */

import { procStatFields } from '../scripts/lib/proc-stat.ts';

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending list; NaN when it is empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** User plus system CPU time (fields 14 and 15), in clock ticks, from a `/proc/<pid>/stat` line. */
export function cpuTicks(stat: string): number {
  const field = procStatFields(stat);
  const utime = Number(field(14));
  const stime = Number(field(15));
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('no CPU times in the stat line');
  return utime + stime;
}

/** Resident memory in bytes from `/proc/<pid>/status` (`VmRSS:   12345 kB`). */
export function residentBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error('no VmRSS in the status text');
  return Number(match[1]) * 1024;
}

export interface SippCounts {
  created: number;
  successful: number;
  failed: number;
}

/**
 * The cumulative call counts from sipp's `-trace_stat` file: a `;`-separated header line and one
 * line per period; the last line holds the totals at exit.
 */
export function parseSippStats(csv: string): SippCounts {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new Error('sipp statistics file has no data line');
  const header = lines[0]!.split(';');
  const last = lines.at(-1)!.split(';');
  const column = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`sipp statistics file has no ${name} column`);
    const value = Number(last[i]);
    if (!Number.isFinite(value)) throw new Error(`sipp statistics: ${name} is "${last[i]}"`);
    return value;
  };
  return {
    created: column('TotalCallCreated'),
    successful: column('SuccessfulCall(C)'),
    failed: column('FailedCall(C)'),
  };
}

/** A caller's channel as seen in Asterisk's events (epoch ms). */
export interface CallerTimes {
  channelId?: string;
  callerNumber: string;
  /** When the call reached the application that answers it: Stasis(), or the dialplan's Answer(). */
  enteredAt?: number;
  /** When the channel went Up. */
  upAt?: number;
  /** When the caller joined a queue. */
  queuedAt?: number;
}

/** Entered → answered, per caller who got both. */
export function answerDelays(callers: Iterable<CallerTimes>): number[] {
  const delays: number[] = [];
  for (const c of callers) {
    if (c.enteredAt !== undefined && c.upAt !== undefined) delays.push(c.upAt - c.enteredAt);
  }
  return delays;
}

/** One simulated operator's softphone, as it saw things (epoch ms). */
export interface OperatorTimeline {
  /** When the operator became free to take the next call (hung up, or said Ready). */
  freeAt: number[];
  /** Each incoming INVITE: when it arrived and whose call it was. */
  rings: { at: number; callerNumber: string }[];
}

/**
 * Each INVITE that counts toward ready → ringing, with the moment the operator last became free
 * before it: only INVITEs whose caller was already queued at that moment (otherwise the wait
 * measures the lack of callers, not the dispatcher).
 */
function* ringsAfterFree<T extends OperatorTimeline>(
  operators: Iterable<T>,
  queuedAt: (callerNumber: string) => number | undefined,
): Generator<{ op: T; free: number; ring: number; callerNumber: string }> {
  for (const op of operators) {
    const rings = [...op.rings].sort((a, b) => a.at - b.at);
    let previous = Number.NEGATIVE_INFINITY;
    for (const ring of rings) {
      const frees = op.freeAt.filter((t) => t > previous && t <= ring.at);
      previous = ring.at;
      if (frees.length === 0) continue;
      const free = Math.max(...frees);
      const joined = queuedAt(ring.callerNumber);
      if (joined !== undefined && joined <= free)
        yield { op, free, ring: ring.at, callerNumber: ring.callerNumber };
    }
  }
}

/** An initial INVITE Asterisk sent to an operator's softphone (epoch ms), for a caller's call. */
export interface SentInvite {
  at: number;
  callerNumber: string;
}

/** The last INVITE for this caller sent within [from, to], if any. */
function inviteSent(invites: readonly SentInvite[], callerNumber: string, from: number, to: number) {
  let sent: number | undefined;
  for (const i of invites) {
    if (i.callerNumber === callerNumber && i.at >= from && i.at <= to && (sent === undefined || i.at > sent))
      sent = i.at;
  }
  return sent;
}

/**
 * Ready-operator → ringing, for each counted INVITE: the delay from the operator becoming free
 * to Asterisk sending the INVITE to their softphone (`sent`), and, apart, to the simulated
 * softphone seeing it (`seen`: that also holds the load generator's own delay in handling it).
 */
export function readyToRinging(
  operators: Iterable<OperatorTimeline>,
  queuedAt: (callerNumber: string) => number | undefined,
  invites: readonly SentInvite[],
): { sent: number[]; seen: number[] } {
  const sent: number[] = [];
  const seen: number[] = [];
  for (const { free, ring, callerNumber } of ringsAfterFree(operators, queuedAt)) {
    seen.push(ring - free);
    const at = inviteSent(invites, callerNumber, free, ring);
    if (at !== undefined) sent.push(at - free);
  }
  return { sent, seen };
}

/**
 * The parts of each ready→ringing delay: the system's decision (ready → Asterisk created the
 * operator's leg: the hang-up reaching the controller, the dispatch, the originate request),
 * Asterisk's dial (leg created → INVITE sent), and the simulated softphone's own delay (INVITE
 * sent → seen). `legsOf(operator)` gives the leg creation times.
 */
export function ringingHalves(
  operators: Iterable<OperatorTimeline & { name: string }>,
  queuedAt: (callerNumber: string) => number | undefined,
  legsOf: (operator: string) => readonly number[],
  invites: readonly SentInvite[],
): { decision: number[]; dial: number[]; softphone: number[] } {
  const decision: number[] = [];
  const dial: number[] = [];
  const softphone: number[] = [];
  for (const { op, free, ring, callerNumber } of ringsAfterFree(operators, queuedAt)) {
    const legs = legsOf(op.name).filter((t) => t >= free && t <= ring);
    const sent = inviteSent(invites, callerNumber, free, ring);
    if (sent !== undefined) softphone.push(ring - sent);
    if (legs.length === 0) continue;
    const created = Math.max(...legs);
    decision.push(created - free);
    if (sent !== undefined && sent >= created) dial.push(sent - created);
  }
  return { decision, dial, softphone };
}

/** CPU use over a window as a share of one core (1 = one core busy all the time). */
export function coreShare(ticks: number, seconds: number, ticksPerSecond = 100): number {
  return seconds > 0 ? ticks / ticksPerSecond / seconds : Number.NaN;
}
