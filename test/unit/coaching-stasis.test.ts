// The controller's coaching on a fake ARI: a supervisor's leg rung and joined, the snoop channels
// and bridges of each mode, switching on the same leg, leaving without touching the talk, the
// talk's end taking the supervisor off, refusals, and a restart's reconcile.
import { describe, expect, it } from 'vitest';
import type { CoachingMode } from '../../common/api.ts';
import { CoachingError } from '../../ivr/api.ts';
import { AriRequestError } from '../../ivr/port.ts';
import { AGENT_1, CALLER, setup } from '../support/stasis-harness.ts';

const SUPERVISOR = { id: 5, endpoint: 'giamsat', displayName: 'Võ Thị Hạnh' };

async function inTalk() {
  const s = setup();
  await s.inQueue('1');
  await s.operatorReady();
  s.ari.channels.set(AGENT_1, {
    callerNumber: '',
    name: 'PJSIP/tdv07-00000001',
    appData: `hotline,agent,${CALLER}`,
  });
  await s.agentAnswers();
  return s;
}

type Harness = Awaited<ReturnType<typeof inTalk>>;

/** Coaching channels that have entered the application, per harness. */
const entered = new WeakMap<Harness, Set<string>>();

/** Asks for a mode and plays Asterisk: each coaching channel it makes enters the application. */
async function coach(s: Harness, mode: CoachingMode, supervisor = SUPERVISOR) {
  const started = entered.get(s) ?? new Set<string>();
  entered.set(s, started);
  const pending = s.ctl.coach({ callId: CALLER, mode, supervisor });
  let settled = false;
  void pending.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < 20 && !settled; i++) {
    await s.settle();
    for (const id of s.ari.channels.keys()) {
      if (!id.includes('-coach-') || started.has(id)) continue;
      started.add(id);
      const role = id.includes('-snoop-') ? 'snoop' : 'coach';
      s.ctl.handle({
        type: 'StasisStart',
        channelId: id,
        args: [role, CALLER],
        callerNumber: '',
        channelName: '',
      });
    }
  }
  return pending;
}

const legOf = (s: Harness) =>
  [...s.ari.channels.keys()].find((id) => id.includes('-coach-') && !id.includes('-snoop-'));
const snoopsOf = (s: Harness) => [...s.ari.channels.keys()].filter((id) => id.includes('-snoop-'));

