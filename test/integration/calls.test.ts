/**
 * Call records and callback tasks on a real SQLite database: a sequence of the controller's call
 * events becomes call records, abandons become (de-duplicated) callback tasks, the wallboard gets
 * today's figures, and the APIs answer by role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CallbackTaskView,
  CallRecordDetail,
  CallRecordView,
  ListResponse,
  TicketView,
} from '../../common/api.ts';
import type { WallboardSnapshot } from '../../common/events.ts';
import type { CallRecordEvent } from '../../ivr/api.ts';
import { queuedCallFactsSince } from '../../server/calls/repository.ts';
import { type CallRecords, createCallRecords } from '../../server/calls/service.ts';
import { queueFigures, startOfLocalDay } from '../../server/calls/stats.ts';
import { type AuthHeaders, buildFixture, type Fixture, logger } from './server-fixture.ts';

// 10:00 in Hồ Chí Minh City.
const NOW = new Date('2025-06-10T03:00:00Z');
const S = 1000;
const MIN = 60 * S;
const DAY = 24 * 60 * MIN;
const at = (ms: number) => new Date(NOW.getTime() + ms);

let fx: Fixture;
let records: CallRecords;
let supervisor: AuthHeaders;
let tdv01: number;

type Step = DistributiveOmit<CallRecordEvent, 'callId'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function feed(callId: string, steps: Step[]): void {
  for (const step of steps) records.record({ ...step, callId } as CallRecordEvent);
  records.flush();
}

function feedUnflushed(callId: string, steps: Step[]): void {
  for (const step of steps) records.record({ ...step, callId } as CallRecordEvent);
}

/** Lets the recorder's end-of-turn write run. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const storedEvents = (callId: string) =>
  fx.db.$client
    .prepare('select type, detail from call_events where call_id = ? order by id')
    .all(callId)
    .map((row) => {
      const { type, detail } = row as { type: string; detail: string | null };
      return `${type}:${detail ?? ''}`;
    });

/** A caller who presses `digit`, waits `waitMs` in `queue` and hangs up; `startMs` from NOW. */
function abandon(callId: string, number: string, startMs: number, waitMs: number, digit = '1'): void {
  feed(callId, [
    { type: 'arrived', callerNumber: number, at: at(startMs) },
    { type: 'digit', digit, at: at(startMs + 5 * S) },
    { type: 'queued', queue: digit === '2' ? 'welfare' : 'health', at: at(startMs + 5 * S) },
    { type: 'ended', reason: 'abandoned_in_queue', at: at(startMs + 5 * S + waitMs) },
  ]);
}

beforeAll(async () => {
  fx = await buildFixture({ now: () => NOW });
  records = createCallRecords({ db: fx.db, logger, serviceLevelSeconds: 20 });
  supervisor = await fx.session('giamsat');
  tdv01 = fx.userId('tdv01');
});
afterAll(async () => {
  await fx.close();
});

