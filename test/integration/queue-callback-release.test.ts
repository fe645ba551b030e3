/**
 * A held task closed elsewhere tells the controller at once, on a real SQLite database: the
 * server's notifier passes every task change to the queue callback store, which names the number
 * to the controller's listener when it no longer has a held task: a supervisor's give-up, and a
 * later call of the citizen answered by an operator (the task closed as reached). A change that
 * keeps the task held (a new request) names nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallbackTaskView, ListResponse } from '../../common/api.ts';
import type { CallRecordEvent } from '../../ivr/api.ts';
import { createQueueCallbackStore, type QueueCallbackTasks } from '../../server/callbacks/queue.ts';
import { type CallRecords, createCallRecords } from '../../server/calls/service.ts';
import { callbackTaskOf } from '../support/callbacks.ts';
import { type AuthHeaders, buildFixture, type Fixture, logger } from './server-fixture.ts';

const START = Date.parse('2025-06-10T03:00:00Z');
let clock = START;
const now = () => new Date(clock);

let fx: Fixture;
let records: CallRecords;
let store: QueueCallbackTasks;
let supervisor: AuthHeaders;
const released: string[] = [];
let calls = 0;

function record(steps: CallRecordEvent[]): void {
  for (const step of steps) records.record(step);
  records.flush();
}

/** A caller who waited in health and pressed 1: the ACD holds their task. */
function pressOne(number: string): void {
  const callId = `release-${++calls}`;
  record([
    { callId, type: 'arrived', callerNumber: number, at: now() },
    { callId, type: 'digit', digit: '1', at: now() },
    { callId, type: 'queued', queue: 'health', at: now() },
    { callId, type: 'ended', reason: 'callback_requested', at: now() },
  ]);
}

const taskOf = (number: string) =>
  callbackTaskOf(
    async (path) =>
      (await fx.app.inject({ method: 'GET', url: path, headers: supervisor })).json<
        ListResponse<CallbackTaskView>
      >(),
    number,
  );

beforeAll(async () => {
  // The notifier as main.ts wires it: every change made outside the store reaches `changed`.
  fx = await buildFixture({ now, callbackNotifier: { changed: (id) => store.changed(id) } });
  records = createCallRecords({
    db: fx.db,
    logger,
    serviceLevelSeconds: 20,
    onCallbackChanged: (id) => store.changed(id),
  });
  store = createQueueCallbackStore({ db: fx.db, flush: () => records.flush(), logger });
  store.watch?.((number) => released.push(number));
  supervisor = await fx.session('giamsat');
});
afterAll(async () => {
  await fx.close();
});

describe('a held task closed elsewhere', () => {
  it('names its number to the controller when a supervisor gives it up', async () => {
    pressOne('0977000001');
    const task = (await taskOf('0977000001'))!;
    expect(task).toMatchObject({ status: 'open', heldInQueue: true });
    expect(released).toEqual([]);
    const res = await fx.app.inject({
      method: 'POST',
      url: `/api/callbacks/${task.id}/give-up`,
      headers: supervisor,
      payload: { reason: 'Người dân báo không cần gọi lại' },
    });
    expect(res.statusCode).toBe(200);
    expect(released).toEqual(['0977000001']);
  });

  it('names its number when a later call of the citizen is answered', async () => {
    released.length = 0;
    pressOne('0977000002');
    clock += 60_000;
    const later = `release-${++calls}`;
    const operatorId = fx.userId('tdv01');
    record([
      { callId: later, type: 'arrived', callerNumber: '0977000002', at: now() },
      { callId: later, type: 'queued', queue: 'health', at: now() },
      { callId: later, type: 'offered', operatorId, at: now() },
      { callId: later, type: 'offerEnded', operatorId, outcome: 'answered', at: now() },
      { callId: later, type: 'answered', operatorId, at: now() },
    ]);
    expect(await taskOf('0977000002')).toMatchObject({ status: 'reached', reachedBy: 'later_call' });
    expect(released).toEqual(['0977000002']);
  });

  it('names nobody for a change that keeps the task held', async () => {
    released.length = 0;
    pressOne('0977000003');
    clock += 60_000;
    pressOne('0977000003');
    expect(await taskOf('0977000003')).toMatchObject({ status: 'open', heldInQueue: true, requests: 2 });
    expect(released).toEqual([]);
  });
});
