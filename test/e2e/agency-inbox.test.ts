/**
 * A ticket's whole way through the agencies' side, on the real server and the real console in
 * headless Chromium (no telephony needed): an operator logs a health request in Biên Hòa; the
 * Sở Y tế liaison, already looking at the inbox, sees it arrive live, acknowledges it, starts
 * and posts a result; a supervisor approves it; the ticket is resolved and the citizen's
 * resolution SMS, in the province's exact words, is in the admin's outbox.
 *
 * Runs inside the network namespace that scripts/e2e.sh creates, like the other e2e tests.
 * Set HOTLINE_E2E_SCREENSHOTS to a folder to keep screenshots of the pages on the way.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskPhone } from '../../server/tickets/repository.ts';
import { type E2eHotline, launchChromium, signedInPage, startE2eHotline } from '../support/e2e.ts';

const CALLER = '0912345678';
const RESOLVED_SMS = 'Tổng đài 1022 thông báo, kiến nghị của ông (bà) đã được giải quyết. Xin cảm ơn!';
const DESCRIPTION = 'Khu phố 5, phường Tân Mai: nhiều ca sốt xuất huyết, đề nghị phun thuốc diệt muỗi.';
const RESULT = 'Trung tâm Y tế Biên Hòa đã phun thuốc diệt muỗi tại khu phố 5 ngày hôm nay.';
const screenshots = process.env.HOTLINE_E2E_SCREENSHOTS;

let env: E2eHotline;
let browser: Browser;

beforeAll(async () => {
  env = await startE2eHotline({ name: 'inbox', telephony: false });
  browser = await launchChromium();
  if (screenshots) mkdirSync(screenshots, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const signIn = (username: string, home: string): Promise<Page> =>
  signedInPage(browser, env.hotline.url, username, home.replace(/^\//, ''));

async function snap(page: Page, name: string): Promise<void> {
  if (screenshots) await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

describe('a ticket reaches its agency and comes back resolved', () => {
  it('arrives live in the liaison’s inbox, is acted on, approved, and the citizen is texted', async () => {
    // The liaison is already looking at the inbox.
    const liaison = await signIn('syt', '/agency.html');
    await expect.poll(() => liaison.getByTestId('agency-name').textContent()).toBe('Sở Y tế');
    await liaison.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });

    // The operator logs the request; default priority and outcome (forward to the agency).
    const operator = await signIn('tdv01', '/operator.html');
    await expect.poll(() => operator.getByLabel('Mức độ').inputValue()).toBe('normal');
    await expect.poll(() => operator.getByLabel('Kết quả tiếp nhận').inputValue()).toBe('assign');
    await operator.getByLabel('Số điện thoại').fill(CALLER);
    await operator.getByLabel('Lĩnh vực').selectOption('health');
    await operator.getByRole('combobox', { name: 'Xã, phường' }).pressSequentially('bien hoa');
    await operator.getByRole('option', { name: 'Phường Biên Hòa', exact: true }).click();
    await operator.getByLabel('Nội dung').fill(DESCRIPTION);
    await expect.poll(() => operator.getByLabel('Cơ quan xử lý').inputValue()).not.toBe('');
    await operator.getByRole('button', { name: 'Tạo phiếu' }).click();
    const code = (await operator.getByTestId('tracking-code').textContent({ timeout: 10_000 }))?.trim() ?? '';
    expect(code).toMatch(/^\d{9}$/);

    // Live, without a reload: the row, its highlight and the announcement.
    const row = liaison
      .getByRole('row')
      .filter({ has: liaison.getByRole('button', { name: `Xem phiếu ${code}` }) });
    await row.waitFor({ timeout: 10_000 });
    await expect
      .poll(() => liaison.getByTestId('inbox-announce').textContent())
      .toBe(`Có phiếu mới: ${code}`);
    expect(await row.getAttribute('class')).toContain('fresh');
    expect(await row.textContent()).toContain('Đã chuyển cơ quan');
    expect(await liaison.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    await snap(liaison, 'agency-inbox');

    // The detail: description, the caller's number masked, the timeline, and only legal actions.
    await row.getByRole('button', { name: `Xem phiếu ${code}` }).click();
    const detail = liaison.getByRole('region', { name: 'Chi tiết phiếu' });
    await expect.poll(() => liaison.getByTestId('detail-code').textContent()).toBe(code);
    const detailText = (await detail.textContent()) ?? '';
    expect(detailText).toContain(DESCRIPTION);
    expect(detailText).not.toContain(CALLER);
    expect(
      await detail.getByRole('list', { name: 'Nhật ký xử lý' }).getByRole('listitem').count(),
    ).toBeGreaterThan(0);
    const actions = detail.getByRole('group', { name: 'Thao tác' }).getByRole('button');
    expect(await actions.allTextContents()).toEqual(['Tiếp nhận', 'Trả lại']);

    const act = async (label: string, status: string) => {
      await detail.getByRole('button', { name: `${label} phiếu ${code}` }).click();
      await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain(status);
    };
    await act('Tiếp nhận', 'Cơ quan đã tiếp nhận');
    await act('Bắt đầu xử lý', 'Đang xử lý');

    // Posting a result asks for it; an empty one is refused before it is sent.
    await detail.getByRole('button', { name: `Gửi kết quả phiếu ${code}` }).click();
    const dialog = liaison.getByRole('dialog', { name: `Gửi kết quả phiếu ${code}` });
    await dialog.getByRole('button', { name: 'Gửi kết quả', exact: true }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('Kết quả giải quyết');
    await dialog.getByLabel('Kết quả giải quyết').fill(RESULT);
    await dialog.getByRole('button', { name: 'Gửi kết quả', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('Chờ duyệt kết quả');
    await expect
      .poll(() => detail.getByRole('list', { name: 'Nhật ký xử lý' }).textContent())
      .toContain(RESULT);
    await snap(liaison, 'agency-detail');

    // The supervision team reviews the result.
    const supervisor = await signIn('giamsat', '/supervisor.html');
    await supervisor.getByRole('link', { name: 'Theo dõi phiếu' }).click();
    await supervisor.waitForURL('**/tickets.html');
    const review = supervisor.getByRole('table', { name: 'Chờ duyệt kết quả' });
    const reviewRow = review.getByRole('row').filter({ hasText: code });
    await reviewRow.waitFor({ timeout: 10_000 });
    expect(await reviewRow.textContent()).toContain(RESULT);
    await snap(supervisor, 'supervisor-tickets');
    await reviewRow.getByRole('button', { name: `Duyệt phiếu ${code}` }).click();
    await reviewRow.waitFor({ state: 'detached', timeout: 10_000 });

    // Resolved, on the supervisor's page and live in the liaison's inbox.
    const recentRow = supervisor
      .getByRole('table', { name: 'Phiếu gần đây nhất' })
      .getByRole('row')
      .filter({ hasText: code });
    await expect.poll(() => recentRow.textContent(), { timeout: 10_000 }).toContain('Đã giải quyết');
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('Đã giải quyết');
    await recentRow.getByRole('button', { name: `Xem phiếu ${code}` }).click();
    await expect
      .poll(() => supervisor.getByRole('region', { name: 'Chi tiết phiếu' }).textContent())
      .toContain('Đóng phiếu');
    await snap(supervisor, 'supervisor-detail');

    // The citizen's resolution SMS, word for word, in the admin's outbox (which masks numbers).
    const admin = await signIn('quantri', '/admin.html');
    const outbox = admin.getByRole('table', { name: 'Hộp thư đi SMS' });
    await expect
      .poll(
        async () => {
          await admin.getByRole('button', { name: 'Tải lại hộp thư đi SMS' }).click();
          const resolved = outbox.locator('tr[data-event="ticket_resolved"]');
          if ((await resolved.count()) === 0) return null;
          return {
            to: await resolved.first().getByTestId('sms-to').textContent(),
            body: await resolved.first().getByTestId('sms-body').textContent(),
          };
        },
        { timeout: 20_000, interval: 500 },
      )
      .toEqual({ to: maskPhone(CALLER), body: RESOLVED_SMS });
    await expect
      .poll(() =>
        admin
          .getByRole('article', { name: /^Y tế, dịch bệnh/ })
          .getByLabel('Cơ quan mặc định')
          .inputValue(),
      )
      .not.toBe('');
    await snap(admin, 'admin');
  });
});
