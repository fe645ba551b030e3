/**
 * Abuse limits of the public pages, with no third-party captcha: how many codes a number or a
 * client address may ask for in an hour, how many requests they may send in a day, how many status
 * look-ups an address may make in an hour. Counted in the server's memory (a restart forgets
 * them, which only ever lets a citizen through).
 */
import { TooManyRequestsError } from './errors.ts';

export interface PublicLimits {
  codesPerPhonePerHour: number;
  codesPerAddressPerHour: number;
  submissionsPerPhonePerDay: number;
  submissionsPerAddressPerDay: number;
  lookupsPerAddressPerHour: number;
}

export const DEFAULT_PUBLIC_LIMITS: Readonly<PublicLimits> = Object.freeze({
  codesPerPhonePerHour: 3,
  codesPerAddressPerHour: 10,
  submissionsPerPhonePerDay: 5,
  submissionsPerAddressPerDay: 50,
  lookupsPerAddressPerHour: 30,
});

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;
/** Keys are swept of old hits once this many have been seen since the last sweep. */
const SWEEP_EVERY = 10_000;

/** At most `max` hits per key in any `windowMs` (a sliding log of the hits' times). */
export class WindowLimiter {
  private readonly hits = new Map<string, number[]>();
  private sinceSweep = 0;
  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  /** Seconds until `key` may hit again; 0 when it may now. Counts nothing. */
  waitSeconds(key: string, now: Date): number {
    const times = this.recent(key, now.getTime());
    if (times.length < this.max) return 0;
    return Math.max(1, Math.ceil((times[0]! + this.windowMs - now.getTime()) / 1000));
  }

  /** Counts a hit for `key`. */
  hit(key: string, now: Date): void {
    const at = now.getTime();
    const times = this.recent(key, at);
    times.push(at);
    this.hits.set(key, times);
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep(at);
  }

  private recent(key: string, at: number): number[] {
    const times = this.hits.get(key) ?? [];
    const from = times.findIndex((t) => t > at - this.windowMs);
    return from === -1 ? [] : from === 0 ? times : times.slice(from);
  }

  private sweep(at: number): void {
    this.sinceSweep = 0;
    for (const [key, times] of this.hits) {
      if ((times.at(-1) ?? 0) <= at - this.windowMs) this.hits.delete(key);
    }
  }
}

/** Throws a 429 with a Vietnamese message when any of `checks` is at its limit; else counts a hit on each. */
function spend(checks: [WindowLimiter, string][], message: string, now: Date): void {
  const wait = Math.max(...checks.map(([limiter, key]) => limiter.waitSeconds(key, now)));
  if (wait > 0) throw new TooManyRequestsError(`${message} Vui lòng thử lại sau ${waitText(wait)}.`, wait);
  for (const [limiter, key] of checks) limiter.hit(key, now);
}

export function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} giây`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes <= 60) return `${minutes} phút`;
  return `${Math.ceil(minutes / 60)} giờ`;
}

export interface PublicLimiters {
  /** Before a code is texted. */
  code(phone: string, address: string, now: Date): void;
  /** Before a request is taken in. */
  submission(phone: string, address: string, now: Date): void;
  /** Before a status look-up. */
  lookup(address: string, now: Date): void;
}

export function createPublicLimiters(limits: PublicLimits = DEFAULT_PUBLIC_LIMITS): PublicLimiters {
  const codesPerPhone = new WindowLimiter(limits.codesPerPhonePerHour, HOUR_MS);
  const codesPerAddress = new WindowLimiter(limits.codesPerAddressPerHour, HOUR_MS);
  const sentPerPhone = new WindowLimiter(limits.submissionsPerPhonePerDay, DAY_MS);
  const sentPerAddress = new WindowLimiter(limits.submissionsPerAddressPerDay, DAY_MS);
  const lookups = new WindowLimiter(limits.lookupsPerAddressPerHour, HOUR_MS);
  return {
    code(phone, address, now) {
      spend(
        [
          [codesPerPhone, phone],
          [codesPerAddress, address],
        ],
        'Đã gửi quá nhiều mã xác nhận.',
        now,
      );
    },
    submission(phone, address, now) {
      spend(
        [
          [sentPerPhone, phone],
          [sentPerAddress, address],
        ],
        'Đã gửi quá nhiều phản ánh trong ngày.',
        now,
      );
    },
    lookup(address, now) {
      spend([[lookups, address]], 'Đã tra cứu quá nhiều lần.', now);
    },
  };
}
