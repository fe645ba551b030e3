import { describe, expect, it } from 'vitest';
import type { AgentState, NotReadyReason, QueueName } from '../../common/domain.ts';
import {
  Acd,
  DEFAULT_ACD_OPTIONS,
  DEFAULT_WRAP_UP,
  type OperatorRelease,
  UNREACHABLE_MS,
  type WrapUpTimes,
} from '../../ivr/acd.ts';
import {
  type AgentRequest,
  NotInWrapUpError,
  type OperatorEndpoint,
  UnknownOperatorError,
} from '../../ivr/api.ts';

const READY: AgentRequest = { state: 'ready' };
const BREAK: AgentRequest = { state: 'not_ready', reason: 'break' };
const TRAINING: AgentRequest = { state: 'not_ready', reason: 'training' };
const MISSED: OperatorRelease = { to: 'not_ready', reason: 'missed_call' };
const LOST: OperatorRelease = { to: 'not_ready', reason: 'connection_lost' };

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
    for (const [id, second] of Object.entries(ready)) acd.request(Number(id), READY, at(second));
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
    acd.request(1, READY, at(0));
    acd.enqueue({ callId: 'h1', queue: 'health', queuedAt: at(0) }, 'tail');
    acd.enqueue({ callId: 'h2', queue: 'health', queuedAt: at(1) }, 'tail');
    expect(acd.assign(at(10))).toEqual([]);
    // Operator 2 (skilled) and the overflow deadline arrive together: each call once, each operator once.
    acd.request(2, READY, at(30));
    const first = acd.assign(at(30)).map((a) => [a.call.callId, a.operator.operatorId]);
    expect(first).toEqual([['h1', 2]]);
    const second = acd.assign(at(31)).map((a) => [a.call.callId, a.operator.operatorId]);
    expect(second).toEqual([['h2', 1]]);
    expect(acd.assign(at(90))).toEqual([]);
    // The offer to operator 2 fails: h1 goes back to the head, operator 2 is not ready; nobody is free.
    acd.release(2, MISSED, at(40));
    acd.enqueue({ callId: 'h1', queue: 'health', queuedAt: at(0) }, 'head');
    expect(acd.assign(at(41))).toEqual([]);
    expect(acd.callOf(1)).toBe('h2');
  });
});

