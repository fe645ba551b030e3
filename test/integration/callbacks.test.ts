/**
 * Calling citizens back on a real SQLite database through the HTTP API: claims (one operator per
 * citizen, 409 otherwise), dial permits, outcomes with spacing and giving up, the attempts
 * history, supervisors giving up by hand, pushes, and role checks and validation.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type {
  CallbackTaskDetail,
  CallbackTaskView,
  ClaimCallbackResponse,
  ListResponse,
} from '../../common/api.ts';
import type { CallRecordEvent } from '../../ivr/api.ts';
import { type CallRecords, createCallRecords } from '../../server/calls/service.ts';
import { maskPhone } from '../../server/tickets/repository.ts';
import { FakeDialPermits } from '../support/dial-permits.ts';
import { type AuthHeaders, buildFixture, type Fixture, logger } from './server-fixture.ts';

const START = Date.parse('2025-06-10T03:00:00Z');
const MIN = 60_000;
let clock = START;
const now = () => new Date(clock);

let fx: Fixture;
let records: CallRecords;
const permits = new FakeDialPermits();
const pushed: number[] = [];
let tdv01: AuthHeaders;
let tdv02: AuthHeaders;
let supervisor: AuthHeaders;
let calls = 0;

/** A caller from `number` who hangs up while waiting in health, now. */
function abandon(number: string): void {
  const callId = `cb-call-${++calls}`;
  const at = now();
  const steps: CallRecordEvent[] = [
    { callId, type: 'arrived', callerNumber: number, at },
    { callId, type: 'queued', queue: 'health', at },
    { callId, type: 'ended', reason: 'abandoned_in_queue', at },
  ];
  for (const step of steps) records.record(step);
  records.flush();
}

async function openTask(number: string): Promise<CallbackTaskView> {
  abandon(number);
  const list = await fx.app.inject({ method: 'GET', url: '/api/callbacks', headers: supervisor });
  // Lists show numbers masked (`0977***001`); the tests' numbers differ in their last 3 digits.
  const task = list
    .json<ListResponse<CallbackTaskView>>()
    .data.find((t) => t.callerNumber === maskPhone(number));
  if (!task) throw new Error(`no task for ${number}`);
  return task;
}

const post = (url: string, headers: AuthHeaders, payload?: object) =>
  fx.app.inject({ method: 'POST', url, headers, ...(payload ? { payload } : {}) });

