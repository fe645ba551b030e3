/**
 * A province puts a new commune on the hotline, in the real console (headless Chromium, no
 * telephony): the admin creates the People's Committee of Phường Hố Nai as an agency with its
 * webhook, routes urban infrastructure there, and creates its liaison; the liaison logs in with
 * the one-time password and must choose a password first; an operator types "ho nai" without
 * diacritics, the ticket goes to the new committee, which sees it in its inbox and receives it,
 * signed with its own secret, on its webhook. Disabling the liaison ends their session at once.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgencyView, ListResponse } from '../../common/api.ts';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import { apiSession } from '../support/api-session.ts';
import { type E2eHotline, launchChromium, startE2eHotline } from '../support/e2e.ts';

/** Phường Hố Nai in the national list (server/units/dong-nai.csv); no demo agency governs it. */
const HO_NAI = '26005';
const AGENCY_CODE = 'ubnd-ho-nai';
const AGENCY_NAME = 'UBND phường Hố Nai';
const LIAISON = 'hn.lienlac';
const NEW_PASSWORD = 'Hố Nai trực 1022 mỗi ngày';
const DESCRIPTION = 'Cống thoát nước trên đường Nguyễn Văn Tiên bị vỡ, nước tràn ra mặt đường.';

let env: E2eHotline;
let browser: Browser;

