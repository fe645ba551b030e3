/**
 * The TV wallboard and the settings page on the real parts (Asterisk, sipp callers, the console
 * in headless Chromium):
 * - an admin sets the TV's thresholds on the settings page (a red threshold below the amber one
 *   is refused, in Vietnamese, under the form); the TV shows nobody waiting, in normal colours;
 * - callers wait with no operator ready: "Đang chờ" turns amber at 1 and red at 2, "Chờ lâu
 *   nhất" counts up second by second and turns amber at 3 s and red at 6 s, each with its word
 *   beside the colour; an admin's new thresholds re-colour the open TV without a reload;
 * - a caller hangs up waiting ("Bỏ máy" turns amber); an operator becomes ready and answers the
 *   other: the waiting figures drop back to 0 in normal colours, "Đã trả lời" and "Đang nghe
 *   máy" count the call;
 * - with the call controller stopped, the fallback banner and queue show and the board still
 *   fits 1920×1080;
 * - while the server restarts the TV says its figures may be stale, and reconnects by itself;
 * - the settings page's other forms save on their own, with the server's answer shown.
 * With HOTLINE_SCREENSHOTS=1 the TV (1920×1080) with callers waiting is saved to
 * docs/screenshots/wallboard-tv.png.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotlineSettings } from '../../common/api.ts';
import { type ApiSession, apiSession } from '../support/api-session.ts';
import { dialHotline } from '../support/calls.ts';
import {
  type E2eHotline,
  launchChromium,
  logInAs,
  signedInPage,
  startE2eHotline,
  type Telephony,
} from '../support/e2e.ts';

const SCREENSHOT = fileURLToPath(new URL('../../docs/screenshots/wallboard-tv.png', import.meta.url));
const WAITS_FOR_AN_OPERATOR = '0911220001';
const GIVES_UP = '0911220002';

let env: E2eHotline;
let phone: Telephony;
let browser: Browser;
let supervisor: ApiSession;

beforeAll(async () => {
  env = await startE2eHotline({ name: 'wallboard-tv', telephony: true });
  phone = env.telephony!;
  browser = await launchChromium();
  supervisor = await apiSession(env.hotline.url, 'giamsat');
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

async function settingsPage(): Promise<Page> {
  const page = await signedInPage(browser, env.hotline.url, 'quantri', 'admin.html');
  await page.getByRole('link', { name: 'Cài đặt' }).click();
  await page.waitForURL('**/admin-settings.html');
  await expect.poll(() => page.locator('#wallboard-form button[type=submit]').isEnabled()).toBe(true);
  return page;
}

/** Fills one figure's thresholds on the settings page. */
async function setThreshold(page: Page, figure: string, amber: number, red: number): Promise<void> {
  const group = page.getByRole('group', { name: figure });
  await group.getByLabel('Ngưỡng vàng').fill(String(amber));
  await group.getByLabel('Ngưỡng đỏ').fill(String(red));
}

async function saveThresholds(page: Page): Promise<void> {
  const form = page.locator('#wallboard-form');
  await form.getByRole('button', { name: 'Lưu' }).click();
  await expect
    .poll(() => form.getByRole('status').textContent())
    .toBe('Đã lưu ngưỡng màu. Các màn hình TV đang mở đổi màu ngay.');
}

/** A figure on the TV: its text, its colour level and the word beside it. */
const figure = (tile: Locator) => ({
  value: () => tile.locator('.tile-value').textContent(),
  level: () => tile.getAttribute('data-level'),
  cue: () => tile.locator('.tile-cue').textContent(),
});

const seconds = (text: string | null) => {
  const [m, s] = (text ?? '').split(':').map(Number);
  return (m ?? Number.NaN) * 60 + (s ?? Number.NaN);
};

