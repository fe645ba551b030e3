/**
 * Whether a watchdog process is watching, as `/api/health` shows it. After each look at the
 * controller's heartbeat the watchdog writes its own beat into an Asterisk global variable
 * (`watchdog-run.ts`); the server reads it every second through the controller's one ARI client
 * (`followWatchdogBeat`) and judges it here, on its own clock, as the watchdog judges the
 * controller's (a different clock on each side does not matter). Pure apart from the follower.
 *
 * - `unknown`: nothing read yet, the variable could not be read lately (Asterisk unreachable), or
 *   its value has not changed since the server started (an old beat proves nothing);
 * - `up`: the beat changed within `staleAfterMs`;
 * - `stale`: it changed once, not since (the watchdog stopped or cannot reach Asterisk).
 */
import type { Logger } from 'pino';

/** The Asterisk global variable the watchdog's own beat is written to. */
export const WATCHDOG_BEAT_VARIABLE = 'HOTLINE_WATCHDOG_BEAT';
/** A watchdog beats every second; one silent this long is stale. */
export const WATCHDOG_STALE_AFTER_MS = 5000;

export type WatchdogState = 'up' | 'stale' | 'unknown';

/** What the server has seen of the watchdog's beat (epoch ms on the server's clock). */
export interface WatchdogSeen {
  /** The last value read; null before the first read. */
  value: string | null;
  /** When the value last changed after the first read; null while it has not. */
  changedAt: number | null;
  /** When the variable was last read. */
  readAt: number | null;
}

export const NOTHING_SEEN: WatchdogSeen = Object.freeze({ value: null, changedAt: null, readAt: null });

/** The record after a read of the variable (`''` when unset). */
export function seeWatchdogBeat(seen: WatchdogSeen, value: string, now: number): WatchdogSeen {
  if (seen.readAt === null) return { value, changedAt: null, readAt: now };
  if (value === seen.value || value === '') return { ...seen, readAt: now };
  return { value, changedAt: now, readAt: now };
}

export interface WatchdogHealth {
  state: WatchdogState;
  /** When the server last saw the watchdog's beat change (ISO); null when never. */
  lastSeenAt: string | null;
}

export function watchdogHealth(
  seen: WatchdogSeen,
  now: number,
  staleAfterMs: number = WATCHDOG_STALE_AFTER_MS,
): WatchdogHealth {
  const lastSeenAt = seen.changedAt === null ? null : new Date(seen.changedAt).toISOString();
  if (seen.readAt === null || now - seen.readAt > staleAfterMs || seen.changedAt === null)
    return { state: 'unknown', lastSeenAt };
  return { state: now - seen.changedAt > staleAfterMs ? 'stale' : 'up', lastSeenAt };
}

/** Reads the watchdog's beat every `everyMs` through `read`; `health()` judges what was seen. */
export function followWatchdogBeat(deps: {
  read: (name: string) => Promise<string>;
  logger: Logger;
  now?: () => number;
  everyMs?: number;
}): { health(): WatchdogHealth; stop(): void } {
  const now = deps.now ?? Date.now;
  let seen = NOTHING_SEEN;
  let busy = false;
  let failing = false;
  const read = async () => {
    if (busy) return;
    busy = true;
    try {
      seen = seeWatchdogBeat(seen, await deps.read(WATCHDOG_BEAT_VARIABLE), now());
      failing = false;
    } catch (err) {
      if (!failing) deps.logger.debug({ err }, 'watchdog beat not read');
      failing = true;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void read(), deps.everyMs ?? 1000);
  void read();
  return { health: () => watchdogHealth(seen, now()), stop: () => clearInterval(timer) };
}