async function claim(id: number, headers: AuthHeaders = tdv01): Promise<ClaimCallbackResponse> {
  const res = await post(`/api/callbacks/${id}/claim`, headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<ClaimCallbackResponse>();
}

async function outcome(id: number, attemptId: number, result: string, headers: AuthHeaders = tdv01) {
  return post(`/api/callbacks/${id}/outcome`, headers, { attemptId, outcome: result });
}

beforeAll(async () => {
  fx = await buildFixture({
    now,
    dialPermits: permits,
    callbackNotifier: { changed: (id) => pushed.push(id) },
  });
  records = createCallRecords({
    db: fx.db,
    logger,
    serviceLevelSeconds: 20,
    onCallbackChanged: (id) => pushed.push(id),
  });
  tdv01 = await fx.session('tdv01');
  tdv02 = await fx.session('tdv02');
  supervisor = await fx.session('giamsat');
});
afterAll(async () => {
  await fx.close();
});
beforeEach(() => {
  pushed.length = 0;
});

describe('claiming a callback', () => {
  it('gives the task to one operator, permits their softphone the number and makes them Not ready', async () => {
    const task = await openTask('0977000001');
    expect(pushed).toContain(task.id);
    fx.desk.setAgentState(fx.userId('tdv01'), { state: 'ready' });

    const claimed = await claim(task.id);
    expect(claimed.dial).toBe('0977000001');
    expect(claimed.task.claimedBy).toEqual({ id: fx.userId('tdv01'), displayName: 'Nguyễn Thị Hoa' });
    expect(permits.allowed.get('tdv01')).toBe('0977000001');
    expect(fx.desk.agentStatus(fx.userId('tdv01'))).toMatchObject({
      state: 'not_ready',
      reason: 'callback_work',
    });
    expect(pushed).toContain(task.id);

    const second = await post(`/api/callbacks/${task.id}/claim`, tdv02);
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ error: { code: 'CALLBACK_TAKEN' } });
    expect(permits.allowed.has('tdv02')).toBe(false);
  });

  it('a lapsed claim frees the task; the silent attempt counts as failed and the citizen is due', async () => {
    const task = await openTask('0977000002');
    await claim(task.id, tdv01);
    clock += 4 * MIN;
    const taken = await claim(task.id, tdv02);
    expect(taken.task).toMatchObject({ attempts: 1, nextAttemptAt: null, status: 'open' });
    const detail = (
      await fx.app.inject({ method: 'GET', url: `/api/callbacks/${task.id}`, headers: supervisor })
    ).json<CallbackTaskDetail>();
    expect(detail.history.map((a) => [a.operator.displayName, a.outcome, a.detail])).toEqual([
      ['Nguyễn Thị Hoa', 'failed', 'no outcome reported'],
      [expect.any(String), null, null],
    ]);
  });

  it('refuses an operator who is on a call, and says so when Asterisk cannot take the permit', async () => {
    const task = await openTask('0977000003');
    fx.desk.setAgentState(fx.userId('tdv01'), { state: 'ready' });
    fx.desk.states.set(fx.userId('tdv01'), { ...fx.desk.agentStatus(fx.userId('tdv01')), state: 'on_call' });
    const busy = await post(`/api/callbacks/${task.id}/claim`, tdv01);
    expect(busy.statusCode).toBe(409);
    expect(busy.json()).toMatchObject({ error: { code: 'OPERATOR_BUSY' } });
    fx.desk.setAgentState(fx.userId('tdv01'), { state: 'ready' });

    permits.failNext = true;
    const down = await post(`/api/callbacks/${task.id}/claim`, tdv01);
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ error: { code: 'TELEPHONY_UNAVAILABLE' } });
    // Nothing was claimed: another operator may go ahead.
    await claim(task.id, tdv02);
  });
});

describe('outcomes', () => {
  it('reached closes the task and revokes the permit', async () => {
    const task = await openTask('0977000010');
    const { attemptId } = await claim(task.id);
    const res = await outcome(task.id, attemptId, 'reached');
    expect(res.statusCode).toBe(200);
    expect(res.json<CallbackTaskView>()).toMatchObject({
      status: 'reached',
      attempts: 1,
      claimedBy: null,
      closedAt: now().toISOString(),
    });
    expect(permits.allowed.has('tdv01')).toBe(false);
    const again = await post(`/api/callbacks/${task.id}/claim`, tdv02);
    expect(again.json()).toMatchObject({ error: { code: 'CALLBACK_CLOSED' } });
    const reached = (
      await fx.app.inject({ method: 'GET', url: '/api/callbacks?status=reached', headers: supervisor })
    ).json<ListResponse<CallbackTaskView>>();
    expect(reached.data.map((t) => t.id)).toContain(task.id);
  });

  it('busy, no answer, failed: back after the spacing, then given up after the third attempt', async () => {
    const task = await openTask('0977000011');
    const first = await claim(task.id);
    const busy = (await outcome(task.id, first.attemptId, 'busy')).json<CallbackTaskView>();
    expect(busy).toMatchObject({
      status: 'open',
      attempts: 1,
      nextAttemptAt: new Date(clock + 10 * MIN).toISOString(),
    });

    clock += 9 * MIN;
    const early = await post(`/api/callbacks/${task.id}/claim`, tdv02);
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ error: { code: 'CALLBACK_NOT_DUE' } });

    clock += MIN;
    const second = await claim(task.id, tdv02);
    expect((await outcome(task.id, second.attemptId, 'no_answer', tdv02)).json()).toMatchObject({
      attempts: 2,
      status: 'open',
    });
    clock += 10 * MIN;
    const third = await claim(task.id);
    const last = (await outcome(task.id, third.attemptId, 'failed')).json<CallbackTaskView>();
    expect(last).toMatchObject({
      status: 'given_up',
      attempts: 3,
      givenUp: { reason: 'attempts_exhausted', note: null },
    });

    const detail = (
      await fx.app.inject({ method: 'GET', url: `/api/callbacks/${task.id}`, headers: tdv01 })
    ).json<CallbackTaskDetail>();
    expect(detail.history.map((a) => [a.operator.id, a.outcome])).toEqual([
      [fx.userId('tdv01'), 'busy'],
      [fx.userId('tdv02'), 'no_answer'],
      [fx.userId('tdv01'), 'failed'],
    ]);
    expect(detail.history.every((a) => a.endedAt !== null)).toBe(true);
  });

  it('only the attempt’s operator reports it, once', async () => {
    const task = await openTask('0977000012');
    const { attemptId } = await claim(task.id);
    const other = await outcome(task.id, attemptId, 'reached', tdv02);
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ error: { code: 'ATTEMPT_NOT_YOURS' } });
    expect((await outcome(task.id, attemptId, 'busy')).statusCode).toBe(200);
    const twice = await outcome(task.id, attemptId, 'reached');
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ error: { code: 'ATTEMPT_SETTLED' } });
  });
});

