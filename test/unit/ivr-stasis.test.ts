import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QUEUE_NAMES } from '../../common/domain.ts';
import type { AgentStateView } from '../../common/events.ts';
import { Acd, type AcdOptions, DEFAULT_WRAP_UP, type WrapUpTimes } from '../../ivr/acd.ts';
import {
  type AnsweredWait,
  type CallerHistory,
  type CallInfo,
  type CallRecordEvent,
  type IvrEvents,
  UnknownOperatorError,
} from '../../ivr/api.ts';
import type { WaitingOptions } from '../../ivr/flow.ts';
import type { IvrConfig } from '../../ivr/menu.ts';
import { AriDisconnectedError, AriRequestError, AriTimeoutError, GoneError } from '../../ivr/port.ts';
import { StasisController } from '../../ivr/stasis.ts';
import { LEG_GONE_GUARD_MS } from '../../ivr/stasis-operator-timers.ts';
import { FakeAri } from '../support/ari-fake.ts';
import { FakeCallerHistory } from '../support/caller-history-fake.ts';
import { configOf, DEFAULT_MENU, defaultMenuJson } from '../support/menu.ts';
import { FakeStatusLine } from '../support/status-line-fake.ts';

const CALLER = 'c1';
const AGENT_1 = 'c1-agent-1';

function setup(
  opts: {
    history?: CallerHistory;
    /** What the call records answer for the waits of recently answered calls. */
    recentWaits?: (since: Date) => AnsweredWait[];
    acd?: AcdOptions;
    ringSeconds?: number;
    wrapUp?: WrapUpTimes;
    waiting?: WaitingOptions;
    menu?: IvrConfig;
    recordCalls?: boolean;
  } = {},
) {
  const ari = new FakeAri();
  const statusLine = new FakeStatusLine();
  const log: string[] = [];
  const events: IvrEvents = {
    callOffered: (op: number, c: CallInfo) =>
      log.push(`offered ${op} ${c.callId} ${c.queue} ${c.menuChoice}`),
    callAnswered: (op: number, c: CallInfo) => log.push(`answered ${op} ${c.callId}`),
    callEnded: (op: number, callId: string) => log.push(`ended ${op} ${callId}`),
    agentStateChanged: (op: number, s: AgentStateView) =>
      log.push(`agent ${op} ${s.state}${s.reason ? ` ${s.reason}` : ''}`),
    wallboardChanged: () => {},
  };
  const records: string[] = [];
  const describeRecord = (e: CallRecordEvent): string => {
    switch (e.type) {
      case 'arrived':
        return `arrived ${e.callerNumber}`;
      case 'digit':
        return `digit ${e.digit}`;
      case 'queued':
        return `queued ${e.queue}`;
      case 'offered':
      case 'answered':
      case 'operatorLost':
        return `${e.type} ${e.operatorId}`;
      case 'offerEnded':
        return `offerEnded ${e.operatorId} ${e.outcome}`;
      case 'recorded':
        return `recorded ${e.kind} ${e.name}`;
      case 'ended':
        return `ended ${e.reason}`;
    }
  };
  let t = Date.parse('2024-05-01T08:00:00Z');
  const now = () => new Date(t);
  const acd = new Acd(
    [
      { operatorId: 7, displayName: 'Lan', sipEndpoint: 'tdv07', skills: ['health'] },
      { operatorId: 8, displayName: 'Hùng', sipEndpoint: 'tdv08', skills: ['health'] },
    ],
    now(),
    opts.acd,
    opts.wrapUp ?? DEFAULT_WRAP_UP,
  );
  let up = true;
  const ctl = new StasisController({
    ari,
    acd,
    events,
    records: {
      record: (e) => records.push(`${e.callId} ${describeRecord(e)}`),
      ...(opts.recentWaits ? { recentWaits: opts.recentWaits } : {}),
    },
    statusLine,
    menu: () => opts.menu ?? DEFAULT_MENU,
    recordCalls: opts.recordCalls ?? false,
    logger: pino({ level: 'silent' }),
    now,
    isUp: () => up,
    ...(opts.history ? { history: opts.history } : {}),
    ringSeconds: opts.ringSeconds ?? 15,
    ...(opts.waiting ? { waiting: opts.waiting } : {}),
  });
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await ctl.idle();
      await new Promise((r) => setImmediate(r));
    }
  };
  const citizenArrives = () => {
    ari.channels.set(CALLER, { callerNumber: '0912345678' });
    ctl.handle({
      type: 'StasisStart',
      channelId: CALLER,
      args: ['citizen'],
      callerNumber: '0912345678',
      channelName: '',
    });
  };
  const citizenCalls = async () => {
    citizenArrives();
    await settle();
  };
  const inQueue = async (digit = '1') => {
    await ctl.onConnected();
    await citizenCalls();
    ctl.handle({ type: 'ChannelDtmfReceived', channelId: CALLER, digit });
    await settle();
    t += 30_000;
  };
  const operatorReady = async (operatorId = 7) => {
    ctl.requestState(operatorId, { state: 'ready' });
    await settle();
  };
  const agentAnswers = async () => {
    ctl.handle({
      type: 'StasisStart',
      channelId: AGENT_1,
      args: ['agent', CALLER],
      callerNumber: '',
      channelName: '',
    });
    await settle();
  };
  return {
    advance: (ms: number) => {
      t += ms;
    },
    ari,
    acd,
    statusLine,
    ctl,
    log,
    records,
    settle,
    citizenArrives,
    citizenCalls,
    inQueue,
    operatorReady,
    agentAnswers,
    setUp: (v: boolean) => {
      up = v;
    },
  };
}