describe('a supervisor on a call in progress', () => {
  it('listens through a snoop in a bridge of its own, rung with the call in a header', async () => {
    const s = await inTalk();
    const view = await coach(s, 'listen');
    expect(view).toEqual({ callId: CALLER, operatorId: 7, supervisorId: 5, mode: 'listen' });
    const leg = legOf(s)!;
    expect(s.ari.ops('originate').at(-1)?.args[0]).toMatchObject({
      endpoint: 'PJSIP/giamsat',
      channelId: leg,
      app: 'hotline',
      appArgs: `coach,${CALLER}`,
      originator: CALLER,
      variables: { 'PJSIP_HEADER(add,X-Hotline-Coaching)': CALLER },
    });
    expect(s.ari.ops('snoop').map((o) => o.args)).toEqual([
      [
        AGENT_1,
        expect.objectContaining({ spy: 'both', whisper: 'none', app: 'hotline', appArgs: `snoop,${CALLER}` }),
      ],
    ]);
    const [snoop] = snoopsOf(s);
    const bridge = s.ari.bridgeOf(leg)!;
    expect(bridge).toContain('-coach-');
    expect(s.ari.bridgeOf(snoop!)).toBe(bridge);
    // The talk is as it was.
    expect(s.ari.bridgeOf(CALLER)).toBe('c1-talk-1');
    expect(s.ari.bridgeOf(AGENT_1)).toBe('c1-talk-1');
    expect(s.log).toContain(`coaching 5 ${CALLER} listen`);
  });

  it('switches listen → whisper → barge → listen on the same leg, one snoop at a time', async () => {
    const s = await inTalk();
    await coach(s, 'listen');
    const leg = legOf(s)!;
    const [first] = snoopsOf(s);

    await coach(s, 'whisper');
    expect(s.ari.ops('snoop').at(-1)?.args[1]).toMatchObject({ spy: 'both', whisper: 'out' });
    expect(snoopsOf(s)).toHaveLength(1);
    expect(snoopsOf(s)[0]).not.toBe(first);
    expect(s.ari.bridgeOf(snoopsOf(s)[0]!)).toBe(s.ari.bridgeOf(leg));

    await coach(s, 'barge');
    expect(s.ari.bridgeOf(leg)).toBe('c1-talk-1');
    expect(snoopsOf(s)).toEqual([]);
    expect(s.ari.leftoverBridges()).toEqual(['c1-talk-1']);

    await coach(s, 'listen');
    expect(s.ari.bridgeOf(leg)).toContain('-coach-');
    expect(snoopsOf(s)).toHaveLength(1);
    // Rung once; hung up never.
    expect(s.ari.ops('originate').filter((o) => JSON.stringify(o.args).includes('giamsat'))).toHaveLength(1);
    expect(s.ari.ops('hangup').map((o) => o.args[0])).not.toContain(leg);
    expect(s.log.filter((l) => l.startsWith('coaching'))).toEqual([
      `coaching 5 ${CALLER} listen`,
      `coaching 5 ${CALLER} whisper`,
      `coaching 5 ${CALLER} barge`,
      `coaching 5 ${CALLER} listen`,
    ]);
  });

  it('leaves without touching the talk', async () => {
    const s = await inTalk();
    await coach(s, 'whisper');
    await s.ctl.leaveCoaching(CALLER, 5);
    await s.settle();
    expect([...s.ari.channels.keys()].sort()).toEqual([CALLER, AGENT_1].sort());
    expect(s.ari.leftoverBridges()).toEqual(['c1-talk-1']);
    expect(s.ari.bridgeOf(CALLER)).toBe('c1-talk-1');
    expect(s.acd.state(7)).toBe('on_call');
    expect(s.log).toContain(`coaching 5 ${CALLER} off left`);
  });

  it('leaves a barge without touching the talk', async () => {
    const s = await inTalk();
    await coach(s, 'barge');
    await s.ctl.leaveCoaching(CALLER, 5);
    await s.settle();
    expect(s.ari.bridges.get('c1-talk-1')?.channels).toEqual(new Set([CALLER, AGENT_1]));
  });

  it('is taken off the call when the caller hangs up, and its leg is never taken for the operator', async () => {
    const s = await inTalk();
    await coach(s, 'barge');
    const leg = legOf(s)!;
    s.ari.channels.delete(CALLER);
    s.ctl.handle({ type: 'StasisEnd', channelId: CALLER });
    await s.settle();
    expect(s.ari.channels.has(leg)).toBe(false);
    expect(s.log).toContain(`coaching 5 ${CALLER} off talk_ended`);
    expect(s.ari.leftoverBridges()).toEqual([]);
  });

  it('ends when the supervisor hangs up, and the snoop and bridge go with it', async () => {
    const s = await inTalk();
    await coach(s, 'listen');
    const leg = legOf(s)!;
    s.ari.channels.delete(leg);
    s.ctl.handle({ type: 'ChannelDestroyed', channelId: leg, cause: 16 });
    await s.settle();
    expect(snoopsOf(s)).toEqual([]);
    expect(s.ari.leftoverBridges()).toEqual(['c1-talk-1']);
    expect(s.log).toContain(`coaching 5 ${CALLER} off supervisor_hung_up`);
    // The call goes on.
    expect(s.ari.bridgeOf(CALLER)).toBe('c1-talk-1');
  });

  it('refuses a second supervisor, a call not being talked, and a softphone Asterisk cannot ring', async () => {
    const s = await inTalk();
    await coach(s, 'listen');
    await expect(coach(s, 'barge', { id: 6, endpoint: 'giamsat2', displayName: 'B' })).rejects.toMatchObject({
      code: 'COACHING_TAKEN',
    });
    await expect(
      s.ctl.coach({ callId: 'nope', mode: 'listen', supervisor: SUPERVISOR }),
    ).rejects.toMatchObject({ code: 'CALL_NOT_IN_TALK' });
    await expect(s.ctl.leaveCoaching(CALLER, 6)).rejects.toBeInstanceOf(CoachingError);

    const t = await inTalk();
    t.ari.failNext('originate', new AriRequestError('originate', 'Allocation failed'));
    await expect(coach(t, 'listen')).rejects.toMatchObject({ code: 'SOFTPHONE_UNREACHABLE' });
    // Nothing is left behind, and the supervisor may try again.
    expect([...t.ari.channels.keys()].filter((id) => id.includes('-coach-'))).toEqual([]);
    await expect(coach(t, 'listen')).resolves.toMatchObject({ mode: 'listen' });
  });

  it('answers SOFTPHONE_NO_ANSWER when the supervisor’s softphone declines, leaving nothing behind', async () => {
    const s = await inTalk();
    const pending = s.ctl.coach({ callId: CALLER, mode: 'listen', supervisor: SUPERVISOR });
    await s.settle();
    const leg = legOf(s)!;
    s.ari.channels.delete(leg);
    s.ctl.handle({ type: 'ChannelDestroyed', channelId: leg, cause: 17 });
    await expect(pending).rejects.toMatchObject({ code: 'SOFTPHONE_NO_ANSWER' });
    await s.settle();
    expect([...s.ari.channels.keys()].sort()).toEqual([CALLER, AGENT_1].sort());
    expect(s.ari.leftoverBridges()).toEqual(['c1-talk-1']);
    expect(s.log.filter((l) => l.startsWith('coaching'))).toEqual([]);
  });

  it('after a reconnect, hangs up coaching channels nobody owns and keeps adopting the talk with its operator', async () => {
    const s = await inTalk();
    s.ari.channels.set(`${CALLER}-coach-old`, {
      callerNumber: '',
      name: 'PJSIP/giamsat-0001',
      appData: `hotline,coach,${CALLER}`,
    });
    s.ari.bridges.get('c1-talk-1')?.channels.add(`${CALLER}-coach-old`);
    s.ari.channels.set(`${CALLER}-coach-old-snoop-1`, { callerNumber: '', name: 'Snoop/x' });
    await s.ctl.onConnected();
    await s.settle();
    expect([...s.ari.channels.keys()].sort()).toEqual([CALLER, AGENT_1].sort());
  });
});
