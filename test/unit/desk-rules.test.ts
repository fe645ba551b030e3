import { describe, expect, it } from 'vitest';
import type { AgentState, NotReadyReason } from '../../common/domain.ts';
import { type DeskOperator, type DeskPolicy, type DeskTask, decide } from '../../server/desk/rules.ts';

const NOW = new Date('2026-12-07T08:00:00Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);

const policy: DeskPolicy = {
  maxTasks: 3,
  offlineGraceMs: 60_000,
  openTimeoutMs: 300_000,
  targetMs: { web: 4 * 3600_000, zalo: 30 * 60_000, app: 4 * 3600_000 },
};

const op = (
  operatorId: number,
  state: AgentState,
  sinceSeconds: number,
  reason: NotReadyReason | null = null,
) => ({ operatorId, state, reason, since: ago(sinceSeconds) }) satisfies DeskOperator;

const task = (requestId: number, ageSeconds: number, more: Partial<DeskTask> = {}): DeskTask => ({
  requestId,
  channel: 'web',
  createdAt: ago(ageSeconds),
  heldBy: null,
  givenAt: null,
  openedAt: null,
  passedOverBy: null,
  ...more,
});

const held = (requestId: number, operatorId: number, more: Partial<DeskTask> = {}) =>
  task(requestId, 600, { heldBy: operatorId, givenAt: ago(10), openedAt: ago(5), ...more });

interface Case {
  name: string;
  operators: DeskOperator[];
  tasks: DeskTask[];
  assign: [requestId: number, operatorId: number][];
  release?: [requestId: number, operatorId: number, why: 'offline' | 'not_opened'][];
}

const cases: Case[] = [
  {
    name: 'only ready operators get tasks: never ringing, on a call, in wrap-up, not ready or offline',
    operators: [
      op(1, 'ringing', 500),
      op(2, 'on_call', 500),
      op(3, 'wrap_up', 500),
      op(4, 'not_ready', 500, 'break'),
      op(5, 'offline', 500),
      op(6, 'ready', 1),
    ],
    tasks: [task(10, 60)],
    assign: [[10, 6]],
  },
  {
    name: 'nobody ready: the task waits in the pool',
    operators: [op(1, 'on_call', 30), op(2, 'wrap_up', 5)],
    tasks: [task(10, 60)],
    assign: [],
  },
  {
    name: 'the longest idle ready operator first',
    operators: [op(1, 'ready', 10), op(2, 'ready', 300), op(3, 'ready', 60)],
    tasks: [task(10, 60)],
    assign: [[10, 2]],
  },
  {
    name: 'spread: fewest held first, then longest idle',
    operators: [op(1, 'ready', 10), op(2, 'ready', 300)],
    tasks: [held(1, 2), task(10, 60), task(11, 30)],
    assign: [
      [10, 1],
      [11, 2],
    ],
  },
  {
    name: 'nobody holds more than N (3); the rest wait',
    operators: [op(1, 'ready', 10)],
    tasks: [held(1, 1), task(10, 60), task(11, 50), task(12, 40)],
    assign: [
      [10, 1],
      [11, 1],
    ],
  },
  {
    name: 'the most urgent first: a Zalo message (30 min target) before an older web request (4 h)',
    operators: [op(1, 'ready', 10), op(2, 'on_call', 10)],
    tasks: [held(1, 1), held(2, 1), task(10, 3600), task(11, 60, { channel: 'zalo' })],
    assign: [[11, 1]],
  },
  {
    name: 'same channel: oldest first',
    operators: [op(1, 'ready', 10)],
    tasks: [held(1, 1), held(2, 1), task(10, 60), task(11, 600)],
    assign: [[11, 1]],
  },
  {
    name: 'holding tasks through a call: kept, nothing new given',
    operators: [op(1, 'on_call', 10)],
    tasks: [held(1, 1), task(10, 60)],
    assign: [],
  },
  {
    name: 'offline within the grace: kept',
    operators: [op(1, 'offline', 59), op(2, 'ready', 10)],
    tasks: [held(1, 1)],
    assign: [],
  },
  {
    name: 'offline past the grace: back to the pool and given to a ready operator',
    operators: [op(1, 'offline', 61), op(2, 'ready', 10)],
    tasks: [held(1, 1)],
    release: [[1, 1, 'offline']],
    assign: [[1, 2]],
  },
  {
    name: 'console connection lost past the grace: released',
    operators: [op(1, 'not_ready', 120, 'connection_lost')],
    tasks: [held(1, 1)],
    release: [[1, 1, 'offline']],
    assign: [],
  },
  {
    name: 'on a break (not ready by choice): kept',
    operators: [op(1, 'not_ready', 3600, 'break')],
    tasks: [held(1, 1)],
    assign: [],
  },
  {
    name: 'a holder the controller does not know (a supervisor who took it by hand): kept',
    operators: [op(2, 'ready', 10)],
    tasks: [held(1, 9, { givenAt: null })],
    assign: [],
  },
  {
    name: 'given and not opened within the open timeout: given to someone else',
    operators: [op(1, 'ready', 900), op(2, 'ready', 10)],
    tasks: [held(1, 1, { givenAt: ago(301), openedAt: null })],
    release: [[1, 1, 'not_opened']],
    assign: [[1, 2]],
  },
  {
    name: 'not opened yet, within the timeout: kept',
    operators: [op(1, 'ready', 900), op(2, 'ready', 10)],
    tasks: [held(1, 1, { givenAt: ago(299), openedAt: null })],
    assign: [],
  },
  {
    name: 'taken by hand (never given): no open timeout',
    operators: [op(1, 'ready', 900), op(2, 'ready', 10)],
    tasks: [held(1, 1, { givenAt: null, openedAt: ago(4000) })],
    assign: [],
  },
  {
    name: 'not opened and nobody else ready: back to the same operator',
    operators: [op(1, 'ready', 900)],
    tasks: [held(1, 1, { givenAt: ago(400), openedAt: null })],
    release: [[1, 1, 'not_opened']],
    assign: [[1, 1]],
  },
];

describe('the desk gives written tasks', () => {
  it.each(cases)('$name', (c) => {
    const decision = decide(c.operators, c.tasks, policy, NOW);
    expect(decision.assign.map((a) => [a.requestId, a.operatorId])).toEqual(c.assign);
    expect(decision.release.map((r) => [r.requestId, r.operatorId, r.why])).toEqual(c.release ?? []);
  });

  it('N comes from the policy', () => {
    const operators = [op(1, 'ready', 10)];
    const tasks = [task(10, 60), task(11, 50), task(12, 40)];
    expect(decide(operators, tasks, { ...policy, maxTasks: 0 }, NOW).assign).toHaveLength(0);
    expect(decide(operators, tasks, { ...policy, maxTasks: 1 }, NOW).assign).toHaveLength(1);
    expect(decide(operators, tasks, { ...policy, maxTasks: 5 }, NOW).assign).toHaveLength(3);
  });
});
