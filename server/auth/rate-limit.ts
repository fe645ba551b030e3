/**
 * Login throttling, in process: too many failed logins for one username, or from one address,
 * within the window lock further attempts out until the oldest failure ages out.
 */
import { AppError } from '../errors.ts';

export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('RATE_LIMITED', 429, 'Đăng nhập sai quá nhiều lần, vui lòng thử lại sau ít phút.');
  }
}

export interface LoginLimits {
  perUsername: number;
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perUsername: 5, perAddress: 20, windowMs: 15 * 60 * 1000 };

export interface LoginLimiter {
  /** Throws `RateLimitedError` while either the username or the address is locked out. */
  check(username: string, address: string): void;
  recordFailure(username: string, address: string): void;
  /** A successful login clears the username's failures (not the address's). */
  recordSuccess(username: string): void;
}

/** Keys kept at most; the stalest are dropped first so a flood cannot exhaust memory. */
const MAX_KEYS = 50_000;

export function createLoginLimiter(
  limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  now: () => Date = () => new Date(),
): LoginLimiter {
  const failures = new Map<string, number[]>();

  const recent = (key: string, t: number): number[] => {
    const times = failures.get(key);
    if (!times) return [];
    const kept = times.filter((at) => at > t - limits.windowMs);
    if (kept.length === 0) failures.delete(key);
    else failures.set(key, kept);
    return kept;
  };
  const lockedFor = (key: string, max: number, t: number): number => {
    const times = recent(key, t);
    if (times.length < max) return 0;
    return times[times.length - max]! + limits.windowMs - t;
  };
  const userKey = (username: string) => `u:${username.trim().toLowerCase()}`;
  const addressKey = (address: string) => `a:${address}`;

  return {
    check(username, address) {
      const t = now().getTime();
      const wait = Math.max(
        lockedFor(userKey(username), limits.perUsername, t),
        lockedFor(addressKey(address), limits.perAddress, t),
      );
      if (wait > 0) throw new RateLimitedError(Math.ceil(wait / 1000));
    },
    recordFailure(username, address) {
      const t = now().getTime();
      for (const key of [userKey(username), addressKey(address)]) {
        const times = recent(key, t);
        times.push(t);
        failures.delete(key);
        failures.set(key, times);
      }
      while (failures.size > MAX_KEYS) {
        const oldest = failures.keys().next().value;
        if (oldest === undefined) break;
        failures.delete(oldest);
      }
    },
    recordSuccess(username) {
      failures.delete(userKey(username));
    },
  };
}
