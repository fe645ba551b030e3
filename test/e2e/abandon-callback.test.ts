/**
 * A citizen who gives up waiting is called back: with no operator ready, sipp dials 1022 on a
 * real Asterisk, presses 1 (health), waits about 15 s in the queue and hangs up. Once the
 * announcements are over it hears music on hold (Asterisk keeps sending it audio). A callback task
 * for that number exists, the call record says abandoned in `health` after key 1, and the
 * supervisor's wallboard (socket.io, logged in as giamsat) counts the abandon within a second.
 * When a citizen who gave up calls again and an operator answers, their task closes as reached.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallbackTaskView, CallRecordDetail, CallRecordView, ListResponse } from '../../common/api.ts';
import { placeCitizenCall } from '../../scripts/lib/sipp.ts';
import { maskPhone } from '../../server/tickets/repository.ts';
import { apiSession } from '../support/api-session.ts';
import { dialHotline } from '../support/calls.ts';
import {
  type E2eHotline,
  launchChromium,
  signedInPage,
  startE2eHotline,
  type Telephony,
} from '../support/e2e.ts';

const CALLER = '0911222333';

let env: E2eHotline;
let phone: Telephony;
let browser: Browser | undefined;

beforeAll(async () => {
  env = await startE2eHotline({ name: 'abandon', telephony: true });
  phone = env.telephony!;
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

describe('a caller who hangs up while waiting', () => {
  it('becomes a callback task, an abandoned call record and an abandon on the wallboard', async () => {
    const supervisor = await apiSession(env.hotline.url, 'giamsat');
    const wallboard = await supervisor.watchWallboard();
    try {
      await expect.poll(() => wallboard.snapshots.length).toBeGreaterThan(0);
      const health = (i: number) => wallboard.snapshots[i]?.snapshot.queues.find((q) => q.queue === 'health');
      expect(health(0)).toMatchObject({ waiting: 0, answered: 0, abandoned: 0, serviceLevel: null });

      const placed = placeCitizenCall({
        target: `127.0.0.1:${phone.asterisk.sipPort}`,
        callerNumber: CALLER,
        keys: '1',
        keyDelayMs: 1500,
        hangup: 'caller',
        holdMs: 16_000,
      });
      // After "you are in the queue" and its position, about 8 s, the caller hears music.
      const citizen = () => phone.observer.channel((c) => c.caller?.number === CALLER);
      await expect
        .poll(() => citizen().media.includes('sound:hotline/vi/number-1') && !citizen().playing, {
          timeout: 15_000,
        })
        .toBe(true);
      const sent = async () => (await phone.rtpPackets(citizen().id)).sent;
      const before = await sent();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const music = (await sent()) - before;
      expect(citizen().playing).toBe(false);
      // 50 packets a second of audio; none at all without music.
      expect(music).toBeGreaterThanOrEqual(35);

      const result = await placed;
      const hungUpAt = Date.now();
      expect(result.exitCode, result.errors).toBe(0);

      // While it waited, the wallboard showed the caller in the health queue.
      expect(wallboard.snapshots.some((s, i) => s.at < hungUpAt && health(i)?.waiting === 1)).toBe(true);

      // The wallboard counts the abandon, pushed within a second of the hang-up.
      await expect
        .poll(() => wallboard.snapshots.findIndex((_, i) => health(i)?.abandoned === 1), { timeout: 5000 })
        .toBeGreaterThanOrEqual(0);
      const pushed = wallboard.snapshots.find((_, i) => health(i)?.abandoned === 1)!;
      expect(pushed.at - hungUpAt).toBeLessThan(1000);
      expect(pushed.snapshot.queues.find((q) => q.queue === 'health')).toMatchObject({
        waiting: 0,
        answered: 0,
        abandoned: 1,
      });

      // A callback task for the number.
      const tasks = (await supervisor.get<ListResponse<CallbackTaskView>>('/api/callbacks')).data;
      const mine = tasks.filter((t) => t.callerNumber === maskPhone(CALLER));
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({
        queue: 'health',
        source: 'abandoned',
        status: 'open',
        attempts: 0,
        requests: 1,
      });

      // The call record: key 1, queued in health, abandoned after a few seconds, nobody offered.
      const calls = (await supervisor.get<ListResponse<CallRecordView>>('/api/calls')).data;
      const record = calls.find((c) => c.callerNumber === maskPhone(CALLER));
      expect(record).toMatchObject({
        id: mine[0]?.callId,
        menuPath: '1',
        queue: 'health',
        endReason: 'abandoned_in_queue',
        answeredAt: null,
        operator: null,
        talkSeconds: null,
      });
      // sipp's hold starts while the key's RTP is still playing, so the queue sees 14–16 s of it.
      expect(record?.waitSeconds).toBeGreaterThanOrEqual(12);
      expect(record?.waitSeconds).toBeLessThanOrEqual(18);
      const detail = await supervisor.get<CallRecordDetail>(`/api/calls/${encodeURIComponent(record!.id)}`);
      expect(detail.events.map((e) => e.type)).toEqual(['arrived', 'digit', 'queued', 'ended']);
      expect(detail.offers).toEqual([]);

      await phone.waitUntilClean(10_000);
      console.log(`[e2e] hang-up → wallboard shows the abandon: ${pushed.at - hungUpAt} ms`);
    } finally {
      wallboard.close();
    }
  });

  it('has its callback task closed as reached when the citizen calls again and an operator answers', async () => {
    const caller = '0911222444';
    const supervisor = await apiSession(env.hotline.url, 'giamsat');
    const openTasksOf = async () =>
      (await supervisor.get<ListResponse<CallbackTaskView>>('/api/callbacks')).data.filter(
        (t) => t.callerNumber === maskPhone(caller),
      );

    const gaveUp = await dialHotline(phone, caller, { keys: '1', hangup: 'caller', holdMs: 5000 });
    expect(gaveUp.exitCode, gaveUp.errors).toBe(0);
    await expect
      .poll(async () => (await openTasksOf()).map((t) => t.status), { timeout: 5000 })
      .toEqual(['open']);

    browser ??= await launchChromium();
    const page = await signedInPage(browser, env.hotline.url, 'tdv01', 'operator.html');
    await expect
      .poll(() => page.getByTestId('phone-status').getAttribute('data-registration'), { timeout: 15_000 })
      .toBe('registered');
    await page.getByRole('button', { name: 'Sẵn sàng' }).click();
    await expect.poll(() => page.getByTestId('agent-state').textContent()).toBe('Sẵn sàng');

    const again = dialHotline(phone, caller, { keys: '1', holdMs: 8000 });
    const pop = page.getByRole('region', { name: 'Cuộc gọi đến' });
    await pop.waitFor({ state: 'visible', timeout: 30_000 });
    await pop.getByRole('button', { name: 'Trả lời' }).click();
    await expect
      .poll(() => page.getByTestId('agent-state').textContent(), { timeout: 10_000 })
      .toBe('Đang nghe máy');

    // Closed as soon as the operator answered, naming the call that got through; no new task.
    await expect.poll(async () => (await openTasksOf()).length, { timeout: 5000 }).toBe(0);
    const closed = (
      await supervisor.get<ListResponse<CallbackTaskView>>('/api/callbacks?status=reached')
    ).data.filter((t) => t.callerNumber === maskPhone(caller));
    expect(closed.map((t) => t.status)).toEqual(['reached']);
    const answered = (await supervisor.get<ListResponse<CallRecordView>>('/api/calls')).data.find(
      (c) => c.callerNumber === maskPhone(caller) && c.answeredAt !== null,
    );
    expect(closed[0]?.closedByCall).toBe(answered?.id);
    expect(closed[0]?.closedByCall).not.toBe(closed[0]?.callId);

    const result = await again;
    expect(result.exitCode, result.errors).toBe(0);
    expect(await openTasksOf()).toEqual([]);
    await page.context().close();
    await phone.waitUntilClean(10_000);
  });
});