describe('Stasis adapter: a call from menu to hangup', () => {
  it('queues, rings, bridges and cleans up everything but the queue bridges', async () => {
    const s = setup();
    await s.inQueue('1');
    expect(s.ari.bridgeOf(CALLER)).toBe('hotline-queue-health');
    expect(s.ari.ops('startMoh')).toHaveLength(QUEUE_NAMES.length);
    expect(s.ctl.queueStats(new Date(Date.parse('2024-05-01T08:00:40Z')))[0]).toMatchObject({
      queue: 'health',
      waiting: 1,
      longestWaitSeconds: 40,
    });

    await s.operatorReady();
    expect(s.ari.ops('originate')[0]?.args[0]).toEqual({
      endpoint: 'PJSIP/tdv07',
      channelId: AGENT_1,
      app: 'hotline',
      appArgs: `agent,${CALLER}`,
      callerId: '0912345678',
      timeout: 15,
      originator: CALLER,
    });
    expect(s.acd.state(7)).toBe('ringing');

    await s.agentAnswers();
    expect(s.ari.bridgeOf(CALLER)).toBe('c1-talk-1');
    expect(s.ari.bridgeOf(AGENT_1)).toBe('c1-talk-1');
    expect(s.acd.state(7)).toBe('on_call');

    s.ari.channels.delete(CALLER);
    s.ctl.handle({ type: 'StasisEnd', channelId: CALLER });
    await s.settle();
    expect(s.ari.channels.size).toBe(0);
    expect(s.ari.leftoverBridges()).toEqual([]);
    expect(s.acd.state(7)).toBe('wrap_up');
    expect(s.log).toEqual([
      'agent 7 ready',
      'agent 7 ringing',
      `offered 7 ${CALLER} health 1`,
      'agent 7 on_call',
      `answered 7 ${CALLER}`,
      `ended 7 ${CALLER}`,
      'agent 7 wrap_up',
    ]);
    s.ctl.close();
    expect(s.records).toEqual([
      `${CALLER} arrived 0912345678`,
      `${CALLER} digit 1`,
      `${CALLER} queued health`,
      `${CALLER} offered 7`,
      `${CALLER} offerEnded 7 answered`,
      `${CALLER} answered 7`,
      `${CALLER} ended caller_hung_up`,
    ]);
  });

  it('records a caller who hangs up while waiting as abandoned in the queue, after an invalid key', async () => {
    const s = setup();
    await s.inQueue('7');
    s.ctl.handle({ type: 'ChannelDtmfReceived', channelId: CALLER, digit: '2' });
    await s.settle();
    s.ari.channels.delete(CALLER);
    s.ctl.handle({ type: 'StasisEnd', channelId: CALLER });
    await s.settle();
    expect(s.records).toEqual([
      `${CALLER} arrived 0912345678`,
      `${CALLER} digit 7`,
      `${CALLER} digit 2`,
      `${CALLER} queued welfare`,
      `${CALLER} ended abandoned_in_queue`,
    ]);
  });

  it('records an offer the caller walked away from as withdrawn', async () => {
    const s = setup();
    await s.inQueue('1');
    await s.operatorReady();
    s.ari.channels.delete(CALLER);
    s.ctl.handle({ type: 'StasisEnd', channelId: CALLER });
    await s.settle();
    expect(s.records.slice(-3)).toEqual([
      `${CALLER} offered 7`,
      `${CALLER} offerEnded 7 withdrawn`,
      `${CALLER} ended abandoned_in_queue`,
    ]);
  });

  it('runs one call’s events strictly in order, even when a command is slow', async () => {
    const s = setup();
    await s.ctl.onConnected();
    const before = s.ari.ops().length;
    const release = s.ari.hold('answer');
    s.citizenArrives();
    s.ctl.handle({ type: 'ChannelDtmfReceived', channelId: CALLER, digit: '3' });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(
      s.ari
        .ops()
        .slice(before)
        .map((c) => c.op),
    ).toEqual(['answer']);
    release();
    await s.settle();
    expect(
      s.ari
        .ops()
        .slice(before)
        .map((c) => c.op),
    ).toEqual(['answer', 'play', 'stopPlayback', 'addChannel', 'play']);
  });

  it('hangs up an agent leg that answers after its call has ended', async () => {
    const s = setup();
    await s.ctl.onConnected();
    s.ari.channels.set('old-agent-1', { callerNumber: '' });
    s.ctl.handle({
      type: 'StasisStart',
      channelId: 'old-agent-1',
      args: ['agent', 'gone'],
      callerNumber: '',
      channelName: '',
    });
    await s.settle();
    expect(s.ari.ops('hangup').map((c) => c.args[0])).toEqual(['old-agent-1']);
  });
});