describe('call records from the controller’s events', () => {
  it('keeps an answered call’s menu path, queue times, offers, answer, end and durations', async () => {
    const tdv02 = fx.userId('tdv02');
    feed('call-answered', [
      { type: 'arrived', callerNumber: '0912000001', at: at(-10 * MIN) },
      { type: 'digit', digit: '7', at: at(-10 * MIN + 4 * S) },
      { type: 'digit', digit: '1', at: at(-10 * MIN + 6 * S) },
      { type: 'queued', queue: 'health', at: at(-10 * MIN + 6 * S) },
      { type: 'offered', operatorId: tdv02, at: at(-10 * MIN + 7 * S) },
      { type: 'offerEnded', operatorId: tdv02, outcome: 'no_answer', at: at(-10 * MIN + 22 * S) },
      { type: 'offered', operatorId: tdv01, at: at(-10 * MIN + 22 * S) },
      { type: 'offerEnded', operatorId: tdv01, outcome: 'answered', at: at(-10 * MIN + 30 * S) },
      { type: 'answered', operatorId: tdv01, at: at(-10 * MIN + 30 * S) },
      { type: 'ended', reason: 'agent_hung_up', at: at(-10 * MIN + 150 * S) },
    ]);
    const ticket = await fx.app.inject({
      method: 'POST',
      url: '/api/tickets',
      headers: supervisor,
      payload: {
        callId: 'call-answered',
        callerNumber: '0912000001',
        category: 'health',
        description: 'Báo ca sốt',
      },
    });
    expect(ticket.statusCode).toBe(201);

    const res = await fx.app.inject({ method: 'GET', url: '/api/calls/call-answered', headers: supervisor });
    expect(res.statusCode).toBe(200);
    const call = res.json<CallRecordDetail>();
    expect(call).toMatchObject({
      callerNumber: '0912000001',
      menuPath: '71',
      queue: 'health',
      queuedAt: at(-10 * MIN + 6 * S).toISOString(),
      leftQueueAt: at(-10 * MIN + 30 * S).toISOString(),
      answeredAt: at(-10 * MIN + 30 * S).toISOString(),
      operator: { id: tdv01, displayName: 'Nguyễn Thị Hoa' },
      endReason: 'agent_hung_up',
      waitSeconds: 24,
      talkSeconds: 120,
    });
    expect(call.offers.map((o) => [o.operatorId, o.outcome])).toEqual([
      [tdv02, 'no_answer'],
      [tdv01, 'answered'],
    ]);
    expect(call.events.map((e) => `${e.type}:${e.detail ?? ''}`)).toEqual([
      'arrived:',
      'digit:7',
      'digit:1',
      'queued:health',
      'offered:',
      'offerEnded:no_answer',
      'offered:',
      'offerEnded:answered',
      'answered:',
      'ended:agent_hung_up',
    ]);
    expect(call.tickets).toEqual([
      { id: ticket.json<TicketView>().id, trackingCode: ticket.json<TicketView>().trackingCode },
    ]);
  });

  it('an offer still ringing when the caller leaves is withdrawn; the abandon opens a callback', async () => {
    feed('call-ringing', [
      { type: 'arrived', callerNumber: '0912000002', at: at(-9 * MIN) },
      { type: 'digit', digit: '1', at: at(-9 * MIN + 3 * S) },
      { type: 'queued', queue: 'health', at: at(-9 * MIN + 3 * S) },
      { type: 'offered', operatorId: tdv01, at: at(-9 * MIN + 4 * S) },
      { type: 'ended', reason: 'abandoned_in_queue', at: at(-9 * MIN + 9 * S) },
    ]);
    const call = (
      await fx.app.inject({ method: 'GET', url: '/api/calls/call-ringing', headers: supervisor })
    ).json<CallRecordDetail>();
    expect(call).toMatchObject({ endReason: 'abandoned_in_queue', waitSeconds: 6, answeredAt: null });
    expect(call.offers.map((o) => o.outcome)).toEqual(['withdrawn']);
  });

  it('ignores events of a call it never saw arrive', () => {
    records.record({ type: 'queued', callId: 'never-arrived', queue: 'goods', at: NOW });
    records.flush();
    expect(fx.db.$client.prepare("select count(*) as n from calls where id = 'never-arrived'").get()).toEqual(
      {
        n: 0,
      },
    );
  });
});

