/**
 * Queue callbacks in the adapter, on the fake ARI: a caller who presses 1 keeps their place; an
 * operator becoming ready is reserved while the hotline dials the citizen through the trunk; busy
 * gives the operator back (ready) and the place waits for the spacing; answered, the citizen hears
 * the greeting and the reserved operator's console gets the call as a callback; a restart rebuilds
 * the places from the tasks.
 */
import { describe, expect, it } from 'vitest';
import type { HeldCallback, QueueCallbackStore } from '../../ivr/api.ts';
import { queueCallbackChannelId } from '../../ivr/queue-callback.ts';
import { CALLER, callerTakesCallback, dialledCitizens, setup } from '../support/stasis-harness.ts';

const NUMBER = '0912345678';

/** The server's tasks, in memory: one task per number, attempts as the store is told them. */
function memoryStore(held: HeldCallback[] = []) {
  const attempts: { outcome: string; next: string; callId: string | null; operatorId: number }[] = [];
  let open = 0;
  const tasks = [...held];
  const store: QueueCallbackStore & { attempts: typeof attempts; tasks: HeldCallback[] } = {
    attempts,
    tasks,
    held: () => tasks,
    attemptStarted(callerNumber, operatorId) {
      if (!tasks.some((t) => t.callerNumber === callerNumber) && callerNumber !== NUMBER) return null;
      open++;
      attempts.push({ outcome: 'open', next: '', callId: null, operatorId });
      return { taskId: 1, attemptId: open };
    },
    attemptEnded(attempt, result) {
      const a = attempts[attempt.attemptId - 1];
      if (a) Object.assign(a, { outcome: result.outcome, next: result.next, callId: result.callId });
    },
    release() {},
  };
  return store;
}

const dialled = dialledCitizens;