describe('Stasis adapter: errors end in a defined place', () => {
  it('a failure in the menu hangs the caller up cleanly', async () => {
    const s = setup();
    await s.ctl.onConnected();
    s.ari.failNext('answer', new AriRequestError('answer', 'Internal Server Error'));
    await s.citizenCalls();
    expect(s.ari.ops('hangup').map((c) => c.args[0])).toEqual([CALLER]);
    expect(s.ari.channels.has(CALLER)).toBe(false);
    expect(s.ctl.queueStats(new Date()).every((q) => q.waiting === 0)).toBe(true);
  });

  it('a failed originate puts the caller back at the head of the queue; the operator becomes not ready', async () => {
    const s = setup();
    await s.inQueue('1');
    s.ari.failNext('originate', new AriRequestError('originate', 'Allocation failed'));
    await s.operatorReady();
    expect(s.acd.state(7)).toBe('not_ready');
    expect(s.acd.isWaiting(CALLER)).toBe(true);
    expect(s.ari.bridgeOf(CALLER)).toBe('hotline-queue-health');
    expect(s.log).toContain(`ended 7 ${CALLER}`);
    expect(s.records).toContain(`${CALLER} offerEnded 7 failed`);
  });

  it('an originate that times out withdraws the leg that may exist and requeues the caller', async () => {
    const s = setup();
    await s.inQueue('1');
    s.ari.failNext('originate', new AriTimeoutError('originate', 5000));
    await s.operatorReady();
    expect(s.ari.ops('hangup').map((c) => c.args[0])).toEqual([AGENT_1]);
    expect(s.acd.isWaiting(CALLER)).toBe(true);
    expect(s.acd.state(7)).toBe('not_ready');
  });

  it('a failure while bridging puts the caller back in the queue and hangs up the agent leg', async () => {
    const s = setup();
    await s.inQueue('1');
    await s.operatorReady();
    s.ari.failNext('createBridge', new AriRequestError('createBridge', 'Internal Server Error'));
    await s.agentAnswers();
    expect(s.ari.bridgeOf(CALLER)).toBe('hotline-queue-health');
    expect(s.ari.channels.has(AGENT_1)).toBe(false);
    expect(s.acd.isWaiting(CALLER)).toBe(true);
    expect(s.acd.state(7)).toBe('not_ready');
    expect(s.ari.leftoverBridges()).toEqual([]);
  });

  it('bridges the next operator who answers after an agent leg left before its bridge was made', async () => {
    const s = setup();
    await s.inQueue('1');
    await s.operatorReady();
    s.ari.channels.delete(AGENT_1);
    await s.agentAnswers();
    s.ctl.handle({ type: 'ChannelDestroyed', channelId: AGENT_1, cause: 16 });
    expect(s.acd.isWaiting(CALLER)).toBe(true);
    expect(s.acd.state(7)).toBe('not_ready');
    await s.operatorReady();
    s.ctl.handle({
      type: 'StasisStart',
      channelId: 'c1-agent-2',
      args: ['agent', CALLER],
      callerNumber: '',
      channelName: '',
    });
    await s.settle();
    expect(s.ari.bridgeOf(CALLER)).toBe(`${CALLER}-talk-2`);
    expect(s.ari.bridgeOf('c1-agent-2')).toBe(`${CALLER}-talk-2`);
    expect(s.acd.state(7)).toBe('on_call');
  });

  it('hangs the caller up when recovery fails as well', async () => {
    const s = setup();
    await s.inQueue('1');
    await s.operatorReady();
    s.ari.failNext('createBridge', new AriRequestError('createBridge', 'boom'));
    s.ari.failNext('addChannel', new AriRequestError('addChannel', 'boom again'));
    await s.agentAnswers();
    expect(s.ari.channels.has(CALLER)).toBe(false);
    expect(s.acd.isWaiting(CALLER)).toBe(false);
    expect(s.acd.state(7)).toBe('not_ready');
    expect(s.ari.leftoverBridges()).toEqual([]);
  });

  it('ignores resources that are already gone', async () => {
    const s = setup();
    await s.ctl.onConnected();
    await s.citizenCalls();
    s.ari.failNext('stopPlayback', new GoneError('playback', 'Playback not found'));
    s.ctl.handle({ type: 'ChannelDtmfReceived', channelId: CALLER, digit: '2' });
    await s.settle();
    expect(s.ari.bridgeOf(CALLER)).toBe('hotline-queue-welfare');
    expect(s.ari.ops('hangup')).toEqual([]);
  });

  it('re-creates a missing queue bridge', async () => {
    const s = setup();
    await s.ctl.onConnected();
    s.ari.bridges.delete('hotline-queue-goods');
    await s.citizenCalls();
    s.ctl.handle({ type: 'ChannelDtmfReceived', channelId: CALLER, digit: '3' });
    await s.settle();
    expect(s.ari.bridgeOf(CALLER)).toBe('hotline-queue-goods');
  });

  it('waits for the reconnect when ARI is down, then recovers; a caller gone meanwhile ends', async () => {
    const s = setup();
    await s.inQueue('1');
    s.setUp(false);
    s.acd.request(7, { state: 'ready' }, new Date());
    s.ctl.dispatch();
    await s.settle();
    expect(s.ari.ops('originate')).toEqual([]);

    s.setUp(true);
    s.ari.failNext('originate', new AriDisconnectedError('originate'));
    s.ctl.dispatch();
    await s.settle();
    expect(s.acd.state(7)).toBe('ringing');

    await s.ctl.onConnected();
    await s.settle();
    expect(s.acd.isWaiting(CALLER)).toBe(true);
    expect(s.acd.state(7)).toBe('not_ready');

    s.ari.channels.delete(CALLER);
    s.setUp(false);
    s.setUp(true);
    await s.ctl.onConnected();
    await s.settle();
    expect(s.acd.isWaiting(CALLER)).toBe(false);
    expect(s.ctl.queueStats(new Date()).every((q) => q.waiting === 0)).toBe(true);
  });
});

describe('Stasis adapter: the status line (menu key 9)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const keys = (s: ReturnType<typeof setup>, digits: string) => {
    for (const digit of digits) s.ctl.handle({ type: 'ChannelDtmfReceived', channelId: CALLER, digit });
  };
  /** The media of the latest playback, and an event saying it finished. */
  const lastPlayback = (s: ReturnType<typeof setup>) => {
    const last = s.ari.ops('play').at(-1);
    if (!last) throw new Error('nothing was played');
    const [, media, playbackId] = last.args as [string, string[], string];
    return { media, finished: () => s.ctl.handle({ type: 'PlaybackFinished', playbackId }) };
  };

  it('looks the code up for the calling number, reads the status and hangs up after goodbye', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = setup();
    s.statusLine.answer = { kind: 'found', group: 'resolved', smsSent: true };
    await s.ctl.onConnected();
    await s.citizenCalls();
    keys(s, '9123456782#');
    await s.settle();
    expect(s.statusLine.lookups).toEqual([{ trackingCode: '123456782', callerNumber: '0912345678' }]);
    const status = lastPlayback(s);
    expect(status.media).toEqual([
      'sound:hotline/vi/statusResolved',
      'sound:hotline/vi/smsSent',
      'sound:hotline/vi/backToMenu',
    ]);

    status.finished();
    await s.settle();
    await vi.advanceTimersByTimeAsync(5_000);
    await s.settle();
    const bye = lastPlayback(s);
    expect(bye.media).toEqual(['sound:hotline/vi/goodbye']);
    expect(s.ari.ops('hangup')).toEqual([]);

    bye.finished();
    await s.settle();
    expect(s.ari.ops('hangup').map((c) => c.args[0])).toEqual([CALLER]);
    expect(s.ari.channels.size).toBe(0);
    // The StasisEnd of the hotline's own hangup finds nothing left to do.
    s.ctl.handle({ type: 'StasisEnd', channelId: CALLER });
    await s.settle();
    expect(s.ari.leftoverBridges()).toEqual([]);
    expect(s.ctl.queueStats(new Date()).every((q) => q.waiting === 0)).toBe(true);
  });

  it('a status line that throws sends the caller to an operator', async () => {
    const s = setup();
    s.statusLine.answer = new Error('database is locked');
    await s.ctl.onConnected();
    await s.citizenCalls();
    keys(s, '9123456782#');
    await s.settle();
    expect(s.ari.bridgeOf(CALLER)).toBe('hotline-queue-general');
    expect(lastPlayback(s).media).toEqual([
      'sound:hotline/vi/lookupUnavailable',
      'sound:hotline/vi/queued',
      'sound:hotline/vi/positionIs',
      'sound:hotline/vi/number-1',
    ]);
    expect(s.ctl.queueStats(new Date()).find((q) => q.queue === 'general')?.waiting).toBe(1);
  });

  it('a lookup that never answers is given up after the guard time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = setup();
    s.statusLine.answer = new Promise(() => {});
    await s.ctl.onConnected();
    await s.citizenCalls();
    keys(s, '9123456782#');
    await s.settle();
    expect(s.ari.bridgeOf(CALLER)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(5_000);
    await s.settle();
    expect(s.ari.bridgeOf(CALLER)).toBe('hotline-queue-general');
  });

  it('an answer arriving after the caller hung up is dropped', async () => {
    const s = setup();
    let answer: (r: { kind: 'not_found' }) => void = () => {};
    s.statusLine.answer = new Promise((resolve) => {
      answer = resolve;
    });
    await s.ctl.onConnected();
    await s.citizenCalls();
    keys(s, '9123456782#');
    await s.settle();
    const opsBefore = s.ari.ops().length;
    s.ari.channels.delete(CALLER);
    s.ctl.handle({ type: 'StasisEnd', channelId: CALLER });
    await s.settle();
    answer({ kind: 'not_found' });
    await s.settle();
    expect(s.ari.ops().slice(opsBefore)).toEqual([]);
  });
});

