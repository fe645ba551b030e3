/**
 * A restarted controller adopts what the previous one left in Asterisk: waiting callers keep
 * their order (from the call records), talks in progress are followed to their end, orphans go.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { QueueName } from '../../common/domain.ts';
import type { AgentStateView } from '../../common/events.ts';
import { Acd, DEFAULT_WRAP_UP, type WrapUpTimes } from '../../ivr/acd.ts';
import type { CallInfo, IvrEvents, RecordedCall } from '../../ivr/api.ts';
import { StasisController } from '../../ivr/stasis.ts';
import { FakeAri } from '../support/ari-fake.ts';
import { DEFAULT_MENU } from '../support/menu.ts';
import { CALLER, setup as harness } from '../support/stasis-harness.ts';
import { FakeStatusLine } from '../support/status-line-fake.ts';

const T0 = Date.parse('2024-05-01T08:00:00Z');

function setup(recorded: Record<string, RecordedCall> = {}, wrapUp: WrapUpTimes = DEFAULT_WRAP_UP) {
  const ari = new FakeAri();
  const log: string[] = [];
  const events: IvrEvents = {
    callOffered: (op: number, c: CallInfo) => log.push(`offered ${op} ${c.callId}`),
    callAnswered: (op: number, c: CallInfo) =>
      log.push(`answered ${op} ${c.callId} ${c.queue} ${c.menuChoice}`),
    callEnded: (op: number, callId: string) => log.push(`ended ${op} ${callId}`),
    agentStateChanged: (op: number, s: AgentStateView) => log.push(`agent ${op} ${s.state}`),
    wallboardChanged: () => {},
  };
  const records: string[] = [];
  let t = T0 + 600_000;
  const now = () => new Date(t);
  const acd = new Acd(
    [
      { operatorId: 7, displayName: 'Lan', sipEndpoint: 'tdv07', skills: ['health'] },
      { operatorId: 8, displayName: 'Minh', sipEndpoint: 'tdv08', skills: [] },
    ],
    now(),
    undefined,
    wrapUp,
  );
  const ctl = new StasisController({
    ari,
    acd,
    events,
    records: {
      record: (e) => records.push(`${e.callId} ${e.type}${'reason' in e ? ` ${e.reason}` : ''}`),
      recall: (id) => recorded[id] ?? null,
    },
    statusLine: new FakeStatusLine(),
    logger: pino({ level: 'silent' }),
    now,
    isUp: () => true,
    menu: () => DEFAULT_MENU,
    ringSeconds: 15,
  });
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await ctl.idle();
      await new Promise((r) => setImmediate(r));
    }
  };
  const queueBridge = (queue: QueueName, ids: string[]) =>
    ari.bridges.set(`hotline-queue-${queue}`, { type: 'holding', channels: new Set(ids) });
  const citizen = (id: string, createdSecondsAfterT0: number) =>
    ari.channels.set(id, {
      callerNumber: `09000000${id}`,
      appData: 'hotline,citizen',
      creationTime: new Date(T0 + createdSecondsAfterT0 * 1000).toISOString(),
    });
  return {
    ari,
    acd,
    ctl,
    log,
    records,
    settle,
    queueBridge,
    citizen,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

const waitingSince = (seconds: number, queue: QueueName = 'general'): RecordedCall => ({
  queue,
  queuedAt: new Date(T0 + seconds * 1000),
  menuPath: '0',
  answeredAt: null,
  offers: 0,
});

describe('controller restart: adopting callers waiting in the queue bridges', () => {
  it('serves them in the order they joined the queue, as the call records say', async () => {
    // Channels created in another order than they joined the queue (e.g. a long menu for the first).
    const s = setup({ a: waitingSince(40), b: waitingSince(30), c: waitingSince(50) });
    s.citizen('a', 1);
    s.citizen('b', 2);
    s.citizen('c', 3);
    s.queueBridge('general', ['a', 'b', 'c']);
    await s.ctl.onConnected();
    await s.settle();
    expect(s.ctl.queueStats(new Date(T0 + 90_000)).find((q) => q.queue === 'general')).toMatchObject({
      waiting: 3,
      longestWaitSeconds: 60,
    });
    // Known calls are not reported as new arrivals.
    expect(s.records).toEqual([]);

    const offered: string[] = [];
    for (let i = 0; i < 3; i++) {
      s.acd.request(8, { state: 'ready' }, new Date(T0 + 700_000 + i));
      s.ctl.dispatch();
      await s.settle();
      const originate = s.ari.ops('originate').at(-1)?.args[0] as { appArgs: string; channelId: string };
      offered.push(originate.appArgs.split(',')[1] ?? '');
      // The operator declines after a moment: the leg ends, the call goes back, the operator is not ready.
      s.advance(2_000);
      s.ari.channels.delete(originate.channelId);
      s.ctl.handle({ type: 'ChannelDestroyed', channelId: originate.channelId, cause: 21 });
      await s.settle();
      s.ari.channels.delete(offered.at(-1) ?? '');
      s.ctl.handle({ type: 'StasisEnd', channelId: offered.at(-1) ?? '' });
      await s.settle();
    }
    expect(offered).toEqual(['b', 'a', 'c']);
  });

  it('numbers the next agent leg after the offers the call records hold', async () => {
    // Rung twice before the restart (say, no answer): its next leg must not reuse `a-agent-1`.
    const s = setup({ a: { ...waitingSince(40), offers: 2 } });
    s.citizen('a', 1);
    s.queueBridge('general', ['a']);
    await s.ctl.onConnected();
    await s.settle();
    s.acd.request(8, { state: 'ready' }, new Date(T0 + 700_000));
    s.ctl.dispatch();
    await s.settle();
    expect(s.ari.ops('originate').at(-1)?.args[0]).toMatchObject({ channelId: 'a-agent-3' });
  });

  it('numbers the next agent leg past a leg Asterisk still holds, which the records do not know', async () => {
    // The killed controller rang `a-agent-3` (still ringing, not in Stasis) after its last record.
    const s = setup({ a: { ...waitingSince(40), offers: 1 } });
    s.citizen('a', 1);
    s.queueBridge('general', ['a']);
    s.ari.channels.set('a-agent-3', { callerNumber: '', name: 'PJSIP/tdv08-00000003', appData: '' });
    await s.ctl.onConnected();
    await s.settle();
    // The ringing leg is hung up; its operator is offered the call once Asterisk reports it gone.
    expect(s.ari.ops('hangup').map((c) => c.args[0])).toEqual(['a-agent-3']);
    s.acd.request(8, { state: 'ready' }, new Date(T0 + 700_000));
    s.ari.channels.delete('a-agent-3');
    s.ctl.handle({ type: 'ChannelDestroyed', channelId: 'a-agent-3', cause: 16 });
    await s.settle();
    expect(s.ari.ops('originate').at(-1)?.args[0]).toMatchObject({ channelId: 'a-agent-4' });
  });

  it('without a call record, orders by the channel creation time and reports the arrival', async () => {
    const s = setup();
    s.citizen('x', 20);
    s.citizen('y', 10);
    s.queueBridge('health', ['x', 'y']);
    await s.ctl.onConnected();
    await s.settle();
    expect(s.records.sort()).toEqual(['x arrived', 'y arrived']);
    s.acd.request(7, { state: 'ready' }, new Date());
    s.ctl.dispatch();
    await s.settle();
    expect(s.ari.ops('originate')[0]?.args[0]).toMatchObject({ appArgs: 'agent,y' });
  });
});

describe('controller restart: adopting a talk in progress', () => {
  function talking(s: ReturnType<typeof setup>) {
    s.citizen('t', 5);
    s.ari.channels.set('t-agent-2', {
      callerNumber: '',
      name: 'PJSIP/tdv07-0000001a',
      appData: 'hotline,agent,t',
    });
    s.ari.bridges.set('t-talk-2', { type: 'mixing', channels: new Set(['t', 't-agent-2']) });
  }
  const answeredRecord: RecordedCall = {
    queue: 'health',
    queuedAt: new Date(T0 + 10_000),
    menuPath: '21',
    answeredAt: new Date(T0 + 20_000),
    offers: 2,
  };

  it('leaves the bridge alone, shows the operator on the call and records its end', async () => {
    const s = setup({ t: answeredRecord });
    talking(s);
    await s.ctl.onConnected();
    await s.settle();
    expect(s.ari.bridgeOf('t')).toBe('t-talk-2');
    expect(s.ari.ops('addChannel')).toEqual([]);
    expect(s.ari.ops('hangup')).toEqual([]);
    expect(s.acd.state(7)).toBe('on_call');
    expect(s.log).toContain('answered 7 t health 1');
    expect(s.ctl.currentCall(7)).toMatchObject({ answered: true, call: { callId: 't', queue: 'health' } });

    s.advance(5000);
    // The operator presses hang-up on the console; their softphone's BYE follows.
    expect(s.ctl.operatorHangsUp(7, 't')).toBe(true);
    s.ari.channels.delete('t-agent-2');
    s.ctl.handle({ type: 'StasisEnd', channelId: 't-agent-2' });
    await s.settle();
    expect(s.records).toEqual(['t ended agent_hung_up']);
    expect(s.ari.channels.has('t')).toBe(false);
    expect(s.ari.bridges.has('t-talk-2')).toBe(false);
    expect(s.acd.state(7)).toBe('wrap_up');
    expect(s.ctl.currentCall(7)).toBeNull();
  });

  it('records the caller hanging up too, and hangs up the operator leg', async () => {
    const s = setup({ t: answeredRecord });
    talking(s);
    await s.ctl.onConnected();
    await s.settle();
    s.ari.channels.delete('t');
    s.ctl.handle({ type: 'StasisEnd', channelId: 't' });
    await s.settle();
    expect(s.records).toEqual(['t ended caller_hung_up']);
    expect(s.ari.ops('hangup').map((c) => c.args[0])).toEqual(['t-agent-2']);
  });

  it('puts a caller whose operator left meanwhile back at the head of the queue', async () => {
    const s = setup({ t: answeredRecord, w: waitingSince(1, 'health') });
    s.citizen('w', 1);
    s.queueBridge('health', ['w']);
    s.citizen('t', 5);
    s.ari.bridges.set('t-talk-2', { type: 'mixing', channels: new Set(['t']) });
    await s.ctl.onConnected();
    await s.settle();
    expect(s.ari.bridgeOf('t')).toBe('hotline-queue-health');
    s.acd.request(7, { state: 'ready' }, new Date());
    s.ctl.dispatch();
    await s.settle();
    expect(s.ari.ops('originate')[0]?.args[0]).toMatchObject({ appArgs: 'agent,t' });
  });

  it('offers the adopted waiting callers, oldest first, once the talk has ended and its leg is gone', async () => {
    const noWrapUp = { ...DEFAULT_WRAP_UP, wrapUpMs: 0 };
    const s = setup({ t: answeredRecord, a: waitingSince(40), b: waitingSince(30) }, noWrapUp);
    talking(s);
    s.citizen('a', 1);
    s.citizen('b', 2);
    s.queueBridge('general', ['a', 'b']);
    await s.ctl.onConnected();
    await s.settle();
    expect(s.acd.state(7)).toBe('on_call');

    // The caller hangs up: the operator is ready at once, but their softphone still has the talk's
    // leg until Asterisk has hung it up. Ringing it now would be answered "busy" and taken as a
    // missed call.
    s.ari.channels.delete('t');
    s.ctl.handle({ type: 'StasisEnd', channelId: 't' });
    await s.settle();
    expect(s.acd.state(7)).toBe('ready');
    expect(s.ari.ops('originate')).toEqual([]);

    s.ctl.handle({ type: 'ChannelDestroyed', channelId: 't-agent-2', cause: 16 });
    await s.settle();
    expect(s.ari.ops('originate').map((c) => c.args[0])).toMatchObject([
      { endpoint: 'PJSIP/tdv07', appArgs: 'agent,b' },
    ]);
    expect(s.acd.state(7)).toBe('ringing');
  });

  it('hangs up an agent leg whose caller is gone', async () => {
    const s = setup();
    s.ari.channels.set('g-agent-1', {
      callerNumber: '',
      name: 'PJSIP/tdv07-00000001',
      appData: 'hotline,agent,g',
    });
    s.ari.bridges.set('g-talk-1', { type: 'mixing', channels: new Set(['g-agent-1']) });
    await s.ctl.onConnected();
    await s.settle();
    expect(s.ari.ops('hangup').map((c) => c.args[0])).toEqual(['g-agent-1']);
    expect(s.acd.state(7)).toBe('offline');
  });
});

describe('calls gone while the controller was away', () => {
  it('a caller Asterisk no longer has after it started again was cut off by it: owed a call', async () => {
    const s = harness();
    await s.ctl.onConnected();
    await s.citizenCalls();
    // Asterisk is killed and started again while ARI is down: the caller's channel is gone.
    s.ctl.onDisconnected();
    s.ari.channels.delete(CALLER);
    s.ari.startedAt = '2024-05-01T08:05:00.000+0000';
    await s.ctl.onConnected();
    await s.settle();
    expect(s.records.at(-1)).toBe(`${CALLER} ended error`);
  });

  it('a caller gone while Asterisk kept running hung up in the menu', async () => {
    const s = harness();
    await s.ctl.onConnected();
    await s.citizenCalls();
    s.ctl.onDisconnected();
    s.ari.channels.delete(CALLER);
    await s.ctl.onConnected();
    await s.settle();
    expect(s.records.at(-1)).toBe(`${CALLER} ended caller_hung_up_in_menu`);
  });
});