describe('operator states', () => {
  const make = (wrapUp: WrapUpTimes = DEFAULT_WRAP_UP) => {
    const acd = new Acd([op(1, ['health'])], t0, DEFAULT_ACD_OPTIONS, wrapUp);
    acd.request(1, READY, at(1));
    acd.enqueue({ callId: 'a', queue: 'health', queuedAt: at(2) }, 'tail');
    acd.assign(at(3));
    return acd;
  };
  const talked = (wrapUp?: WrapUpTimes) => {
    const acd = make(wrapUp);
    acd.answered(1, at(5));
    return acd;
  };

  it('starts offline and throws for unknown operators', () => {
    const acd = new Acd([op(1, [])], t0);
    expect(acd.state(1)).toBe('offline');
    expect(() => acd.request(9, READY, t0)).toThrow(UnknownOperatorError);
  });

  it('keeps ringing / on_call when the operator asks for another state, and applies it after wrap-up', () => {
    const acd = make();
    expect(acd.request(1, BREAK, at(4))).toBe('ringing');
    acd.answered(1, at(5));
    expect(acd.state(1)).toBe('on_call');
    expect(acd.release(1, { to: 'wrap_up' }, at(60))).toBe('wrap_up');
    expect(acd.endWrapUp(1, at(90))).toBe(true);
    expect(acd.status(1)).toMatchObject({ state: 'not_ready', reason: 'break', since: at(90).toISOString() });
  });

  it('goes to wrap-up after a talk, then ready by itself when wrap-up ends', () => {
    const acd = talked();
    expect(acd.release(1, { to: 'wrap_up' }, at(60))).toBe('wrap_up');
    expect(acd.callOf(1)).toBeNull();
    expect(acd.status(1)).toEqual({
      state: 'wrap_up',
      since: at(60).toISOString(),
      reason: null,
      wrapUpEndsAt: at(90).toISOString(),
    });
    expect(acd.endWrapUp(1, at(89))).toBe(false);
    expect(acd.state(1)).toBe('wrap_up');
    expect(acd.endWrapUp(1, at(90))).toBe(true);
    expect(acd.status(1)).toMatchObject({ state: 'ready', wrapUpEndsAt: null, since: at(90).toISOString() });
  });

  it('goes straight back to what the operator asked for when wrap-up is configured off', () => {
    const acd = talked({ ...DEFAULT_WRAP_UP, wrapUpMs: 0 });
    expect(acd.release(1, { to: 'wrap_up' }, at(60))).toBe('ready');
  });

  it('never offers a call to an operator in wrap-up', () => {
    const acd = talked();
    acd.release(1, { to: 'wrap_up' }, at(60));
    acd.enqueue({ callId: 'b', queue: 'health', queuedAt: at(61) }, 'tail');
    expect(acd.assign(at(62))).toEqual([]);
    expect(acd.assign(at(89))).toEqual([]);
    acd.endWrapUp(1, at(90));
    expect(acd.assign(at(90)).map((a) => a.call.callId)).toEqual(['b']);
  });

  it('after a restart, an adopted talk ends in what the operator asked for before it, else ready', () => {
    const acd = new Acd([op(1, []), op(2, [])], t0, DEFAULT_ACD_OPTIONS, { ...DEFAULT_WRAP_UP, wrapUpMs: 0 });
    // Operator 1's break was kept over the restart and given back before the talk was adopted.
    acd.request(1, BREAK, at(1));
    acd.resume(1, 'a', at(2));
    acd.resume(2, 'b', at(2));
    expect(acd.state(1)).toBe('on_call');
    expect(acd.state(2)).toBe('on_call');
    acd.release(1, { to: 'wrap_up' }, at(10));
    acd.release(2, { to: 'wrap_up' }, at(10));
    expect(acd.status(1)).toMatchObject({ state: 'not_ready', reason: 'break' });
    expect(acd.state(2)).toBe('ready');
  });

  it("never offers a call to a ready operator while their softphone still has the hotline's last leg", () => {
    const acd = talked({ ...DEFAULT_WRAP_UP, wrapUpMs: 0 });
    acd.legUp(1, 'a-agent-1');
    acd.release(1, { to: 'wrap_up' }, at(60));
    acd.enqueue({ callId: 'b', queue: 'health', queuedAt: at(61) }, 'tail');
    expect(acd.state(1)).toBe('ready');
    expect(acd.assign(at(62))).toEqual([]);
    expect(acd.legGone('other-leg')).toBeNull();
    expect(acd.assign(at(62))).toEqual([]);
    expect(acd.legGone('a-agent-1')).toBe(1);
    expect(acd.legOf(1)).toBeNull();
    expect(acd.assign(at(63)).map((a) => a.call.callId)).toEqual(['b']);
  });

  it.each<[string, AgentRequest, AgentState, NotReadyReason | null]>([
    ['ready ends wrap-up at once', READY, 'ready', null],
    ['not ready with a reason waits for the end of wrap-up', TRAINING, 'wrap_up', null],
    ['offline waits for the end of wrap-up', { state: 'offline' }, 'wrap_up', null],
  ])('during wrap-up: %s', (_label, request, now, reason) => {
    const acd = talked();
    acd.release(1, { to: 'wrap_up' }, at(60));
    expect(acd.request(1, request, at(70))).toBe(now);
    expect(acd.status(1).reason).toBe(reason);
    if (now === 'wrap_up') {
      acd.endWrapUp(1, at(90));
      expect(acd.status(1)).toMatchObject({
        state: request.state,
        reason: request.state === 'not_ready' ? request.reason : null,
      });
    }
  });

  it('extends wrap-up by the extension, never past its cap from the start of wrap-up', () => {
    const acd = talked({ wrapUpMs: 30_000, wrapUpExtensionMs: 30_000, maxWrapUpMs: 100_000 });
    acd.release(1, { to: 'wrap_up' }, at(60));
    expect(acd.extendWrapUp(1)).toEqual(at(120));
    expect(acd.extendWrapUp(1)).toEqual(at(150));
    expect(acd.extendWrapUp(1)).toEqual(at(160));
    expect(acd.endWrapUp(1, at(159))).toBe(false);
    expect(acd.endWrapUp(1, at(160))).toBe(true);
    expect(() => acd.extendWrapUp(1)).toThrow(NotInWrapUpError);
  });

  it.each<[string, OperatorRelease, AgentRequest | null, AgentState, NotReadyReason | null]>([
    [
      'a missed offer makes a ready operator not ready (missed_call)',
      MISSED,
      null,
      'not_ready',
      'missed_call',
    ],
    [
      'a lost console makes a ready operator not ready (connection_lost)',
      LOST,
      null,
      'not_ready',
      'connection_lost',
    ],
    [
      'a missed offer replaces a reason the operator chose meanwhile',
      MISSED,
      BREAK,
      'not_ready',
      'missed_call',
    ],
    [
      'an operator who went offline while ringing stays offline',
      MISSED,
      { state: 'offline' },
      'offline',
      null,
    ],
    [
      'an offer the caller withdrew gives the operator back as they were',
      { to: 'ready' },
      null,
      'ready',
      null,
    ],
  ])('%s', (_label, release, meanwhile, state, reason) => {
    const acd = make();
    if (meanwhile) acd.request(1, meanwhile, at(4));
    expect(acd.release(1, release, at(20))).toBe(state);
    expect(acd.status(1)).toMatchObject({ state, reason, since: at(20).toISOString() });
  });

  it('after a missed offer the operator is not offered calls until they choose ready again', () => {
    const acd = make();
    acd.release(1, MISSED, at(20));
    acd.enqueue({ callId: 'a', queue: 'health', queuedAt: at(2) }, 'head');
    expect(acd.assign(at(21))).toEqual([]);
    acd.request(1, READY, at(22));
    expect(acd.assign(at(23)).map((a) => a.call.callId)).toEqual(['a']);
  });

  it.each<[string, (acd: Acd) => void, string | null, AgentState]>([
    ['idle', () => {}, null, 'not_ready'],
    ['ringing: the call is returned; not ready once it lets go', () => {}, 'a', 'ringing'],
    [
      'in wrap-up: wrap-up ends at once',
      (acd) => acd.release(1, { to: 'wrap_up' }, at(40)),
      null,
      'not_ready',
    ],
  ])('a lost console while %s', (label, before, callId, state) => {
    const acd = label === 'idle' ? new Acd([op(1, ['health'])], t0) : make();
    if (label === 'idle') acd.request(1, READY, at(1));
    before(acd);
    expect(acd.lost(1, at(50))).toBe(callId);
    expect(acd.state(1)).toBe(state);
    if (callId) acd.release(1, { to: 'wrap_up' }, at(51));
    if (callId) acd.endWrapUp(1, at(81));
    expect(acd.status(1)).toMatchObject({ state: 'not_ready', reason: 'connection_lost' });
  });

  it('a lost console leaves an offline operator offline', () => {
    const acd = new Acd([op(1, ['health'])], t0);
    expect(acd.lost(1, at(5))).toBeNull();
    expect(acd.state(1)).toBe('offline');
  });

  it('a new reason restarts the time in state; the wallboard lists reason and end of wrap-up', () => {
    const acd = new Acd([op(1, ['health'])], t0);
    acd.request(1, BREAK, at(1));
    acd.request(1, TRAINING, at(5));
    expect(acd.agents()).toEqual([
      {
        operatorId: 1,
        displayName: 'TĐV 1',
        state: 'not_ready',
        reason: 'training',
        since: at(5).toISOString(),
        wrapUpEndsAt: null,
      },
    ]);
  });

  it('enqueue moves a call rather than duplicating it; remove reports whether it was waiting', () => {
    const acd = new Acd([], t0);
    acd.enqueue({ callId: 'a', queue: 'health', queuedAt: at(1) }, 'tail');
    acd.enqueue({ callId: 'a', queue: 'health', queuedAt: at(1) }, 'head');
    expect(acd.remove('a')).toBe(true);
    expect(acd.remove('a')).toBe(false);
  });
});