beforeAll(async () => {
  env = await startE2eHotline({ name: 'onboarding', telephony: false });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

/** A fresh browser context (its own cookies) logged in with `password`, on the page it lands on. */
async function logIn(username: string, password: string, landing: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'vi-VN' });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[${username} page error]`, err));
  await page.goto(`${env.hotline.url}/`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(`**/${landing}`);
  return page;
}

describe('a new commune committee and its liaison', () => {
  it('are set up by the admin and receive the ticket an operator routed by typing "ho nai"', async () => {
    const admin = await logIn('quantri', DEMO_PASSWORD, 'admin.html');

    // The agency, for its commune, with a webhook.
    await admin.goto(`${env.hotline.url}/admin-agencies.html`);
    await admin.locator('#agency-code').fill(AGENCY_CODE);
    await admin.locator('#agency-name').fill(AGENCY_NAME);
    await admin.locator('#agency-kind').selectOption('commune_committee');
    await admin.locator('#agency-unit').pressSequentially('ho nai');
    await admin.getByRole('option', { name: 'Phường Hố Nai', exact: true }).click();
    await admin.locator('#agency-url').fill(`${env.agency.url}/${AGENCY_CODE}`);
    await admin.locator('#agency-submit').click();
    await expect.poll(() => admin.getByTestId('agency-secret').textContent()).toMatch(/\S{16,}/);

    const adminApi = await apiSession(env.hotline.url, 'quantri');
    const agencies = await adminApi.get<ListResponse<AgencyView>>('/api/agencies');
    const agency = agencies.data.find((a) => a.code === AGENCY_CODE);
    expect(agency).toMatchObject({ name: AGENCY_NAME, kind: 'commune_committee', unitCode: HO_NAI });

    // Urban infrastructure in Hố Nai goes to it.
    await admin.goto(`${env.hotline.url}/admin.html`);
    const card = admin.locator('article[data-category="infrastructure"]');
    await card.waitFor();
    await card.getByRole('combobox', { name: 'Xã, phường' }).pressSequentially('ho nai');
    await card.getByRole('option', { name: 'Phường Hố Nai', exact: true }).click();
    await expect
      .poll(() => card.getByLabel('Giao cho cơ quan').locator('option:checked').textContent())
      .toBe(AGENCY_NAME);
    await card.getByRole('button', { name: 'Thêm ngoại lệ' }).click();
    await expect
      .poll(() => adminApi.get<AgencyView>(`/api/routing/suggest?category=infrastructure&unitCode=${HO_NAI}`))
      .toMatchObject({ code: AGENCY_CODE });

    // Its liaison, from the agencies page's link: the form opens for that agency.
    await admin.goto(`${env.hotline.url}/admin-users.html?agency=${agency?.id}`);
    await expect.poll(() => admin.locator('#f-role').inputValue()).toBe('agency');
    await expect.poll(() => admin.locator('#f-agency').inputValue()).toBe(String(agency?.id));
    await admin.locator('#f-username').fill(LIAISON);
    await admin.locator('#f-display-name').fill('Trần Thị Hà');
    await admin.locator('#form-submit').click();
    const otp = admin.getByTestId('one-time-password');
    await expect.poll(() => otp.textContent()).toMatch(/\S{12,}/);
    const oneTimePassword = (await otp.textContent())?.trim() ?? '';

    // The liaison must choose a password before anything else; a weak one is refused.
    const liaison = await logIn(LIAISON, oneTimePassword, 'password.html');
    await liaison.locator('#current-password').fill(oneTimePassword);
    await liaison.locator('#new-password').fill(`${LIAISON}2026`);
    await liaison.locator('#repeat-password').fill(`${LIAISON}2026`);
    await liaison.locator('#password-form').getByRole('button').last().click();
    await expect.poll(() => liaison.getByRole('alert').first().textContent()).not.toBe('');
    expect(liaison.url()).toContain('password.html');
    await liaison.locator('#current-password').fill(oneTimePassword);
    await liaison.locator('#new-password').fill(NEW_PASSWORD);
    await liaison.locator('#repeat-password').fill(NEW_PASSWORD);
    await liaison.locator('#password-form').getByRole('button').last().click();
    await liaison.waitForURL('**/agency.html');
    await expect.poll(() => liaison.getByTestId('agency-name').textContent()).toBe(AGENCY_NAME);

    // The operator types the commune without diacritics; the routing picks the new committee.
    const operator = await logIn('tdv01', DEMO_PASSWORD, 'operator.html');
    const category = operator.getByLabel('Lĩnh vực');
    await expect.poll(() => category.locator('option').count()).toBeGreaterThan(5);
    await category.selectOption('infrastructure');
    await operator.getByLabel('Số điện thoại').fill('0913222333');
    const commune = operator.getByRole('combobox', { name: 'Xã, phường' });
    await commune.pressSequentially('ho nai');
    const first = operator.getByRole('listbox').getByRole('option').first();
    await expect.poll(() => first.textContent()).toBe('Phường Hố Nai');
    await operator.keyboard.press('Enter');
    await expect
      .poll(() => operator.getByLabel('Cơ quan xử lý').locator('option:checked').textContent())
      .toBe(AGENCY_NAME);
    await operator.getByLabel('Nội dung').fill(DESCRIPTION);
    await operator.getByRole('button', { name: 'Tạo phiếu' }).click();
    const code = (await operator.getByTestId('tracking-code').textContent({ timeout: 10_000 }))?.trim() ?? '';
    expect(code).toMatch(/^\d{9}$/);

    // The liaison sees it live; the webhook gets it, signed with the agency's own secret.
    const row = liaison
      .getByRole('row')
      .filter({ has: liaison.getByRole('button', { name: `Xem phiếu ${code}` }) });
    await row.waitFor({ timeout: 15_000 });
    const delivery = await env.agency.waitFor(
      (d) => d.agencyCode === AGENCY_CODE && d.body.trackingCode === code,
      15_000,
    );
    expect(delivery.signatureValid).toBe(true);
    expect(delivery.body).toMatchObject({ unit: { code: HO_NAI, name: 'Phường Hố Nai' } });

    // Disabled, the liaison's session ends at once: the next page load goes to the login.
    await admin.goto(`${env.hotline.url}/admin-users.html`);
    const liaisonRow = admin.locator(`#accounts-body tr[data-username="${LIAISON}"]`);
    admin.once('dialog', (dialog) => void dialog.accept());
    await liaisonRow.getByRole('button', { name: 'Khóa', exact: true }).click();
    await expect.poll(() => liaisonRow.getAttribute('data-state')).toBe('disabled');
    await liaison.reload();
    await liaison.waitForURL((url) => !url.pathname.endsWith('agency.html'), { timeout: 10_000 });
    expect(await liaison.getByLabel('Tên đăng nhập').isVisible()).toBe(true);
  });
});
