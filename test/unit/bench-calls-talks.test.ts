import { describe, expect, it } from 'vitest';
import { talkTimes } from '../../bench/calls-talks.ts';

const take = (next: () => number, n: number) => Array.from({ length: n }, next);

describe('talkTimes', () => {
  it('gives every operator the same talks on every run, and different operators different talks', () => {
    expect(take(talkTimes('tdv01', 1500, 0.5), 20)).toEqual(take(talkTimes('tdv01', 1500, 0.5), 20));
    expect(take(talkTimes('tdv01', 1500, 0.5), 20)).not.toEqual(take(talkTimes('tdv02', 1500, 0.5), 20));
  });

  it('spreads talks evenly within the spread around the mean', () => {
    const talks = take(talkTimes('tdv07', 1500, 0.5), 2000);
    expect(Math.min(...talks)).toBeGreaterThanOrEqual(750);
    expect(Math.max(...talks)).toBeLessThanOrEqual(2250);
    const mean = talks.reduce((a, b) => a + b, 0) / talks.length;
    expect(mean).toBeGreaterThan(1450);
    expect(mean).toBeLessThan(1550);
    // Each quarter of the range gets about a quarter of the talks.
    for (let q = 0; q < 4; q++) {
      const inQuarter = talks.filter((t) => t >= 750 + q * 375 && t < 750 + (q + 1) * 375).length;
      expect(inQuarter).toBeGreaterThan(400);
      expect(inQuarter).toBeLessThan(600);
    }
  });

  it('keeps two operators who start together from hanging up together call after call', () => {
    const a = talkTimes('tdv01', 1500, 0.5);
    const b = talkTimes('tdv02', 1500, 0.5);
    let endA = 0;
    let endB = 0;
    let together = 0;
    for (let call = 0; call < 50; call++) {
      endA += a();
      endB += b();
      if (Math.abs(endA - endB) < 20) together++;
    }
    expect(together).toBeLessThan(5);
  });

  it('gives everybody the mean when the spread is 0', () => {
    expect(
      new Set([...take(talkTimes('tdv01', 1500, 0), 10), ...take(talkTimes('tdv02', 1500, 0), 10)]),
    ).toEqual(new Set([1500]));
  });
});
