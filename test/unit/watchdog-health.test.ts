/** How `/api/health` judges the watchdog's beat: unknown, up, stale, on the server's clock. */
import { describe, expect, it } from 'vitest';
import {
  NOTHING_SEEN,
  seeWatchdogBeat,
  type WatchdogSeen,
  watchdogHealth,
} from '../../ivr/watchdog-health.ts';

const T = Date.parse('2026-01-05T02:00:00Z');
const reads = (values: [number, string][]): WatchdogSeen =>
  values.reduce((seen, [at, value]) => seeWatchdogBeat(seen, value, T + at), NOTHING_SEEN);

describe('the watchdog as health shows it', () => {
  it.each([
    ['nothing read yet', [], 0, 'unknown', null],
    ['one read: an old beat proves nothing', [[0, 'w-1']], 1000, 'unknown', null],
    [
      'never written',
      [
        [0, ''],
        [1000, ''],
      ],
      1500,
      'unknown',
      null,
    ],
    [
      'beat changed a second ago',
      [
        [0, 'w-1'],
        [1000, 'w-2'],
      ],
      2000,
      'up',
      1000,
    ],
    [
      'first written after the server started',
      [
        [0, ''],
        [1000, 'w-1'],
      ],
      1500,
      'up',
      1000,
    ],
    [
      'read, unchanged for 5 s: still up',
      [
        [0, 'w-1'],
        [1000, 'w-2'],
        [6000, 'w-2'],
      ],
      6000,
      'up',
      1000,
    ],
    [
      'unchanged for more than 5 s: stale',
      [
        [0, 'w-1'],
        [1000, 'w-2'],
        [7000, 'w-2'],
      ],
      7000,
      'stale',
      1000,
    ],
    [
      'cleared after beating: stale',
      [
        [0, 'w-1'],
        [1000, 'w-2'],
        [7000, ''],
      ],
      7000,
      'stale',
      1000,
    ],
    [
      'not read for more than 5 s (Asterisk unreachable)',
      [
        [0, 'w-1'],
        [1000, 'w-2'],
      ],
      7000,
      'unknown',
      1000,
    ],
  ] as [string, [number, string][], number, string, number | null][])(
    '%s',
    (_why, values, at, state, seenAt) => {
      expect(watchdogHealth(reads(values), T + at)).toEqual({
        state,
        lastSeenAt: seenAt === null ? null : new Date(T + seenAt).toISOString(),
      });
    },
  );
});
