// Operators seen from the controller: ring time, wrap-up timers, hang-ups and drops, the last-leg guard, operators added and removed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_WRAP_UP } from '../../ivr/acd.ts';
import { UnknownOperatorError } from '../../ivr/api.ts';
import { AriRequestError, AriTimeoutError } from '../../ivr/port.ts';
import { LEG_GONE_GUARD_MS } from '../../ivr/stasis-operator-timers.ts';
import { AGENT_1, CALLER, setup } from '../support/stasis-harness.ts';

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
    s.advance(4_000);
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