describe('queue callback in the adapter', () => {
  it('dials the citizen for the kept place; busy gives the operator back, then the spacing', async () => {
    const store = memoryStore();
    const h = setup({
      waiting: { announceEveryMs: 60_000, callbackOfferAfterMs: 1 },
      queueCallbacks: store,
      queueCallbackPolicy: { maxAttempts: 2, retryMs: 60_000, ringSeconds: 20 },
    });
    await callerTakesCallback(h);
    expect(h.records).toContain(`${CALLER} ended callback_requested`);
    expect(dialled(h)).toEqual([]);

    await h.operatorReady(7);
    const [first] = dialled(h);
    expect(first).toMatchObject({
      endpoint: `PJSIP/${NUMBER}@trunk`,
      channelId: queueCallbackChannelId(`qcb-${CALLER}`, 1),
      appArgs: `callback,qcb-${CALLER}`,
      callerId: '1022',
      timeout: 20,
    });
    expect(h.acd.state(7)).toBe('ringing');

    // Busy: straight back to ready, not a missed call; nothing else is offered to them meanwhile.
    h.ctl.handle({
      type: 'ChannelDestroyed',
      channelId: queueCallbackChannelId(`qcb-${CALLER}`, 1),
      cause: 17,
    });
    await h.settle();
    expect(h.acd.status(7)).toMatchObject({ state: 'ready', reason: null });
    expect(store.attempts).toEqual([{ outcome: 'busy', next: 'retry', callId: null, operatorId: 7 }]);
    expect(dialled(h)).toHaveLength(1);

    // After the spacing: the second (last) attempt; no answer leaves the task to a person.
    h.advance(60_000);
    h.ctl.dispatch();
    await h.settle();
    expect(dialled(h).map((p) => p.channelId)).toEqual([
      queueCallbackChannelId(`qcb-${CALLER}`, 1),
      queueCallbackChannelId(`qcb-${CALLER}`, 2),
    ]);
    h.ctl.handle({
      type: 'ChannelDestroyed',
      channelId: queueCallbackChannelId(`qcb-${CALLER}`, 2),
      cause: 19,
    });
    await h.settle();
    expect(store.attempts.map((a) => [a.outcome, a.next])).toEqual([
      ['busy', 'retry'],
      ['no_answer', 'person'],
    ]);
    expect(h.ctl.keptPlaces()).toEqual([]);
    h.advance(600_000);
    h.ctl.dispatch();
    await h.settle();
    expect(dialled(h)).toHaveLength(2);
    h.ctl.close();
  });

  it('the citizen answers: greeting, then the reserved operator rings with a callback screen-pop', async () => {
    const store = memoryStore();
    const h = setup({
      waiting: { announceEveryMs: 60_000, callbackOfferAfterMs: 1 },
      queueCallbacks: store,
    });
    await callerTakesCallback(h);
    await h.operatorReady(8);
    const channelId = queueCallbackChannelId(`qcb-${CALLER}`, 1);
    h.ari.channels.set(channelId, { callerNumber: NUMBER });
    h.ctl.handle({
      type: 'StasisStart',
      channelId,
      args: ['callback', `qcb-${CALLER}`],
      callerNumber: NUMBER,
      channelName: 'PJSIP/trunk-1',
    });
    await h.settle();
    const greeting = h.ari.ops('play').at(-1)?.args as [string, string[], string];
    expect(greeting[0]).toBe(channelId);
    expect(greeting[1]).toEqual(['sound:hotline/vi/callbackGreeting']);
    expect(h.ari.bridgeOf(channelId)).toBe('hotline-queue-health');
    h.ctl.handle({ type: 'PlaybackFinished', playbackId: greeting[2] });
    await h.settle();
    const agentLeg = `${channelId}-agent-1`;
    expect(h.ari.ops('originate').at(-1)?.args[0]).toMatchObject({
      endpoint: 'PJSIP/tdv08',
      channelId: agentLeg,
    });
    expect(h.log).toContain(`offered 8 ${channelId} health 1 callback`);
    h.ctl.handle({
      type: 'StasisStart',
      channelId: agentLeg,
      args: ['agent', channelId],
      callerNumber: '',
      channelName: '',
    });
    await h.settle();
    expect(h.acd.state(8)).toBe('on_call');
    expect(store.attempts).toEqual([{ outcome: 'reached', next: 'done', callId: channelId, operatorId: 8 }]);
    h.ctl.close();
  });

  it('a citizen who calls again while the place is kept takes it with the new call: one place', async () => {
    const store = memoryStore();
    const released: string[] = [];
    store.release = (number) => released.push(number);
    const h = setup({ waiting: { announceEveryMs: 60_000, callbackOfferAfterMs: 1 }, queueCallbacks: store });
    await callerTakesCallback(h);
    const [kept] = h.ctl.keptPlaces();
    expect(kept).toMatchObject({ id: `qcb-${CALLER}`, queue: 'health' });
    h.advance(120_000);
    h.ari.channels.set('c2', { callerNumber: NUMBER });
    h.ctl.handle({
      type: 'StasisStart',
      channelId: 'c2',
      args: ['citizen'],
      callerNumber: NUMBER,
      channelName: '',
    });
    await h.settle();
    h.ctl.handle({ type: 'ChannelDtmfReceived', channelId: 'c2', digit: '1' });
    await h.settle();
    expect(h.ctl.keptPlaces()).toEqual([]);
    expect(released).toEqual([NUMBER]);
    expect(h.acd.waitingCall('c2')).toMatchObject({ queuedAt: kept?.queuedAt, priority: true });
    await h.operatorReady(7);
    expect(dialled(h)).toEqual([]);
    expect(h.log).toContain('offered 7 c2 health 1');
    h.ctl.close();
  });

  it('a restart rebuilds the kept place from the open task, with its first joining time', async () => {
    const queuedAt = new Date('2024-05-01T07:50:00Z');
    const store = memoryStore([
      {
        callId: 'old',
        callerNumber: '0987654321',
        queue: 'health',
        menuChoice: '1',
        waitingSince: queuedAt,
        attempts: 1,
        nextAttemptAt: null,
      },
    ]);
    const h = setup({ queueCallbacks: store });
    await h.ctl.onConnected();
    expect(h.ctl.keptPlaces()).toEqual([
      { id: 'qcb-old', queue: 'health', queuedAt, attempts: 1, dialling: false },
    ]);
    // Ahead of a caller who joined after it.
    await h.inQueue('1');
    expect(h.acd.position('qcb-old')).toBe(1);
    expect(h.acd.position(CALLER)).toBe(2);
    await h.operatorReady(7);
    expect(dialled(h).map((p) => p.channelId)).toEqual([queueCallbackChannelId('qcb-old', 2)]);
    h.ctl.close();
  });

  it('a withheld number is never offered a callback', async () => {
    const store = memoryStore();
    const h = setup({ waiting: { announceEveryMs: 60_000, callbackOfferAfterMs: 1 }, queueCallbacks: store });
    await h.ctl.onConnected();
    h.ari.channels.set(CALLER, { callerNumber: 'anonymous' });
    h.ctl.handle({
      type: 'StasisStart',
      channelId: CALLER,
      args: ['citizen'],
      callerNumber: 'anonymous',
      channelName: '',
    });
    await h.settle();
    h.ctl.handle({ type: 'ChannelDtmfReceived', channelId: CALLER, digit: '1' });
    await h.settle();
    await new Promise((r) => setTimeout(r, 20));
    await h.settle();
    const sounds = h.ari.ops('play').flatMap((o) => o.args[1] as string[]);
    expect(sounds).not.toContain('sound:hotline/vi/callbackOffer');
    h.ctl.handle({ type: 'ChannelDtmfReceived', channelId: CALLER, digit: '1' });
    await h.settle();
    expect(h.acd.isWaiting(CALLER)).toBe(true);
    h.ctl.close();
  });
});