describe('callback tasks from abandoned calls', () => {
  it('one open task per number, however far apart the abandons; its place is the earliest', async () => {
    abandon('ab-1', '0987000001', -60 * MIN, 4 * S);
    abandon('ab-2', '0987000001', -40 * MIN, 90 * S, '2');
    abandon('ab-3', '0987000001', -5 * MIN, 10 * S);
    abandon('ab-4', '0987000002', -50 * MIN, 1 * S);

    const res = await fx.app.inject({ method: 'GET', url: '/api/callbacks', headers: supervisor });
    expect(res.statusCode).toBe(200);
    const tasks = res
      .json<ListResponse<CallbackTaskView>>()
      .data.filter((t) => t.callerNumber.startsWith('0987'));
    expect(tasks.map((t) => [t.callerNumber, t.callId, t.queue, t.requests, t.status, t.attempts])).toEqual([
      ['0987***001', 'ab-3', 'health', 3, 'open', 0],
      ['0987***002', 'ab-4', 'health', 1, 'open', 0],
    ]);
    expect(tasks[0]?.createdAt).toBe(at(-60 * MIN + 9 * S).toISOString());
    expect(tasks[0]?.waitingSince).toBe(at(-60 * MIN + 9 * S).toISOString());
    expect(tasks.every((t) => t.source === 'abandoned' && t.recording === null)).toBe(true);
  });

  // Yesterday's calls, so today's wallboard figures below stay as they are.
  it('the database refuses a second open task for a number', () => {
    abandon('ab-unique', '0987000011', -DAY - 30 * MIN, 4 * S);
    const insert = () =>
      fx.db.$client
        .prepare(
          "insert into callbacks (caller_number, queue, source, call_id, created_at, waiting_since, last_abandon_at) values ('0987000011', 'health', 'abandoned', 'ab-unique', 0, 0, 0)",
        )
        .run();
    expect(insert).toThrow(/UNIQUE constraint failed/);
  });

  it('a withheld number that hangs up while waiting leaves no task, and such callers never share one', async () => {
    abandon('ab-anon-1', 'anonymous', -DAY - 20 * MIN, 30 * S);
    abandon('ab-anon-2', 'anonymous', -DAY - 10 * MIN, 30 * S);
    const tasks = (await fx.app.inject({ method: 'GET', url: '/api/callbacks', headers: supervisor }))
      .json<ListResponse<CallbackTaskView>>()
      .data.filter((t) => ['ab-anon-1', 'ab-anon-2'].includes(t.callId));
    expect(tasks).toEqual([]);
    // Still a call record with its abandon, for the figures.
    const call = (
      await fx.app.inject({ method: 'GET', url: '/api/calls/ab-anon-2', headers: supervisor })
    ).json<CallRecordDetail>();
    expect(call.endReason).toBe('abandoned_in_queue');
  });

  it('closes the open task as reached, naming the call, when the citizen gets through on a later call', async () => {
    const changed: number[] = [];
    const watched = createCallRecords({
      db: fx.db,
      logger,
      serviceLevelSeconds: 20,
      onCallbackChanged: (id) => changed.push(id),
    });
    const steps = (callId: string, number: string, startMs: number) => {
      for (const step of [
        { type: 'arrived', callerNumber: number, at: at(startMs) },
        { type: 'queued', queue: 'health', at: at(startMs + 5 * S) },
      ] as Step[])
        watched.record({ ...step, callId } as CallRecordEvent);
    };
    steps('later-1', '0987000021', -DAY - 30 * MIN);
    watched.record({
      callId: 'later-1',
      type: 'ended',
      reason: 'abandoned_in_queue',
      at: at(-DAY - 29 * MIN),
    });
    watched.flush();
    const [task] = (await fx.app.inject({ method: 'GET', url: '/api/callbacks', headers: supervisor }))
      .json<ListResponse<CallbackTaskView>>()
      .data.filter((t) => t.callId === 'later-1');
    expect(task?.status).toBe('open');
    changed.length = 0;

    steps('later-2', '0987000021', -DAY - 10 * MIN);
    watched.record({ callId: 'later-2', type: 'answered', operatorId: tdv01, at: at(-DAY - 9 * MIN) });
    watched.flush();
    const detail = (
      await fx.app.inject({ method: 'GET', url: `/api/callbacks/${task!.id}`, headers: supervisor })
    ).json<CallbackTaskView>();
    expect(detail).toMatchObject({
      status: 'reached',
      closedByCall: 'later-2',
      closedAt: at(-DAY - 9 * MIN).toISOString(),
    });
    // Pushed, so operators' lists drop it.
    expect(changed).toEqual([task!.id]);
    // Its call ending normally opens nothing new.
    watched.record({ callId: 'later-2', type: 'ended', reason: 'caller_hung_up', at: at(-DAY - 5 * MIN) });
    watched.flush();
    const open = (
      await fx.app.inject({ method: 'GET', url: '/api/callbacks?status=open', headers: supervisor })
    )
      .json<ListResponse<CallbackTaskView>>()
      .data.filter((t) => t.callerNumber === '0987***021');
    expect(open).toEqual([]);
  });

  it('a caller who asks to be called back keeps their place: the task waits since they joined the queue', async () => {
    abandon('ab-before-offer', '0987100001', -7 * MIN, 30 * S);
    feed('offer-1', [
      { type: 'arrived', callerNumber: '0987100002', at: at(-9 * MIN) },
      { type: 'digit', digit: '2', at: at(-8 * MIN) },
      { type: 'queued', queue: 'welfare', at: at(-8 * MIN) },
      { type: 'ended', reason: 'callback_requested', at: at(-2 * MIN) },
    ]);
    const tasks = (await fx.app.inject({ method: 'GET', url: '/api/callbacks', headers: supervisor }))
      .json<ListResponse<CallbackTaskView>>()
      .data.filter((t) => ['offer-1', 'ab-before-offer'].includes(t.callId));
    expect(tasks.map((t) => [t.callerNumber, t.source, t.queue, t.waitingSince])).toEqual([
      ['0987***002', 'offer', 'welfare', at(-8 * MIN).toISOString()],
      ['0987***001', 'abandoned', 'health', at(-7 * MIN + 35 * S).toISOString()],
    ]);
    expect(tasks[0]).toMatchObject({ callId: 'offer-1', lastRequestAt: at(-2 * MIN).toISOString() });
    const call = (
      await fx.app.inject({ method: 'GET', url: '/api/calls/offer-1', headers: supervisor })
    ).json<CallRecordDetail>();
    expect(call).toMatchObject({ endReason: 'callback_requested', waitSeconds: 360, answeredAt: null });
  });

  it('an after-hours message becomes a task for any operator with the recording attached', async () => {
    feed('night-1', [
      { type: 'arrived', callerNumber: '0987200001', at: at(-4 * 3600 * S) },
      { type: 'recorded', kind: 'message', name: 'message-night-1', at: at(-4 * 3600 * S + 40 * S) },
      { type: 'ended', reason: 'after_hours_message', at: at(-4 * 3600 * S + 41 * S) },
    ]);
    // Back later, the same caller gives up in the queue: one task, the message kept.
    abandon('night-2', '0987200001', -4 * 3600 * S + 10 * MIN, 20 * S);
    const tasks = (await fx.app.inject({ method: 'GET', url: '/api/callbacks', headers: supervisor }))
      .json<ListResponse<CallbackTaskView>>()
      .data.filter((t) => t.recording?.callId === 'night-1');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      source: 'abandoned',
      queue: 'health',
      callId: 'night-2',
      requests: 2,
      waitingSince: at(-4 * 3600 * S + 41 * S).toISOString(),
      recording: { callId: 'night-1', name: 'message-night-1' },
    });
    const call = (
      await fx.app.inject({ method: 'GET', url: '/api/calls/night-1', headers: supervisor })
    ).json<CallRecordDetail>();
    expect(call.events.map((e) => `${e.type}:${e.detail ?? ''}`)).toEqual([
      'arrived:',
      'recorded:message:message-night-1',
      'ended:after_hours_message',
    ]);
  });

  it.each([
    ['tdv01', 200],
    ['giamsat', 200],
    ['quantri', 200],
    ['syt', 403],
  ])('GET /api/callbacks as %s → %i', async (username, status) => {
    const res = await fx.app.inject({
      method: 'GET',
      url: '/api/callbacks',
      headers: await fx.session(username),
    });
    expect(res.statusCode).toBe(status);
  });

  it('GET /api/callbacks without a session → 401', async () => {
    expect((await fx.app.inject({ method: 'GET', url: '/api/callbacks' })).statusCode).toBe(401);
  });
});

