/**
 * A citizen who writes instead of calling, on the real server and console in headless Chromium
 * (no telephony needed): from the login page's link, the citizen fills the public web form on a
 * small phone screen with a photo and a point on the map (tiles from a loopback tile server), confirms the number with the code read from the SMS outbox and
 * gets a tracking code on screen and by SMS; an operator turns the request into a ticket from the
 * console's panel (the ticket keeps the code); the agency sees the photo, resolves it and the
 * supervisor approves; the public status page shows the result for the code and the number's
 * last 4 digits, and nothing for a wrong pair.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agencies } from '../../server/agencies/schema.ts';
import { smsMessages, tickets } from '../../server/db/schema.ts';
import { writtenRequests } from '../../server/intake/schema.ts';
import { type E2eHotline, launchChromium, signedInPage, startE2eHotline } from '../support/e2e.ts';
import { jpegWithGps, png } from '../support/photos.ts';

const PHONE = '0912345678';
const DESCRIPTION = 'Cống thoát nước trước chợ Trảng Dài bị vỡ, nước tràn ra đường gây ngập.';
const RESULT = 'Phường Trảng Dài đã sửa cống thoát nước trước chợ ngày hôm nay.';

let env: E2eHotline;
let browser: Browser;
/** The admin's tile server, on loopback: one plain tile for every address, each request counted. */
let tiles: Server;
let tilesServed = 0;

