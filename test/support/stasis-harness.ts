/**
 * A controller on a fake ARI with a real ACD, two operators (7 and 8, skill health) and a
 * clock the test moves: what the controller's unit tests drive calls through.
 */
import pino from 'pino';
import type { AgentStateView } from '../../common/events.ts';
import { Acd, type AcdOptions, DEFAULT_WRAP_UP, type WrapUpTimes } from '../../ivr/acd.ts';
import type {
  AnsweredWait,
  CallerHistory,
  CallInfo,
  CallRecordEvent,
  IvrEvents,
  QueueCallbackStore,
} from '../../ivr/api.ts';
import type { WaitingOptions } from '../../ivr/flow.ts';
import type { IvrConfig } from '../../ivr/menu.ts';
import type { OriginateParams } from '../../ivr/port.ts';
import type { QueueCallbackPolicy } from '../../ivr/queue-callback.ts';
import { StasisController } from '../../ivr/stasis.ts';
import { FakeAri } from './ari-fake.ts';
import { DEFAULT_MENU } from './menu.ts';
import { FakeStatusLine } from './status-line-fake.ts';

export const CALLER = 'c1';
export const AGENT_1 = 'c1-agent-1';

export function setup(
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
    queueCallbacks?: QueueCallbackStore;
    queueCallbackPolicy?: QueueCallbackPolicy;
  } = {},
) {
  const ari = new FakeAri();
  const statusLine = new FakeStatusLine();
  const log: string[] = [];
  const events: IvrEvents = {
    callOffered: (op: number, c: CallInfo) =>
      log.push(`offered ${op} ${c.callId} ${c.queue} ${c.menuChoice}${c.callback ? ' callback' : ''}`),
    callAnswered: (op: number, c: CallInfo) => log.push(`answered ${op} ${c.callId}`),
    callEnded: (op: number, callId: string) => log.push(`ended ${op} ${callId}`),
    agentStateChanged: (op: number, s: AgentStateView) =>
      log.push(`agent ${op} ${s.state}${s.reason ? ` ${s.reason}` : ''}`),
    wallboardChanged: () => {},
    coachingChanged: (c) =>
      log.push(`coaching ${c.supervisorId} ${c.callId} ${c.mode ?? 'off'}${c.ended ? ` ${c.ended}` : ''}`),
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
    ...(opts.queueCallbacks ? { queueCallbacks: opts.queueCallbacks } : {}),
    ...(opts.queueCallbackPolicy ? { queueCallbackPolicy: opts.queueCallbackPolicy } : {}),
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

/**
 * The caller in the health queue hears the callback offer (an offer after 1 ms), presses 1,
 * hears goodbye and is gone: their place is kept.
 */
export async function callerTakesCallback(h: ReturnType<typeof setup>): Promise<void> {
  await h.inQueue('1');
  await new Promise((r) => setTimeout(r, 20));
  await h.settle();
  h.ctl.handle({ type: 'ChannelDtmfReceived', channelId: CALLER, digit: '1' });
  await h.settle();
  const goodbye = h.ari.ops('play').at(-1)?.args[2] as string;
  h.ctl.handle({ type: 'PlaybackFinished', playbackId: goodbye });
  await h.settle();
  h.ctl.handle({ type: 'ChannelDestroyed', channelId: CALLER, cause: 16 });
  await h.settle();
}

/** The hotline's calls to citizens through the trunk so far. */
export const dialledCitizens = (h: ReturnType<typeof setup>): OriginateParams[] =>
  h.ari
    .ops('originate')
    .map((o) => o.args[0] as OriginateParams)
    .filter((p) => p.endpoint.endsWith('@trunk'));
