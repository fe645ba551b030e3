// Dispatch: returning callers ahead of new ones, and overflow to any operator by one timer.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeCallerHistory } from '../support/caller-history-fake.ts';
import { setup } from '../support/stasis-harness.ts';

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
