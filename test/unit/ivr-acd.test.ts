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
  /** [callId, queue, second queued, position] in the order they were enqueued. */
  calls: [string, QueueName, number, ('tail' | 'head')?][];
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
];

describe('Acd.assign', () => {
  it.each(cases)('$name', ({ operators, ready, calls, expected }) => {
    const acd = new Acd(operators, t0);
    for (const [id, second] of Object.entries(ready)) acd.request(Number(id), 'ready', at(second));
    for (const [callId, queue, second, position] of calls) {
      acd.enqueue({ callId, queue, queuedAt: at(second) }, position ?? 'tail');
    }
    const pairs = acd.assign(at(100)).map((a) => [a.call.callId, a.operator.operatorId]);
    expect(pairs).toEqual(expected);
    for (const [callId, operatorId] of expected) {
      expect(acd.state(operatorId)).toBe('ringing');
      expect(acd.callOf(operatorId)).toBe(callId);
      expect(acd.isWaiting(callId)).toBe(false);
    }
    expect(acd.assign(at(101))).toEqual([]);
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