describe('call record APIs by role', () => {
  it('lists today’s calls, newest first, for supervisors and admins only', async () => {
    const list = await fx.app.inject({
      method: 'GET',
      url: `/api/calls?from=${encodeURIComponent(at(-2 * 3600 * S).toISOString())}&limit=3`,
      headers: supervisor,
    });
    expect(list.statusCode).toBe(200);
    const calls = list.json<ListResponse<CallRecordView>>().data;
    expect(calls).toHaveLength(3);
    expect(calls[0]?.id).toBe('ab-3');
    // Masked in a list, for supervisors too: the full number is on the call's (logged) detail.
    expect(calls[0]?.callerNumber).toBe('0987***001');

    for (const [username, status] of [
      ['quantri', 200],
      ['tdv01', 403],
      ['syt', 403],
    ] as const) {
      const res = await fx.app.inject({
        method: 'GET',
        url: '/api/calls',
        headers: await fx.session(username),
      });
      expect(res.statusCode, username).toBe(status);
    }
  });

  it('shows an operator the call with the number masked; agencies get nothing; unknown ids 404', async () => {
    const asOperator = await fx.app.inject({
      method: 'GET',
      url: '/api/calls/call-answered',
      headers: await fx.session('tdv01'),
    });
    expect(asOperator.json<CallRecordDetail>().callerNumber).toBe('0912***001');
    const asAgency = await fx.app.inject({
      method: 'GET',
      url: '/api/calls/call-answered',
      headers: await fx.session('syt'),
    });
    expect(asAgency.statusCode).toBe(403);
    const unknown = await fx.app.inject({ method: 'GET', url: '/api/calls/nope', headers: supervisor });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'CALL_NOT_FOUND' } });
  });
});

