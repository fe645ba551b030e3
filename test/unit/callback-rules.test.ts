import { describe, expect, it } from 'vitest';
import { CALLBACK_MERGE_WINDOW_MS, decideOnAbandon } from '../../server/callbacks/rules.ts';

const T = Date.parse('2025-06-10T03:00:00Z');
const MIN = 60_000;
const task = (id: number, minutesAgo: number) => ({ id, lastAbandonAt: new Date(T - minutesAgo * MIN) });

describe('decideOnAbandon: one open callback per number within 30 minutes', () => {
  it.each([
    { name: 'no open task: a new one', open: [], expected: { kind: 'create' } },
    { name: 'abandoned 10 min ago: merge', open: [task(1, 10)], expected: { kind: 'merge', callbackId: 1 } },
    { name: 'exactly 30 min ago: merge', open: [task(1, 30)], expected: { kind: 'merge', callbackId: 1 } },
    { name: '31 min ago: a new one', open: [task(1, 31)], expected: { kind: 'create' } },
    {
      name: 'several open tasks: the closest one within the window',
      open: [task(1, 50), task(2, 25), task(3, 5)],
      expected: { kind: 'merge', callbackId: 3 },
    },
    {
      name: 'an event that arrives out of order still merges',
      open: [task(4, -3)],
      expected: { kind: 'merge', callbackId: 4 },
    },
  ])('$name', ({ open, expected }) => {
    expect(decideOnAbandon(open, new Date(T))).toEqual(expected);
  });

  it('the window is 30 minutes', () => {
    expect(CALLBACK_MERGE_WINDOW_MS).toBe(30 * MIN);
  });
});
