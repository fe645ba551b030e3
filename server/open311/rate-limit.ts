/**
 * Per-minute limits for Open311 (a client app's posts, an address's reads): a fixed one-minute
 * window per key, in this process. Pure apart from the clock it is given.
 */

export interface RateLimiter {
  /** Counts one use of `key`: null when allowed, else the seconds until the window ends. */
  take(key: string): number | null;
}

const WINDOW_MS = 60_000;

export function createRateLimiter(perMinute: number, now: () => Date): RateLimiter {
  let windowStart = 0;
  let counts = new Map<string, number>();
  return {
    take(key) {
      const at = now().getTime();
      if (at - windowStart >= WINDOW_MS || at < windowStart) {
        windowStart = at - (at % WINDOW_MS);
        counts = new Map();
      }
      const used = (counts.get(key) ?? 0) + 1;
      counts.set(key, used);
      if (used <= perMinute) return null;
      return Math.max(1, Math.ceil((windowStart + WINDOW_MS - at) / 1000));
    },
  };
}