describe('wallboard figures', () => {
  it('adds today’s answered, abandoned, service level and speed of answer to the live snapshot', () => {
    const live = fx.desk.snapshot(NOW);
    const board: WallboardSnapshot = records.addFigures(live, NOW);
    expect(board.serviceLevelSeconds).toBe(20);
    // Health today: call-answered (24 s, over 20 s); abandons ab-1, ab-3, ab-4, call-ringing,
    // ab-before-offer and night-2 (the offer is not an abandon), of which ab-1 (4 s) and ab-4 (1 s)
    // are within the 5 s short-abandon threshold and left out of the service level.
    expect(board.queues.find((q) => q.queue === 'health')).toEqual({
      queue: 'health',
      waiting: 2,
      longestWaitSeconds: 40,
      answered: 1,
      abandoned: 6,
      serviceLevel: 0,
      serviceLevelCalls: 5,
      averageSpeedOfAnswerSeconds: 24,
    });
  });
});

describe('writing off the controller’s event path', () => {
  it('stores many events of one turn after the turn, all of them, in order', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `batch-${i}`);
    for (const [i, callId] of ids.entries()) {
      records.record({
        type: 'arrived',
        callId,
        callerNumber: `09130${String(i).padStart(5, '0')}`,
        at: at(-5 * S),
      });
    }
    for (const digit of ['7', '2', '9']) {
      for (const callId of ids) records.record({ type: 'digit', callId, digit, at: at(-4 * S) });
    }
    // Nothing is written while the controller's turn runs.
    expect(fx.db.$client.prepare("select count(*) as n from calls where id like 'batch-%'").get()).toEqual({
      n: 0,
    });
    await nextTurn();
    for (const callId of ids) {
      expect(storedEvents(callId)).toEqual(['arrived:', 'digit:7', 'digit:2', 'digit:9']);
    }
    const paths = fx.db.$client
      .prepare("select distinct menu_path as path from calls where id like 'batch-%'")
      .all();
    expect(paths).toEqual([{ path: '729' }]);
  });

  it('an event that fails costs only itself: the rest of its turn is stored, in order', async () => {
    records.record({ type: 'arrived', callId: 'batch-bad', callerNumber: '0913999999', at: at(-3 * S) });
    records.record({ type: 'digit', callId: 'batch-bad', digit: '1', at: at(-3 * S) });
    // A menu path cannot become null: this update fails inside the batch's transaction.
    records.record({ type: 'digit', callId: 'batch-bad', digit: null as unknown as string, at: at(-2 * S) });
    records.record({ type: 'digit', callId: 'batch-bad', digit: '3', at: at(-2 * S) });
    records.record({ type: 'arrived', callId: 'batch-after', callerNumber: '0913999998', at: at(-2 * S) });
    await nextTurn();
    expect(storedEvents('batch-bad')).toEqual(['arrived:', 'digit:1', 'digit:3']);
    expect(fx.db.$client.prepare("select menu_path as path from calls where id = 'batch-bad'").get()).toEqual(
      {
        path: '13',
      },
    );
    expect(storedEvents('batch-after')).toEqual(['arrived:']);
  });

  it('the wallboard figures right after an `ended` count the call', () => {
    const health = (board: WallboardSnapshot) => board.queues.find((q) => q.queue === 'health');
    const before = health(records.addFigures(fx.desk.snapshot(NOW), NOW));
    feedUnflushed('batch-answered', [
      { type: 'arrived', callerNumber: '0913999997', at: at(-MIN) },
      { type: 'queued', queue: 'health', at: at(-MIN) },
      { type: 'answered', operatorId: tdv01, at: at(-MIN + 4 * S) },
      { type: 'ended', reason: 'agent_hung_up', at: at(-10 * S) },
    ]);
    feedUnflushed('batch-abandoned', [
      { type: 'arrived', callerNumber: '0913999996', at: at(-MIN) },
      { type: 'queued', queue: 'health', at: at(-MIN) },
      { type: 'ended', reason: 'abandoned_in_queue', at: at(-30 * S) },
    ]);
    const after = health(records.addFigures(fx.desk.snapshot(NOW), NOW));
    expect(after?.answered).toBe((before?.answered ?? 0) + 1);
    expect(after?.abandoned).toBe((before?.abandoned ?? 0) + 1);
  });
});

