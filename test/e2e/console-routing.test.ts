/**
 * Categories and routing by commune in the real console (headless Chromium, no telephony): an
 * operator picks the commune by typing its name without diacritics, with the keyboard, and the
 * agency suggestion follows category and commune; an admin adds a commune exception and a
 * category, and the routing answers accordingly. Screenshots go to /tmp for a look by eye.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgencyView, CategoryView, ListResponse, TicketView } from '../../common/api.ts';
import { type ApiSession, apiSession } from '../support/api-session.ts';
import { type E2eHotline, launchChromium, logInAs, startE2eHotline } from '../support/e2e.ts';

/** Codes in the national list of administrative units (server/units/dong-nai.csv). */
const BIEN_HOA = '26068';
const LONG_KHANH = '26080';

let env: E2eHotline;
let browser: Browser;

beforeAll(async () => {
  env = await startE2eHotline({ name: 'routing', telephony: false });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

async function newPage(username: string, landing: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.on('pageerror', (err) => console.error('[console page error]', err));
  await logInAs(page, env.hotline.url, username, landing);
  return page;
}

const suggest = (api: ApiSession, category: string, unitCode: string) =>
  api.get<AgencyView>(`/api/routing/suggest?category=${category}&unitCode=${unitCode}`);

describe('the operator picks a commune', () => {
  it('finds "Phường Biên Hòa" from "bien hoa" by keyboard, follows the routing, and logs the ticket', async () => {
    const page = await newPage('tdv01', 'operator.html');
    const category = page.getByLabel('Lĩnh vực');
    await expect.poll(() => category.locator('option').count()).toBeGreaterThan(5);
    await category.selectOption('health');
    const agency = page.getByLabel('Cơ quan xử lý');
    const agencyName = () => agency.locator('option:checked').textContent();
    await expect.poll(agencyName).toBe('Sở Y tế');

    // Tab order for a call in progress: category → commune → address → description.
    await category.focus();
    await page.keyboard.press('Tab');
    const commune = page.getByRole('combobox', { name: 'Xã, phường' });
    await expect.poll(() => commune.evaluate((el) => el === document.activeElement)).toBe(true);

    await page.keyboard.type('bien hoa');
    const list = page.getByRole('listbox');
    await list.waitFor({ state: 'visible' });
    expect(await commune.getAttribute('aria-expanded')).toBe('true');
    const first = list.getByRole('option').first();
    await expect.poll(() => first.textContent()).toBe('Phường Biên Hòa');
    expect(await commune.getAttribute('aria-activedescendant')).toBe(await first.getAttribute('id'));
    // Other wards that were part of the former city are offered through their former names.
    await expect.poll(() => list.getByRole('option').nth(1).textContent()).toMatch(/\(cũ\) → Phường /);
    await page.screenshot({ path: '/tmp/console-ticket-form-suggestions.png' });

    // Down and back up, Escape closes, Down opens again, Enter picks without sending the form.
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => list.getByRole('option').nth(1).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Escape');
    await expect.poll(() => list.isVisible()).toBe(false);
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => first.getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await expect.poll(() => commune.inputValue()).toBe('Phường Biên Hòa');
    expect(await commune.getAttribute('aria-expanded')).toBe('false');
    await expect(page.getByTestId('tracking-code').isVisible()).resolves.toBe(false);

    // Urban infrastructure in Biên Hòa is the ward's own committee's; elsewhere the department's.
    await category.selectOption('infrastructure');
    await expect.poll(agencyName).toBe('UBND phường Biên Hòa');

    await commune.focus();
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('address');
    await page.keyboard.type('Đường Nguyễn Ái Quốc, khu phố 3');
    await page.getByLabel('Số điện thoại').fill('0912345678');
    await page.getByLabel('Nội dung').fill('Đèn đường hỏng cả đoạn, ban đêm rất tối.');
    await page.getByRole('button', { name: 'Tạo phiếu' }).click();
    const code = (await page.getByTestId('tracking-code').textContent({ timeout: 10_000 }))?.trim();
    expect(code).toMatch(/^\d{9}$/);
    // The form is ready for the next caller.
    expect(await commune.inputValue()).toBe('');

    const operator = await apiSession(env.hotline.url, 'tdv01');
    const tickets = await operator.get<ListResponse<TicketView>>('/api/tickets?limit=5');
    expect(tickets.data.find((t) => t.trackingCode === code)).toMatchObject({
      category: 'infrastructure',
      categoryName: 'Hạ tầng đô thị',
      unit: { code: BIEN_HOA, name: 'Phường Biên Hòa' },
      address: 'Đường Nguyễn Ái Quốc, khu phố 3',
      agency: { code: 'ubnd-bien-hoa' },
    });

    // Supervisors see category and commune in the list, and the address in the detail.
    const supervisor = await newPage('giamsat', 'supervisor.html');
    await supervisor.goto(`${env.hotline.url}/tickets.html`);
    const row = supervisor.locator(`#recent-body tr:has-text("${code}")`);
    await expect.poll(() => row.textContent()).toContain('Hạ tầng đô thịPhường Biên Hòa');
    await row.getByRole('button', { name: `Xem phiếu ${code}` }).click();
    await expect.poll(() => supervisor.getByTestId('detail-unit').textContent()).toBe('Phường Biên Hòa');
    await expect
      .poll(() => supervisor.locator('#detail-body').textContent())
      .toContain('Đường Nguyễn Ái Quốc, khu phố 3');
  });

  it('leaves the commune "Chưa xác định" when empty, and refuses text that names no commune', async () => {
    const page = await newPage('tdv02', 'operator.html');
    const category = page.getByLabel('Lĩnh vực');
    await expect.poll(() => category.locator('option').count()).toBeGreaterThan(5);
    await category.selectOption('welfare');
    await page.getByLabel('Số điện thoại').fill('0912000111');
    await page.getByLabel('Nội dung').fill('Hỏi về trợ cấp cho người cao tuổi.');
    const commune = page.getByRole('combobox', { name: 'Xã, phường' });
    await commune.pressSequentially('khong co xa nao');
    await expect.poll(() => page.locator('#unit-status').textContent()).toContain('Không tìm thấy');
    await page.getByRole('button', { name: 'Tạo phiếu' }).click();
    expect(await commune.evaluate((el) => (el as HTMLInputElement).validity.valid)).toBe(false);
    await expect(page.getByTestId('tracking-code').isVisible()).resolves.toBe(false);

    await commune.fill('');
    await page.getByRole('button', { name: 'Tạo phiếu' }).click();
    const code = (await page.getByTestId('tracking-code').textContent({ timeout: 10_000 }))?.trim();
    const operator = await apiSession(env.hotline.url, 'tdv02');
    const tickets = await operator.get<ListResponse<TicketView>>('/api/tickets?limit=5');
    expect(tickets.data.find((t) => t.trackingCode === code)).toMatchObject({ unit: null, address: null });
  });
});

describe('the admin edits the routing', () => {
  it('adds a commune exception with the picker, then removes it; adds a category', async () => {
    const admin = await apiSession(env.hotline.url, 'quantri');
    expect((await suggest(admin, 'health', LONG_KHANH)).code).toBe('syt');

    const page = await newPage('quantri', 'admin.html');
    const card = page.locator('article[data-category="health"]');
    await card.waitFor();
    await expect
      .poll(() => card.getByLabel('Cơ quan mặc định').locator('option:checked').textContent())
      .toBe('Sở Y tế');

    const commune = card.getByRole('combobox', { name: 'Xã, phường' });
    await commune.pressSequentially('long khanh');
    await card.getByRole('option', { name: 'Phường Long Khánh', exact: true }).click();
    // The commune's own committee is offered first.
    const agency = card.getByLabel('Giao cho cơ quan');
    await expect.poll(() => agency.locator('option:checked').textContent()).toBe('UBND phường Long Khánh');
    await card.getByRole('button', { name: 'Thêm ngoại lệ' }).click();
    const exception = card.locator(`[data-testid=exceptions-health] li[data-unit-code="${LONG_KHANH}"]`);
    await expect.poll(() => exception.textContent()).toContain('UBND phường Long Khánh');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Phường Long Khánh');
    expect((await suggest(admin, 'health', LONG_KHANH)).code).toBe('ubnd-long-khanh');
    expect((await suggest(admin, 'health', BIEN_HOA)).code).toBe('syt');

    await page.locator('article[data-category="infrastructure"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/console-admin-routing.png', fullPage: true });

    await exception.getByRole('button', { name: 'Xóa ngoại lệ Phường Long Khánh' }).click();
    await expect.poll(() => exception.count()).toBe(0);
    expect((await suggest(admin, 'health', LONG_KHANH)).code).toBe('syt');

    // A new category: its key follows the name; it routes to its default at once.
    await page.locator('#new-category-name').fill('Môi trường, rác thải');
    await expect.poll(() => page.locator('#new-category-key').inputValue()).toBe('moi_truong_rac_thai');
    await page.locator('#new-category-agency').selectOption({ label: 'Sở Nông nghiệp và Môi trường' });
    await page.getByRole('button', { name: 'Thêm lĩnh vực' }).click();
    await page.locator('article[data-category="moi_truong_rac_thai"]').waitFor();
    expect((await suggest(admin, 'moi_truong_rac_thai', BIEN_HOA)).code).toBe('snnmt');

    // Deactivated, it leaves the operators' list.
    await page
      .locator('article[data-category="moi_truong_rac_thai"]')
      .getByRole('button', { name: 'Ngừng sử dụng' })
      .click();
    await expect
      .poll(async () =>
        (await admin.get<ListResponse<CategoryView>>('/api/categories')).data.map((c) => c.key),
      )
      .not.toContain('moi_truong_rac_thai');
  });
});
