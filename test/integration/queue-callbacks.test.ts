/**
 * The queue callback's tasks on a real SQLite database: a caller who pressed 1 leaves a task the
 * ACD holds (rebuilt from `held()` with the caller's first joining time and menu key; operators
 * cannot claim it), the hotline's attempts recorded as `queue` attempts (spacing, then left to a
 * person with the operators' own allowance), reached by the queue callback, released when the
 * citizen calls again, and never for a withheld number. Reasons a task closes as reached.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallbackTaskDetail, CallbackTaskView, ListResponse } from '../../common/api.ts';
import type { CallRecordEvent, QueueCallbackStore } from '../../ivr/api.ts';
import { createQueueCallbackStore } from '../../server/callbacks/queue.ts';
import { type CallRecords, createCallRecords } from '../../server/calls/service.ts';
import { callbackTaskOf } from '../support/callbacks.ts';
import { FakeDialPermits } from '../support/dial-permits.ts';
import { type AuthHeaders, buildFixture, type Fixture, logger } from './server-fixture.ts';

const START = Date.parse('2025-06-10T03:00:00Z');
let clock = START;
const now = () => new Date(clock);
const at = (s: number) => new Date(START + s * 1000);

let fx: Fixture;
let records: CallRecords;
let store: QueueCallbackStore;
let tdv01: AuthHeaders;
let supervisor: AuthHeaders;
let operator: number;
let calls = 0;

/** A caller from `number` who chose health (key 1), waited and pressed 1 for a callback; returns the call id. */
function pressOne(number: string, joinedAt: Date): string {
  const callId = `qcb-test-${++calls}`;
  const steps: CallRecordEvent[] = [
    { callId, type: 'arrived', callerNumber: number, at: joinedAt },
    { callId, type: 'digit', digit: '1', at: joinedAt },
    { callId, type: 'queued', queue: 'health', at: joinedAt },
    { callId, type: 'ended', reason: 'callback_requested', at: now() },
  ];
  // Not flushed: the store flushes the records itself before it reads.
  for (const step of steps) records.record(step);
  return callId;
}

/** The call of an attempt the citizen answered, talked to `operatorId`. */
function answeredAttempt(callId: string, number: string): void {
  for (const step of [
    { callId, type: 'arrived', callerNumber: number, at: now() },
    { callId, type: 'offered', operatorId: operator, at: now() },
    { callId, type: 'offerEnded', operatorId: operator, outcome: 'answered', at: now() },
    { callId, type: 'answered', operatorId: operator, at: now() },
  ] satisfies CallRecordEvent[])
    records.record(step);
}

const taskOf = (number: string) =>
  callbackTaskOf(
    async (path) =>
      (await fx.app.inject({ method: 'GET', url: path, headers: supervisor })).json<
        ListResponse<CallbackTaskView>
      >(),
    number,
  );

const detail = async (id: number) =>
  (
    await fx.app.inject({ method: 'GET', url: `/api/callbacks/${id}`, headers: supervisor })
  ).json<CallbackTaskDetail>();
const claim = (id: number) =>
  fx.app.inject({ method: 'POST', url: `/api/callbacks/${id}/claim`, headers: tdv01 });

beforeAll(async () => {
  fx = await buildFixture({ now, dialPermits: new FakeDialPermits() });
  records = createCallRecords({ db: fx.db, logger, serviceLevelSeconds: 20 });
  store = createQueueCallbackStore({ db: fx.db, flush: () => records.flush(), logger });
  tdv01 = await fx.session('tdv01');
  supervisor = await fx.session('giamsat');
  operator = fx.userId('tdv01');
});
afterAll(async () => {
  await fx.close();
});