describe('recordings', () => {
  const wav = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(40, 1)]);

  it('an after-hours message: the call record names it, GET /api/calls lists it, the recording route serves it', async () => {
    feed('call-after-hours', [
      { type: 'arrived', callerNumber: '0912000111', at: at(-50 * MIN) },
      { type: 'recorded', kind: 'message', name: 'message-call-after-hours', at: at(-49 * MIN) },
      { type: 'ended', reason: 'after_hours_message', at: at(-49 * MIN) },
    ]);
    fx.desk.recordings.set('message-call-after-hours', wav);

    const list = await fx.app.inject({ url: '/api/calls', headers: supervisor });
    const listed = list.json<ListResponse<CallRecordView>>().data.find((c) => c.id === 'call-after-hours');
    expect(listed).toMatchObject({
      endReason: 'after_hours_message',
      recording: { kind: 'message', name: 'message-call-after-hours' },
    });

    for (const who of ['giamsat', 'quantri']) {
      const res = await fx.app.inject({
        url: '/api/calls/call-after-hours/recording',
        headers: await fx.session(who),
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('audio/wav');
      expect(res.rawPayload.equals(wav)).toBe(true);
    }
    const liaison = await fx.app.inject({
      url: '/api/calls/call-after-hours/recording',
      headers: await fx.session('syt'),
    });
    expect(liaison.statusCode).toBe(404);
  });

  it('404 for a call without a recording, a recording Asterisk no longer has, or an unknown call', async () => {
    feed('call-no-recording', [
      { type: 'arrived', callerNumber: '0912000112', at: at(-40 * MIN) },
      { type: 'ended', reason: 'after_hours_no_message', at: at(-40 * MIN) },
    ]);
    feed('call-lost-recording', [
      { type: 'arrived', callerNumber: '0912000113', at: at(-30 * MIN) },
      { type: 'recorded', kind: 'conversation', name: 'conversation-call-lost-recording', at: at(-29 * MIN) },
    ]);
    for (const [id, code] of [
      ['call-no-recording', 'RECORDING_NOT_FOUND'],
      ['call-lost-recording', 'RECORDING_NOT_FOUND'],
      ['no-such-call', 'CALL_NOT_FOUND'],
    ]) {
      const res = await fx.app.inject({ url: `/api/calls/${id}/recording`, headers: supervisor });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe(code);
    }
    const detail = await fx.app.inject({ url: '/api/calls/call-no-recording', headers: supervisor });
    expect(detail.json<CallRecordDetail>().recording).toBeNull();
  });
});

