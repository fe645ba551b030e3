/**
 * A kept place whose task is closed elsewhere (the store's `watch`), on the fake ARI: a waiting
 * place leaves the ACD at once and is never dialled; an attempt ringing when its task closes is
 * hung up, the reserved operator is ready again, and the place is not tried again.
 */
import { describe, expect, it } from 'vitest';
import type { QueueCallbackStore } from '../../ivr/api.ts';
import { queueCallbackChannelId } from '../../ivr/queue-callback.ts';
import { CALLER, callerTakesCallback, dialledCitizens, setup } from '../support/stasis-harness.ts';

const NUMBER = '0912345678';

/** Tasks of every number held until the listener is told otherwise. */
function watchedStore() {
  const closedNumbers = new Set<string>();
  let listener: ((n: string) => void) | null = null;
  let attempts = 0;
  const ended: string[] = [];
  const store: QueueCallbackStore = {
    held: () => [],
    attemptStarted: (n) => (closedNumbers.has(n) ? null : { taskId: 1, attemptId: ++attempts }),
    attemptEnded: (_a, result) => void ended.push(`${result.outcome} ${result.next}`),
    release() {},
    watch(released) {
      listener = released;
    },
  };
  const close = (number: string) => {
    closedNumbers.add(number);
    listener?.(number);
  };
  return { store, close, ended };
}

const dialled = dialledCitizens;

const waitingHealth = (h: ReturnType<typeof setup>) =>
  h.ctl.keptPlaces().filter((p) => p.queue === 'health').length;

describe('a kept place whose task closes elsewhere', () => {
  it('leaves the ACD at once and is never dialled', async () => {
    const { store, close } = watchedStore();
    const h = setup({ waiting: { announceEveryMs: 60_000, callbackOfferAfterMs: 1 }, queueCallbacks: store });
    await callerTakesCallback(h);
    expect(waitingHealth(h)).toBe(1);
    close(NUMBER);
    expect(waitingHealth(h)).toBe(0);
    expect(h.acd.isWaiting(`qcb-${CALLER}`)).toBe(false);
    await h.operatorReady(7);
    expect(dialled(h)).toEqual([]);
    expect(h.acd.state(7)).toBe('ready');
  });

  it('hangs up an attempt still ringing, gives the operator back and does not try again', async () => {
    const { store, close, ended } = watchedStore();
    const h = setup({
      waiting: { announceEveryMs: 60_000, callbackOfferAfterMs: 1 },
      queueCallbacks: store,
      queueCallbackPolicy: { maxAttempts: 3, retryMs: 1000, ringSeconds: 20 },
    });
    await callerTakesCallback(h);
    await h.operatorReady(7);
    const channelId = queueCallbackChannelId(`qcb-${CALLER}`, 1);
    expect(dialled(h).map((p) => p.channelId)).toEqual([channelId]);
    expect(h.acd.state(7)).toBe('ringing');
    close(NUMBER);
    await h.settle();
    expect(h.ari.ops('hangup').map((o) => o.args[0])).toContain(channelId);
    expect(h.acd.status(7)).toMatchObject({ state: 'ready' });
    expect(ended).toEqual(['failed retry']);
    h.advance(5000);
    h.ctl.dispatch();
    await h.settle();
    expect(dialled(h)).toHaveLength(1);
    expect(waitingHealth(h)).toBe(0);
  });
});
