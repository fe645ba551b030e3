/**
 * When telephony fails, calls are still answered and the supervisor sees what is going on.
 * - Controller down: the server stays up but its call controller leaves ARI; a citizen dials 1022
 *   (sipp) and presses 0 in the fallback menu, the dialplan falls back to Asterisk's own queue, the
 *   ready operator's console already loaded in Chromium rings with the call marked as a fallback
 *   call (fallback-pause.test.ts: operators not ready are not rung), the operator answers and audio
 *   flows both ways. The wallboard, in "Chế độ dự phòng", shows the call waiting, then answered
 *   (AMI follows the fallback queue). The server then restarts mid-talk, and the call still leaves
 *   a complete record: the new process follows the talk to its end. The follower's AMI user is
 *   sent the queue's events only, not every channel's.
 * - Asterisk restarts: the wallboard says "Mất kết nối tổng đài" within two seconds; the
 *   controller reconnects on its own, re-creates the queue bridges, and the next call is answered
 *   by the operator.
 * Screenshots of the wallboard in each mode go to /tmp/recovery-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecordView, ListResponse } from '../../common/api.ts';
import { QUEUE_NAMES } from '../../common/domain.ts';
import type { TelephonyMode, WallboardSnapshot } from '../../common/events.ts';
import { queueBridgeId } from '../../ivr/stasis-names.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { placeCitizenCall } from '../../scripts/lib/sipp.ts';
import { maskPhone } from '../../server/tickets/repository.ts';
import { listenToAmi } from '../support/ami-events.ts';
import { type ApiSession, apiSession } from '../support/api-session.ts';
import { type E2eHotline, launchChromium, logInAs, startE2eHotline, type Telephony } from '../support/e2e.ts';

let env: E2eHotline;
let phone: Telephony;
let browser: Browser;
let operator: Page;
let wallboardPage: Page;
let supervisor: ApiSession;

const logIn = (page: Page, username: string, landing: string) =>
  logInAs(page, env.hotline.url, username, landing);

beforeAll(async () => {
  env = await startE2eHotline({ name: 'fallback', telephony: true });
  phone = env.telephony!;
  browser = await launchChromium();
  operator = await browser.newPage();
  operator.on('pageerror', (err) => console.error('[operator page error]', err));
  await logIn(operator, 'tdv01', 'operator.html');
  wallboardPage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  wallboardPage.on('pageerror', (err) => console.error('[wallboard page error]', err));
  await logIn(wallboardPage, 'giamsat', 'supervisor.html');
  supervisor = await apiSession(env.hotline.url, 'giamsat');
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const registered = () =>
  expect
    .poll(() => operator.getByTestId('phone-status').getAttribute('data-registration'), { timeout: 20_000 })
    .toBe('registered');

const packets = async () => {
  const stats = operator.getByTestId('audio-stats');
  return {
    sent: Number(await stats.getAttribute('data-packets-sent')),
    received: Number(await stats.getAttribute('data-packets-received')),
  };
};

/**
 * Waits for a snapshot pushed after the `from`-th that satisfies `match`; returns it with when it
 * arrived and its index.
 */
async function pushed(
  watch: { snapshots: { at: number; snapshot: WallboardSnapshot }[] },
  from: number,
  match: (s: WallboardSnapshot) => boolean,
  timeout = 10_000,
): Promise<{ at: number; snapshot: WallboardSnapshot; index: number }> {
  const found = () => {
    const index = watch.snapshots.findIndex((s, i) => i >= from && match(s.snapshot));
    return index < 0 ? undefined : { ...watch.snapshots[index]!, index };
  };
  await expect.poll(() => found() !== undefined, { timeout }).toBe(true);
  return found()!;
}

const inMode = (mode: TelephonyMode) => (s: WallboardSnapshot) => s.mode === mode;