describe('waits of recently answered calls, for a restarted controller’s estimates', () => {
  it('gives each call answered since the time its queue, wait and handle time (talk and wrap-up), oldest answer first', () => {
    // Two hours ahead of the other tests' calls, so only these count.
    const base = 2 * 60 * MIN;
    const answered = (callId: string, queue: 'health' | 'welfare', queuedMs: number, answeredMs: number) =>
      feed(callId, [
        { type: 'arrived', callerNumber: '0912000900', at: at(base + queuedMs - 5 * S) },
        { type: 'queued', queue, at: at(base + queuedMs) },
        { type: 'offered', operatorId: tdv01, at: at(base + answeredMs) },
        { type: 'answered', operatorId: tdv01, at: at(base + answeredMs) },
        { type: 'ended', reason: 'agent_hung_up', at: at(base + answeredMs + MIN) },
      ]);
    answered('wait-early', 'health', 0, 30 * S);
    answered('wait-welfare', 'welfare', 2 * MIN, 6 * MIN);
    answered('wait-late', 'health', MIN, 3 * MIN);
    // Still waiting, and hung up while waiting: no wait to go by.
    feed('wait-waiting', [
      { type: 'arrived', callerNumber: '0912000901', at: at(base) },
      { type: 'queued', queue: 'health', at: at(base + S) },
    ]);
    abandon('wait-abandoned', '0912000902', base, 4 * MIN);
    // The operator's wrap-up after the first call lasted 20 s (the state log); the others have none logged.
    const logState = (state: string, ms: number) =>
      fx.db.$client
        .prepare('insert into operator_state_changes (operator_id, state, at) values (?, ?, ?)')
        .run(tdv01, state, at(base + ms).getTime());
    logState('wrap_up', 30 * S + MIN);
    logState('ready', 50 * S + MIN);

    const handle = (endMs: number, handleMs: number) => ({ endedAt: at(base + endMs), handleMs });
    expect(records.recentWaits(at(base))).toEqual([
      {
        queue: 'health',
        answeredAt: at(base + 30 * S),
        waitMs: 30 * S,
        handle: handle(50 * S + MIN, 80 * S),
      },
      { queue: 'health', answeredAt: at(base + 3 * MIN), waitMs: 2 * MIN, handle: handle(4 * MIN, MIN) },
      { queue: 'welfare', answeredAt: at(base + 6 * MIN), waitMs: 4 * MIN, handle: handle(7 * MIN, MIN) },
    ]);
    expect(records.recentWaits(at(base + 31 * S)).map((w) => w.waitMs)).toEqual([2 * MIN, 4 * MIN]);
  });
});

describe('what a restarted controller recalls of a call', () => {
  it('its queue, place, menu path, answer and how many times operators were rung', () => {
    const base = 4 * 60 * MIN;
    feed('recall-rung', [
      { type: 'arrived', callerNumber: '0912000950', at: at(base) },
      { type: 'digit', digit: '1', at: at(base + 5 * S) },
      { type: 'queued', queue: 'health', at: at(base + 6 * S) },
      { type: 'offered', operatorId: tdv01, at: at(base + 10 * S) },
      { type: 'offerEnded', operatorId: tdv01, outcome: 'no_answer', at: at(base + 25 * S) },
      { type: 'offered', operatorId: tdv01, at: at(base + 30 * S) },
    ]);
    expect(records.recall?.('recall-rung')).toEqual({
      queue: 'health',
      queuedAt: at(base + 6 * S),
      menuPath: '1',
      answeredAt: null,
      offers: 2,
      ended: false,
    });
    expect(records.recall?.('recall-unknown')).toBeNull();
  });
});