describe('Stasis adapter: returning callers and overflow', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A caller arrives on their own channel and presses `digit` at the menu. */
  const joins = async (s: ReturnType<typeof setup>, channelId: string, number: string, digit = '1') => {
    s.ari.channels.set(channelId, { callerNumber: number });
    s.ctl.handle({
      type: 'StasisStart',
      channelId,
      args: ['citizen'],
      callerNumber: number,
      channelName: '',
    });
    await s.settle();
    s.ctl.handle({ type: 'ChannelDtmfReceived', channelId, digit });
    await s.settle();
    s.advance(1_000);
  };
  const rung = (s: ReturnType<typeof setup>) =>
    s.ari.ops('originate').map((c) => (c.args[0] as { appArgs: string }).appArgs);

  it('offers a returning caller who joined after a new caller first', async () => {
    const history = new FakeCallerHistory({ '0900000002': true });
    const s = setup({ history });
    await s.ctl.onConnected();
    await joins(s, 'new', '0900000001');
    await joins(s, 'back', '0900000002');
    expect(history.asked).toEqual([
      { callId: 'new', callerNumber: '0900000001' },
      { callId: 'back', callerNumber: '0900000002' },
    ]);
    await s.operatorReady();
    expect(rung(s)).toEqual(['agent,back']);
  });

  it('a late "returning" answer moves a caller who is already waiting ahead', async () => {
    const history = new FakeCallerHistory({});
    let answer: (v: boolean) => void = () => {};
    history.answers.set(
      '0900000002',
      new Promise((resolve) => {
        answer = resolve;
      }),
    );
    const s = setup({ history });
    await s.ctl.onConnected();
    await joins(s, 'new', '0900000001');
    await joins(s, 'back', '0900000002');
    expect(s.acd.position('back')).toBe(2);
    answer(true);
    await s.settle();
    expect(s.acd.position('back')).toBe(1);
  });

  it.each([
    ['never answers', () => new Promise<boolean>(() => {})],
    ['fails', () => Promise.reject(new Error('database is locked'))],
    [
      'throws',
      () => {
        throw new Error('boom');
      },
    ],
  ])('a lookup that %s counts as a new caller and never holds the call up', async (_label, make) => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const history = new FakeCallerHistory({});
    history.answers.set('0900000002', make);
    const s = setup({ history });
    await s.ctl.onConnected();
    await joins(s, 'new', '0900000001');
    await joins(s, 'back', '0900000002');
    expect(s.ari.bridgeOf('back')).toBe('hotline-queue-health');
    await vi.advanceTimersByTimeAsync(2_000);
    await s.operatorReady();
    expect(rung(s)).toEqual(['agent,new']);
  });

  it('offers a call to an operator without the skill once it has waited the overflow time, by one timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = setup({ acd: { overflowAfterMs: 60_000 } });
    await s.ctl.onConnected();
    await s.operatorReady();
    await joins(s, 'w', '0900000003', '2');
    expect(rung(s)).toEqual([]);
    // The caller's announcement timer and the one overflow timer; nothing polls.
    expect(vi.getTimerCount()).toBe(2);
    s.advance(58_000);
    await vi.advanceTimersByTimeAsync(58_000);
    expect(rung(s)).toEqual([]);
    s.advance(1_000);
    // The caller joined 59 s ago on the test clock; the timer was armed for 60 s after joining.
    await vi.advanceTimersByTimeAsync(2_000);
    await s.settle();
    expect(rung(s)).toEqual(['agent,w']);
    expect(s.acd.state(7)).toBe('ringing');
  });
});

