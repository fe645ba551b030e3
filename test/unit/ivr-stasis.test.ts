// The controller's event routing and per-call queue: a call from menu to hang-up, one call's events in order, errors ending in a defined place.
import { describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../common/domain.ts';
import { AriDisconnectedError, AriRequestError, AriTimeoutError, GoneError } from '../../ivr/port.ts';
import { AGENT_1, CALLER, setup } from '../support/stasis-harness.ts';

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