describe('wallboard figures kept in memory', () => {
  const figuresOfBoard = (board: WallboardSnapshot) =>
    Object.fromEntries(
      board.queues.map(
        ({ queue, answered, abandoned, serviceLevel, serviceLevelCalls, averageSpeedOfAnswerSeconds }) => [
          queue,
          { answered, abandoned, serviceLevel, serviceLevelCalls, averageSpeedOfAnswerSeconds },
        ],
      ),
    );
  const fromSqlite = (at: Date) => {
    const since = startOfLocalDay(at);
    return queueFigures(queuedCallFactsSince(fx.db, since), {
      since,
      serviceLevelSeconds: 20,
      shortAbandonSeconds: 5,
    });
  };
  const insertAnswered = (id: string, answeredAt: Date) =>
    fx.db.$client
      .prepare(
        'insert into calls (id, caller_number, arrived_at, queue, queued_at, answered_at, left_queue_at) values (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        id,
        '0914000000',
        answeredAt.getTime() - 30 * S,
        'health',
        answeredAt.getTime() - 20 * S,
        answeredAt.getTime(),
        answeredAt.getTime(),
      );

  it('equal the computation from SQLite after a mixed sequence of calls', () => {
    const kept = createCallRecords({ db: fx.db, logger, serviceLevelSeconds: 20 });
    const seeded = figuresOfBoard(kept.addFigures(fx.desk.snapshot(NOW), NOW));
    const tdv02 = fx.userId('tdv02');
    const play = (callId: string, steps: Step[]) => {
      for (const step of steps) kept.record({ ...step, callId } as CallRecordEvent);
    };
    const t0 = -30 * MIN;
    play('mix-quick', [
      { type: 'arrived', callerNumber: '0914000001', at: at(t0) },
      { type: 'queued', queue: 'health', at: at(t0 + 5 * S) },
      { type: 'offered', operatorId: tdv01, at: at(t0 + 6 * S) },
      { type: 'offerEnded', operatorId: tdv01, outcome: 'answered', at: at(t0 + 9 * S) },
      { type: 'answered', operatorId: tdv01, at: at(t0 + 9 * S) },
    ]);
    play('mix-slow', [
      { type: 'arrived', callerNumber: '0914000002', at: at(t0) },
      { type: 'queued', queue: 'health', at: at(t0 + 5 * S) },
      { type: 'answered', operatorId: tdv02, at: at(t0 + 65 * S) },
      // The talk is lost and the caller answered again: still one answer, the first.
      { type: 'operatorLost', operatorId: tdv02, at: at(t0 + 90 * S) },
      { type: 'queued', queue: 'health', at: at(t0 + 90 * S) },
      { type: 'answered', operatorId: tdv01, at: at(t0 + 95 * S) },
      { type: 'ended', reason: 'caller_hung_up', at: at(t0 + 200 * S) },
    ]);
    play('mix-quick', [{ type: 'ended', reason: 'agent_hung_up', at: at(t0 + 100 * S) }]);
    play('mix-abandon', [
      { type: 'arrived', callerNumber: '0914000003', at: at(t0) },
      { type: 'queued', queue: 'health', at: at(t0 + 5 * S) },
      { type: 'ended', reason: 'abandoned_in_queue', at: at(t0 + 45 * S) },
    ]);
    play('mix-lost-then-left', [
      { type: 'arrived', callerNumber: '0914000004', at: at(t0) },
      { type: 'queued', queue: 'health', at: at(t0 + 5 * S) },
      { type: 'answered', operatorId: tdv02, at: at(t0 + 15 * S) },
      { type: 'operatorLost', operatorId: tdv02, at: at(t0 + 20 * S) },
      { type: 'queued', queue: 'health', at: at(t0 + 20 * S) },
      // Answered before, so not an abandon.
      { type: 'ended', reason: 'abandoned_in_queue', at: at(t0 + 60 * S) },
    ]);
    play('mix-menu-only', [
      { type: 'arrived', callerNumber: '0914000005', at: at(t0) },
      { type: 'ended', reason: 'caller_hung_up_in_menu', at: at(t0 + 8 * S) },
    ]);
    // Joined the queue before local midnight, answered after it: counts today.
    const midnight = startOfLocalDay(NOW);
    play('mix-over-midnight', [
      { type: 'arrived', callerNumber: '0914000006', at: new Date(midnight.getTime() - 40 * S) },
      { type: 'queued', queue: 'health', at: new Date(midnight.getTime() - 30 * S) },
      { type: 'answered', operatorId: tdv01, at: new Date(midnight.getTime() + 5 * S) },
    ]);

    const after = figuresOfBoard(kept.addFigures(fx.desk.snapshot(NOW), NOW));
    const sql = fromSqlite(NOW);
    expect(Object.keys(after)).toContain('health');
    for (const queue of Object.keys(after)) expect(after[queue]).toEqual(sql[queue as keyof typeof sql]);
    // Two quick answers, a slow one, one answered then lost; one abandon.
    expect(after.health?.answered).toBe((seeded.health?.answered ?? 0) + 4);
    expect(after.health?.abandoned).toBe((seeded.health?.abandoned ?? 0) + 1);
  });

  it('reads SQLite only at start and at a new day, then counts what the recorder writes', () => {
    const kept = createCallRecords({ db: fx.db, logger, serviceLevelSeconds: 20 });
    const health = (at: Date) => figuresOfBoard(kept.addFigures(fx.desk.snapshot(at), at)).health;
    const before = health(NOW);
    // Written around the recorder: the running sums do not see it until they are seeded again.
    insertAnswered('mem-around', at(-MIN));
    expect(health(NOW)).toEqual(before);
    const tomorrow = new Date(NOW.getTime() + 24 * 60 * MIN);
    insertAnswered('mem-tomorrow', tomorrow);
    expect(health(tomorrow)).toEqual(fromSqlite(tomorrow).health);
    expect(health(tomorrow)?.answered).toBe(1);
  });
});
