/**
 * A province issues an Open311 key in the real console (headless Chromium, no telephony): the
 * admin adds the app, the page shows its api_key once; the app posts a report with it over HTTP
 * (form-encoded, XML answer) and follows it by its tracking code; the admin rotates the key and
 * the old one is refused with the spec's 403.
 */
import { XMLParser } from 'fast-xml-parser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import { type E2eHotline, launchChromium, startE2eHotline } from '../support/e2e.ts';

const xml = new XMLParser({ parseTagValue: false });
const APP = 'Ứng dụng phản ánh hiện trường';

let env: E2eHotline;
let browser: Browser;

beforeAll(async () => {
  env = await startE2eHotline({ name: 'open311', telephony: false });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

function postReport(apiKey: string): Promise<Response> {
  return fetch(`${env.hotline.url}/open311/v2/requests.xml`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams({
      api_key: apiKey,
      service_code: 'infrastructure',
      address_string: 'Đường Đồng Khởi, Phường Tam Hiệp',
      description: 'Đèn đường tắt cả đoạn dài, rất tối',
    }),
  });
}

describe('Open311 keys on the admin page', () => {
  it('are shown once, work for a post, and stop working once rotated', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'vi-VN' });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error('[admin page error]', err));
    await page.goto(`${env.hotline.url}/`);
    await page.getByLabel('Tên đăng nhập').fill('quantri');
    await page.getByLabel('Mật khẩu', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL('**/admin.html');

    await page.goto(`${env.hotline.url}/admin-open311.html`);
    const table = page.getByTestId('open311-clients');
    // The demo seed's app is listed by the first characters of its key, never the key.
    await expect.poll(() => table.getByRole('rowheader', { name: 'Ứng dụng Đồng Nai số' }).count()).toBe(1);

    await page.getByLabel('Tên ứng dụng').fill(APP);
    await page.getByRole('button', { name: 'Tạo ứng dụng và khóa' }).click();
    const keyBox = page.getByTestId('open311-key');
    await expect.poll(() => keyBox.textContent()).toMatch(/^o311_/);
    const firstKey = (await keyBox.textContent()) ?? '';
    const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: APP }) });
    await expect.poll(() => row.textContent()).toContain(`${firstKey.slice(0, 10)}…`);
    expect(await table.textContent()).not.toContain(firstKey);
    await page.getByRole('button', { name: 'Đã ghi lại, ẩn đi' }).click();
    expect(await keyBox.textContent()).toBe('');

    const posted = await postReport(firstKey);
    expect(posted.status).toBe(200);
    expect(posted.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    const answer = xml.parse(await posted.text()).service_requests.request;
    expect(answer.service_request_id).toMatch(/^\d{9}$/);
    const followed = await fetch(`${env.hotline.url}/open311/v2/requests/${answer.service_request_id}.json`);
    expect((await followed.json())[0]).toMatchObject({ status: 'open', service_code: 'infrastructure' });
    await page.reload();
    await expect.poll(() => row.textContent()).not.toContain('Chưa gửi');

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Đổi khóa' }).click();
    await expect.poll(() => keyBox.textContent()).toMatch(/^o311_/);
    const secondKey = (await keyBox.textContent()) ?? '';
    expect(secondKey).not.toBe(firstKey);

    const refused = await postReport(firstKey);
    expect(refused.status).toBe(403);
    expect(xml.parse(await refused.text()).errors.error.code).toBe('403');
    expect((await postReport(secondKey)).status).toBe(200);
    await context.close();
  });
});
