import { describe, expect, it } from 'vitest';
import {
  addWaitSample,
  announcementSounds,
  averageWait,
  estimateWait,
  WAIT_SAMPLES,
  type WaitSample,
} from '../../ivr/waiting.ts';

const t0 = new Date('2024-05-01T08:00:00Z');
const MIN = 60_000;
const at = (minutes: number) => new Date(t0.getTime() + minutes * MIN);
const sample = (minute: number, waitSeconds: number): WaitSample => ({
  answeredAt: at(minute),
  waitMs: waitSeconds * 1000,
});

describe('averageWait', () => {
  it.each<[string, WaitSample[], number, number | null]>([
    ['no answered calls', [], 0, null],
    ['one call', [sample(0, 90)], 1, 90_000],
    ['the mean of recent calls', [sample(0, 60), sample(1, 120), sample(2, 180)], 3, 120_000],
    ['calls older than an hour are left out', [sample(0, 600), sample(50, 60)], 70, 60_000],
    ['nothing within the hour', [sample(0, 60)], 61, null],
  ])('%s', (_label, samples, nowMinute, expected) => {
    expect(averageWait(samples, at(nowMinute))).toBe(expected);
  });

  it('uses the latest 20 calls only', () => {
    const samples = [
      ...Array.from({ length: 5 }, (_, i) => sample(i * 0.1, 600)),
      ...Array.from({ length: WAIT_SAMPLES }, (_, i) => sample(1 + i * 0.1, 30)),
    ];
    expect(averageWait(samples, at(5))).toBe(30_000);
  });
});

describe('addWaitSample', () => {
  it('keeps the latest 20 within the hour of the newest', () => {
    let samples: WaitSample[] = [sample(0, 1)];
    for (let i = 0; i < 25; i++) samples = addWaitSample(samples, sample(61 + i * 0.1, 10 + i));
    expect(samples).toHaveLength(WAIT_SAMPLES);
    expect(samples[0]?.waitMs).toBe(15_000);
    expect(samples.at(-1)?.waitMs).toBe(34_000);
  });
});

describe('estimateWait', () => {
  it.each<[string, number | null, number, ReturnType<typeof estimateWait>]>([
    ['nothing to go on: nothing said', null, 0, null],
    ['a short average: a few minutes', 40_000, 0, { kind: 'fewMinutes' }],
    ['just under two and a half minutes: a few minutes', 149_000, 0, { kind: 'fewMinutes' }],
    ['rounded to whole minutes', 200_000, 0, { kind: 'minutes', minutes: 3 }],
    ['less what the caller has waited', 400_000, 120_000, { kind: 'minutes', minutes: 5 }],
    ['waited longer than the average: a few minutes', 120_000, 300_000, { kind: 'fewMinutes' }],
    ['capped at what the prompts can say', 10_000 * MIN, 0, { kind: 'minutes', minutes: 99 }],
  ])('%s', (_label, average, waited, expected) => {
    expect(estimateWait(average, waited)).toEqual(expected);
  });
});

describe('announcementSounds', () => {
  it.each<[string, number | null, ReturnType<typeof estimateWait>, string[]]>([
    [
      'position and minutes',
      3,
      { kind: 'minutes', minutes: 12 },
      ['positionIs', 'number-3', 'waitAbout', 'number-12', 'minutes'],
    ],
    ['position and a few minutes', 1, { kind: 'fewMinutes' }, ['positionIs', 'number-1', 'waitFewMinutes']],
    ['position only, without history', 2, null, ['positionIs', 'number-2']],
    ['a position the prompts cannot say is left out', 120, { kind: 'fewMinutes' }, ['waitFewMinutes']],
    ['not waiting: nothing', null, null, []],
  ])('%s', (_label, position, estimate, expected) => {
    expect(announcementSounds(position, estimate)).toEqual(expected);
  });
});
