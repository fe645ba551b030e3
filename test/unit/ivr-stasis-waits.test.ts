// What a waiting caller hears: position, the estimated wait (also after a restart) and the callback offer.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CALLER, setup } from '../support/stasis-harness.ts';

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

  /** A caller who presses 1 (health) and waits there. */
  const joins = async (s: ReturnType<typeof setup>, channelId: string) => {
    s.ari.channels.set(channelId, { callerNumber: '0900000002' });
    s.ctl.handle({
      type: 'StasisStart',
      channelId,
      args: ['citizen'],
      callerNumber: '0900000002',
      channelName: '',
    });
    await s.settle();
    s.ctl.handle({ type: 'ChannelDtmfReceived', channelId, digit: '1' });
    await s.settle();
  };
  const answers = async (s: ReturnType<typeof setup>, callId: string) => {
    s.ctl.handle({
      type: 'StasisStart',
      channelId: `${callId}-agent-1`,
      args: ['agent', callId],
      callerNumber: '',
      channelName: '',
    });
    await s.settle();
  };
  const hangsUp = async (s: ReturnType<typeof setup>, channelId: string) => {
    s.ari.channels.delete(channelId);
    s.ctl.handle({ type: 'StasisEnd', channelId });
    s.ctl.handle({ type: 'ChannelDestroyed', channelId, cause: 16 });
    await s.settle();
  };
  /** What the call records say a previous controller saw: health calls that held an operator 6 minutes, after 30 s waits. */
  const sixMinuteHandles = () => [
    {
      queue: 'health' as const,
      answeredAt: new Date('2024-05-01T07:40:00Z'),
      waitMs: 30_000,
      handle: { endedAt: new Date('2024-05-01T07:46:00Z'), handleMs: 360_000 },
    },
    {
      queue: 'health' as const,
      answeredAt: new Date('2024-05-01T07:50:00Z'),
      waitMs: 30_000,
      handle: { endedAt: new Date('2024-05-01T07:56:00Z'), handleMs: 360_000 },
    },
  ];
  const waitSaid = (sounds: string[] | undefined) => sounds?.slice(sounds.indexOf('positionIs'));

  it('after a restart, estimates from the position, the operators on duty and the recorded handle times', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const asked: Date[] = [];
    const s = setup({
      recentWaits: (since) => {
        asked.push(since);
        return sixMinuteHandles();
      },
      waiting: { announceEveryMs: 60_000, callbackOfferAfterMs: 0 },
    });
    await s.ctl.onConnected();
    await s.ctl.onConnected();
    // Asked once, for the hour before now (08:00).
    expect(asked).toEqual([new Date('2024-05-01T07:00:00Z')]);
    // Operator 7 takes the first caller; operator 8 is offline.
    await s.operatorReady(7);
    await joins(s, 'c1');
    await answers(s, 'c1');
    expect(s.acd.state(7)).toBe('on_call');
    await joins(s, 'c2');
    await joins(s, 'c3');
    // One operator on duty, 6 minutes a call: first in line about 6 minutes, second about 12.
    expect(waitSaid(media(s, 'c2').at(-1))).toEqual([
      'positionIs',
      'number-1',
      'waitAbout',
      'number-6',
      'minutes',
    ]);
    expect(waitSaid(media(s, 'c3').at(-1))).toEqual([
      'positionIs',
      'number-2',
      'waitAbout',
      'number-12',
      'minutes',
    ]);
    // Operator 8 comes on duty and takes c2: c3 is next, with two operators: about 3 minutes.
    await s.operatorReady(8);
    await answers(s, 'c2');
    expect(s.acd.state(8)).toBe('on_call');
    s.advance(60_000);
    await vi.advanceTimersByTimeAsync(60_000);
    await s.settle();
    expect(media(s, 'c3').at(-1)).toEqual(['positionIs', 'number-1', 'waitAbout', 'number-3', 'minutes']);
  });

  it('with nobody on duty for the queue, says the position and nothing about the wait', async () => {
    const s = setup({ recentWaits: sixMinuteHandles });
    await s.ctl.onConnected();
    // Operator 8 is not ready (on a break), operator 7 offline: nobody will answer soon.
    s.ctl.requestState(8, { state: 'not_ready', reason: 'break' });
    await s.settle();
    await s.inQueue('1');
    expect(media(s, CALLER).at(-1)).toEqual(['queued', 'positionIs', 'number-1']);
  });

  it('learns handle times from the talks it sees end: talk plus wrap-up', async () => {
    const s = setup();
    await s.ctl.onConnected();
    await s.operatorReady(7);
    await joins(s, 'c1');
    s.advance(30_000);
    await answers(s, 'c1');
    // A 5-minute talk, then a minute of wrap-up ended from the console.
    s.advance(5 * 60_000);
    await hangsUp(s, 'c1');
    await hangsUp(s, 'c1-agent-1');
    expect(s.acd.state(7)).toBe('wrap_up');
    s.advance(60_000);
    s.ctl.requestState(7, { state: 'ready' });
    await s.settle();
    // Operator 7 takes the next caller; the one after waits, first in line: about 6 minutes (not
    // the 30 s the first caller waited).
    await joins(s, 'c2');
    await answers(s, 'c2');
    await joins(s, 'c3');
    expect(waitSaid(media(s, 'c3').at(-1))).toEqual([
      'positionIs',
      'number-1',
      'waitAbout',
      'number-6',
      'minutes',
    ]);
  });

  it('a talk cut short by a dropped console is no handle time', async () => {
    const s = setup();
    await s.ctl.onConnected();
    await s.operatorReady(7);
    await joins(s, 'c1');
    s.advance(30_000);
    await answers(s, 'c1');
    s.advance(20 * 60_000);
    // Operator 7's console drops mid-call: the caller goes back to the head of the queue.
    s.ctl.operatorLost(7);
    await s.settle();
    expect(s.acd.status(7)).toMatchObject({ state: 'not_ready', reason: 'connection_lost' });
    await s.operatorReady(8);
    await answers(s, 'c1');
    await joins(s, 'c2');
    // Only the 30 s wait is known: "a few minutes", not the 20-minute cut-short talk.
    expect(waitSaid(media(s, 'c2').at(-1))).toEqual(['positionIs', 'number-1', 'waitFewMinutes']);
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