beforeAll(async () => {
  const tile = await png(256, 256);
  tiles = createServer((_req, res) => {
    tilesServed++;
    res.writeHead(200, { 'content-type': 'image/png' }).end(tile);
  });
  await new Promise<void>((resolve) => tiles.listen(0, '127.0.0.1', resolve));
  const { port } = tiles.address() as AddressInfo;
  env = await startE2eHotline({
    name: 'webform',
    telephony: false,
    env: {
      HOTLINE_MAP_TILE_URL: `http://127.0.0.1:${port}/{z}/{x}/{y}.png`,
      HOTLINE_MAP_ATTRIBUTION: 'Bản đồ thử',
    },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
  await new Promise((resolve) => tiles?.close(resolve));
});

function textsTo(phone: string, event: 'phone_code' | 'written_received'): string[] {
  return env.hotline.db
    .select()
    .from(smsMessages)
    .where(and(eq(smsMessages.to, phone), eq(smsMessages.event, event)))
    .all()
    .map((m) => m.body);
}

/** A ticket action through the API, as the signed-in page's user (session cookie and CSRF token). */
async function act(page: Page, ticketId: number, body: Record<string, string>): Promise<void> {
  const cookies = await page.context().cookies();
  const csrf = cookies.find((c) => c.name === 'hotline_csrf')?.value ?? '';
  const res = await page.request.post(`${env.hotline.url}/api/tickets/${ticketId}/actions`, {
    data: body,
    headers: { 'x-csrf-token': csrf },
  });
  expect(res.status(), await res.text()).toBe(200);
}

describe('a written request from the web form to its result', () => {
  it('is sent with a photo, made a ticket, resolved, and followed on the status page', async () => {
    // The citizen, on a small phone screen, comes from the login page's link.
    const citizenContext: BrowserContext = await browser.newContext({
      viewport: { width: 360, height: 640 },
      locale: 'vi-VN',
      hasTouch: true,
    });
    const citizen = await citizenContext.newPage();
    citizen.on('pageerror', (err) => console.error('[citizen page error]', err));
    await citizen.goto(`${env.hotline.url}/`);
    await citizen.getByRole('link', { name: 'Người dân: gửi phản ánh, kiến nghị' }).click();
    await citizen.waitForURL('**/gui-phan-anh.html');

    await expect.poll(() => citizen.getByLabel('Lĩnh vực').locator('option').count()).toBeGreaterThan(1);
    await citizen.getByLabel('Lĩnh vực').selectOption({ label: 'Hạ tầng đô thị' });
    await citizen.getByLabel('Nội dung phản ánh').fill(DESCRIPTION);
    // The commune, typed without diacritics and picked with the keyboard.
    const commune = citizen.getByRole('combobox', { name: 'Xã, phường' });
    await commune.pressSequentially('trang dai');
    await citizen.getByRole('option', { name: 'Phường Trảng Dài' }).waitFor();
    expect(await commune.getAttribute('aria-expanded')).toBe('true');
    await commune.press('Enter');
    expect(await commune.inputValue()).toBe('Phường Trảng Dài');
    expect(await commune.getAttribute('aria-expanded')).toBe('false');
    await citizen.getByLabel('Địa chỉ cụ thể').fill('Trước chợ Trảng Dài');
    // The map, drawn from the configured tile server (the CSP lets its tiles in); a tap marks the place.
    const map = citizen.getByRole('application', { name: 'Bản đồ chọn vị trí' });
    await map.waitFor({ timeout: 10_000 });
    await expect.poll(() => tilesServed, { timeout: 10_000 }).toBeGreaterThan(0);
    await map.click({ position: { x: 120, y: 100 } });
    await expect
      .poll(() => citizen.locator('#map-point').textContent())
      .toMatch(/^Đã chọn vị trí: \d+\.\d{5}, \d+\.\d{5}$/);
    await citizen.getByLabel('Chọn tối đa 3 ảnh').setInputFiles({
      name: 'cong-vo.jpg',
      mimeType: 'image/jpeg',
      buffer: await jpegWithGps(1200, 900),
    });
    await citizen.getByRole('img', { name: 'Ảnh 1: cong-vo.jpg' }).waitFor();

    // Sending before the number is confirmed is stopped on the page, with the reason.
    await citizen.getByRole('button', { name: 'Gửi phản ánh' }).click();
    await expect
      .poll(() => citizen.getByRole('alert').textContent())
      .toContain('Vui lòng xác nhận số điện thoại');

    await citizen.getByLabel('Số điện thoại di động').fill(PHONE);
    await citizen.getByRole('button', { name: 'Gửi mã xác nhận' }).click();
    await expect.poll(() => textsTo(PHONE, 'phone_code').length, { timeout: 10_000 }).toBe(1);
    const code = /\b(\d{6})\b/.exec(textsTo(PHONE, 'phone_code')[0]!)?.[1] ?? '';
    await citizen.getByLabel('Mã xác nhận trong tin nhắn').fill(code);
    await citizen.getByRole('button', { name: 'Xác nhận số điện thoại' }).click();
    await expect
      .poll(() => citizen.locator('#phone-status').textContent())
      .toBe('Đã xác nhận số điện thoại.');
    await citizen.getByLabel('Tôi đồng ý với điều khoản trên').check();
    await citizen.getByRole('button', { name: 'Gửi phản ánh' }).click();

    const shownCode = citizen.getByTestId('tracking-code');
    await shownCode.waitFor({ state: 'visible', timeout: 10_000 });
    const trackingCode = (await shownCode.textContent())?.trim() ?? '';
    expect(trackingCode).toMatch(/^\d{9}$/);
    expect(await citizen.getByRole('heading', { name: 'Đã gửi phản ánh' }).isVisible()).toBe(true);
    expect(textsTo(PHONE, 'written_received')).toEqual([
      `Tổng đài 1022 đã tiếp nhận kiến nghị của ông (bà), mã tra cứu ${trackingCode}. Xin cảm ơn!`,
    ]);

    // The operator's panel lists it with its photo; "Tạo phiếu" fills the ticket form.
    const operator = await signedInPage(browser, env.hotline.url, 'tdv01', 'operator.html');
    const panel = operator.getByTestId('written-requests');
    const row = panel.locator(`tr[data-code="${trackingCode}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain('Phường Trảng Dài');
    const thumbnail = row.getByRole('img', { name: `Ảnh 1 của phản ánh ${trackingCode}` });
    await expect
      .poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBeGreaterThan(0);
    await row.getByRole('button', { name: `Tạo phiếu từ phản ánh ${trackingCode}` }).click();
    await expect.poll(() => operator.getByLabel('Số điện thoại').inputValue()).toBe(PHONE);
    await expect.poll(() => operator.getByLabel('Nội dung').inputValue()).toBe(DESCRIPTION);
    await expect.poll(() => operator.getByLabel('Lĩnh vực').inputValue()).toBe('infrastructure');
    await expect.poll(() => operator.getByLabel('Cơ quan xử lý').inputValue()).not.toBe('');
    await operator.getByRole('button', { name: 'Tạo phiếu', exact: true }).click();
    await expect
      .poll(() => operator.getByTestId('tracking-code').textContent(), { timeout: 10_000 })
      .toBe(trackingCode);
    await row.waitFor({ state: 'detached', timeout: 10_000 });

    const ticket = env.hotline.db.select().from(tickets).where(eq(tickets.trackingCode, trackingCode)).get()!;
    const written = env.hotline.db
      .select()
      .from(writtenRequests)
      .where(eq(writtenRequests.trackingCode, trackingCode))
      .get()!;
    expect(written).toMatchObject({ status: 'ticketed', ticketId: ticket.id });
    expect(written.latitude).toBeGreaterThan(5);
    expect(written.longitude).toBeGreaterThan(100);
    const agency = env.hotline.db.select().from(agencies).where(eq(agencies.id, ticket.agencyId)).get()!;

    // The agency's liaison sees the citizen's photo on the ticket, works it and posts the result.
    const liaison = await signedInPage(browser, env.hotline.url, agency.code, 'agency.html');
    await liaison.getByRole('button', { name: `Xem phiếu ${trackingCode}` }).click({ timeout: 15_000 });
    const detail = liaison.getByRole('region', { name: 'Chi tiết phiếu' });
    const photo = detail.getByRole('img', { name: `Ảnh 1 của phản ánh ${trackingCode}` });
    await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    expect(await detail.getByRole('link', { name: /^Xem vị trí \d+\.\d{5}, \d+\.\d{5}$/ }).count()).toBe(1);
    await act(liaison, ticket.id, { action: 'acknowledge' });
    await act(liaison, ticket.id, { action: 'post_result', text: RESULT });
    const supervisor = await signedInPage(browser, env.hotline.url, 'giamsat', 'supervisor.html');
    await act(supervisor, ticket.id, { action: 'approve' });

    // The status page: the result for the right pair, "not found" for a wrong one.
    await citizen.getByRole('link', { name: 'Tra cứu kết quả', exact: true }).click();
    await citizen.waitForURL(`**/tra-cuu.html?ma=${trackingCode}`);
    expect(await citizen.getByLabel('Mã tra cứu').inputValue()).toBe(trackingCode);
    await citizen.getByLabel('4 số cuối của số điện thoại').fill('0000');
    await citizen.getByRole('button', { name: 'Tra cứu' }).click();
    await expect
      .poll(() => citizen.getByRole('alert').textContent())
      .toBe('Không tìm thấy phản ánh với mã tra cứu và số điện thoại này.');
    await citizen.getByLabel('4 số cuối của số điện thoại').fill(PHONE.slice(-4));
    await citizen.getByRole('button', { name: 'Tra cứu' }).click();
    await expect.poll(() => citizen.getByTestId('status').textContent()).toBe('Đã giải quyết');
    expect(await citizen.getByTestId('result').textContent()).toBe(RESULT);
    const shown = (await citizen.locator('#status-result').textContent()) ?? '';
    expect(shown).toContain(agency.name);
    expect(shown).not.toContain(DESCRIPTION);
    expect(shown).not.toContain(PHONE);
    expect(await citizen.getByRole('alert').isHidden()).toBe(true);
    await citizenContext.close();
  });
});
