import { describe, expect, it } from 'vitest';
import type { QueueName } from '../../common/domain.ts';
import { Acd } from '../../ivr/acd.ts';
import { type OperatorEndpoint, UnknownOperatorError } from '../../ivr/api.ts';

const t0 = new Date('2024-05-01T08:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

const op = (operatorId: number, skills: QueueName[]): OperatorEndpoint => ({
  operatorId,
  displayName: `TĐV ${operatorId}`,
  sipEndpoint: `tdv${operatorId}`,
  skills,
});

interface Case {
  name: string;
  operators: OperatorEndpoint[];
  /** operatorId → second at which they became ready. */
  ready: Record<number, number>;
  /** [callId, queue, second queued, position, priority] in the order they were enqueued. */
  calls: [string, QueueName, number, ('tail' | 'head')?, boolean?][];
  /** Seconds of waiting before any operator may take a call; no overflow unless given. */
  overflowAfter?: number;
  /** The second at which calls are assigned. */
  assignAt?: number;
  expected: [string, number][];
}

const cases: Case[] = [
  {
    name: 'nobody ready: nothing assigned',
    operators: [op(1, ['health'])],
    ready: {},
    calls: [['a', 'health', 0]],
    expected: [],
  },
  {
    name: 'the longest-idle ready operator gets the call',
    operators: [op(1, ['health']), op(2, ['health']), op(3, ['health'])],
    ready: { 1: 30, 2: 10, 3: 20 },
    calls: [['a', 'health', 40]],
    expected: [['a', 2]],
  },
  {
    name: 'oldest call first, each to a different operator',
    operators: [op(1, ['health']), op(2, ['health'])],
    ready: { 1: 5, 2: 1 },
    calls: [
      ['a', 'health', 10],
      ['b', 'health', 11],
      ['c', 'health', 12],
    ],
    expected: [
      ['a', 2],
      ['b', 1],
    ],
  },
  {
    name: 'skills decide; every operator serves general',
    operators: [op(1, ['goods']), op(2, ['welfare'])],
    ready: { 1: 1, 2: 2 },
    calls: [
      ['h', 'health', 0],
      ['w', 'welfare', 3],
      ['g', 'general', 4],
    ],
    expected: [
      ['w', 2],
      ['g', 1],
    ],
  },
  {
    name: 'a queue nobody can serve does not block the others',
    operators: [op(1, ['goods'])],
    ready: { 1: 0 },
    calls: [
      ['h1', 'health', 0],
      ['h2', 'health', 1],
      ['g', 'goods', 5],
    ],
    expected: [['g', 1]],
  },
  {
    name: 'oldest across queues wins the shared operator',
    operators: [op(1, ['health', 'goods'])],
    ready: { 1: 0 },
    calls: [
      ['g', 'goods', 5],
      ['h', 'health', 2],
    ],
    expected: [['h', 1]],
  },
  {
    name: 'a call put back after a failed offer is at the head of its queue',
    operators: [op(1, ['health'])],
    ready: { 1: 0 },
    calls: [
      ['b', 'health', 20],
      ['a', 'health', 25, 'head'],
    ],
    expected: [['a', 1]],
  },
  {
    name: 'a priority caller goes ahead of new callers who joined before them',
    operators: [op(1, ['health'])],
    ready: { 1: 0 },
    calls: [
      ['new', 'health', 10],
      ['back', 'health', 20, 'tail', true],
    ],
    expected: [['back', 1]],
  },
  {
    name: 'priority callers among themselves: oldest first',
    operators: [op(1, ['health']), op(2, ['health'])],
    ready: { 1: 0, 2: 1 },
    calls: [
      ['new', 'health', 5],
      ['p2', 'health', 30, 'tail', true],
      ['p1', 'health', 20, 'tail', true],
    ],
    expected: [
      ['p1', 1],
      ['p2', 2],
    ],
  },
  {
    name: 'a call put back after a failed offer still goes before priority callers',
    operators: [op(1, ['health'])],
    ready: { 1: 0 },
    calls: [
      ['p', 'health', 10, 'tail', true],
      ['back', 'health', 30, 'head'],
    ],
    expected: [['back', 1]],
  },
  {
    name: 'priority is within a queue: another queue’s older call still wins a shared operator',
    operators: [op(1, ['health', 'goods'])],
    ready: { 1: 0 },
    calls: [
      ['g', 'goods', 5],
      ['p', 'health', 10, 'tail', true],
    ],
    expected: [['g', 1]],
  },
  {
    name: 'before the overflow time only skilled operators take a call',
    operators: [op(1, ['goods'])],
    ready: { 1: 0 },
    calls: [['h', 'health', 41]],
    overflowAfter: 60,
    assignAt: 100,
    expected: [],
  },
  {
    name: 'from the overflow time any ready operator takes it',
    operators: [op(1, ['goods'])],
    ready: { 1: 0 },
    calls: [['h', 'health', 40]],
    overflowAfter: 60,
    assignAt: 100,
    expected: [['h', 1]],
  },
  {
    name: 'overflow skips a queue head that is not due yet and serves the one behind it that is',
    operators: [op(1, ['goods'])],
    ready: { 1: 0 },
    calls: [
      ['old', 'health', 10],
      ['p', 'health', 90, 'tail', true],
    ],
    overflowAfter: 60,
    assignAt: 100,
    expected: [['old', 1]],
  },
  {
    name: 'overflow keeps oldest first: a skilled operator takes the older overflowing call',
    operators: [op(1, ['goods'])],
    ready: { 1: 0 },
    calls: [
      ['g', 'goods', 50],
      ['h', 'health', 10],
    ],
    overflowAfter: 60,
    assignAt: 100,
    expected: [['h', 1]],
  },
  {
    name: 'overflowing calls and skilled calls never share an operator (two operators, three calls)',
    operators: [op(1, ['goods']), op(2, ['welfare'])],
    ready: { 1: 0, 2: 1 },
    calls: [
      ['h1', 'health', 10],
      ['h2', 'health', 20],
      ['g', 'goods', 95],
    ],
    overflowAfter: 60,
    assignAt: 100,
    expected: [
      ['h1', 1],
      ['h2', 2],
    ],
  },
];

describe('Acd.assign', () => {
  it.each(cases)('$name', ({ operators, ready, calls, expected, overflowAfter, assignAt }) => {
    const acd = new Acd(operators, t0, { overflowAfterMs: (overflowAfter ?? 3600) * 1000 });
    for (const [id, second] of Object.entries(ready)) acd.request(Number(id), 'ready', at(second));
    for (const [callId, queue, second, position, priority] of calls) {
      acd.enqueue({ callId, queue, queuedAt: at(second), priority: priority ?? false }, position ?? 'tail');
    }
    const when = assignAt ?? 100;
    const pairs = acd.assign(at(when)).map((a) => [a.call.callId, a.operator.operatorId]);
    expect(pairs).toEqual(expected);
    for (const [callId, operatorId] of expected) {
      expect(acd.state(operatorId)).toBe('ringing');
      expect(acd.callOf(operatorId)).toBe(callId);
      expect(acd.isWaiting(callId)).toBe(false);
    }
    // Reserved: the same calls and operators are never handed out again.
    expect(acd.assign(at(when))).toEqual([]);
  });
});

describe('waiting order, overflow timing and reservations', () => {
  it('gives priority to a call already waiting, behind calls put back at the head', () => {
    const acd = new Acd([], t0);
    acd.enqueue({ callId: 'a', queue: 'health', queuedAt: at(1) }, 'tail');
    acd.enqueue({ callId: 'b', queue: 'health', queuedAt: at(2) }, 'tail');
    acd.enqueue({ callId: 'c', queue: 'health', queuedAt: at(3) }, 'head');
    expect(acd.prioritise('b')).toBe(true);
    expect(['a', 'b', 'c'].map((id) => acd.position(id))).toEqual([3, 2, 1]);
    expect(acd.prioritise('c')).toBe(true);
    expect(acd.position('c')).toBe(1);
    expect(acd.prioritise('gone')).toBe(false);
    expect(acd.position('gone')).toBeNull();
  });

  it('positions count within the queue only', () => {
    const acd = new Acd([], t0);
    acd.enqueue({ callId: 'h1', queue: 'health', queuedAt: at(1) }, 'tail');
    acd.enqueue({ callId: 'g1', queue: 'goods', queuedAt: at(2) }, 'tail');
    acd.enqueue({ callId: 'h2', queue: 'health', queuedAt: at(3) }, 'tail');
    expect(['h1', 'g1', 'h2'].map((id) => acd.position(id))).toEqual([1, 1, 2]);
  });

  it('says when the next waiting call becomes due for overflow', () => {
    const acd = new Acd([], t0, { overflowAfterMs: 60_000 });
    expect(acd.nextOverflowAt(at(0))).toBeNull();
    acd.enqueue({ callId: 'a', queue: 'health', queuedAt: at(10) }, 'tail');
    acd.enqueue({ callId: 'b', queue: 'goods', queuedAt: at(5) }, 'tail');
    expect(acd.nextOverflowAt(at(20))).toEqual(at(65));
    expect(acd.nextOverflowAt(at(65))).toEqual(at(70));
    expect(acd.nextOverflowAt(at(70))).toBeNull();
  });

  it('never offers one call to two operators, nor two calls to one, as calls overflow over time', () => {
    const acd = new Acd([op(1, ['goods']), op(2, ['health'])], t0, { overflowAfterMs: 30_000 });
    acd.request(1, 'ready', at(0));
    acd.enqueue({ callId: 'h1', queue: 'health', queuedAt: at(0) }, 'tail');
    acd.enqueue({ callId: 'h2', queue: 'health', queuedAt: at(1) }, 'tail');
    expect(acd.assign(at(10))).toEqual([]);
    // Operator 2 (skilled) and the overflow deadline arrive together: each call once, each operator once.
    acd.request(2, 'ready', at(30));
    const first = acd.assign(at(30)).map((a) => [a.call.callId, a.operator.operatorId]);
    expect(first).toEqual([['h1', 2]]);
    const second = acd.assign(at(31)).map((a) => [a.call.callId, a.operator.operatorId]);
    expect(second).toEqual([['h2', 1]]);
    expect(acd.assign(at(90))).toEqual([]);
    // The offer to operator 2 fails: h1 goes back to the head, operator 2 is not ready; nobody is free.
    acd.release(2, 'not_ready', at(40));
    acd.enqueue({ callId: 'h1', queue: 'health', queuedAt: at(0) }, 'head');
    expect(acd.assign(at(41))).toEqual([]);
    expect(acd.callOf(1)).toBe('h2');
  });
});

describe('operator states', () => {
  const make = () => {
    const acd = new Acd([op(1, ['health'])], t0);
    acd.request(1, 'ready', at(1));
    acd.enqueue({ callId: 'a', queue: 'health', queuedAt: at(2) }, 'tail');
    acd.assign(at(3));
    return acd;
  };

  it('starts offline and throws for unknown operators', () => {
    const acd = new Acd([op(1, [])], t0);
    expect(acd.state(1)).toBe('offline');
    expect(() => acd.request(9, 'ready', t0)).toThrow(UnknownOperatorError);
  });

  it('keeps ringing / on_call when the operator asks for another state, and applies it at the end', () => {
    const acd = make();
    expect(acd.request(1, 'not_ready', at(4))).toBe('ringing');
    acd.answered(1, at(5));
    expect(acd.state(1)).toBe('on_call');
    expect(acd.release(1, 'ready', at(60))).toBe('not_ready');
    expect(acd.since(1)).toEqual(at(60));
  });

  it('goes back to ready after a call by default', () => {
    const acd = make();
    acd.answered(1, at(5));
    expect(acd.release(1, 'ready', at(60))).toBe('ready');
    expect(acd.callOf(1)).toBeNull();
  });

  it('becomes not_ready after a failed offer, until they choose ready again', () => {
    const acd = make();
    expect(acd.release(1, 'not_ready', at(20))).toBe('not_ready');
    acd.enqueue({ callId: 'a', queue: 'health', queuedAt: at(2) }, 'head');
    expect(acd.assign(at(21))).toEqual([]);
    acd.request(1, 'ready', at(22));
    expect(acd.assign(at(23)).map((a) => a.call.callId)).toEqual(['a']);
  });

  it('an operator who went offline while ringing stays offline after a failed offer', () => {
    const acd = make();
    acd.request(1, 'offline', at(4));
    expect(acd.release(1, 'not_ready', at(20))).toBe('offline');
  });

  it('enqueue moves a call rather than duplicating it; remove reports whether it was waiting', () => {
    const acd = new Acd([], t0);
    acd.enqueue({ callId: 'a', queue: 'health', queuedAt: at(1) }, 'tail');
    acd.enqueue({ callId: 'a', queue: 'health', queuedAt: at(1) }, 'head');
    expect(acd.remove('a')).toBe(true);
    expect(acd.remove('a')).toBe(false);
  });
});
