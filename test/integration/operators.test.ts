import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WallboardSnapshot } from '../../common/events.ts';
import { buildFixture, type Fixture } from './server-fixture.ts';

let fx: Fixture;

beforeEach(async () => {
  fx = await buildFixture();
});

afterEach(async () => {
  await fx.close();
});

describe('PUT /api/agent/state', () => {
  it('sets ready, or not ready with a reason the operator chooses', async () => {
    const headers = await fx.session('tdv01');
    const id = fx.userId('tdv01');
    const ready = await fx.app.inject({
      method: 'PUT',
      url: '/api/agent/state',
      headers,
      payload: { state: 'ready' },
    });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ state: 'ready', reason: null });
    const away = await fx.app.inject({
      method: 'PUT',
      url: '/api/agent/state',
      headers,
      payload: { state: 'not_ready', reason: 'callback_work' },
    });
    expect(away.json()).toMatchObject({ state: 'not_ready', reason: 'callback_work' });
    expect(fx.desk.agentStatus(id)).toMatchObject({ state: 'not_ready', reason: 'callback_work' });
  });

  it.each<[string, unknown, string]>([
    ['an unknown reason', { state: 'not_ready', reason: 'lunch' }, 'UNKNOWN_NOT_READY_REASON'],
    [
      'a reason only the hotline sets',
      { state: 'not_ready', reason: 'connection_lost' },
      'UNKNOWN_NOT_READY_REASON',
    ],
    ['not ready without a reason', { state: 'not_ready' }, 'UNKNOWN_NOT_READY_REASON'],
    ['ready with a reason', { state: 'ready', reason: 'break' }, 'UNKNOWN_NOT_READY_REASON'],
    ['a state the ACD sets', { state: 'wrap_up' }, 'INVALID_AGENT_STATE'],
    ['no body', undefined, 'INVALID_AGENT_STATE'],
  ])('answers 400 with a code for %s', async (_label, payload, code) => {
    const headers = await fx.session('tdv01');
    const res = await fx.app.inject({
      method: 'PUT',
      url: '/api/agent/state',
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code } });
    expect(fx.desk.changes).toEqual([]);
  });

  it('is only for accounts with a softphone', async () => {
    const res = await fx.app.inject({
      method: 'PUT',
      url: '/api/agent/state',
      headers: await fx.session('syt'),
      payload: { state: 'ready' },
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('GET /api/wallboard', () => {
  it('shows supervisors each operator’s state, reason and time in state', async () => {
    const id = fx.userId('tdv02');
    fx.desk.setAgentState(id, { state: 'not_ready', reason: 'training' });
    const res = await fx.app.inject({ url: '/api/wallboard', headers: await fx.session('giamsat') });
    expect(res.statusCode).toBe(200);
    const board = res.json<WallboardSnapshot>();
    expect(board.agents.find((a) => a.operatorId === id)).toMatchObject({
      state: 'not_ready',
      reason: 'training',
      wrapUpEndsAt: null,
    });
    const operator = await fx.app.inject({ url: '/api/wallboard', headers: await fx.session('tdv01') });
    expect(operator.statusCode).toBe(403);
  });
});
