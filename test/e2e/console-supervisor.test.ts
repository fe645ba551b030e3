/**
 * The console's recordings, a supervisor giving a callback up, and the wallboard's layout, on a
 * real Asterisk with the console in headless Chromium.
 * - With the hotline closed, a citizen (sipp) leaves an after-hours message. Chromium plays it
 *   from the operator's callback list, the supervisors' calls page (task and call list) and the
 *   detail of a ticket logged from that call. With the hotline open again the citizen calls back:
 *   the screen-pop lists that ticket, and "Nghe ghi âm" under it plays the recording. An agency
 *   liaison asking for it gets 404.
 * - A supervisor gives the task up: the dialog refuses an empty or too short reason in
 *   Vietnamese, then closes it; the row leaves the operator's list and another supervisor's page
 *   live, and the task is given up with the supervisor's words.
 * - With the call controller stopped, the wallboard in "Chế độ dự phòng" fits 1920×1080,
 *   1366×768 and a 1024-pixel laptop: nothing is wider than the screen and the mode banner spans
 *   it. Screenshots go to /tmp/hotline-screens/.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallbackTaskDetail, CallbackTaskView, ListResponse, TicketView } from '../../common/api.ts';
import { WEEKDAYS } from '../../ivr/menu.ts';
import { openAroundTheClock } from '../../scripts/lib/menu-hours.ts';
import { placeCitizenCall } from '../../scripts/lib/sipp.ts';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import { maskPhone } from '../../server/tickets/repository.ts';
import { type ApiSession, apiSession } from '../support/api-session.ts';
import { type E2eHotline, launchChromium, startE2eHotline, type Telephony } from '../support/e2e.ts';

const CITIZEN = '0933444666';
const SCREENS = '/tmp/hotline-screens';

let env: E2eHotline;
let phone: Telephony;
let browser: Browser;
let supervisor: ApiSession;
let menuPath: string;
const menu = JSON.parse(readFileSync('ivr/menu.json', 'utf8'));

function writeMenu(open: boolean): void {
  const weekdays = Object.fromEntries(WEEKDAYS.map((d) => [d, { closed: true }]));
  const hours = open
    ? openAroundTheClock(menu.hours)
    : { ...menu.hours, weekdays, holidayHours: { closed: true } };
  writeFileSync(menuPath, JSON.stringify({ ...menu, hours }));
}

beforeAll(async () => {
  menuPath = join(mkdtempSync(join(tmpdir(), 'hotline-console-')), 'menu.json');
  writeMenu(false);
  env = await startE2eHotline({ name: 'console', telephony: true, env: { HOTLINE_IVR_MENU: menuPath } });
  phone = env.telephony!;
  browser = await launchChromium();
  supervisor = await apiSession(env.hotline.url, 'giamsat');
  mkdirSync(SCREENS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

async function signIn(username: string, landing: string, viewport = { width: 1366, height: 768 }) {
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (err) => console.error(`[${username} page error]`, err));
  await page.goto(`${env.hotline.url}/`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(`**/${landing}`);
  return page;
}

/** A write through the page's own session, as the console sends it (CSRF header from its cookie). */
async function post<T>(page: Page, path: string, body: object): Promise<T> {
  const csrf = (await page.context().cookies()).find((c) => c.name === 'hotline_csrf')?.value ?? '';
  const res = await page.request.post(`${env.hotline.url}${path}`, {
    data: body,
    headers: { 'x-csrf-token': csrf },
  });
  expect(res.status(), await res.text()).toBeLessThan(300);
  return (await res.json()) as T;
}

/**
 * Plays the recording muted (the browser lets a muted player start without a click) and gives
 * its duration: the browser fetched the WAV with the page's session and could decode it.
 */
async function playedSeconds(player: Locator): Promise<number> {
  expect(await player.getAttribute('preload')).toBe('none');
  expect(await player.getAttribute('controls')).not.toBeNull();
  return player.evaluate(async (audio: HTMLAudioElement) => {
    audio.muted = true;
    await audio.play();
    audio.pause();
    return audio.duration;
  });
}

const openTask = async () =>
  (await supervisor.get<ListResponse<CallbackTaskView>>('/api/callbacks?status=open')).data.find(
    (t) => t.callerNumber === maskPhone(CITIZEN),
  );

describe('recordings and callbacks in the console', () => {
  it('plays an after-hours message where operators and supervisors need it, and a supervisor gives the task up', async () => {
    const operator = await signIn('tdv01', 'operator.html');
    await expect
      .poll(() => operator.getByTestId('phone-status').getAttribute('data-registration'), { timeout: 20_000 })
      .toBe('registered');

    const message = await placeCitizenCall({
      target: `127.0.0.1:${phone.asterisk.sipPort}`,
      callerNumber: CITIZEN,
      keys: '',
      keyDelayMs: 0,
      hangup: 'caller',
      // ≈ 17 s of welcome and announcement, then about 8 s of the caller talking after the beep.
      holdMs: 25_000,
    });
    expect(message.exitCode, message.errors).toBe(0);
    await expect.poll(async () => (await openTask())?.recording).not.toBeFalsy();
    const task = (await openTask())!;
    const callId = task.recording!.callId;

    // The operator listens to the message before calling back.
    const operatorRow = operator.locator(`[data-testid=callbacks] tr[data-callback-id="${task.id}"]`);
    await operatorRow.waitFor();
    expect(await playedSeconds(operatorRow.locator('audio.recording'))).toBeGreaterThan(1);

    // Supervisors: the task and today's calls, each with the recording.
    const calls = await signIn('giamsat', 'supervisor.html');
    await calls.goto(`${env.hotline.url}/calls.html`);
    const taskRow = calls.locator(`[data-testid=supervisor-callbacks] tr[data-callback-id="${task.id}"]`);
    await taskRow.waitFor();
    expect(await playedSeconds(taskRow.locator('audio.recording'))).toBeGreaterThan(1);
    const callRow = calls.locator(`[data-testid=calls] tr[data-call-id="${callId}"]`);
    await expect.poll(() => callRow.textContent()).toContain('Để lại lời nhắn ngoài giờ');
    expect(await playedSeconds(callRow.locator('audio.recording'))).toBeGreaterThan(1);
    await calls.screenshot({ path: join(SCREENS, 'calls-1366x768.png'), fullPage: true });

    // A ticket logged from that call: its detail plays the call's recording.
    const ticket = await post<TicketView>(calls, '/api/tickets', {
      callId,
      callerNumber: CITIZEN,
      category: 'health',
      unitCode: '26341', // Xã Cẩm Mỹ
      description: 'Nhờ tổng đài gọi lại về việc tiêm chủng.',
    });
    const tickets = await signIn('giamsat', 'supervisor.html');
    await tickets.goto(`${env.hotline.url}/tickets.html`);
    await tickets
      .getByRole('button', { name: `Xem phiếu ${ticket.trackingCode}` })
      .first()
      .click();
    const detailPlayer = tickets.locator('#detail-body audio.recording');
    await detailPlayer.waitFor();
    expect(await playedSeconds(detailPlayer)).toBeGreaterThan(1);
    await tickets.screenshot({ path: join(SCREENS, 'tickets-detail-1366x768.png') });

    // Not for an agency.
    const liaison = await apiSession(env.hotline.url, 'syt');
    expect((await liaison.getRaw(`/api/calls/${encodeURIComponent(callId)}/recording`)).status).toBe(404);

    // Open again: the citizen calls back and the operator, before answering, hears the earlier call.
    writeMenu(true);
    const admin = await signIn('quantri', 'admin.html');
    await post(admin, '/api/admin/ivr/reload', {});
    await operator.getByRole('button', { name: 'Sẵn sàng' }).click();
    await expect.poll(() => operator.getByTestId('agent-state').textContent()).toBe('Sẵn sàng');
    const again = placeCitizenCall({
      target: `127.0.0.1:${phone.asterisk.sipPort}`,
      callerNumber: CITIZEN,
      keys: '1',
      keyDelayMs: 1500,
      hangup: 'caller',
      holdMs: 14_000,
    });
    const pop = operator.getByRole('region', { name: 'Cuộc gọi đến' });
    await pop.waitFor({ state: 'visible', timeout: 30_000 });
    await pop.getByRole('button', { name: `Nghe ghi âm cuộc gọi của phiếu ${ticket.trackingCode}` }).click();
    const historyPlayer = pop.locator('#call-history audio.recording');
    await historyPlayer.waitFor();
    expect(await playedSeconds(historyPlayer)).toBeGreaterThan(1);
    await operator.screenshot({ path: join(SCREENS, 'operator-pop-history-1366x768.png'), fullPage: true });
    expect((await again).exitCode).toBe(0);

    // Giving up: a reason is required, in Vietnamese; others see the task go.
    const other = await signIn('giamsat', 'supervisor.html');
    await other.goto(`${env.hotline.url}/calls.html`);
    const otherRow = other.locator(`[data-testid=supervisor-callbacks] tr[data-callback-id="${task.id}"]`);
    await otherRow.waitFor();
    await taskRow.getByRole('button', { name: `Dừng gọi lại số ${maskPhone(CITIZEN)}` }).click();
    const dialog = calls.getByRole('dialog', { name: `Dừng gọi lại số ${maskPhone(CITIZEN)}` });
    const submit = dialog.getByRole('button', { name: 'Dừng gọi lại' });
    await submit.click();
    await expect
      .poll(() => dialog.getByRole('alert').textContent())
      .toBe('Vui lòng nhập Lý do dừng gọi lại.');
    await dialog.getByLabel('Lý do dừng gọi lại').fill('ab');
    await submit.click();
    await expect
      .poll(() => dialog.getByRole('alert').textContent())
      .toBe('Lý do dừng gọi lại: cần ít nhất 3 ký tự.');
    await calls.screenshot({ path: join(SCREENS, 'calls-give-up-reason-1366x768.png') });
    expect((await openTask())?.id).toBe(task.id);
    await dialog.getByLabel('Lý do dừng gọi lại').fill('Đã gọi lại qua số máy bàn của xã');
    await submit.click();
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(() => calls.locator('#callbacks-status').textContent())
      .toBe(`Đã dừng gọi lại số ${maskPhone(CITIZEN)}.`);
    await taskRow.waitFor({ state: 'detached' });
    await otherRow.waitFor({ state: 'detached' });
    await operatorRow.waitFor({ state: 'detached' });
    const closed = await supervisor.get<CallbackTaskDetail>(`/api/callbacks/${task.id}`);
    expect(closed).toMatchObject({
      status: 'given_up',
      givenUp: { reason: 'supervisor', note: 'Đã gọi lại qua số máy bàn của xã' },
    });

    await phone.waitUntilClean(15_000);
  });
});

describe('the wallboard on different screens', () => {
  it('in fallback mode, fits 1920×1080, 1366×768 and a narrow laptop', async () => {
    const wallboard = await signIn('giamsat', 'supervisor.html');
    await env.hotline.controller.stop();
    await expect
      .poll(() => wallboard.getByTestId('telephony-mode').getAttribute('data-mode'))
      .toBe('fallback');
    await wallboard.locator('#fallback-table').waitFor();
    for (const [width, height] of [
      [1920, 1080],
      [1366, 768],
      [1024, 700],
    ] as const) {
      await wallboard.setViewportSize({ width, height });
      const layout = await wallboard.evaluate(() => {
        const box = (selector: string) => document.querySelector(selector)!.getBoundingClientRect();
        return {
          viewport: document.documentElement.clientWidth,
          page: document.documentElement.scrollWidth,
          banner: box('[data-testid=telephony-mode]').width,
          fallbackRight: box('#fallback-table').right,
          queuesRight: box('#queues-table').right,
          agentsRight: box('#agents-table').right,
          logoutRight: box('#logout').right,
        };
      });
      const at = `${width}×${height}: ${JSON.stringify(layout)}`;
      expect(layout.page, at).toBeLessThanOrEqual(layout.viewport);
      expect(layout.banner, at).toBe(layout.viewport);
      for (const right of [
        layout.fallbackRight,
        layout.queuesRight,
        layout.agentsRight,
        layout.logoutRight,
      ]) {
        expect(right, at).toBeLessThanOrEqual(layout.viewport);
      }
      await wallboard.screenshot({ path: join(SCREENS, `wallboard-fallback-${width}x${height}.png`) });
    }
    // From 1340 px the operators sit beside the queues, not under them.
    await wallboard.setViewportSize({ width: 1366, height: 768 });
    const [queues, agents] = await Promise.all(
      ['#queues-table', '#agents-table'].map((s) => wallboard.locator(s).boundingBox()),
    );
    expect(agents!.x).toBeGreaterThan(queues!.x + queues!.width);
    await env.hotline.controller.start();
  });
});