describe('an operator whose softphone could not be reached', () => {
  it('is passed over for a while even when ready again at once; the call goes to the next operator', () => {
    const acd = new Acd([op(1, []), op(2, [])], at(0));
    acd.request(1, READY, at(0));
    acd.request(2, READY, at(5));
    acd.enqueue({ callId: 'c', queue: 'general', queuedAt: at(1) }, 'tail');
    expect(acd.assign(at(10)).map((a) => a.operator.operatorId)).toEqual([1]);
    // The leg could not ring: not ready, and passed over; they (or a script) press ready at once.
    acd.release(1, LOST, at(10));
    acd.unreachable(1, at(10));
    acd.request(1, READY, at(10.1));
    expect(acd.state(1)).toBe('ready');
    acd.enqueue({ callId: 'c', queue: 'general', queuedAt: at(1) }, 'head');
    expect(acd.assign(at(10.2)).map((a) => a.operator.operatorId)).toEqual([2]);
    acd.enqueue({ callId: 'd', queue: 'general', queuedAt: at(2) }, 'tail');
    expect(acd.assign(at(11))).toEqual([]);
    // The controller dispatches again when the time is up.
    expect(acd.nextOverflowAt(at(11))).toEqual(new Date(at(10).getTime() + UNREACHABLE_MS));
    expect(acd.unreachableUntil(1, at(11))).toEqual(new Date(at(10).getTime() + UNREACHABLE_MS));
    const later = new Date(at(10).getTime() + UNREACHABLE_MS);
    expect(acd.unreachableUntil(1, later)).toBeNull();
    expect(acd.assign(later).map((a) => [a.call.callId, a.operator.operatorId])).toEqual([['d', 1]]);
  });
});
