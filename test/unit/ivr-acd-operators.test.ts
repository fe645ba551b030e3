import { describe, expect, it } from 'vitest';
import type { QueueName } from '../../common/domain.ts';
import { Acd } from '../../ivr/acd.ts';
import { type OperatorEndpoint, UnknownOperatorError } from '../../ivr/api.ts';

const t0 = new Date('2024-05-01T08:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const op = (
  operatorId: number,
  skills: QueueName[],
  displayName = `TĐV ${operatorId}`,
): OperatorEndpoint => ({
  operatorId,
  displayName,
  sipEndpoint: `tdv${operatorId}`,
  skills,
});

describe('ACD: operators added, changed and removed at run time', () => {
  it('reports what changed: added offline, changed name or skills updated, others removed', () => {
    const acd = new Acd([op(1, ['health']), op(2, ['health'])], t0);
    acd.request(2, { state: 'ready' }, at(1));
    const changes = acd.setOperators([op(2, ['health', 'welfare'], 'Lan'), op(3, [])], at(2));
    expect(changes).toEqual({ added: [3], updated: [2], removed: [{ operatorId: 1, callId: null }] });
    expect(acd.status(3)).toMatchObject({ state: 'offline', since: at(2).toISOString() });
    expect(acd.status(2)).toMatchObject({ state: 'ready', since: at(1).toISOString() });
    expect(acd.agents().map((a) => [a.operatorId, a.displayName])).toEqual([
      [2, 'Lan'],
      [3, 'TĐV 3'],
    ]);
    expect(acd.setOperators([op(2, ['health', 'welfare'], 'Lan'), op(3, [])], at(3))).toEqual({
      added: [],
      updated: [],
      removed: [],
    });
  });

  it('a new operator gets calls once ready; a changed one by their new skills', () => {
    const acd = new Acd([op(1, ['health'])], t0);
    acd.enqueue({ callId: 'a', queue: 'welfare', queuedAt: at(0) }, 'tail');
    acd.request(1, { state: 'ready' }, at(1));
    expect(acd.assign(at(2))).toEqual([]);
    acd.setOperators([op(1, ['welfare']), op(2, ['welfare'])], at(3));
    acd.request(2, { state: 'ready' }, at(4));
    expect(acd.assign(at(5)).map((x) => [x.call.callId, x.operator.operatorId])).toEqual([['a', 1]]);
  });

  it('a removed idle operator is forgotten at once and is unknown from then on', () => {
    const acd = new Acd([op(1, ['health']), op(2, ['health'])], t0);
    acd.request(1, { state: 'ready' }, at(1));
    acd.setOperators([op(2, ['health'])], at(2));
    expect(acd.forgetRetired()).toEqual([1]);
    expect(acd.operatorIds()).toEqual([2]);
    expect(() => acd.status(1)).toThrow(UnknownOperatorError);
    expect(acd.legOf(1)).toBeNull();
    expect(acd.callOf(1)).toBeNull();
  });

  it('a removed ringing operator is offered nothing, asks for nothing, and is forgotten once their call and leg let go', () => {
    const acd = new Acd([op(1, ['health']), op(2, ['health'])], t0);
    acd.request(1, { state: 'ready' }, at(1));
    acd.enqueue({ callId: 'a', queue: 'health', queuedAt: at(2) }, 'tail');
    expect(acd.assign(at(3)).map((x) => x.operator.operatorId)).toEqual([1]);
    acd.legUp(1, 'a-agent-1');

    expect(acd.setOperators([op(2, ['health'])], at(4)).removed).toEqual([{ operatorId: 1, callId: 'a' }]);
    expect(acd.status(1).state).toBe('offline');
    expect(acd.agents().map((a) => a.operatorId)).toEqual([2]);
    expect(acd.operatorIdOf('tdv1')).toBeUndefined();
    expect(() => acd.request(1, { state: 'ready' }, at(5))).toThrow(UnknownOperatorError);
    expect(() => acd.lost(1, at(5))).toThrow(UnknownOperatorError);
    expect(acd.forgetRetired()).toEqual([]);

    // The call goes back to the queue: the removed operator stays offline, not `not_ready`.
    expect(acd.release(1, { to: 'not_ready', reason: 'connection_lost' }, at(6))).toBe('offline');
    acd.enqueue({ callId: 'a', queue: 'health', queuedAt: at(2) }, 'head');
    acd.request(2, { state: 'ready' }, at(6));
    expect(acd.assign(at(7)).map((x) => x.operator.operatorId)).toEqual([2]);
    expect(acd.forgetRetired()).toEqual([]);
    expect(acd.legGone('a-agent-1')).toBe(1);
    expect(acd.forgetRetired()).toEqual([1]);
  });

  it('a removed operator on a call goes offline, not to wrap-up, when the call ends', () => {
    const acd = new Acd([op(1, ['health'])], t0);
    acd.request(1, { state: 'ready' }, at(1));
    acd.enqueue({ callId: 'a', queue: 'health', queuedAt: at(2) }, 'tail');
    acd.assign(at(3));
    acd.answered(1, at(4));
    acd.setOperators([], at(5));
    expect(acd.release(1, { to: 'wrap_up' }, at(6))).toBe('offline');
    expect(acd.wrapUpEndsAt(1)).toBeNull();
    expect(acd.forgetRetired()).toEqual([1]);
  });

  it('an operator enabled again before their call let them go is back, offline, and offered nothing until it does', () => {
    const acd = new Acd([op(1, ['health'])], t0);
    acd.request(1, { state: 'ready' }, at(1));
    acd.enqueue({ callId: 'a', queue: 'health', queuedAt: at(2) }, 'tail');
    acd.assign(at(3));
    acd.setOperators([], at(4));
    expect(acd.setOperators([op(1, ['health'])], at(5))).toEqual({ added: [], updated: [1], removed: [] });
    expect(acd.agents().map((a) => [a.operatorId, a.state])).toEqual([[1, 'offline']]);
    expect(acd.request(1, { state: 'ready' }, at(6))).toBe('ready');
    acd.enqueue({ callId: 'b', queue: 'health', queuedAt: at(6) }, 'tail');
    expect(acd.assign(at(7))).toEqual([]);
    acd.release(1, { to: 'not_ready', reason: 'connection_lost' }, at(8));
    acd.request(1, { state: 'ready' }, at(9));
    expect(acd.assign(at(10)).map((x) => x.call.callId)).toEqual(['b']);
  });
});