describe('a task the ACD holds', () => {
  it('is rebuilt with the caller’s first joining time and key, and operators cannot claim it', async () => {
    clock = START + 120_000;
    const callId = pressOne('0966000001', at(0));
    const held = store.held().find((h) => h.callerNumber === '0966000001');
    expect(held).toEqual({
      callId,
      callerNumber: '0966000001',
      queue: 'health',
      menuChoice: '1',
      waitingSince: at(0),
      attempts: 0,
      nextAttemptAt: null,
    });
    const task = await taskOf('0966000001');
    expect(task).toMatchObject({ source: 'offer', status: 'open', heldInQueue: true, queueAttempts: 0 });
    const refused = await claim(task!.id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: { code: 'CALLBACK_IN_QUEUE' } });
  });

  it('records the hotline’s attempts; after the last one a person may claim it, with their own attempts', async () => {
    pressOne('0966000002', at(10));
    const a1 = store.attemptStarted('0966000002', operator, now());
    expect(a1).not.toBeNull();
    store.attemptEnded(a1!, {
      outcome: 'busy',
      detail: 'cause 17',
      at: now(),
      callId: null,
      next: 'retry',
      notBefore: at(300),
    });
    expect(await taskOf('0966000002')).toMatchObject({
      status: 'open',
      heldInQueue: true,
      attempts: 1,
      queueAttempts: 1,
      nextAttemptAt: at(300).toISOString(),
    });
    expect(store.held().find((h) => h.callerNumber === '0966000002')).toMatchObject({
      attempts: 1,
      nextAttemptAt: at(300),
    });
    const a2 = store.attemptStarted('0966000002', operator, now())!;
    store.attemptEnded(a2, {
      outcome: 'no_answer',
      detail: 'cause 19',
      at: now(),
      callId: null,
      next: 'person',
      notBefore: null,
    });
    const task = (await taskOf('0966000002'))!;
    expect(task).toMatchObject({
      status: 'open',
      heldInQueue: false,
      attempts: 2,
      queueAttempts: 2,
      nextAttemptAt: null,
    });
    expect(store.held().some((h) => h.callerNumber === '0966000002')).toBe(false);
    expect((await detail(task.id)).history.map((h) => [h.kind, h.outcome, h.detail])).toEqual([
      ['queue', 'busy', 'cause 17'],
      ['queue', 'no_answer', 'cause 19'],
    ]);
    // A person: their first failed attempt does not give the task up (3 of their own).
    fx.desk.setAgentState(operator, { state: 'ready' });
    const claimed = await claim(task.id);
    expect(claimed.statusCode, claimed.body).toBe(200);
    const { attemptId } = claimed.json<{ attemptId: number }>();
    const busy = await fx.app.inject({
      method: 'POST',
      url: `/api/callbacks/${task.id}/outcome`,
      headers: tdv01,
      payload: { attemptId, outcome: 'busy' },
    });
    expect(busy.json()).toMatchObject({ status: 'open', attempts: 3 });
  });

  it('is reached by the queue callback, naming the attempt’s call', async () => {
    pressOne('0966000003', at(20));
    const attempt = store.attemptStarted('0966000003', operator, now())!;
    const callId = 'qcb-x-1';
    answeredAttempt(callId, '0966000003');
    store.attemptEnded(attempt, {
      outcome: 'reached',
      detail: null,
      at: now(),
      callId,
      next: 'done',
      notBefore: null,
    });
    const task = (await taskOf('0966000003'))!;
    expect(task).toMatchObject({
      status: 'reached',
      reachedBy: 'queue_callback',
      closedByCall: callId,
      heldInQueue: false,
      attempts: 1,
    });
    expect((await detail(task.id)).history.map((h) => [h.kind, h.outcome])).toEqual([['queue', 'reached']]);
  });

  it('leaves the ACD when the citizen’s new call takes the place; that call answered closes it as a later call', async () => {
    pressOne('0966000004', at(30));
    store.release('0966000004', now());
    expect(await taskOf('0966000004')).toMatchObject({ status: 'open', heldInQueue: false });
    expect(store.attemptStarted('0966000004', operator, now())).toBeNull();
    answeredAttempt('later-call-4', '0966000004');
    records.flush();
    expect(await taskOf('0966000004')).toMatchObject({
      status: 'reached',
      reachedBy: 'later_call',
      closedByCall: 'later-call-4',
    });
  });

  it('never exists for a withheld number', async () => {
    pressOne('anonymous', at(40));
    records.flush();
    expect(store.held().some((h) => h.callerNumber === 'anonymous')).toBe(false);
    expect(store.attemptStarted('anonymous', operator, now())).toBeNull();
  });
});