describe('the TV wallboard', () => {
  it('colours the figures by the admin’s thresholds as callers wait, takes new ones live and drops back when an operator answers', async () => {
    const admin = await settingsPage();
    // A red threshold below the amber one: the server's refusal shows under the form.
    await setThreshold(admin, 'Đang chờ (số người, cả tổng đài)', 3, 2);
    await admin.locator('#wallboard-form').getByRole('button', { name: 'Lưu' }).click();
    await expect
      .poll(() => admin.locator('#wallboard-form').getByRole('alert').textContent())
      .toBe('Ngưỡng đỏ của "Đang chờ" phải lớn hơn hoặc bằng ngưỡng vàng.');
    await setThreshold(admin, 'Đang chờ (số người, cả tổng đài)', 1, 2);
    await setThreshold(admin, 'Chờ lâu nhất (giây)', 3, 6);
    await setThreshold(admin, 'Bỏ máy trong ngày (cuộc)', 1, 3);
    await saveThresholds(admin);
    expect(await admin.locator('#wallboard-error').isHidden()).toBe(true);
    const saved = (await supervisor.get<{ data: HotlineSettings }>('/api/settings')).data.wallboard;
    expect(saved).toMatchObject({
      waiting: { amber: 1, red: 2 },
      longestWaitSeconds: { amber: 3, red: 6 },
      abandoned: { amber: 1, red: 3 },
    });

    // The TV, as a supervisor opens it on a 1080p screen.
    const context = await browser.newContext({
      viewport: { width: 1920, height: 1080 },
      locale: 'vi-VN',
      timezoneId: 'Asia/Ho_Chi_Minh',
    });
    const tv = await context.newPage();
    tv.on('pageerror', (err) => console.error('[tv page error]', err));
    await logInAs(tv, env.hotline.url, 'giamsat', 'supervisor.html');
    await tv.goto(`${env.hotline.url}/wallboard.html`);
    await tv.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    const waiting = figure(tv.getByTestId('tv-waiting'));
    const longest = figure(tv.getByTestId('tv-longest-wait'));
    const abandoned = figure(tv.getByTestId('tv-abandoned'));
    const answered = figure(tv.getByTestId('tv-answered'));
    const generalRow = tv.locator('[data-testid=tv-queues] tr[data-queue="general"]');
    await expect.poll(() => tv.locator('#tv-status').textContent()).toMatch(/^Cập nhật lúc /);
    expect(await waiting.value()).toBe('0');
    expect(await waiting.level()).toBe('normal');
    expect(await longest.value()).toBe('0:00');
    expect(await longest.level()).toBe('normal');
    expect(await waiting.cue()).toBe('');
    await expect.poll(() => tv.locator('#tile-waiting .tile-note').textContent()).toBe('Vàng từ 1 · Đỏ từ 2');
    // Nothing is off the screen, and nothing scrolls.
    const layout = await tv.evaluate(() => ({
      width: document.documentElement.scrollWidth,
      height: document.documentElement.scrollHeight,
      boardBottom: document.getElementById('tv-board')!.getBoundingClientRect().bottom,
    }));
    expect(layout).toMatchObject({ width: 1920, height: 1080 });
    expect(layout.boardBottom).toBeLessThanOrEqual(1080);

    // An operator signs in.
    const operator = await signedInPage(browser, env.hotline.url, 'tdv01', 'operator.html');
    await expect
      .poll(() => operator.getByTestId('phone-status').getAttribute('data-registration'), { timeout: 20_000 })
      .toBe('registered');
    // Until they choose a state they are offline: off the wall.
    expect(await tv.locator('#agents-ready').textContent()).toBe('0');
    expect(await tv.locator('#agents-on-call').textContent()).toBe('0');

    // A caller waits for an operator: one waiting is amber.
    const first = dialHotline(phone, WAITS_FOR_AN_OPERATOR, {
      keys: '0',
      firstKeyDelayMs: 2500,
      hangup: 'hotline',
      holdMs: 120_000,
      mediaPort: 16100,
    });
    await expect.poll(() => waiting.value(), { timeout: 30_000 }).toBe('1');
    expect(await waiting.level()).toBe('amber');
    expect(await waiting.cue()).toBe('▲ Chú ý');
    expect(await generalRow.locator('td').first().getAttribute('data-level')).toBe('amber');

    // The longest wait counts up second by second, amber from 3 s, red from 6 s.
    await expect.poll(() => longest.level(), { timeout: 10_000 }).toBe('amber');
    expect(seconds(await longest.value())).toBeGreaterThanOrEqual(3);
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      samples.push(seconds(await longest.value()));
      await tv.waitForTimeout(1000);
    }
    samples.push(seconds(await longest.value()));
    for (let i = 1; i < samples.length; i++) {
      const step = samples[i]! - samples[i - 1]!;
      expect(step, `samples ${samples.join(', ')}`).toBeGreaterThanOrEqual(1);
      expect(step, `samples ${samples.join(', ')}`).toBeLessThanOrEqual(2);
    }
    await expect.poll(() => longest.level(), { timeout: 10_000 }).toBe('red');
    expect(seconds(await longest.value())).toBeGreaterThanOrEqual(6);
    expect(await longest.cue()).toBe('■ Báo động');

    // A second caller: two waiting is red.
    const second = dialHotline(phone, GIVES_UP, {
      keys: '0',
      firstKeyDelayMs: 2500,
      hangup: 'caller',
      holdMs: 14_000,
      mediaPort: 16200,
    });
    await expect.poll(() => waiting.value(), { timeout: 30_000 }).toBe('2');
    expect(await waiting.level()).toBe('red');
    expect(await waiting.cue()).toBe('■ Báo động');

    // The admin raises the waiting thresholds: the open TV re-colours without reloading.
    await setThreshold(admin, 'Đang chờ (số người, cả tổng đài)', 2, 4);
    await saveThresholds(admin);
    await expect.poll(() => waiting.level(), { timeout: 5000 }).toBe('amber');
    expect(await waiting.value()).toBe('2');
    expect(await waiting.cue()).toBe('▲ Chú ý');
    expect(await tv.locator('#tile-waiting .tile-note').textContent()).toBe('Vàng từ 2 · Đỏ từ 4');
    expect(await longest.level()).toBe('red');
    expect(await tv.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
      true,
    );
    if (process.env.HOTLINE_SCREENSHOTS === '1') {
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await tv.screenshot({ path: SCREENSHOT });
    }

    // The second caller gives up: one waiting is normal now, one abandoned call is amber.
    const gaveUp = await second;
    expect(gaveUp.exitCode, gaveUp.errors).toBe(0);
    await expect.poll(() => abandoned.value(), { timeout: 10_000 }).toBe('1');
    expect(await abandoned.level()).toBe('amber');
    expect(await abandoned.cue()).toBe('▲ Chú ý');
    await expect.poll(() => waiting.value()).toBe('1');
    expect(await waiting.level()).toBe('normal');

    // The operator becomes ready and answers: the waiting figures drop back.
    await operator.getByLabel('Tự động trả lời').check();
    await operator.getByRole('button', { name: 'Sẵn sàng' }).click();
    await expect.poll(() => answered.value(), { timeout: 30_000 }).toBe('1');
    await expect.poll(() => waiting.value()).toBe('0');
    expect(await waiting.level()).toBe('normal');
    await expect.poll(() => longest.value()).toBe('0:00');
    expect(await longest.level()).toBe('normal');
    expect(await longest.cue()).toBe('');
    await expect.poll(() => tv.locator('#agents-on-call').textContent()).toBe('1');
    expect(await tv.locator('#agents-not-ready').textContent()).toBe('0');
    // Still counting nothing a few seconds later: nobody waits.
    await tv.waitForTimeout(1500);
    expect(await longest.value()).toBe('0:00');

    await operator.getByRole('button', { name: 'Kết thúc' }).click();
    const talked = await first;
    expect(talked.exitCode, talked.errors).toBe(0);
    await phone.waitUntilClean(15_000);

    // The call controller stops: the mode banner and the exchange's fallback queue show, and the
    // board still fits the screen.
    await env.hotline.controller.stop();
    try {
      const mode = tv.getByTestId('telephony-mode');
      await expect.poll(() => mode.getAttribute('data-mode')).toBe('fallback');
      expect(await mode.textContent()).toContain('Chế độ dự phòng');
      expect(await mode.isVisible()).toBe(true);
      await tv.locator('[data-testid=tv-queues] tr[data-queue="fallback"]').waitFor();
      const fallbackLayout = await tv.evaluate(() => ({
        width: document.documentElement.scrollWidth,
        height: document.documentElement.scrollHeight,
        boardBottom: document.getElementById('tv-board')!.getBoundingClientRect().bottom,
      }));
      expect(fallbackLayout).toMatchObject({ width: 1920, height: 1080 });
      expect(fallbackLayout.boardBottom).toBeLessThanOrEqual(1080);
    } finally {
      await env.hotline.controller.start();
    }
    await context.close();
  });

  it('says the connection is lost while the server restarts, then reconnects by itself', async () => {
    const tv = await signedInPage(browser, env.hotline.url, 'giamsat', 'supervisor.html', {
      width: 1920,
      height: 1080,
    });
    await tv.goto(`${env.hotline.url}/wallboard.html`);
    await expect.poll(() => tv.locator('#tv-status').textContent()).toMatch(/^Cập nhật lúc /);
    const link = tv.locator('#tv-link');
    const board = tv.locator('#tv-board');
    expect(await link.isVisible()).toBe(false);

    const restarted = env.restartHotline();
    await expect.poll(() => link.isVisible()).toBe(true);
    expect(await link.textContent()).toBe('Mất kết nối máy chủ: số liệu có thể đã cũ, đang kết nối lại…');
    expect(await board.getAttribute('class')).toContain('stale');
    await restarted;
    await expect.poll(() => link.isVisible(), { timeout: 20_000 }).toBe(false);
    expect(await board.getAttribute('class')).not.toContain('stale');
    // A fresh snapshot from the new server, with today's call still counted.
    await expect.poll(() => figure(tv.getByTestId('tv-answered')).value()).toBe('1');
    expect(await figure(tv.getByTestId('tv-waiting')).value()).toBe('0');
    expect(tv.url()).toBe(`${env.hotline.url}/wallboard.html`);
    await tv.context().close();
  });
});

