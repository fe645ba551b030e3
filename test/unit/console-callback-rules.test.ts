import { describe, expect, it } from 'vitest';
import { callbackRowState, outcomeOfFailure, sortCallbacks } from '../../agent-console/src/callback-rules.ts';
import type { CallbackTaskView } from '../../common/api.ts';

const NOW = new Date('2025-06-10T03:00:00Z');
const task = (over: Partial<CallbackTaskView>): CallbackTaskView => ({
  id: 1,
  callerNumber: '0912000001',
  queue: 'health',
  source: 'abandoned',
  callId: 'c1',
  createdAt: NOW.toISOString(),
  waitingSince: NOW.toISOString(),
  lastRequestAt: NOW.toISOString(),
  requests: 1,
  recording: null,
  status: 'open',
  attempts: 0,
  nextAttemptAt: null,
  claimedBy: null,
  closedAt: null,
  givenUp: null,
  closedByCall: null,
  reachedBy: null,
  heldInQueue: false,
  queueAttempts: 0,
  ...over,
});

describe('outcomeOfFailure: a callback call that never connected', () => {
  it.each([
    ['Busy', 'busy'],
    ['No Answer', 'no_answer'],
    ['Unavailable', 'no_answer'],
    ['Request Timeout', 'no_answer'],
    ['Canceled', 'no_answer'],
    ['Rejected', 'failed'],
    ['Not Found', 'failed'],
    ['Connection Error', 'failed'],
    ['SIP Failure Code', 'failed'],
  ])('%s → %s', (cause, outcome) => {
    expect(outcomeOfFailure(cause)).toBe(outcome);
  });
});

describe('callbackRowState: what a row offers operator 7', () => {
  it.each([
    ['free and due', task({}), 'due'],
    ['claimed by operator 7', task({ claimedBy: { id: 7, displayName: 'A' } }), 'mine'],
    ['claimed by operator 8', task({ claimedBy: { id: 8, displayName: 'B' } }), 'taken'],
    ['spacing not over', task({ nextAttemptAt: '2025-06-10T03:05:00Z' }), 'later'],
    ['spacing over', task({ nextAttemptAt: '2025-06-10T02:55:00Z' }), 'due'],
    [
      'its place kept in the queue',
      task({ heldInQueue: true, nextAttemptAt: '2025-06-10T03:05:00Z' }),
      'inQueue',
    ],
  ])('%s → %s', (_, row, expected) => {
    expect(callbackRowState(row, 7, NOW)).toBe(expected);
  });
});

describe('sortCallbacks', () => {
  it('oldest waiting-since first, then by id', () => {
    const sorted = sortCallbacks([
      task({ id: 3, waitingSince: '2025-06-10T02:50:00.000Z' }),
      task({ id: 2, waitingSince: '2025-06-10T02:40:00.000Z' }),
      task({ id: 1, waitingSince: '2025-06-10T02:50:00.000Z' }),
    ]);
    expect(sorted.map((t) => t.id)).toEqual([2, 1, 3]);
  });
});