describe('telephony failures', () => {
  it('controller down: the fallback queue rings the console, is answered, and the wallboard follows it', async () => {
    await registered();
    await operator.getByRole('button', { name: 'Sẵn sàng' }).click();
    await expect.poll(() => operator.getByTestId('agent-state').textContent()).toBe('Sẵn sàng');
    await expect
      .poll(() => wallboardPage.getByTestId('telephony-mode').getAttribute('data-mode'))
      .toBe('normal');
    await wallboardPage.screenshot({ path: '/tmp/recovery-normal.png', fullPage: true });

    const watch = await supervisor.watchWallboard();
    try {
      await expect.poll(() => watch.snapshots.length).toBeGreaterThan(0);
      const beforeStop = watch.snapshots.length;
      await env.hotline.controller.stop();
      const fallback = await pushed(watch, beforeStop, inMode('fallback'));
      await expect
        .poll(() => wallboardPage.getByTestId('telephony-mode').textContent())
        .toContain('Chế độ dự phòng');

      // What the fallback follower's AMI user is sent while the call goes through.
      const ami = await listenToAmi(phone.asterisk.ami);
      const caller = '0902000001';
      const call = placeCitizenCall({
        target: `127.0.0.1:${phone.asterisk.sipPort}`,
        callerNumber: caller,
        keys: '0',
        keyDelayMs: 0,
        firstKeyDelayMs: 1500,
        holdMs: 20_000,
        localPort: await freePort(),
        mediaPort: 16200,
      });

      // The console rings without a screen-pop, labelled as a fallback call.
      const region = operator.getByRole('region', { name: 'Cuộc gọi đến' });
      await region.waitFor({ state: 'visible', timeout: 15_000 });
      await expect.poll(() => operator.getByTestId('call-fallback').isVisible()).toBe(true);
      expect(await operator.getByTestId('call-fallback').textContent()).toContain('dự phòng');
      await expect.poll(() => operator.getByTestId('call-caller').textContent()).toContain(caller);

      // The wallboard shows the caller waiting in the fallback queue.
      await pushed(watch, fallback.index, (s) => s.mode === 'fallback' && s.fallbackQueue?.waiting === 1);
      await expect.poll(() => wallboardPage.getByTestId('fallback-waiting').textContent()).toBe('1');
      await wallboardPage.screenshot({ path: '/tmp/recovery-fallback.png', fullPage: true });

      await region.getByRole('button', { name: 'Trả lời' }).click();
      await expect.poll(packets, { timeout: 15_000 }).toMatchObject({
        sent: expect.toSatisfy((n: number) => n > 50),
        received: expect.toSatisfy((n: number) => n > 50),
      });
      const channels = (await phone.ariGet('/channels')) as { id: string; name: string }[];
      expect(channels).toHaveLength(2);
      for (const channel of channels) {
        const rtp = await phone.rtpPackets(channel.id);
        expect(rtp.received, `${channel.name} received`).toBeGreaterThan(50);
        expect(rtp.sent, `${channel.name} sent`).toBeGreaterThan(50);
      }
      const answered = await pushed(
        watch,
        fallback.index,
        (s) => s.mode === 'fallback' && s.fallbackQueue?.answered === 1 && s.fallbackQueue.waiting === 0,
      );
      expect(answered.snapshot.fallbackQueue).toMatchObject({ waiting: 0, answered: 1, abandoned: 0 });

      // The server restarts mid-talk (its controller with it, back in normal mode): the new
      // process finds the talk among Asterisk's channels and records its end below.
      await env.restartHotline();

      const result = await call;
      expect(result.exitCode, result.errors).toBe(0);
      // Only the queue's events reach it (read = system,agent), not every channel's life.
      ami.close();
      expect(ami.names).toEqual(expect.arrayContaining(['QueueCallerJoin', 'AgentConnect']));
      expect(
        ami.names.filter((name) => ['Newchannel', 'Newstate', 'VarSet', 'Hangup'].includes(name)),
      ).toEqual([]);

      // The fallback call has a complete record: answered by tdv01, ended by the caller (AMI's
      // AgentComplete, which arrives after the caller's BYE and may lack the caller's fields).
      await expect
        .poll(
          async () =>
            (await supervisor.get<ListResponse<CallRecordView>>('/api/calls')).data.find(
              (c) => c.callerNumber === maskPhone(caller),
            )?.endReason,
        )
        .toBe('caller_hung_up');
      const record = (await supervisor.get<ListResponse<CallRecordView>>('/api/calls')).data.find(
        (c) => c.callerNumber === maskPhone(caller),
      );
      expect(record).toMatchObject({
        queue: 'general',
        menuPath: '0',
        operator: { displayName: 'Nguyễn Thị Hoa' },
      });
      expect(record?.answeredAt).not.toBeNull();
      expect(record?.talkSeconds).toBeGreaterThan(0);
    } finally {
      watch.close();
      await env.hotline.controller.start();
    }
    const back = await supervisor.watchWallboard();
    try {
      await pushed(back, 0, inMode('normal'));
    } finally {
      back.close();
    }
  });

  it('Asterisk restart: the wallboard says telephony is down, the controller comes back and a new call is answered', async () => {
    await registered();
    await operator.getByLabel('Tự động trả lời').check();
    await operator.getByRole('button', { name: 'Sẵn sàng' }).click();
    await expect.poll(() => operator.getByTestId('agent-state').textContent()).toBe('Sẵn sàng');

    const watch = await supervisor.watchWallboard();
    let downAfterMs = -1;
    let downAt = 0;
    try {
      await expect.poll(() => watch.snapshots.length).toBeGreaterThan(0);
      const beforeStop = watch.snapshots.length;
      await phone.asterisk.restart(async (stoppedAt) => {
        const down = await pushed(watch, beforeStop, inMode('down'), 5000);
        downAt = down.index;
        downAfterMs = down.at - stoppedAt;
        await expect
          .poll(() => wallboardPage.getByTestId('telephony-mode').textContent())
          .toContain('Mất kết nối tổng đài');
        await wallboardPage.screenshot({ path: '/tmp/recovery-down.png', fullPage: true });
      });
      // Measured from when Asterisk's process had exited; the event socket may close a moment
      // before that, while Asterisk shuts down, so the figure can be slightly negative.
      expect(downAt).toBeGreaterThan(0);
      expect(downAfterMs).toBeLessThan(2000);

      // The controller reconnects by itself and re-creates the queue bridges.
      await pushed(watch, downAt, (s) => s.mode === 'normal' && s.telephonyUp, 20_000);
      await expect
        .poll(async () => ((await phone.ariGet('/bridges')) as { id: string }[]).map((b) => b.id).sort(), {
          timeout: 5000,
        })
        .toEqual(QUEUE_NAMES.map(queueBridgeId).sort());
    } finally {
      watch.close();
    }

    // The softphone registers again and the next call is handled and answered.
    await registered();
    const caller = '0902000002';
    const call = placeCitizenCall({
      target: `127.0.0.1:${phone.asterisk.sipPort}`,
      callerNumber: caller,
      keys: '1',
      keyDelayMs: 1500,
      holdMs: 8000,
      localPort: await freePort(),
      mediaPort: 16300,
    });
    await expect
      .poll(() => operator.getByTestId('agent-state').textContent(), { timeout: 15_000 })
      .toBe('Đang nghe máy');
    const result = await call;
    expect(result.exitCode, result.errors).toBe(0);
    const record = (await supervisor.get<ListResponse<CallRecordView>>('/api/calls')).data.find(
      (c) => c.callerNumber === maskPhone(caller),
    );
    expect(record).toMatchObject({
      queue: 'health',
      menuPath: '1',
      operator: { displayName: 'Nguyễn Thị Hoa' },
    });
    console.log(`[e2e] Asterisk stopped → wallboard says telephony is down: ${downAfterMs} ms`);
  });
});
