/**
 * Calling a citizen back, on the real parts: a caller hangs up while waiting (sipp on a real
 * Asterisk), the task appears in tdv01's console (headless Chromium); "Gọi lại" dials the citizen
 * from the browser softphone through the trunk, where a sipp phone plays the citizen. Answered:
 * the task is reached. A second citizen's phone answers 486 Busy Here: the attempt is recorded as
 * busy and the task stays open with one attempt.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallbackTaskDetail, CallbackTaskView, ListResponse } from '../../common/api.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { placeCitizenCall, startCitizenPhone } from '../../scripts/lib/sipp.ts';
import { maskPhone } from '../../server/tickets/repository.ts';
import { type ApiSession, apiSession } from '../support/api-session.ts';
import { callbackTaskOf } from '../support/callbacks.ts';
import { type E2eHotline, launchChromium, logInAs, startE2eHotline, type Telephony } from '../support/e2e.ts';

const ANSWERS = '0911000111';
const BUSY = '0911000222';

let env: E2eHotline;
let phone: Telephony;
let browser: Browser;
let trunkPort: number;
let supervisor: ApiSession;

beforeAll(async () => {
  trunkPort = await freePort();
  env = await startE2eHotline({ name: 'callback', telephony: true, trunkPort });
  phone = env.telephony!;
  browser = await launchChromium();
  supervisor = await apiSession(env.hotline.url, 'giamsat');
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const abandon = (callerNumber: string) =>
  placeCitizenCall({
    target: `127.0.0.1:${phone.asterisk.sipPort}`,
    callerNumber,
    keys: '1',
    keyDelayMs: 1500,
    hangup: 'caller',
    holdMs: 5000,
  });

const taskOf = (number: string) =>
  callbackTaskOf((path) => supervisor.get<ListResponse<CallbackTaskView>>(path), number);

async function logIn(page: Page) {
  await logInAs(page, env.hotline.url, 'tdv01');
  await expect
    .poll(() => page.getByTestId('phone-status').getAttribute('data-registration'), { timeout: 15_000 })
    .toBe('registered');
}

describe('calling back a citizen who hung up while waiting', () => {
  it('reaches one citizen, records another as busy, from the operator console', async () => {
    const page = await browser.newPage();
    page.on('pageerror', (err) => console.error('[console page error]', err));
    await logIn(page);

    // A caller gives up waiting: the task appears in the console, pushed live.
    const first = await abandon(ANSWERS);
    expect(first.exitCode, first.errors).toBe(0);
    try {
      await expect
        .poll(() => taskOf(ANSWERS), { timeout: 5000 })
        .toMatchObject({ source: 'abandoned', status: 'open' });
    } catch (err) {
      console.error('[e2e] call records', JSON.stringify(await supervisor.get('/api/calls')));
      throw err;
    }
    const answers = (await taskOf(ANSWERS))!;
    const answersRow = page.locator(`tr[data-callback-id="${answers.id}"]`);
    await answersRow.waitFor({ timeout: 5000 });
    // The list shows the number masked; the claim hands the softphone the full one.
    expect(await answersRow.textContent()).toContain(maskPhone(ANSWERS));
    expect(await answersRow.textContent()).toContain('Bỏ máy khi chờ');

    const second = await abandon(BUSY);
    expect(second.exitCode, second.errors).toBe(0);
    await expect.poll(() => taskOf(BUSY)).toBeDefined();
    const busy = (await taskOf(BUSY))!;
    const busyRow = page.locator(`tr[data-callback-id="${busy.id}"]`);
    await busyRow.waitFor({ timeout: 5000 });
    await page.locator('#callbacks').screenshot({ path: '/tmp/callbacks-list.png' });

    // (a) The citizen answers: the task is reached; the operator hangs up.
    const citizen = startCitizenPhone({ port: trunkPort, answer: 'answer', ringMs: 500, holdMs: 20_000 });
    const dialledAt = performance.now();
    await answersRow.getByRole('button', { name: 'Gọi lại' }).click();
    await expect
      .poll(() => taskOf(ANSWERS), { timeout: 15_000 })
      .toMatchObject({ status: 'reached', attempts: 1 });
    const reachedMs = performance.now() - dialledAt;
    await expect.poll(() => page.getByTestId('agent-state').textContent()).toBe('Tạm nghỉ: Gọi lại cho dân');
    await expect.poll(() => answersRow.count()).toBe(0);
    await page.locator('#callback-hangup').click();
    const answered = await citizen.done;
    expect(answered.exitCode, answered.errors).toBe(0);
    const detail = await supervisor.get<CallbackTaskDetail>(`/api/callbacks/${answers.id}`);
    expect(detail.history.map((a) => [a.operator.displayName, a.outcome])).toEqual([
      ['Nguyễn Thị Hoa', 'reached'],
    ]);
    await phone.waitUntilClean(10_000);

    // (b) The citizen's phone is busy: one attempt, busy, and the task stays open.
    const busyPhone = startCitizenPhone({ port: trunkPort, answer: 'busy' });
    await busyRow.getByRole('button', { name: 'Gọi lại' }).click();
    const refused = await busyPhone.done;
    expect(refused.exitCode, refused.errors).toBe(0);
    await expect
      .poll(async () =>
        (await supervisor.get<CallbackTaskDetail>(`/api/callbacks/${busy.id}`)).history.map((a) => a.outcome),
      )
      .toEqual(['busy']);
    expect(await taskOf(BUSY)).toMatchObject({ status: 'open', attempts: 1, claimedBy: null });
    await expect.poll(() => busyRow.locator('[data-attempts]').getAttribute('data-attempts')).toBe('1');
    expect(await busyRow.textContent()).toContain('Gọi lại lúc');
    await page.locator('#callbacks').screenshot({ path: '/tmp/callbacks-after-busy.png' });
    await phone.waitUntilClean(10_000);

    console.log(`[e2e] "Gọi lại" clicked → task reached: ${Math.round(reachedMs)} ms`);
  });
});
