/**
 * Tracking codes citizens read back over the phone: 8 digits and a Damm check digit. Damm catches
 * every single-digit typo and every swap of two adjacent digits, the two mistakes people make.
 */
import { randomInt } from 'node:crypto';

/** The Damm quasigroup of order 10 (weakly totally anti-symmetric, zero diagonal). */
const DAMM: readonly (readonly number[])[] = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

export const TRACKING_CODE_LENGTH = 9;

function dammInterim(digits: string): number {
  let interim = 0;
  for (const ch of digits) interim = DAMM[interim]![Number(ch)]!;
  return interim;
}

/** The check digit that makes `digits` + it pass the Damm check. */
export function dammCheckDigit(digits: string): string {
  if (!/^\d*$/.test(digits)) throw new Error('Damm check digit of a non-digit string');
  return String(dammInterim(digits));
}

/** Appends the check digit to an 8-digit body. */
export function trackingCodeFrom(body: string): string {
  if (!/^\d{8}$/.test(body)) throw new Error('tracking code body must be 8 digits');
  return body + dammCheckDigit(body);
}

/** A fresh code; the body never starts with 0 so it cannot lose a digit in a spreadsheet. */
export function newTrackingCode(random: (min: number, max: number) => number = randomInt): string {
  return trackingCodeFrom(String(random(10_000_000, 100_000_000)));
}

export function isValidTrackingCode(code: string): boolean {
  return new RegExp(`^\\d{${TRACKING_CODE_LENGTH}}$`).test(code) && dammInterim(code) === 0;
}