describe('Stasis adapter: operators', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A talk between the caller and operator 7. */
  const talking = async (opts?: Parameters<typeof setup>[0]) => {
    const s = setup(opts);
    await s.inQueue('1');
    await s.operatorReady();
    await s.agentAnswers();
    return s;
  };
  const agentLegEnds = async (s: ReturnType<typeof setup>, channelId = AGENT_1) => {
    s.ari.channels.delete(channelId);
    s.ctl.handle({ type: 'StasisEnd', channelId });
    s.ctl.handle({ type: 'ChannelDestroyed', channelId, cause: 16 });
    await s.settle();
  };

  it('rings for the configured time; an offer that rings out makes the operator not ready (missed_call)', async () => {
    const s = setup({ ringSeconds: 4 });
    await s.inQueue('1');
    await s.operatorReady();
    expect(s.ari.ops('originate')[0]?.args[0]).toMatchObject({ timeout: 4 });
    // Asterisk gives up after the ring timeout and destroys the unanswered leg.
    s.ari.channels.delete(AGENT_1);
    s.ctl.handle({ type: 'ChannelDestroyed', channelId: AGENT_1, cause: 19 });
    await s.settle();
    expect(s.acd.status(7)).toMatchObject({ state: 'not_ready', reason: 'missed_call' });
    expect(s.acd.isWaiting(CALLER)).toBe(true);
    expect(s.log).toContain('agent 7 not_ready missed_call');
    expect(s.records).toContain(`${CALLER} offerEnded 7 no_answer`);

    // The next operator gets the call at once, from the head of the queue.
    await s.operatorReady(8);
    expect(s.acd.state(8)).toBe('ringing');
    expect(s.ari.ops('originate')[1]?.args[0]).toMatchObject({ endpoint: 'PJSIP/tdv08' });
  });

  it('a softphone Asterisk cannot reach makes the operator not ready (connection_lost)', async () => {
    const s = setup();
    await s.inQueue('1');
    s.ari.failNext('originate', new AriRequestError('originate', 'Allocation failed'));
    await s.operatorReady();
    expect(s.acd.status(7)).toMatchObject({ state: 'not_ready', reason: 'connection_lost' });
  });

  it('ends wrap-up on its timer, offering a waiting call only then', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = await talking({ wrapUp: { wrapUpMs: 10_000, wrapUpExtensionMs: 5_000, maxWrapUpMs: 60_000 } });
    s.ari.channels.delete(CALLER);
    s.ctl.handle({ type: 'StasisEnd', channelId: CALLER });
    await s.settle();
    expect(s.acd.state(7)).toBe('wrap_up');

    // A second caller waits; nobody but operator 7 could take the call.
    s.ari.channels.set('c2', { callerNumber: '0900000002' });
    s.ctl.handle({
      type: 'StasisStart',
      channelId: 'c2',
      args: ['citizen'],
      callerNumber: '0900000002',
      channelName: '',
    });
    await s.settle();
    s.ctl.handle({ type: 'ChannelDtmfReceived', channelId: 'c2', digit: '1' });
    await s.settle();
    expect(s.acd.isWaiting('c2')).toBe(true);

    s.ctl.extendWrapUp(7);
    s.advance(10_000);
    await vi.advanceTimersByTimeAsync(10_000);
    await s.settle();
    expect(s.acd.state(7)).toBe('wrap_up');
    expect(s.acd.isWaiting('c2')).toBe(true);

    s.advance(5_000);
    await vi.advanceTimersByTimeAsync(5_000);
    await s.settle();
    expect(s.acd.state(7)).toBe('ringing');
    expect(s.acd.callOf(7)).toBe('c2');
    expect(s.log.filter((l) => l.startsWith('agent 7'))).toEqual([
      'agent 7 ready',
      'agent 7 ringing',
      'agent 7 on_call',
      'agent 7 wrap_up',
      'agent 7 wrap_up',
      'agent 7 ready',
      'agent 7 ringing',
    ]);
    s.ctl.close();
  });

  it('a reason chosen during wrap-up applies when it ends; ready ends it at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = await talking();
    await agentLegEnds(s);
    // Not announced: the leg's end was a drop, so the operator is not in wrap-up.
    expect(s.acd.status(7)).toMatchObject({ state: 'not_ready', reason: 'connection_lost' });

    const t = await talking();
    t.ctl.operatorHangsUp(7, CALLER);
    await t.settle();
    expect(t.acd.state(7)).toBe('wrap_up');
    expect(t.ctl.requestState(7, { state: 'not_ready', reason: 'callback_work' }).state).toBe('wrap_up');
    t.advance(30_000);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(t.acd.status(7)).toMatchObject({ state: 'not_ready', reason: 'callback_work' });
    expect(t.ctl.requestState(7, { state: 'ready' }).state).toBe('ready');
  });

  it('a hang-up the console announced ends the talk for both sides and starts wrap-up', async () => {
    const s = await talking();
    expect(s.ctl.operatorHangsUp(8, CALLER)).toBe(false);
    expect(s.ctl.operatorHangsUp(7, CALLER)).toBe(true);
    await s.settle();
    expect(s.ari.ops('hangup').map((c) => c.args[0])).toEqual([AGENT_1, CALLER]);
    expect(s.ari.channels.size).toBe(0);
    expect(s.acd.state(7)).toBe('wrap_up');
    expect(s.records.at(-1)).toBe(`${CALLER} ended agent_hung_up`);
    // The agent leg's own end arrives afterwards and changes nothing.
    await agentLegEnds(s);
    expect(s.acd.state(7)).toBe('wrap_up');
    s.ctl.close();
  });

  it.each<[string, (s: ReturnType<typeof setup>) => Promise<void>]>([
    ['the operator’s console drops', async (s) => s.ctl.operatorLost(7)],
    ['the operator’s leg ends without an announced hang-up', (s) => agentLegEnds(s)],
  ])(
    'when %s mid-call, the caller hears the apology and is offered to the next operator first',
    async (_l, drop) => {
      const s = await talking();
      await s.operatorReady(8);
      expect(s.acd.state(8)).toBe('ready');
      await drop(s);
      await s.settle();
      expect(s.ari.channels.has(AGENT_1)).toBe(false);
      expect(s.ari.channels.has(CALLER)).toBe(true);
      expect(s.ari.ops('play').at(-1)?.args[1]).toEqual(['sound:hotline/vi/agentLost']);
      expect(s.acd.status(7)).toMatchObject({ state: 'not_ready', reason: 'connection_lost' });
      expect(s.acd.callOf(8)).toBe(CALLER);
      expect(s.ari.ops('originate').at(-1)?.args[0]).toMatchObject({ endpoint: 'PJSIP/tdv08' });
      expect(s.records).toContain(`${CALLER} operatorLost 7`);
      expect(s.records).not.toContain(`${CALLER} ended agent_hung_up`);
      expect(s.log).toContain(`ended 7 ${CALLER}`);
      expect(s.ari.leftoverBridges()).toEqual([]);

      // tdv08 answers: a talk again, in a fresh talk bridge.
      s.ctl.handle({
        type: 'StasisStart',
        channelId: 'c1-agent-2',
        args: ['agent', CALLER],
        callerNumber: '',
        channelName: '',
      });
      await s.settle();
      expect(s.acd.state(8)).toBe('on_call');
      expect(s.ari.bridgeOf(CALLER)).toBe('c1-talk-2');
      expect(s.ari.bridgeOf('c1-agent-2')).toBe('c1-talk-2');
      expect(s.records.slice(-2)).toEqual([`${CALLER} offerEnded 8 answered`, `${CALLER} answered 8`]);
    },
  );

  it('a console lost while ringing withdraws the offer and puts the caller back at the head', async () => {
    const s = setup();
    await s.inQueue('1');
    await s.operatorReady();
    s.ctl.operatorLost(7);
    await s.settle();
    expect(s.ari.ops('hangup').map((c) => c.args[0])).toEqual([AGENT_1]);
    expect(s.acd.isWaiting(CALLER)).toBe(true);
    expect(s.acd.status(7)).toMatchObject({ state: 'not_ready', reason: 'connection_lost' });
    expect(s.records).not.toContain(`${CALLER} operatorLost 7`);
  });

  /** A second caller in the health queue, waiting behind the first. */
  const secondCaller = async (s: ReturnType<typeof setup>) => {
    s.ari.channels.set('c2', { callerNumber: '0900000002' });
    s.ctl.handle({
      type: 'StasisStart',
      channelId: 'c2',
      args: ['citizen'],
      callerNumber: '0900000002',
      channelName: '',
    });
    await s.settle();
    s.ctl.handle({ type: 'ChannelDtmfReceived', channelId: 'c2', digit: '1' });
    await s.settle();
  };

  it.each<[string, (s: ReturnType<typeof setup>) => Promise<void>]>([
    [
      'talking, when the caller hangs up (no wrap-up)',
      async (s) => {
        await s.agentAnswers();
      },
    ],
    ['ringing, when the caller hangs up', async () => {}],
  ])(
    'an operator whose leg was %s is offered the next call only once Asterisk reports that leg gone',
    async (_l, before) => {
      const s = setup({ wrapUp: { ...DEFAULT_WRAP_UP, wrapUpMs: 0 } });
      await s.inQueue('1');
      await s.operatorReady();
      await before(s);
      await secondCaller(s);
      s.ari.channels.delete(CALLER);
      s.ctl.handle({ type: 'StasisEnd', channelId: CALLER });
      await s.settle();
      // Their softphone still has the leg, and would answer another INVITE "busy".
      expect(s.acd.state(7)).toBe('ready');
      expect(s.ari.ops('originate')).toHaveLength(1);
      expect(s.acd.isWaiting('c2')).toBe(true);

      s.ctl.handle({ type: 'ChannelDestroyed', channelId: AGENT_1, cause: 16 });
      await s.settle();
      expect(s.ari.ops('originate').at(-1)?.args[0]).toMatchObject({ appArgs: 'agent,c2' });
      expect(s.acd.callOf(7)).toBe('c2');
    },
  );

  it('an operator who pressed hang-up (no wrap-up) is offered the next call at once, before Asterisk reports the leg gone', async () => {
    const s = setup({ wrapUp: { ...DEFAULT_WRAP_UP, wrapUpMs: 0 } });
    await s.inQueue('1');
    await s.operatorReady();
    await s.agentAnswers();
    await secondCaller(s);
    expect(s.ctl.operatorHangsUp(7, CALLER)).toBe(true);
    await s.settle();
    // The console ends its call when the next INVITE comes instead of answering it "busy".
    expect(s.ari.ops('originate').at(-1)?.args[0]).toMatchObject({ appArgs: 'agent,c2' });
    expect(s.acd.callOf(7)).toBe('c2');
    // The old leg's end, reported afterwards, leaves the new offer alone.
    s.ctl.handle({ type: 'ChannelDestroyed', channelId: AGENT_1, cause: 16 });
    await s.settle();
    expect(s.acd.callOf(7)).toBe('c2');
    expect(s.acd.legOf(7)).toBe('c2-agent-1');
    expect(s.ari.ops('originate')).toHaveLength(2);
    s.ctl.close();
  });

  it('a leg whose end Asterisk never reports is hung up again and the operator offered calls after a guard time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = setup({ wrapUp: { ...DEFAULT_WRAP_UP, wrapUpMs: 0 } });
    await s.inQueue('1');
    await s.operatorReady();
    await s.agentAnswers();
    await secondCaller(s);
    // The hang-up of the operator's leg gets lost: Asterisk keeps the leg and never reports its end.
    s.ari.failNext('hangup', new AriTimeoutError('hangup', 5000));
    s.ari.channels.delete(CALLER);
    s.ctl.handle({ type: 'StasisEnd', channelId: CALLER });
    await s.settle();
    expect(s.acd.isWaiting('c2')).toBe(true);

    await vi.advanceTimersByTimeAsync(LEG_GONE_GUARD_MS - 1);
    await s.settle();
    expect(s.acd.isWaiting('c2')).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    await s.settle();
    expect(s.ari.ops('hangup').map((c) => c.args[0])).toEqual([AGENT_1, AGENT_1]);
    expect(s.ari.channels.has(AGENT_1)).toBe(false);
    expect(s.acd.callOf(7)).toBe('c2');
    s.ctl.close();
  });
});

