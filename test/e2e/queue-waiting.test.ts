/**
 * What a caller hears and may do while waiting, on a real Asterisk with sipp callers and the
 * real server, with the waiting times configured down to seconds: position announcements (seen
 * as ARI playback events on the caller's channel), the callback offer taken with key 1 (the call
 * ends `callback_requested`), and a returning caller who joins after a new caller being offered
 * first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallbackTaskView, CallRecordDetail, ListResponse } from '../../common/api.ts';
import { placeCitizenCall } from '../../scripts/lib/sipp.ts';
import { maskPhone } from '../../server/tickets/repository.ts';
import { type ApiSession, apiSession } from '../support/api-session.ts';
import { callRecordsOf } from '../support/calls.ts';
import { type E2eHotline, startE2eHotline, type Telephony } from '../support/e2e.ts';

let env: E2eHotline;
let phone: Telephony;
let supervisor: ApiSession;

beforeAll(async () => {
  env = await startE2eHotline({
    name: 'queue',
    telephony: true,
    env: {
      HOTLINE_ANNOUNCE_EVERY_SECONDS: '4',
      HOTLINE_CALLBACK_OFFER_AFTER_SECONDS: '2',
    },
  });
  phone = env.telephony!;
  supervisor = await apiSession(env.hotline.url, 'giamsat');
});

afterAll(async () => {
  await env?.close();
});

const sound = (name: string) => `sound:hotline/vi/${name}`;
const played = (number: string) => phone.observer.channel((c) => c.caller?.number === number).media;
const call = (
  callerNumber: string,
  opts: { keys?: string; holdMs: number; port: number; keyDelayMs?: number },
) =>
  placeCitizenCall({
    target: `127.0.0.1:${phone.asterisk.sipPort}`,
    callerNumber,
    // Menu key 0 (an operator), pressed once.
    keys: opts.keys ?? '0',
    firstKeyDelayMs: 2500,
    keyDelayMs: opts.keyDelayMs ?? 1500,
    holdMs: opts.holdMs,
    localPort: opts.port,
    mediaPort: 7000 + (opts.port - 5300) * 10,
  });
const recordOf = async (callerNumber: string, nth = 0) =>
  (await callRecordsOf(supervisor, callerNumber))[nth];
const waitingIn = async (queue: string) => {
  const bridge = (await phone.ariGet(`/bridges/hotline-queue-${queue}`)) as { channels: string[] };
  return bridge.channels.length;
};

describe('while waiting in a queue', () => {
  it('callers hear their position on joining and again every period; nothing about the wait without history', async () => {
    const first = call('0911000001', { holdMs: 16_000, port: 5301 });
    await expect.poll(() => waitingIn('general'), { timeout: 20_000 }).toBe(1);
    const second = call('0911000002', { holdMs: 12_000, port: 5302 });
    const [a, b] = await Promise.all([first, second]);
    expect(a.exitCode, a.errors).toBe(0);
    expect(b.exitCode, b.errors).toBe(0);

    const heardByFirst = played('0911000001');
    const heardBySecond = played('0911000002');
    expect(heardByFirst).toContain(sound('queued'));
    // Announced every 4 s (the first, on joining, is cut short by the callback offer at 2 s).
    const positions = (media: string[]) =>
      media.flatMap((m, i) =>
        m === sound('positionIs') && media[i + 1]?.includes('number-') ? [media[i + 1]] : [],
      );
    expect(heardByFirst.filter((m) => m === sound('positionIs')).length).toBeGreaterThanOrEqual(2);
    expect(positions(heardByFirst).length).toBeGreaterThanOrEqual(1);
    expect(new Set(positions(heardByFirst))).toEqual(new Set([sound('number-1')]));
    expect(positions(heardBySecond)).toContain(sound('number-2'));
    // Nobody has been answered yet: no estimated wait is given.
    for (const media of [heardByFirst, heardBySecond]) {
      expect(media).not.toContain(sound('waitAbout'));
      expect(media).not.toContain(sound('waitFewMinutes'));
    }
    await phone.waitUntilClean(10_000);
  });

  it('a caller who presses 1 at the callback offer hears a confirmation and is hung up: callback_requested', async () => {
    const number = '0911000003';
    const result = await placeCitizenCall({
      target: `127.0.0.1:${phone.asterisk.sipPort}`,
      callerNumber: number,
      // 1 in the menu (health), then 1 again for the callback offer, which comes 2 s after joining.
      keys: '11',
      firstKeyDelayMs: 1500,
      keyDelayMs: 6500,
      hangup: 'hotline',
      holdMs: 20_000,
      localPort: 5303,
      mediaPort: 6303,
    });
    expect(result.exitCode, result.errors).toBe(0);
    const heard = played(number);
    expect(heard).toContain(sound('callbackOffer'));
    expect(heard.slice(heard.indexOf(sound('callbackOffer')))).toEqual(
      expect.arrayContaining([sound('callbackConfirmed'), sound('goodbye')]),
    );
    await expect
      .poll(async () => (await recordOf(number))?.endReason, { timeout: 5000 })
      .toBe('callback_requested');
    expect(await recordOf(number)).toMatchObject({ menuPath: '1', queue: 'health', answeredAt: null });
    // The queue keeps the caller's place: the hotline will call them back when it comes.
    const tasks = await supervisor.get<ListResponse<CallbackTaskView>>('/api/callbacks?status=open');
    const task = tasks.data.find((t) => t.callerNumber === maskPhone(number));
    expect(task).toMatchObject({ source: 'offer', heldInQueue: true, queue: 'health' });
    // A supervisor closes it (reached another way): the kept place goes when its turn comes, and
    // the next test's operator is offered the callers on the line.
    await supervisor.post(`/api/callbacks/${task?.id}/give-up`, { reason: 'Đã liên hệ qua kênh khác' });
    await phone.waitUntilClean(10_000);
  });

  it('a returning caller who joins after a new caller is offered the free operator first', async () => {
    const returning = '0911000004';
    const newcomer = '0911000005';
    // An earlier call from the returning number: it gave up after a moment in the queue.
    const earlier = await call(returning, { holdMs: 3000, port: 5304 });
    expect(earlier.exitCode, earlier.errors).toBe(0);
    await expect
      .poll(async () => (await recordOf(returning))?.endReason, { timeout: 5000 })
      .toBe('abandoned_in_queue');

    const newCall = call(newcomer, { holdMs: 20_000, port: 5305 });
    await expect.poll(() => waitingIn('general'), { timeout: 20_000 }).toBe(1);
    const returnCall = call(returning, { holdMs: 16_000, port: 5306 });
    await expect.poll(() => waitingIn('general'), { timeout: 20_000 }).toBe(2);

    // An operator (tdv01) becomes ready (their softphone is not registered, so the offer fails
    // at once and they go not ready: only who was offered first matters here).
    const operator = await (await apiSession(env.hotline.url, 'tdv01')).socket();
    try {
      const ack = await operator.emitWithAck('agent:setState', { state: 'ready' });
      expect(ack).toMatchObject({ data: {} });
      const offers = async (number: string, nth: number) => {
        const record = await recordOf(number, nth);
        if (!record) return [];
        return (await supervisor.get<CallRecordDetail>(`/api/calls/${encodeURIComponent(record.id)}`)).offers;
      };
      await expect.poll(async () => (await offers(returning, 1)).length, { timeout: 5000 }).toBe(1);
      expect(await offers(newcomer, 0)).toEqual([]);
    } finally {
      operator.close();
    }
    const [a, b] = await Promise.all([newCall, returnCall]);
    expect(a.exitCode, a.errors).toBe(0);
    expect(b.exitCode, b.errors).toBe(0);
    await phone.waitUntilClean(10_000);
  });
});