describe('giving up by hand', () => {
  it('a supervisor closes an open task with a reason; a closed one cannot be given up again', async () => {
    const task = await openTask('0977000020');
    const res = await post(`/api/callbacks/${task.id}/give-up`, supervisor, {
      reason: 'Người dân đã được hỗ trợ qua Zalo',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<CallbackTaskView>()).toMatchObject({
      status: 'given_up',
      givenUp: { reason: 'supervisor', note: 'Người dân đã được hỗ trợ qua Zalo' },
    });
    const again = await post(`/api/callbacks/${task.id}/give-up`, supervisor, { reason: 'lại lần nữa' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'CALLBACK_CLOSED' } });
  });

  it('closes the attempt of an operator still dialling', async () => {
    const task = await openTask('0977000021');
    await claim(task.id);
    await post(`/api/callbacks/${task.id}/give-up`, supervisor, { reason: 'Số không liên lạc được' });
    const detail = (
      await fx.app.inject({ method: 'GET', url: `/api/callbacks/${task.id}`, headers: supervisor })
    ).json<CallbackTaskDetail>();
    expect(detail.history.map((a) => a.outcome)).toEqual(['failed']);
  });
});

describe('roles and validation', () => {
  it.each([
    ['tdv01', 'claim', 200],
    ['giamsat', 'claim', 403],
    ['quantri', 'claim', 403],
    ['syt', 'claim', 403],
    ['tdv01', 'give-up', 403],
    ['syt', 'give-up', 403],
    ['quantri', 'give-up', 200],
  ])('%s POST …/%s → %i', async (username, action, status) => {
    const task = await openTask(`09770001${String(++calls).padStart(2, '0')}`);
    const res = await post(
      `/api/callbacks/${task.id}/${action}`,
      await fx.session(username),
      action === 'give-up' ? { reason: 'Trùng yêu cầu khác' } : undefined,
    );
    expect(res.statusCode).toBe(status);
  });

  it.each([
    ['GET', '/api/callbacks/abc', undefined],
    ['GET', '/api/callbacks?status=lost', undefined],
    ['POST', '/api/callbacks/1/outcome', { attemptId: 1, outcome: 'voicemail' }],
    ['POST', '/api/callbacks/1/outcome', { outcome: 'busy' }],
    ['POST', '/api/callbacks/1/give-up', { reason: '  ' }],
    ['POST', '/api/callbacks/1/give-up', {}],
  ] as const)('%s %s with %o → 400', async (method, url, payload) => {
    const headers = url.endsWith('give-up') ? supervisor : tdv01;
    const res = await fx.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'VALIDATION' } });
  });

  it('an unknown task → 404; no session → 401', async () => {
    const missing = await post('/api/callbacks/999999/claim', tdv01);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'CALLBACK_NOT_FOUND' } });
    expect((await fx.app.inject({ method: 'POST', url: '/api/callbacks/1/claim' })).statusCode).toBe(401);
  });
});