describe('the settings page', () => {
  it('saves the coaching and report sections on their own, with the server’s answer under each form', async () => {
    const admin = await settingsPage();
    const report = admin.locator('#report-form');
    await report
      .getByLabel('Người nhận (mỗi dòng một địa chỉ thư điện tử)')
      .fill('to-giam-sat@example.org\nkhong-hop-le');
    await report.getByLabel('Gửi báo cáo ngày hôm trước vào mỗi buổi sáng').check();
    await report.getByRole('button', { name: 'Lưu' }).click();
    await expect
      .poll(() => report.getByRole('alert').textContent())
      .toBe('Địa chỉ thư "khong-hop-le" không hợp lệ.');
    await report
      .getByLabel('Người nhận (mỗi dòng một địa chỉ thư điện tử)')
      .fill('  To-Giam-Sat@Example.org \n\nlanh-dao@example.org');
    await report.getByLabel('Giờ gửi (giờ Việt Nam)').fill('06:30');
    await report.getByRole('button', { name: 'Lưu' }).click();
    await expect
      .poll(() => report.getByRole('status').textContent())
      .toBe('Đã lưu lịch gửi báo cáo định kỳ.');
    expect(await report.getByRole('alert').isHidden()).toBe(true);
    // The form shows what the server kept.
    expect(await report.getByLabel('Người nhận (mỗi dòng một địa chỉ thư điện tử)').inputValue()).toBe(
      'to-giam-sat@example.org\nlanh-dao@example.org',
    );

    const coaching = admin.locator('#coaching-form');
    await coaching.getByLabel('Cả khi giám sát viên chỉ nghe').check();
    await coaching.getByRole('button', { name: 'Lưu' }).click();
    await expect
      .poll(() => coaching.getByRole('status').textContent())
      .toBe('Đã lưu cài đặt giám sát cuộc gọi.');

    const saved = (await supervisor.get<{ data: HotlineSettings }>('/api/settings')).data;
    expect(saved.coaching).toEqual({ operatorSees: 'always' });
    expect(saved.reportSchedule).toEqual({
      recipients: ['to-giam-sat@example.org', 'lanh-dao@example.org'],
      daily: true,
      weekly: false,
      sendAt: '06:30',
    });
    // A reload shows the saved values.
    await admin.reload();
    await expect.poll(() => coaching.getByLabel('Cả khi giám sát viên chỉ nghe').isChecked()).toBe(true);
    expect(await report.getByLabel('Giờ gửi (giờ Việt Nam)').inputValue()).toBe('06:30');
  });
});
