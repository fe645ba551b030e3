/**
 * Calls and written requests at one desk, on the real parts: sipp calls 1022 on a real Asterisk,
 * two operators in headless Chromium. A written request that comes in while the only ready
 * operator is talking is not given to them (it waits, without a ring); a second operator who
 * becomes ready gets it at once; a request that comes while everyone is busy or full waits through
 * the call and its wrap-up and goes to the first operator once they are ready again; their panel
 * shows it under "Việc của tôi", and "Mở" fills the ticket form with the citizen's contacts.
 *
 * Runs inside the network namespace that scripts/e2e.sh creates.
 */
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeCitizenCall } from '../../scripts/lib/sipp.ts';
import { users } from '../../server/auth/schema.ts';
import { writtenRequests } from '../../server/intake/schema.ts';
import { takeIn } from '../../server/intake/service.ts';
import { zaloConversations } from '../../server/zalo/schema.ts';
import {
  type E2eHotline,
  launchChromium,
  signedInPage,
  startE2eHotline,
  type Telephony,
} from '../support/e2e.ts';
import { jpegWithGps } from '../support/photos.ts';

const CALLER = '0987123456';

let env: E2eHotline;
let phone: Telephony;
let browser: Browser;

beforeAll(async () => {
  env = await startE2eHotline({
    name: 'desk',
    telephony: true,
    // One written task each, so the second request has to wait for the operator on the call.
    env: { HOTLINE_WRAP_UP_SECONDS: '5', HOTLINE_DESK_WRITTEN_TASKS: '1' },
  });
  phone = env.telephony!;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const userId = (username: string) =>
  env.hotline.db.select({ id: users.id }).from(users).where(eq(users.username, username)).get()!.id;

const holderOf = (requestId: number) =>
  env.hotline.db.select().from(writtenRequests).where(eq(writtenRequests.id, requestId)).get()?.takenBy ??
  null;

/** A web request; with the caller's number it is the same citizen (a day's repeat would join, so one only). */
function writeIn(description: string, number: string | null = null): { id: number; code: string } {
  const { request } = takeIn(
    env.hotline.db,
    { channel: 'web', description, phone: number, phoneVerified: number !== null },
    { now: new Date() },
  );
  return { id: request.id, code: request.trackingCode };
}

const stateOf = (page: Page) => page.getByTestId('agent-state').textContent();
const mine = (page: Page) => page.getByTestId('desk-mine');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function operator(username: string): Promise<Page> {
  const page = await signedInPage(browser, env.hotline.url, username, 'operator.html');
  await expect
    .poll(() => page.getByTestId('phone-status').getAttribute('data-registration'), { timeout: 45_000 })
    .toBe('registered');
  return page;
}

async function ready(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sẵn sàng' }).click();
  await expect.poll(() => stateOf(page), { timeout: 10_000 }).toBe('Sẵn sàng');
}

describe('one desk for calls and written requests', () => {
  it('never gives a written task to an operator on a call; gives it after the wrap-up', async () => {
    const hoa = await operator('tdv01');
    const bao = await operator('tdv04');
    await ready(hoa);

    const call = placeCitizenCall({
      target: `127.0.0.1:${phone.asterisk.sipPort}`,
      callerNumber: CALLER,
      keys: '1',
      keyDelayMs: 1500,
      hangup: 'hotline',
      holdMs: 90_000,
    });
    const pop = hoa.getByRole('region', { name: 'Cuộc gọi đến' });
    await pop.waitFor({ state: 'visible', timeout: 30_000 });
    await pop.getByRole('button', { name: 'Trả lời' }).click();
    await expect.poll(() => stateOf(hoa), { timeout: 10_000 }).toBe('Đang nghe máy');

    // A request while the only ready operator talks: it waits; nothing rings or changes for her.
    const first = writeIn('Đèn đường hỏng cả dãy phố, tối không có đèn.');
    await sleep(3000);
    expect(holderOf(first.id)).toBeNull();
    expect(await stateOf(hoa)).toBe('Đang nghe máy');
    expect(await mine(hoa).getByRole('heading').textContent()).toBe('Việc của tôi (0/1)');
    expect(await mine(hoa).textContent()).not.toContain(first.code);

    // A second operator becomes ready: the waiting request is theirs at once.
    const readyAt = performance.now();
    await ready(bao);
    await expect.poll(() => mine(bao).textContent(), { timeout: 5000 }).toContain(first.code);
    const givenMs = Math.round(performance.now() - readyAt);
    expect(holderOf(first.id)).toBe(userId('tdv04'));
    expect(await mine(bao).getByRole('heading').textContent()).toBe('Việc của tôi (1/1)');

    // Another request while tdv04 is full and tdv01 talks: it waits through the call…
    const second = writeIn('Rác thải ùn ứ ở đầu hẻm 12 đã ba ngày.', CALLER);
    await sleep(3000);
    expect(holderOf(second.id)).toBeNull();
    // …and through the wrap-up…
    await hoa.getByRole('button', { name: 'Kết thúc' }).click();
    await expect.poll(() => stateOf(hoa), { timeout: 10_000 }).toBe('Xử lý sau cuộc gọi');
    expect(holderOf(second.id)).toBeNull();
    const result = await call;
    expect(result.exitCode, result.errors).toBe(0);
    // …and is hers once she is ready again.
    await expect.poll(() => stateOf(hoa), { timeout: 15_000 }).toBe('Sẵn sàng');
    await expect.poll(() => mine(hoa).textContent(), { timeout: 5000 }).toContain(second.code);
    expect(holderOf(second.id)).toBe(userId('tdv01'));
    await phone.waitUntilClean(10_000);

    // "Mở" fills the ticket form from it, with the citizen's call and request in the history.
    await mine(hoa)
      .getByRole('button', { name: `Mở phản ánh ${second.code}` })
      .click();
    await expect.poll(() => hoa.getByLabel('Nội dung').inputValue()).toContain('Rác thải ùn ứ');
    const contacts = hoa.getByTestId('contact-history');
    await expect.poll(() => contacts.textContent()).toContain('Cuộc gọi');
    await expect.poll(() => contacts.textContent()).toContain(second.code);
    await expect
      .poll(() => mine(hoa).locator(`[data-code="${second.code}"]`).getAttribute('data-opened'))
      .toBe('true');
    console.log(`[e2e] written task shown to the operator who became ready after ${givenMs} ms`);
  });

  it('turns a Zalo conversation into a ticket form with its photo, place and number in one click', async () => {
    const at = new Date();
    const zaloPhone = '0978111222';
    env.hotline.db
      .insert(zaloConversations)
      .values({
        zaloUserId: 'zu-e2e',
        displayName: 'Lê Văn Tư',
        phone: zaloPhone,
        lastCitizenAt: at,
        lastMessageAt: at,
        createdAt: at,
      })
      .run();
    const { request } = takeIn(
      env.hotline.db,
      {
        channel: 'zalo',
        description: 'Cây xanh gãy đổ chắn lối đi trước trường học.',
        zaloUserId: 'zu-e2e',
        phone: zaloPhone,
        latitude: 10.95312,
        longitude: 106.84291,
        photos: [{ mime: 'image/jpeg', width: 64, height: 48, data: await jpegWithGps(64, 48) }],
      },
      { now: at },
    );
    env.hotline.db
      .update(zaloConversations)
      .set({ requestId: request.id })
      .where(eq(zaloConversations.zaloUserId, 'zu-e2e'))
      .run();

    const page = await operator('tdv02');
    await page.goto(`${env.hotline.url}/zalo.html`);
    await page.locator('[data-zalo-user="zu-e2e"]').click();
    await page.getByRole('link', { name: `Tạo phiếu từ phản ánh ${request.trackingCode}` }).click();
    await page.waitForURL('**/operator.html?writtenRequest=*');

    await expect.poll(() => page.getByLabel('Nội dung').inputValue()).toContain('Cây xanh gãy đổ');
    expect(await page.getByLabel('Số điện thoại').inputValue()).toBe(zaloPhone);
    const attachments = page.getByTestId('form-attachments');
    await expect.poll(() => attachments.locator('img').count()).toBe(1);
    expect(await attachments.textContent()).toContain('10.95312, 106.84291');
    await expect
      .poll(() => page.getByTestId('contact-history').textContent())
      .toContain(request.trackingCode);
    // Taken by the operator who clicked, so nobody else starts on it.
    expect(holderOf(request.id)).toBe(userId('tdv02'));

    // The supervisor's wallboard: written requests per channel against their first-response target.
    const board = await signedInPage(browser, env.hotline.url, 'giamsat', 'supervisor.html');
    const zaloRow = board.getByTestId('written-figures').locator('tr[data-channel="zalo"]');
    await expect.poll(() => zaloRow.textContent(), { timeout: 20_000 }).toContain('30 phút');
    expect(await zaloRow.locator('td').first().textContent()).toBe('1');
    const webRow = board.getByTestId('written-figures').locator('tr[data-channel="web"]');
    expect(await webRow.locator('td').first().textContent()).toBe('2');
    expect(await webRow.textContent()).toContain('4 giờ');
  });
});
