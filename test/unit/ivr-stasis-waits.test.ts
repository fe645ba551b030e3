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