describe('Stasis adapter: after hours', () => {
  const closed = configOf({
    ...defaultMenuJson(),
    hours: {
      timeZone: 'Asia/Ho_Chi_Minh',
      open: '07:00',
      close: '20:00',
      holidays: [{ date: '2024-05-01', closed: true }],
    },
  });
  const announcementPlayed = async (s: ReturnType<typeof setup>) => {
    const play = s.ari.ops('play')[0];
    expect(play?.args[1]).toEqual(['sound:hotline/vi/config-welcome', 'sound:hotline/vi/config-after-hours']);
    s.ctl.handle({ type: 'PlaybackFinished', playbackId: String(play?.args[2]) });
    await s.settle();
  };

  it("records the message as message-<call id>, reports it, and routes Asterisk's answer to the call", async () => {
    const s = setup({ menu: closed });
    await s.ctl.onConnected();
    await s.citizenCalls();
    await announcementPlayed(s);
    expect(s.ari.ops('recordChannel')[0]?.args).toEqual([
      CALLER,
      {
        name: `message-${CALLER}`,
        maxDurationSeconds: 120,
        maxSilenceSeconds: 5,
        beep: true,
        terminateOn: '#',
      },
    ]);
    s.ctl.handle({ type: 'RecordingFinished', name: 'message-someone-else', durationSeconds: 3 });
    s.ctl.handle({ type: 'RecordingFinished', name: `message-${CALLER}`, durationSeconds: 6 });
    await s.settle();
    s.ari.channels.delete(CALLER);
    s.ctl.handle({ type: 'StasisEnd', channelId: CALLER });
    await s.settle();
    expect(s.records).toEqual([
      `${CALLER} arrived 0912345678`,
      `${CALLER} recorded message message-${CALLER}`,
      `${CALLER} ended after_hours_message`,
    ]);
  });

  it('a failed recording ends the call without a message', async () => {
    const s = setup({ menu: closed });
    await s.ctl.onConnected();
    await s.citizenCalls();
    await announcementPlayed(s);
    s.ctl.handle({ type: 'RecordingFailed', name: `message-${CALLER}`, cause: 'disk full' });
    await s.settle();
    const goodbye = s.ari.ops('play').at(-1);
    expect(goodbye?.args[1]).toEqual(['sound:hotline/vi/goodbye']);
    s.ctl.handle({ type: 'PlaybackFinished', playbackId: String(goodbye?.args[2]) });
    await s.settle();
    expect(s.ari.ops('hangup').map((o) => o.args[0])).toEqual([CALLER]);
    expect(s.records.at(-1)).toBe(`${CALLER} ended after_hours_no_message`);
  });
});

