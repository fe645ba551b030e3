import { describe, expect, it } from 'vitest';
import {
  addHandleSample,
  addWaitSample,
  announcementSounds,
  averageHandle,
  averageWait,
  estimateWait,
  expectedWait,
  type HandleSample,
  WAIT_SAMPLES,
  type WaitInputs,
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

describe('averageHandle and addHandleSample', () => {
  const handle = (minute: number, seconds: number): HandleSample => ({
    endedAt: at(minute),
    handleMs: seconds * 1000,
  });
  it.each<[string, HandleSample[], number, number | null]>([
    ['no call handled', [], 0, null],
    ['the mean of recent talks and wrap-ups', [handle(0, 240), handle(1, 360)], 2, 300_000],
    ['older than an hour left out', [handle(0, 900), handle(30, 120)], 70, 120_000],
    ['nothing within the hour', [handle(0, 120)], 61, null],
  ])('%s', (_label, samples, nowMinute, expected) => {
    expect(averageHandle(samples, at(nowMinute))).toBe(expected);
  });

  it('keeps the latest 20 within the hour of the newest', () => {
    let samples: HandleSample[] = [handle(0, 1)];
    for (let i = 0; i < 25; i++) samples = addHandleSample(samples, handle(61 + i * 0.1, 10 + i));
    expect(samples).toHaveLength(WAIT_SAMPLES);
    expect(samples[0]?.handleMs).toBe(15_000);
  });
});

describe('expectedWait', () => {
  const inputs = (i: Partial<WaitInputs>): WaitInputs => ({
    position: 1,
    operatorsOnDuty: 1,
    averageHandleMs: null,
    averageWaitMs: null,
    waitedMs: 0,
    ...i,
  });
  it.each<[string, Partial<WaitInputs>, number | null]>([
    [
      'nobody on duty: nothing said, whatever the history',
      { operatorsOnDuty: 0, averageHandleMs: 5 * MIN, averageWaitMs: 3 * MIN },
      null,
    ],
    ['nothing to go on: nothing said', {}, null],
    ['first in line, one operator: one handle time', { averageHandleMs: 4 * MIN }, 4 * MIN],
    ['third in line, one operator: three handle times', { position: 3, averageHandleMs: 4 * MIN }, 12 * MIN],
    [
      'third in line, three operators on duty: one handle time',
      { position: 3, operatorsOnDuty: 3, averageHandleMs: 4 * MIN },
      4 * MIN,
    ],
    [
      'tenth in line, four operators',
      { position: 10, operatorsOnDuty: 4, averageHandleMs: 6 * MIN },
      15 * MIN,
    ],
    [
      'handle times win over the observed waits',
      { position: 2, averageHandleMs: 5 * MIN, averageWaitMs: 30 * MIN },
      10 * MIN,
    ],
    [
      'what was waited already does not shorten a position-based estimate',
      { position: 2, averageHandleMs: 5 * MIN, waitedMs: 8 * MIN },
      10 * MIN,
    ],
    [
      'no handle times yet: the observed mean wait less what was waited',
      { averageWaitMs: 7 * MIN, waitedMs: 2 * MIN },
      5 * MIN,
    ],
    ['waited longer than the observed mean: no time left', { averageWaitMs: 2 * MIN, waitedMs: 5 * MIN }, 0],
  ])('%s', (_label, i, expected) => {
    expect(expectedWait(inputs(i))).toBe(expected);
  });
});

describe('estimateWait', () => {
  it.each<[string, number | null, ReturnType<typeof estimateWait>]>([
    ['nothing to go on: nothing said', null, null],
    ['a short wait: a few minutes', 40_000, { kind: 'fewMinutes' }],
    ['just under two and a half minutes: a few minutes', 149_000, { kind: 'fewMinutes' }],
    ['rounded to whole minutes', 200_000, { kind: 'minutes', minutes: 3 }],
    ['no time left: a few minutes', 0, { kind: 'fewMinutes' }],
    ['capped at what the prompts can say', 10_000 * MIN, { kind: 'minutes', minutes: 99 }],
  ])('%s', (_label, expected, spoken) => {
    expect(estimateWait(expected)).toEqual(spoken);
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
