/**
 * The queue callback on the real parts: with no operator ready, two sipp callers wait in `health`,
 * hear the callback offer and press 1 once; the hotline hangs up and keeps their places, which
 * survive a restart of the server (rebuilt from the open tasks). Then tdv01 (headless Chromium)
 * becomes ready: the hotline calls the first citizen back through the
 * trunk, where a sipp phone answers; the citizen hears "Tổng đài 1022 gọi lại…", the operator's
 * console rings with the screen-pop marked as a callback, they talk, and the task ends `reached`
 * by the queue callback. The second citizen's phone answers 486 Busy Here every time: three
 * attempts, spaced by the configured (short) spacing, the operator ready again after each, then
 * the task stays open for a person with the three attempts recorded.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallbackTaskDetail, CallbackTaskView, ListResponse } from '../../common/api.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { startCitizenPhone } from '../../scripts/lib/sipp.ts';
import { type ApiSession, apiSession } from '../support/api-session.ts';
import { callbackTaskOf, takeQueueCallback } from '../support/callbacks.ts';
import { type E2eHotline, launchChromium, logInAs, startE2eHotline, type Telephony } from '../support/e2e.ts';

const ANSWERS = '0911000333';
const BUSY = '0911000444';
const RETRY_SECONDS = 4;

let env: E2eHotline;
let phone: Telephony;
let browser: Browser;
let trunkPort: number;
let supervisor: ApiSession;

beforeAll(async () => {
  trunkPort = await freePort();
  env = await startE2eHotline({
    name: 'queue-callback',
    telephony: true,
    trunkPort,
    env: {
      HOTLINE_CALLBACK_OFFER_AFTER_SECONDS: '2',
      HOTLINE_QUEUE_CALLBACK_RETRY_SECONDS: String(RETRY_SECONDS),
      HOTLINE_QUEUE_CALLBACK_ATTEMPTS: '3',
      HOTLINE_QUEUE_CALLBACK_RING_SECONDS: '10',
      HOTLINE_WRAP_UP_SECONDS: '3',
    },
  });
  phone = env.telephony!;
  browser = await launchChromium();
  supervisor = await apiSession(env.hotline.url, 'giamsat');
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const takeCallback = (callerNumber: string, mediaPort: number) =>
  takeQueueCallback(phone.asterisk.sipPort, callerNumber, mediaPort);

const taskOf = (number: string) =>
  callbackTaskOf((path) => supervisor.get<ListResponse<CallbackTaskView>>(path), number);

const detailOf = (id: number) => supervisor.get<CallbackTaskDetail>(`/api/callbacks/${id}`);
const agentState = (page: Page) => page.getByTestId('agent-state').textContent();

describe('a caller who asks to be called back keeps their place', () => {
  it('is called back when it comes, reached; a busy citizen gets three spaced attempts, then a person', async () => {
    // Nobody is ready: both callers wait, hear the offer, press 1 once; the hotline hangs up.
    const first = takeCallback(ANSWERS, 16000);
    await new Promise((r) => setTimeout(r, 1000));
    const second = takeCallback(BUSY, 16100);
    for (const result of await Promise.all([first, second])) expect(result.exitCode, result.errors).toBe(0);
    await expect
      .poll(() => taskOf(ANSWERS), { timeout: 5000 })
      .toMatchObject({ source: 'offer', status: 'open', heldInQueue: true, attempts: 0 });
    const answers = (await taskOf(ANSWERS))!;
    const busy = (await taskOf(BUSY))!;
    expect(busy).toMatchObject({ source: 'offer', status: 'open', heldInQueue: true });
    // The kept place is the hotline's to dial: no operator can claim it meanwhile.
    expect(Date.parse(answers.waitingSince)).toBeLessThan(Date.parse(busy.waitingSince));
    await phone.waitUntilClean(10_000);

    // The server restarts: the places are rebuilt from the open tasks, in their order.
    await env.restartHotline();
    supervisor = await apiSession(env.hotline.url, 'giamsat');
    expect(await taskOf(ANSWERS)).toMatchObject({ status: 'open', heldInQueue: true, attempts: 0 });

    const page = await browser.newPage();
    page.on('pageerror', (err) => console.error('[console page error]', err));
    await logInAs(page, env.hotline.url, 'tdv01');
    await expect
      .poll(() => page.getByTestId('phone-status').getAttribute('data-registration'), { timeout: 15_000 })
      .toBe('registered');

    // (a) The operator becomes ready: the first place is served; the citizen's phone answers.
    const citizen = startCitizenPhone({ port: trunkPort, answer: 'answer', ringMs: 500, holdMs: 40_000 });
    const readyAt = performance.now();
    await page.getByRole('button', { name: 'Sẵn sàng' }).click();
    const pop = page.getByRole('region', { name: 'Cuộc gọi đến' });
    await pop.waitFor({ state: 'visible', timeout: 20_000 });
    const poppedMs = performance.now() - readyAt;
    await expect.poll(() => page.getByTestId('call-caller').textContent()).toContain(ANSWERS);
    await expect.poll(() => pop.textContent()).toContain('Y tế');
    await expect.poll(() => pop.textContent()).toContain('Tổng đài gọi lại theo yêu cầu');
    expect(await page.locator('#call-history').isVisible()).toBe(true);
    // The citizen heard the callback greeting before the operator rang.
    const called = phone.observer.channel((c) => c.id.startsWith('qcb-'));
    expect(called.media).toContain('sound:hotline/vi/callbackGreeting');
    await pop.getByRole('button', { name: 'Trả lời' }).click();
    await expect.poll(() => agentState(page), { timeout: 10_000 }).toBe('Đang nghe máy');
    await expect
      .poll(() => taskOf(ANSWERS), { timeout: 5000 })
      .toMatchObject({ status: 'reached', reachedBy: 'queue_callback', attempts: 1, heldInQueue: false });
    await page.locator('#hangup').click();
    const talked = await citizen.done;
    expect(talked.exitCode, talked.errors).toBe(0);
    const reached = await detailOf(answers.id);
    expect(reached.history.map((a) => [a.kind, a.operator.displayName, a.outcome])).toEqual([
      ['queue', 'Nguyễn Thị Hoa', 'reached'],
    ]);

    // (b) The next place: the citizen's phone is busy, three times, spaced; the operator stays ready.
    const attemptTimes: number[] = [];
    for (let n = 1; n <= 3; n++) {
      const busyPhone = startCitizenPhone({ port: trunkPort, answer: 'busy' });
      const refused = await busyPhone.done;
      expect(refused.exitCode, refused.errors).toBe(0);
      attemptTimes.push(Date.now());
      await expect
        .poll(async () => (await detailOf(busy.id)).history.filter((a) => a.outcome === 'busy').length, {
          timeout: 5000,
        })
        .toBe(n);
      // Not a missed call: ready again at once (no "Tạm nghỉ: Không trả lời cuộc gọi").
      await expect.poll(() => agentState(page), { timeout: 5000 }).toBe('Sẵn sàng');
    }
    const gaps = attemptTimes.slice(1).map((t, i) => (t - (attemptTimes[i] ?? 0)) / 1000);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(RETRY_SECONDS - 0.5);
    await expect
      .poll(() => taskOf(BUSY), { timeout: 5000 })
      .toMatchObject({
        status: 'open',
        attempts: 3,
        queueAttempts: 3,
        heldInQueue: false,
        nextAttemptAt: null,
      });
    const left = await detailOf(busy.id);
    expect(left.history.map((a) => [a.kind, a.outcome])).toEqual([
      ['queue', 'busy'],
      ['queue', 'busy'],
      ['queue', 'busy'],
    ]);
    // Left to a person: it is in the console's callback list with a "Gọi lại" button.
    const row = page.locator(`tr[data-callback-id="${busy.id}"]`);
    await row.waitFor({ timeout: 5000 });
    expect(await row.getByRole('button', { name: 'Gọi lại' }).count()).toBe(1);
    // Nothing is dialled any more.
    await new Promise((r) => setTimeout(r, (RETRY_SECONDS + 1) * 1000));
    expect((await detailOf(busy.id)).history).toHaveLength(3);
    await phone.waitUntilClean(10_000);

    console.log(
      `[e2e] ready → callback screen-pop: ${Math.round(poppedMs)} ms; busy attempts ${gaps.map((g) => `${g.toFixed(1)} s`).join(', ')} apart`,
    );
  });
});
