import { describe, expect, it } from 'vitest';
import {
  agentCounts,
  levelOf,
  longestWaitNow,
  rowLevels,
  totalsOf,
} from '../../agent-console/src/wallboard-rules.ts';
import type { WallboardSettings } from '../../common/api.ts';
import type { QueueName } from '../../common/domain.ts';
import type { QueueStats } from '../../common/events.ts';

const queue = (name: QueueName, over: Partial<QueueStats> = {}): QueueStats => ({
  queue: name,
  waiting: 0,
  longestWaitSeconds: 0,
  answered: 0,
  abandoned: 0,
  serviceLevel: null,
  serviceLevelCalls: 0,
  averageSpeedOfAnswerSeconds: null,
  ...over,
});

const SETTINGS: WallboardSettings = {
  waiting: { amber: 3, red: 6 },
  longestWaitSeconds: { amber: 60, red: 120 },
  serviceLevelPercent: { amber: 80, red: 60 },
  abandoned: { amber: 10, red: 25 },
};

describe('levelOf: a figure against its thresholds', () => {
  it.each([
    [0, 'normal'],
    [2, 'normal'],
    [3, 'amber'],
    [5, 'amber'],
    [6, 'red'],
    [40, 'red'],
  ] as const)('higher is worse (amber 3, red 6): %d is %s', (value, level) => {
    expect(levelOf(value, { amber: 3, red: 6 })).toBe(level);
  });

  it.each([
    [100, 'normal'],
    [80.1, 'normal'],
    [80, 'amber'],
    [61, 'amber'],
    [60, 'red'],
    [0, 'red'],
  ] as const)('lower is worse (amber 80, red 60): %d is %s', (value, level) => {
    expect(levelOf(value, { amber: 80, red: 60 }, true)).toBe(level);
  });

  it('amber and red at the same value: red wins', () => {
    expect(levelOf(5, { amber: 5, red: 5 })).toBe('red');
    expect(levelOf(70, { amber: 70, red: 70 }, true)).toBe('red');
  });

  it('no value, no thresholds, or a value that is not a number: normal', () => {
    expect(levelOf(null, { amber: 0, red: 0 })).toBe('normal');
    expect(levelOf(null, { amber: 80, red: 60 }, true)).toBe('normal');
    expect(levelOf(50, null)).toBe('normal');
    expect(levelOf(50, undefined)).toBe('normal');
    expect(levelOf(Number.NaN, { amber: 1, red: 2 })).toBe('normal');
  });
});

describe('longestWaitNow: the longest wait counts up between pushes', () => {
  const received = 1_000_000;

  it('adds the whole seconds since the snapshot arrived, second by second', () => {
    const figures = { waiting: 2, longestWaitSeconds: 7 };
    expect(longestWaitNow(figures, received, received)).toBe(7);
    expect(longestWaitNow(figures, received, received + 999)).toBe(7);
    expect(longestWaitNow(figures, received, received + 1000)).toBe(8);
    expect(longestWaitNow(figures, received, received + 65_400)).toBe(72);
  });

  it('is 0 while nobody waits, however long ago the snapshot came', () => {
    expect(longestWaitNow({ waiting: 0, longestWaitSeconds: 0 }, received, received + 30_000)).toBe(0);
    // A stale wait with nobody waiting is not shown either.
    expect(longestWaitNow({ waiting: 0, longestWaitSeconds: 12 }, received, received + 30_000)).toBe(0);
  });

  it('never counts backwards for a local clock that stepped back', () => {
    expect(longestWaitNow({ waiting: 1, longestWaitSeconds: 5 }, received, received - 10_000)).toBe(5);
  });
});

describe('totalsOf: all queues together', () => {
  it('adds callers and today’s calls, and takes the longest wait of any queue', () => {
    const totals = totalsOf([
      queue('health', { waiting: 2, longestWaitSeconds: 40, answered: 10, abandoned: 1 }),
      queue('welfare', { waiting: 1, longestWaitSeconds: 95, answered: 5, abandoned: 3 }),
      queue('general'),
    ]);
    expect(totals).toMatchObject({ waiting: 3, longestWaitSeconds: 95, answered: 15, abandoned: 4 });
  });

  it('weighs each queue’s service level by its divisor (answered and abandoned after the threshold); none is null', () => {
    const totals = totalsOf([
      // 27 of 30 answered in time, no long abandon; 5 of 10 answered in time, 10 long abandons.
      queue('health', { answered: 30, serviceLevel: 0.9, serviceLevelCalls: 30 }),
      queue('welfare', { answered: 10, abandoned: 12, serviceLevel: 0.25, serviceLevelCalls: 20 }),
      queue('goods', { answered: 0, abandoned: 1, serviceLevel: null, serviceLevelCalls: 0 }),
    ]);
    expect(totals.serviceLevel).toBeCloseTo((27 + 5) / 50, 10);
    expect(totalsOf([queue('health'), queue('general')]).serviceLevel).toBeNull();
    expect(totalsOf([]).serviceLevel).toBeNull();
  });

  it('ignores a longest wait left on a queue nobody waits in', () => {
    expect(totalsOf([queue('health', { waiting: 0, longestWaitSeconds: 300 })]).longestWaitSeconds).toBe(0);
  });

  it('counts the callers in the exchange’s fallback queue, not its since-start call counts', () => {
    const totals = totalsOf([queue('health', { waiting: 1, longestWaitSeconds: 10, answered: 4 })], {
      waiting: 2,
      longestWaitSeconds: 50,
      answered: 99,
      abandoned: 7,
    });
    expect(totals).toMatchObject({ waiting: 3, longestWaitSeconds: 50, answered: 4, abandoned: 0 });
  });
});

describe('rowLevels: a row’s colours', () => {
  it('colours each figure by its own threshold, the service level as a percentage', () => {
    expect(
      rowLevels({ waiting: 6, longestWaitSeconds: 61, abandoned: 2, serviceLevel: 0.75 }, SETTINGS),
    ).toEqual({ waiting: 'red', longestWait: 'amber', abandoned: 'normal', serviceLevel: 'amber' });
    expect(
      rowLevels({ waiting: 0, longestWaitSeconds: 0, abandoned: 25, serviceLevel: 0.6 }, SETTINGS),
    ).toEqual({ waiting: 'normal', longestWait: 'normal', abandoned: 'red', serviceLevel: 'red' });
  });

  it('is all normal before the thresholds are loaded, and for a day with no answered call', () => {
    expect(rowLevels({ waiting: 50, longestWaitSeconds: 900, abandoned: 90, serviceLevel: 0 }, null)).toEqual(
      {
        waiting: 'normal',
        longestWait: 'normal',
        abandoned: 'normal',
        serviceLevel: 'normal',
      },
    );
    expect(
      rowLevels({ waiting: 0, longestWaitSeconds: 0, abandoned: 0, serviceLevel: null }, SETTINGS)
        .serviceLevel,
    ).toBe('normal');
  });
});

describe('agentCounts', () => {
  it('counts operators per state, every state present', () => {
    expect(
      agentCounts([{ state: 'ready' }, { state: 'on_call' }, { state: 'ready' }, { state: 'not_ready' }]),
    ).toEqual({ ready: 2, on_call: 1, not_ready: 1, ringing: 0, wrap_up: 0, offline: 0 });
  });
});
