/**
 * Returning callers on a real SQLite database: an earlier call from the same number within 30
 * minutes, or an open callback task, makes a caller returning; the current call, older calls,
 * other numbers and closed tasks do not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbacks } from '../../server/callbacks/schema.ts';
import { createCallerHistory } from '../../server/calls/history.ts';
import { calls } from '../../server/calls/schema.ts';
import { openDatabase } from '../../server/db/index.ts';

const NOW = new Date('2025-06-10T03:00:00Z');
const MIN = 60_000;
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * MIN);

const db = openDatabase(':memory:');
const history = createCallerHistory(db);

beforeAll(() => {
  db.insert(calls)
    .values([
      { id: 'recent', callerNumber: '0900000001', arrivedAt: ago(29) },
      { id: 'old', callerNumber: '0900000002', arrivedAt: ago(31) },
      { id: 'now-1', callerNumber: '0900000003', arrivedAt: NOW },
      { id: 'owed', callerNumber: '0900000004', arrivedAt: ago(300) },
      { id: 'closed', callerNumber: '0900000005', arrivedAt: ago(300) },
    ])
    .run();
  db.insert(callbacks)
    .values([
      {
        callerNumber: '0900000004',
        queue: 'health',
        callId: 'owed',
        createdAt: ago(300),
        waitingSince: ago(300),
        lastRequestAt: ago(300),
      },
      {
        callerNumber: '0900000005',
        queue: 'health',
        callId: 'closed',
        createdAt: ago(300),
        waitingSince: ago(300),
        lastRequestAt: ago(300),
        status: 'reached',
      },
    ])
    .run();
});
afterAll(() => {
  db.$client.close();
});

describe('CallerHistory over the call records', () => {
  it.each([
    ['an earlier call 29 minutes ago', '0900000001', true],
    ['only a call 31 minutes ago', '0900000002', false],
    ['only the current call itself', '0900000003', false],
    ['an open callback task', '0900000004', true],
    ['only a callback task already reached', '0900000005', false],
    ['no history at all', '0900000009', false],
  ])('%s → %s', async (_label, callerNumber, expected) => {
    expect(await history.isReturning({ callId: 'now-1', callerNumber }, NOW)).toBe(expected);
  });
});