describe('Stasis adapter: what a waiting caller hears and the callback offer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const media = (s: ReturnType<typeof setup>, channelId: string) =>
    s.ari
      .ops('play')
      .filter((c) => c.args[0] === channelId)
      .map((c) => (c.args[1] as string[]).map((m) => m.replace('sound:hotline/vi/', '')));

  it('announces the position on joining, and the estimated wait once calls have been answered', async () => {
    const s = setup();
    await s.inQueue('1');
    expect(media(s, CALLER).at(-1)).toEqual(['queued', 'positionIs', 'number-1']);
    // Answered after waiting 30 s: the health queue now has a wait to go by.
    await s.operatorReady();
    await s.agentAnswers();
    s.ari.channels.set('c2', { callerNumber: '0900000002' });
    s.ctl.handle({
      type: 'StasisStart',
      channelId: 'c2',
      args: ['citizen'],
      callerNumber: '0900000002',
      channelName: '',
    });
    await s.settle();
    s.ctl.handle({ type: 'ChannelDtmfReceived', channelId: 'c2', digit: '1' });
    await s.settle();
    expect(media(s, 'c2').at(-1)).toEqual(['queued', 'positionIs', 'number-1', 'waitFewMinutes']);
  });

  it('after a restart, estimates the wait from the calls the records say were answered in the last hour', async () => {
    const asked: Date[] = [];
    const s = setup({
      recentWaits: (since) => {
        asked.push(since);
        return [
          { queue: 'welfare', answeredAt: new Date('2024-05-01T07:50:00Z'), waitMs: 30_000 },
          { queue: 'health', answeredAt: new Date('2024-05-01T07:40:00Z'), waitMs: 180_000 },
          { queue: 'health', answeredAt: new Date('2024-05-01T07:55:00Z'), waitMs: 300_000 },
        ];
      },
    });
    await s.ctl.onConnected();
    await s.ctl.onConnected();
    // Asked once, for the hour before now (08:00).
    expect(asked).toEqual([new Date('2024-05-01T07:00:00Z')]);
    await s.inQueue('1');
    // Health waited 4 minutes on average: "about 4 minutes".
    expect(media(s, CALLER).at(-1)).toEqual([
      'queued',
      'positionIs',
      'number-1',
      'waitAbout',
      'number-4',
      'minutes',
    ]);
  });

  it('a failing read of recent waits leaves callers without an estimate, nothing more', async () => {
    const s = setup({
      recentWaits: () => {
        throw new Error('database is locked');
      },
    });
    await s.ctl.onConnected();
    await s.inQueue('1');
    expect(media(s, CALLER).at(-1)).toEqual(['queued', 'positionIs', 'number-1']);
  });

  it('repeats the announcement on the flow’s timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = setup({ waiting: { announceEveryMs: 60_000, callbackOfferAfterMs: 0 } });
    await s.inQueue('1');
    s.advance(30_000);
    await vi.advanceTimersByTimeAsync(60_000);
    await s.settle();
    expect(media(s, CALLER).slice(-2)).toEqual([
      ['queued', 'positionIs', 'number-1'],
      ['positionIs', 'number-1'],
    ]);
    expect(s.ari.ops('stopPlayback').length).toBeGreaterThan(0);
  });

  it('key 1 at the callback offer: confirmation, the hotline hangs up, the call ends callback_requested', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = setup({ waiting: { announceEveryMs: 60_000, callbackOfferAfterMs: 3_000 } });
    await s.inQueue('1');
    await vi.advanceTimersByTimeAsync(3_000);
    await s.settle();
    expect(media(s, CALLER).at(-1)).toEqual(['callbackOffer']);
    s.ctl.handle({ type: 'ChannelDtmfReceived', channelId: CALLER, digit: '1' });
    await s.settle();
    expect(s.acd.isWaiting(CALLER)).toBe(false);
    expect(s.ctl.queueStats(new Date()).every((q) => q.waiting === 0)).toBe(true);
    const last = s.ari.ops('play').at(-1);
    expect(media(s, CALLER).at(-1)).toEqual(['callbackConfirmed', 'goodbye']);
    s.ctl.handle({ type: 'PlaybackFinished', playbackId: last?.args[2] as string });
    await s.settle();
    expect(s.ari.ops('hangup').map((c) => c.args[0])).toEqual([CALLER]);
    expect(s.records.at(-1)).toBe(`${CALLER} ended callback_requested`);
    // Nobody is offered a call that has left the queue.
    await s.operatorReady();
    expect(s.ari.ops('originate')).toEqual([]);
  });

  it('a caller who hangs up during an announcement is abandoned, and nothing is left running', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = setup();
    await s.inQueue('1');
    s.ari.channels.delete(CALLER);
    s.ctl.handle({ type: 'StasisEnd', channelId: CALLER });
    await s.settle();
    expect(s.records.at(-1)).toBe(`${CALLER} ended abandoned_in_queue`);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('Stasis adapter: recording answered calls', () => {
  it('records the talk bridge once caller and operator are bridged, and reports it', async () => {
    const s = setup({ recordCalls: true });
    await s.inQueue('1');
    await s.operatorReady();
    await s.agentAnswers();
    expect(s.ari.ops('recordBridge')[0]?.args).toEqual([
      `${CALLER}-talk-1`,
      {
        name: `conversation-${CALLER}-1`,
        maxDurationSeconds: 0,
        maxSilenceSeconds: 0,
        beep: false,
        terminateOn: 'none',
      },
    ]);
    expect(s.records).toContain(`${CALLER} recorded conversation conversation-${CALLER}-1`);
  });

  it('a recording that cannot start leaves the talk alone, and nothing is reported', async () => {
    const s = setup({ recordCalls: true });
    s.ari.failNext('recordBridge', new AriRequestError('recordBridge', 'Recording failed'));
    await s.inQueue('1');
    await s.operatorReady();
    await s.agentAnswers();
    expect(s.ari.bridgeOf(CALLER)).toBe(`${CALLER}-talk-1`);
    expect(s.records.some((r) => r.includes('recorded'))).toBe(false);
    expect(s.ari.ops('hangup')).toEqual([]);
  });

  it('records nothing when switched off', async () => {
    const s = setup({ recordCalls: false });
    await s.inQueue('1');
    await s.operatorReady();
    await s.agentAnswers();
    expect(s.ari.bridgeOf(CALLER)).toBe(`${CALLER}-talk-1`);
    expect(s.ari.ops('recordBridge')).toEqual([]);
  });
});

describe('Stasis adapter: operators added and removed while calls run', () => {
  const LAN = { operatorId: 7, displayName: 'Lan', sipEndpoint: 'tdv07', skills: ['health'] } as const;
  const HUNG = { operatorId: 8, displayName: 'Hùng', sipEndpoint: 'tdv08', skills: ['health'] } as const;
  const MAI = { operatorId: 9, displayName: 'Mai', sipEndpoint: 'tdv09', skills: ['health'] } as const;
  const endpoints = (...ops: (typeof LAN | typeof HUNG | typeof MAI)[]) =>
    ops.map((o) => ({ ...o, skills: [...o.skills] }));

  it('a new operator is offline, then takes the waiting call once ready', async () => {
    const s = setup();
    await s.inQueue('1');
    s.ctl.setOperators(endpoints(LAN, HUNG, MAI));
    expect(s.acd.status(9).state).toBe('offline');
    expect(s.ari.ops('originate')).toEqual([]);
    await s.operatorReady(9);
    expect(s.ari.ops('originate')[0]?.args[0]).toMatchObject({ endpoint: 'PJSIP/tdv09' });
    expect(s.acd.agents().map((a) => a.operatorId)).toEqual([7, 8, 9]);
  });

  it('removing a ringing operator withdraws the offer and the caller goes to the next operator first', async () => {
    const s = setup();
    await s.inQueue('1');
    await s.operatorReady(7);
    expect(s.acd.callOf(7)).toBe(CALLER);
    await s.operatorReady(8);
    s.ctl.setOperators(endpoints(HUNG));
    await s.settle();
    expect(s.ari.ops('hangup').map((c) => c.args[0])).toContain(AGENT_1);
    expect(s.acd.callOf(8)).toBe(CALLER);
    expect(s.ari.ops('originate').at(-1)?.args[0]).toMatchObject({ endpoint: 'PJSIP/tdv08' });
    expect(s.acd.agents().map((a) => a.operatorId)).toEqual([8]);
    expect(s.log).toContain('agent 7 offline');
    // The withdrawn leg's end is reported; then nothing of operator 7 is left.
    s.ari.channels.delete(AGENT_1);
    s.ctl.handle({ type: 'ChannelDestroyed', channelId: AGENT_1, cause: 16 });
    await s.settle();
    expect(() => s.acd.status(7)).toThrow(UnknownOperatorError);
  });

  it('removing an operator mid-call hangs up their leg; the caller hears the apology and waits at the head', async () => {
    const s = setup();
    await s.inQueue('1');
    await s.operatorReady(7);
    await s.agentAnswers();
    expect(s.acd.state(7)).toBe('on_call');
    s.ctl.setOperators(endpoints(HUNG));
    await s.settle();
    expect(s.ari.channels.has(AGENT_1)).toBe(false);
    expect(s.ari.channels.has(CALLER)).toBe(true);
    expect(s.ari.bridgeOf(CALLER)).toBe('hotline-queue-health');
    expect(s.ari.ops('play').at(-1)?.args[1]).toEqual(['sound:hotline/vi/agentLost']);
    expect(s.acd.isWaiting(CALLER)).toBe(true);
    expect(s.acd.position(CALLER)).toBe(1);
    expect(s.records).toContain(`${CALLER} operatorLost 7`);
    expect(s.log).toContain(`ended 7 ${CALLER}`);
    expect(() => s.ctl.requestState(7, { state: 'ready' })).toThrow(UnknownOperatorError);
    s.ctl.handle({ type: 'ChannelDestroyed', channelId: AGENT_1, cause: 16 });
    await s.settle();
    expect(s.acd.operatorIds()).toEqual([8]);
    expect(s.ari.leftoverBridges()).toEqual([]);
  });

  it('an operator removed in wrap-up is gone at once, and their wrap-up timer with them', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const s = setup();
      await s.inQueue('1');
      await s.operatorReady(7);
      await s.agentAnswers();
      s.ari.channels.delete(CALLER);
      s.ctl.handle({ type: 'StasisEnd', channelId: CALLER });
      s.ari.channels.delete(AGENT_1);
      s.ctl.handle({ type: 'ChannelDestroyed', channelId: AGENT_1, cause: 16 });
      await s.settle();
      expect(s.acd.state(7)).toBe('wrap_up');
      s.ctl.setOperators(endpoints(HUNG));
      expect(s.acd.operatorIds()).toEqual([8]);
      expect(vi.getTimerCount()).toBe(0);
      s.advance(DEFAULT_WRAP_UP.maxWrapUpMs);
      await vi.advanceTimersByTimeAsync(DEFAULT_WRAP_UP.maxWrapUpMs);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a changed operator keeps their state and is offered calls by their new skills', async () => {
    const s = setup();
    await s.operatorReady(7);
    s.ctl.setOperators([{ ...LAN, skills: ['welfare'] }, ...endpoints(HUNG)]);
    expect(s.acd.state(7)).toBe('ready');
    await s.inQueue('1');
    expect(s.ari.ops('originate')).toEqual([]);
  });
});
