/**
 * Login throttling, in process. Every attempt is counted before its password is checked, so a
 * burst of parallel guesses cannot all pass while the hashes are verified. A username (or an
 * address) gets a few attempts within the window freely; after that each further attempt must
 * wait a delay that doubles with every attempt, up to a cap: a guesser is slowed to about one try
 * a minute, while an operator who mistyped is never locked out for long. A successful login
 * forgets the username's attempts, and takes its own off the address's count (an office shares
 * one address).
 */
import { AppError } from '../errors.ts';

export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('RATE_LIMITED', 429, `Đăng nhập sai nhiều lần, vui lòng thử lại sau ${retryAfterSeconds} giây.`);
  }
}

export interface LoginLimits {
  /** Attempts a username gets within the window before each further one must wait. */
  perUsername: number;
  /** The same for a client address; higher, as several people may share one. */
  perAddress: number;
  windowMs: number;
  /** The wait before the first attempt over a threshold; it doubles with each further one. */
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perUsername: 5,
  perAddress: 20,
  windowMs: 15 * 60 * 1000,
  firstDelayMs: 1000,
  maxDelayMs: 60_000,
};

/** One counted attempt, to be settled once the password has been checked. */
export interface LoginAttempt {
  /** The password was right. */
  succeeded(): void;
  /** The password was wrong: the attempt stays counted. Returns the counts within the window. */
  failed(): { username: number; address: number };
}

export interface LoginLimiter {
  /**
   * Counts an attempt for the username and the address. Throws `RateLimitedError` (and counts
   * nothing) while either must still wait.
   */
  attempt(username: string, address: string): LoginAttempt;
}

/** Keys kept at most; the stalest are dropped first so a flood cannot exhaust memory. */
const MAX_KEYS = 50_000;

export function createLoginLimiter(
  limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  now: () => Date = () => new Date(),
): LoginLimiter {
  /** Attempt times within the window, oldest first, by key; the most recently used key last. */
  const attempts = new Map<string, number[]>();

  const recent = (key: string, t: number): number[] => {
    const times = attempts.get(key);
    if (!times) return [];
    const kept = times.filter((at) => at > t - limits.windowMs);
    if (kept.length === 0) attempts.delete(key);
    else attempts.set(key, kept);
    return kept;
  };
  /** How long the key must still wait before its next attempt, in ms. */
  const waitOf = (key: string, free: number, t: number): number => {
    const times = recent(key, t);
    const over = times.length - free;
    const last = times.at(-1);
    if (over < 0 || last === undefined) return 0;
    const delay = Math.min(limits.firstDelayMs * 2 ** over, limits.maxDelayMs);
    return Math.max(0, last + delay - t);
  };
  const record = (key: string, t: number): void => {
    const times = recent(key, t);
    times.push(t);
    attempts.delete(key);
    attempts.set(key, times);
  };
  const userKey = (username: string) => `u:${username.trim().toLowerCase()}`;
  const addressKey = (address: string) => `a:${address}`;

  return {
    attempt(username, address) {
      const t = now().getTime();
      const user = userKey(username);
      const addr = addressKey(address);
      const wait = Math.max(waitOf(user, limits.perUsername, t), waitOf(addr, limits.perAddress, t));
      if (wait > 0) throw new RateLimitedError(Math.ceil(wait / 1000));
      record(user, t);
      record(addr, t);
      while (attempts.size > MAX_KEYS) {
        const oldest = attempts.keys().next().value;
        if (oldest === undefined) break;
        attempts.delete(oldest);
      }
      return {
        succeeded() {
          attempts.delete(user);
          const times = attempts.get(addr);
          const mine = times?.lastIndexOf(t) ?? -1;
          if (times && mine >= 0) times.splice(mine, 1);
        },
        failed() {
          const at = now().getTime();
          return { username: recent(user, at).length, address: recent(addr, at).length };
        },
      };
    },
  };
}
