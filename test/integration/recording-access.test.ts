/**
 * Who may hear a call's recording, and the audit log of personal data, on a real SQLite database
 * with an injected clock: supervisors and admins hear every recording, an operator only the calls
 * they answered and the after-hours message of an open callback nobody else holds, a liaison
 * none (404); every
 * play and every answer that shows a citizen's full number is logged with who and when, lists show
 * numbers masked and log nothing; recordings are never cached.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CallbackTaskDetail,
  CallbackTaskView,
  CallRecordDetail,
  CallRecordView,
  ListResponse,
  TicketView,
} from '../../common/api.ts';
import type { CallRecordEvent } from '../../ivr/api.ts';
import { listAudit } from '../../server/audit/service.ts';
import { RECORDING_PLAY_ACTION } from '../../server/calls/routes.ts';
import { type CallRecords, createCallRecords } from '../../server/calls/service.ts';
import { NUMBER_VIEW_ACTION } from '../../server/tickets/repository.ts';
import { FakeDialPermits } from '../support/dial-permits.ts';
import { type AuthHeaders, buildFixture, type Fixture, logger } from './server-fixture.ts';

const START = new Date('2025-06-10T03:00:00Z');
const S = 1000;
const MIN = 60 * S;
let clock = START;
const now = () => clock;
const at = (ms: number) => new Date(START.getTime() + ms);
const WAV = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(40, 7)]);

let fx: Fixture;
let records: CallRecords;
const as: Record<string, AuthHeaders> = {};
const id: Record<string, number> = {};

type Step = DistributiveOmit<CallRecordEvent, 'callId'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function feed(callId: string, steps: Step[]): void {
  for (const step of steps) records.record({ ...step, callId } as CallRecordEvent);
  records.flush();
}

const plays = (callId: string) =>
  listAudit(fx.db, { action: RECORDING_PLAY_ACTION, entity: 'call', entityId: callId }).map((e) => ({
    actor: e.actor?.username,
    at: e.at,
  }));
const numberViews = (entity: string, entityId: string | number) =>
  listAudit(fx.db, { action: NUMBER_VIEW_ACTION, entity, entityId: String(entityId) }).map((e) => ({
    actor: e.actor?.username,
    at: e.at,
    via: (e.after as { via?: string } | null)?.via,
  }));

const play = (callId: string, who: string, method: 'GET' | 'HEAD' = 'GET') =>
  fx.app.inject({ method, url: `/api/calls/${callId}/recording`, headers: as[who] });

beforeAll(async () => {
  fx = await buildFixture({ now, dialPermits: new FakeDialPermits() });
  records = createCallRecords({ db: fx.db, logger, serviceLevelSeconds: 20 });
  for (const who of ['tdv01', 'tdv02', 'tdv03', 'giamsat', 'quantri', 'syt']) {
    as[who] = await fx.session(who);
    id[who] = fx.userId(who);
  }
  // tdv02 rang and missed; tdv01 answered, lost the talk, and tdv03 answered it again.
  feed('talk-1', [
    { type: 'arrived', callerNumber: '0912000001', at: at(-20 * MIN) },
    { type: 'queued', queue: 'health', at: at(-20 * MIN + 5 * S) },
    { type: 'offered', operatorId: id.tdv02!, at: at(-20 * MIN + 6 * S) },
    { type: 'offerEnded', operatorId: id.tdv02!, outcome: 'no_answer', at: at(-20 * MIN + 21 * S) },
    { type: 'offered', operatorId: id.tdv01!, at: at(-20 * MIN + 22 * S) },
    { type: 'offerEnded', operatorId: id.tdv01!, outcome: 'answered', at: at(-20 * MIN + 25 * S) },
    { type: 'answered', operatorId: id.tdv01!, at: at(-20 * MIN + 25 * S) },
    { type: 'recorded', kind: 'conversation', name: 'conversation-talk-1', at: at(-20 * MIN + 25 * S) },
    { type: 'operatorLost', operatorId: id.tdv01!, at: at(-19 * MIN) },
    { type: 'offered', operatorId: id.tdv03!, at: at(-19 * MIN + S) },
    { type: 'offerEnded', operatorId: id.tdv03!, outcome: 'answered', at: at(-19 * MIN + 3 * S) },
    { type: 'answered', operatorId: id.tdv03!, at: at(-19 * MIN + 3 * S) },
    { type: 'ended', reason: 'agent_hung_up', at: at(-15 * MIN) },
  ]);
  fx.desk.recordings.set('conversation-talk-1', WAV);
  // An after-hours message: a callback task for any operator, its recording attached.
  feed('night-1', [
    { type: 'arrived', callerNumber: '0912000002', at: at(-10 * 3600 * S) },
    { type: 'recorded', kind: 'message', name: 'message-night-1', at: at(-10 * 3600 * S + 30 * S) },
    { type: 'ended', reason: 'after_hours_message', at: at(-10 * 3600 * S + 31 * S) },
  ]);
  fx.desk.recordings.set('message-night-1', WAV);
});
afterAll(async () => {
  await fx.close();
});

describe('who hears a recording', () => {
  it('supervisors and admins hear any call; each play is logged with who and when; never cached', async () => {
    clock = at(MIN);
    for (const who of ['giamsat', 'quantri']) {
      const res = await play('talk-1', who);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('audio/wav');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.rawPayload.equals(WAV)).toBe(true);
    }
    expect(plays('talk-1')).toEqual([
      { actor: 'quantri', at: at(MIN).toISOString() },
      { actor: 'giamsat', at: at(MIN).toISOString() },
    ]);
  });

  it('an operator hears the calls they answered, also one whose talk was lost and taken over', async () => {
    clock = at(2 * MIN);
    for (const who of ['tdv03', 'tdv01']) expect((await play('talk-1', who)).statusCode).toBe(200);
    expect(plays('talk-1').slice(0, 2)).toEqual([
      { actor: 'tdv01', at: at(2 * MIN).toISOString() },
      { actor: 'tdv03', at: at(2 * MIN).toISOString() },
    ]);
  });

  it('an operator whose phone only rang, or who never saw the call, is refused with 403 and nothing logged', async () => {
    const before = plays('talk-1').length;
    for (const who of ['tdv02', 'tdv04']) {
      as[who] ??= await fx.session(who);
      const res = await play('talk-1', who);
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toEqual({
        code: 'RECORDING_FORBIDDEN',
        message: 'Bạn không có quyền nghe bản ghi này.',
      });
      expect(res.headers['cache-control']).toBe('no-store');
    }
    expect(plays('talk-1')).toHaveLength(before);
    const anonymous = await fx.app.inject({ url: '/api/calls/talk-1/recording' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['cache-control']).toBe('no-store');
  });

  it('an agency liaison gets 404, as for a call that does not exist, and nothing is logged', async () => {
    const res = await play('talk-1', 'syt');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('RECORDING_NOT_FOUND');
    const unknown = await play('no-such-call', 'syt');
    expect(unknown.json().error).toEqual(res.json().error);
    expect(plays('talk-1').some((p) => p.actor === 'syt')).toBe(false);
  });

  it('an after-hours message: any operator while its callback is open and free, then only its holder', async () => {
    clock = at(3 * MIN);
    const tasks = (await fx.app.inject({ url: '/api/callbacks', headers: as.giamsat }))
      .json<ListResponse<CallbackTaskView>>()
      .data.filter((t) => t.recording?.callId === 'night-1');
    expect(tasks).toHaveLength(1);
    const taskId = tasks[0]!.id;

    // Whoever will call the citizen back listens first.
    expect((await play('night-1', 'tdv01')).statusCode).toBe(200);
    const claimed = await fx.app.inject({
      method: 'POST',
      url: `/api/callbacks/${taskId}/claim`,
      headers: as.tdv02,
    });
    expect(claimed.statusCode, claimed.body).toBe(200);
    // tdv02 holds it now: tdv01 no longer may.
    expect((await play('night-1', 'tdv02')).statusCode).toBe(200);
    expect((await play('night-1', 'tdv01')).statusCode).toBe(403);
    expect(plays('night-1')).toEqual([
      { actor: 'tdv02', at: at(3 * MIN).toISOString() },
      { actor: 'tdv01', at: at(3 * MIN).toISOString() },
    ]);

    // The claim lapses (HOTLINE_CALLBACK_CLAIM_SECONDS): the task is free again.
    clock = at(3 * MIN + 181 * S);
    expect((await play('night-1', 'tdv01')).statusCode).toBe(200);

    // Closed: only supervisors and admins.
    const giveUp = await fx.app.inject({
      method: 'POST',
      url: `/api/callbacks/${taskId}/give-up`,
      headers: as.giamsat,
      payload: { reason: 'Đã liên hệ qua UBND xã' },
    });
    expect(giveUp.statusCode, giveUp.body).toBe(200);
    for (const who of ['tdv01', 'tdv02']) expect((await play('night-1', who)).statusCode).toBe(403);
    expect((await play('night-1', 'giamsat')).statusCode).toBe(200);
  });

  it('HEAD answers the same status without playing or logging: the console asks it why a play failed', async () => {
    clock = at(7 * MIN);
    const before = plays('talk-1').length;
    const refused = await play('talk-1', 'tdv02', 'HEAD');
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['cache-control']).toBe('no-store');
    expect((await play('talk-1', 'tdv01', 'HEAD')).statusCode).toBe(200);
    expect((await play('talk-1', 'syt', 'HEAD')).statusCode).toBe(404);
    expect(plays('talk-1')).toHaveLength(before);
  });

  it('a recording Asterisk no longer has is 404 and not logged as played', async () => {
    feed('gone-1', [
      { type: 'arrived', callerNumber: '0912000003', at: at(-5 * MIN) },
      { type: 'answered', operatorId: id.tdv01!, at: at(-5 * MIN) },
      { type: 'recorded', kind: 'conversation', name: 'conversation-gone-1', at: at(-5 * MIN) },
    ]);
    const res = await play('gone-1', 'giamsat');
    expect(res.statusCode).toBe(404);
    expect(plays('gone-1')).toEqual([]);
  });
});

describe('views of a citizen’s full number', () => {
  it('the screen-pop of an offered call is logged once per operator it rang for', () => {
    expect(numberViews('call', 'talk-1').map((v) => [v.actor, v.via, v.at])).toEqual([
      ['tdv03', 'screen_pop', at(-19 * MIN + S).toISOString()],
      ['tdv01', 'screen_pop', at(-20 * MIN + 22 * S).toISOString()],
      ['tdv02', 'screen_pop', at(-20 * MIN + 6 * S).toISOString()],
    ]);
  });

  it('a call: the list masks numbers and logs nothing; the detail shows it to supervisors, logged', async () => {
    clock = at(10 * MIN);
    const before = numberViews('call', 'talk-1').length;
    const list = await fx.app.inject({
      url: `/api/calls?from=${encodeURIComponent(at(-3600 * S).toISOString())}`,
      headers: as.giamsat,
    });
    const listed = list.json<ListResponse<CallRecordView>>().data.find((c) => c.id === 'talk-1');
    expect(listed?.callerNumber).toBe('0912***001');
    expect(numberViews('call', 'talk-1')).toHaveLength(before);

    const detail = await fx.app.inject({ url: '/api/calls/talk-1', headers: as.giamsat });
    expect(detail.json<CallRecordDetail>().callerNumber).toBe('0912000001');
    const asOperator = await fx.app.inject({ url: '/api/calls/talk-1', headers: as.tdv01 });
    expect(asOperator.json<CallRecordDetail>().callerNumber).toBe('0912***001');
    expect(numberViews('call', 'talk-1').slice(0, 1)).toEqual([
      { actor: 'giamsat', at: at(10 * MIN).toISOString(), via: 'detail' },
    ]);
    expect(numberViews('call', 'talk-1')).toHaveLength(before + 1);
  });

  it('a ticket: lists and action answers mask it; the detail shows it to hotline staff, logged; liaisons never', async () => {
    clock = at(11 * MIN);
    const created = await fx.app.inject({
      method: 'POST',
      url: '/api/tickets',
      headers: as.tdv01,
      payload: { callerNumber: '0912345678', category: 'health', description: 'Sốt cao.' },
    });
    const ticket = created.json<TicketView>();
    expect(ticket.callerNumber).toBe('0912***678');
    const list = await fx.app.inject({ url: '/api/tickets?limit=100', headers: as.giamsat });
    expect(list.json<ListResponse<TicketView>>().data.find((t) => t.id === ticket.id)?.callerNumber).toBe(
      '0912***678',
    );
    expect(numberViews('ticket', ticket.id)).toEqual([]);

    for (const who of ['giamsat', 'tdv01']) {
      const got = await fx.app.inject({ url: `/api/tickets/${ticket.id}`, headers: as[who] });
      expect(got.json<TicketView>().callerNumber).toBe('0912345678');
    }
    const liaison = await fx.app.inject({ url: `/api/tickets/${ticket.id}`, headers: as.syt });
    expect(liaison.json<TicketView>().callerNumber).toBe('0912***678');
    expect(numberViews('ticket', ticket.id)).toEqual([
      { actor: 'tdv01', at: at(11 * MIN).toISOString(), via: 'detail' },
      { actor: 'giamsat', at: at(11 * MIN).toISOString(), via: 'detail' },
    ]);
  });

  it('a callback: the list masks it; the detail and the claim that dials it are logged', async () => {
    clock = at(12 * MIN);
    feed('abandon-1', [
      { type: 'arrived', callerNumber: '0912000004', at: at(11 * MIN) },
      { type: 'queued', queue: 'health', at: at(11 * MIN) },
      { type: 'ended', reason: 'abandoned_in_queue', at: at(11 * MIN + 30 * S) },
    ]);
    const task = (await fx.app.inject({ url: '/api/callbacks', headers: as.tdv01 }))
      .json<ListResponse<CallbackTaskView>>()
      .data.find((t) => t.callId === 'abandon-1');
    expect(task?.callerNumber).toBe('0912***004');
    expect(numberViews('callback', task!.id)).toEqual([]);

    const detail = await fx.app.inject({ url: `/api/callbacks/${task!.id}`, headers: as.giamsat });
    expect(detail.json<CallbackTaskDetail>().callerNumber).toBe('0912000004');
    const claim = await fx.app.inject({
      method: 'POST',
      url: `/api/callbacks/${task!.id}/claim`,
      headers: as.tdv01,
    });
    expect(claim.json<{ dial: string }>().dial).toBe('0912000004');
    expect(numberViews('callback', task!.id)).toEqual([
      { actor: 'tdv01', at: at(12 * MIN).toISOString(), via: 'callback_claim' },
      { actor: 'giamsat', at: at(12 * MIN).toISOString(), via: 'detail' },
    ]);
  });
});
