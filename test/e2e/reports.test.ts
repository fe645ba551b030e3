/**
 * The reports page in headless Chromium against the real server and SQLite database. Three past
 * days of known work are written into the database (test/support/report-fixtures.ts: calls,
 * callbacks, operators' states, tickets); a supervisor opens "Báo cáo" from the ticket page's
 * navigation, picks the period, and each report's table shows the figures worked out by hand
 * below, its chart is drawn, and its CSV and Excel downloads (through the browser) read back to
 * the same figures, cell for cell; so does the summary workbook. "Hôm nay" asks the calls by the
 * hour and counts a ticket created through the API; an empty period says so; a reversed one
 * shows the server's own explanation; an operator is sent back to their page.
 *
 * Set HOTLINE_E2E_SCREENSHOTS to a folder to keep a screenshot of the page (`reports.png`); the
 * README's is made with HOTLINE_E2E_SCREENSHOTS=docs/screenshots.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketView } from '../../common/api.ts';
import { calls } from '../../server/db/schema.ts';
import { type E2eHotline, launchChromium, signedInPage, startE2eHotline } from '../support/e2e.ts';
import { blocks, differences, type FileCell, parseCsv, readXlsx } from '../support/report-files.ts';
import {
  insertReportFixture,
  localDayBefore,
  pastDays,
  type ReportFixture,
} from '../support/report-fixtures.ts';

const screenshots = process.env.HOTLINE_E2E_SCREENSHOTS;

let env: E2eHotline;
let browser: Browser;
let page: Page;
let fixture: ReportFixture;

/** `2026-12-07` → `07/12/2026`, as the page writes a day. */
const vnDay = (day: string) => day.split('-').reverse().join('/');

beforeAll(async () => {
  env = await startE2eHotline({ name: 'reports', telephony: false });
  const now = new Date();
  fixture = insertReportFixture(env.hotline.db, pastDays(now, 10));
  browser = await launchChromium();
  page = await signedInPage(browser, env.hotline.url, 'giamsat', 'supervisor.html', {
    width: 1366,
    height: 768,
  });
  if (screenshots) mkdirSync(screenshots, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

interface PageTable {
  head: string[];
  body: string[][];
  foot: string[] | null;
}

function pageTable(kind: string): Promise<PageTable> {
  return page.getByTestId(`report-table-${kind}`).evaluate((table: HTMLTableElement) => {
    const cells = (row: HTMLTableRowElement) => [...row.cells].map((c) => c.textContent?.trim() ?? '');
    const foot = table.tFoot?.rows[0];
    return {
      head: table.tHead?.rows[0] ? cells(table.tHead.rows[0]) : [],
      body: [...(table.tBodies[0]?.rows ?? [])].map(cells),
      foot: foot ? cells(foot) : null,
    };
  });
}

/** The body row whose first cell is `name`. */
const rowOf = (table: PageTable, name: string) => table.body.find((r) => r[0] === name);

/** Pixels of the chart drawn in `hex` (a series' colour): the chart is there, not just its canvas. */
function chartPixels(kind: string, hex: string): Promise<number> {
  return page.getByTestId(`report-chart-${kind}`).evaluate((canvas: HTMLCanvasElement, color: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(color.slice(i, i + 2), 16));
    const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] === r && data[i + 1] === g && data[i + 2] === b && data[i + 3] === 255) n++;
    }
    return n;
  }, hex);
}

/** Clicks a download link and returns the file the browser saved. */
async function download(testId: string): Promise<{ name: string; data: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: file.suggestedFilename(), data: readFileSync((await file.path()) as string) };
}

/** The rows of a table in a file (without its header): a CSV block or a sheet, found by title. */
function tableRows(fileBlocks: FileCell[][][], title?: string): FileCell[][] {
  // A file of several tables puts each one's title above its header.
  const block = title === undefined ? fileBlocks[0] : fileBlocks.find((b) => b[0]?.[0] === title)?.slice(1);
  if (!block) throw new Error(`no table ${title ?? ''} in the file`);
  return block.slice(1);
}

/**
 * The page's table for `kind` (body, and the totals row where the file has one) against its CSV
 * and XLSX downloads. `title`: which of the file's tables; `skipColumns`: codes the page leaves out.
 */
async function expectDownloadsMatch(
  kind: string,
  opts: { csvTitle?: string; sheet: string; withTotal: boolean; skipColumns?: number },
): Promise<void> {
  const table = await pageTable(kind);
  const rows = opts.withTotal && table.foot ? [...table.body, table.foot] : table.body;

  const csv = await download(`export-csv-${kind}`);
  expect(csv.name).toMatch(/\.csv$/);
  const csvRows = tableRows(blocks(parseCsv(csv.data.toString('utf8'))), opts.csvTitle);
  expect(differences(rows, csvRows, { shares: false, skipColumns: opts.skipColumns })).toEqual([]);

  const xlsx = await download(`export-xlsx-${kind}`);
  expect(xlsx.name).toMatch(/\.xlsx$/);
  const sheet = (await readXlsx(xlsx.data)).get(opts.sheet);
  expect(sheet, `sheet ${opts.sheet}`).toBeDefined();
  const sheetRows = tableRows(blocks(sheet ?? []));
  expect(differences(rows, sheetRows, { shares: true, skipColumns: opts.skipColumns })).toEqual([]);
}

async function openTab(name: string): Promise<void> {
  await page.getByRole('tab', { name }).click();
}

describe('the reports page', () => {
  it('shows a period’s calls, callbacks, operators and tickets, and its files hold the same figures', async () => {
    const { first: d1, second: d2, third: d3 } = fixture.days;
    await page.goto(`${env.hotline.url}/tickets.html`);
    await page.getByRole('navigation').getByRole('link', { name: 'Báo cáo' }).click();
    await page.waitForURL('**/reports.html**');
    await page.getByLabel('Từ ngày').fill(d1);
    await page.getByLabel('Đến ngày').fill(d3);
    await page.getByRole('button', { name: 'Xem báo cáo' }).click();

    // ── Calls, by the day for three days ──
    await expect
      .poll(async () => (await pageTable('calls')).body)
      .toEqual([
        // 4 reached the queue (one more hung up in the menu); answered after 10 s and 40 s; abandoned
        // after 60 s and 2 s (under the 5 s threshold, so outside the service level): 1 of 3 = 33.3%.
        [vnDay(d1), '4', '2', '2', '1', '33,3%', '0:25', '3:33'],
        [vnDay(d2), '0', '0', '0', '0', '—', '—', '—'],
        [vnDay(d3), '1', '1', '0', '0', '100%', '0:05', '1:02:05'],
      ]);
    const callsTable = await pageTable('calls');
    expect(callsTable.head).toEqual([
      'Ngày',
      'Cuộc gọi vào hàng chờ',
      'Đã trả lời',
      'Bỏ máy khi chờ',
      'Bỏ máy sau hơn 5 giây',
      'Mức phục vụ (trả lời trong 20 giây)',
      'Thời gian chờ trung bình',
      'Thời gian đàm thoại trung bình',
    ]);
    // Waits (10 + 40 + 5) / 3 = 18.3 s; talk (125 + 301 + 3725) / 3 = 1383.7 s.
    expect(callsTable.foot).toEqual(['Tổng cộng', '5', '3', '2', '1', '50%', '0:18', '23:04']);
    await expect.poll(() => page.getByTestId('report-empty-calls').isHidden()).toBe(true);
    // The answered bars (green) and the offered ones (blue) are on the canvas.
    await expect.poll(() => chartPixels('calls', '#0072b2')).toBeGreaterThan(100);
    expect(await chartPixels('calls', '#009e73')).toBeGreaterThan(100);
    const legend = await page.locator('#panel-calls .report-legend li').allTextContents();
    expect(legend).toEqual(['Cuộc gọi vào hàng chờ', 'Đã trả lời', 'Bỏ máy khi chờ', 'Mức phục vụ']);
    if (screenshots) await page.screenshot({ path: join(screenshots, 'reports.png'), fullPage: true });
    await expectDownloadsMatch('calls', { sheet: 'Cuộc gọi theo ngày', withTotal: true });

    // The summary workbook holds the same calls, and every other report.
    const summary = await readXlsx((await download('export-summary')).data);
    expect([...summary.keys()]).toEqual(
      expect.arrayContaining([
        'Cuộc gọi theo ngày',
        'Gọi lại cho dân',
        'Tổng đài viên',
        'Phiếu theo lĩnh vực',
      ]),
    );
    expect(
      differences(
        [...callsTable.body, callsTable.foot ?? []],
        tableRows(blocks(summary.get('Cuộc gọi theo ngày') ?? [])),
        {
          shares: true,
        },
      ),
    ).toEqual([]);

    // ── Callbacks ──
    await openTab('Gọi lại');
    await expect
      .poll(async () => (await pageTable('callbacks')).body)
      .toEqual([
        [vnDay(d1), '2', '0', '0', '1'],
        [vnDay(d2), '0', '0', '1', '0'],
        [vnDay(d3), '1', '1', '0', '1'],
      ]);
    expect((await pageTable('callbacks')).foot).toEqual(['Tổng cộng', '3', '1', '1', '2']);
    await expect
      .poll(() => page.locator('#panel-callbacks [data-part="note"]').textContent())
      .toContain('Còn chờ gọi lại cuối kỳ: 1');
    await expect.poll(() => chartPixels('callbacks', '#0072b2')).toBeGreaterThan(100);
    await expectDownloadsMatch('callbacks', { sheet: 'Gọi lại cho dân', withTotal: true });

    // ── Operators ──
    await openTab('Tổng đài viên');
    await expect
      .poll(async () => rowOf(await pageTable('operators'), fixture.operators.first))
      .toEqual([
        fixture.operators.first,
        '2',
        '1:04:10',
        '32:05',
        '0:30',
        '8:02:20',
        '1:00:00',
        '0:00',
        '0:00',
        '0:00',
        '0:00',
      ]);
    const operators = await pageTable('operators');
    expect(rowOf(operators, fixture.operators.second)).toEqual([
      fixture.operators.second,
      '1',
      '5:01',
      '5:01',
      '1:00',
      '48:59',
      '0:00',
      '30:00',
      '0:00',
      '30:00',
      '0:00',
    ]);
    expect(operators.foot).toEqual([
      'Tổng cộng',
      '3',
      '1:09:11',
      '23:04',
      '1:30',
      '8:51:19',
      '1:00:00',
      '30:00',
      '0:00',
      '30:00',
      '0:00',
    ]);
    expect(await chartPixels('operators', '#009e73')).toBeGreaterThan(100);
    await expectDownloadsMatch('operators', { sheet: 'Tổng đài viên', withTotal: false });

    // ── Tickets, by category, commune and agency ──
    await openTab('Phiếu');
    const byCategory = async () => pageTable('tickets');
    await expect
      .poll(async () => rowOf(await byCategory(), fixture.categories.first))
      .toEqual([fixture.categories.first, '2', '2', '1', '50%', '0']);
    expect(rowOf(await byCategory(), fixture.categories.second)).toEqual([
      fixture.categories.second,
      '2',
      '0',
      '0',
      '—',
      '1',
    ]);
    expect((await byCategory()).foot).toEqual(['Tổng cộng', '4', '2', '1', '50%', '1']);
    expect(await chartPixels('tickets', '#0072b2')).toBeGreaterThan(100);
    const ticketFiles = {
      sheet: 'Phiếu theo lĩnh vực',
      csvTitle: 'Phiếu theo lĩnh vực',
      withTotal: false,
      skipColumns: 1,
    };
    await expectDownloadsMatch('tickets', ticketFiles);

    await page.getByRole('button', { name: 'Theo xã, phường' }).click();
    await expect
      .poll(async () => (await pageTable('tickets')).body)
      .toEqual(
        [
          [fixture.communes.first, '2', '1', '1', '100%', '1'],
          [fixture.communes.second, '1', '1', '0', '0%', '0'],
        ]
          .sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? '', 'vi'))
          .concat([['Chưa xác định', '1', '0', '0', '—', '0']]),
      );
    expect((await pageTable('tickets')).head[0]).toBe('Xã, phường');
    await expectDownloadsMatch('tickets', {
      ...ticketFiles,
      sheet: 'Phiếu theo xã, phường',
      csvTitle: 'Phiếu theo xã, phường',
    });

    await page.getByRole('button', { name: 'Theo cơ quan' }).click();
    await expect
      .poll(async () => rowOf(await pageTable('tickets'), fixture.agencies.first))
      .toEqual([fixture.agencies.first, '2', '2', '1', '50%', '0']);
    expect(rowOf(await pageTable('tickets'), fixture.agencies.second)).toEqual([
      fixture.agencies.second,
      '2',
      '0',
      '0',
      '—',
      '1',
    ]);
    await expectDownloadsMatch('tickets', {
      ...ticketFiles,
      sheet: 'Phiếu theo cơ quan',
      csvTitle: 'Phiếu theo cơ quan',
    });
  });

  it('counts today by the hour, with a ticket created through the API', async () => {
    await page.goto(`${env.hotline.url}/reports.html`);
    await expect
      .poll(() => page.getByRole('tab', { name: 'Cuộc gọi' }).getAttribute('aria-selected'))
      .toBe('true');
    // A caller who hangs up at once, now, and a ticket logged through the API.
    const now = new Date();
    env.hotline.db
      .insert(calls)
      .values({
        id: `report-today-${now.getTime()}`,
        callerNumber: '0911000111',
        arrivedAt: now,
        queue: 'general',
        queuedAt: now,
        leftQueueAt: now,
        endedAt: now,
        endReason: 'abandoned_in_queue',
        waitSeconds: 0,
      })
      .run();
    const csrf = (await page.context().cookies()).find((c) => c.name === 'hotline_csrf')?.value ?? '';
    const created = await page.request.post(`${env.hotline.url}/api/tickets`, {
      headers: { 'x-csrf-token': csrf },
      data: {
        callerNumber: '0911000222',
        category: 'health',
        description: 'Hỏi lịch tiêm chủng cho trẻ',
      },
    });
    expect(created.status(), await created.text()).toBe(201);
    const ticket = (await created.json()) as TicketView;

    await page.getByRole('button', { name: 'Hôm nay' }).click();
    await expect
      .poll(() => page.getByRole('button', { name: 'Hôm nay' }).getAttribute('aria-pressed'))
      .toBe('true');
    await expect.poll(async () => (await pageTable('calls')).head[0]).toBe('Giờ');
    const today = await pageTable('calls');
    expect(today.body).toHaveLength(24);
    const hour = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Ho_Chi_Minh',
      day: '2-digit',
      month: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(now);
    const part = (type: string) => hour.find((p) => p.type === type)?.value;
    const label = `${part('day')}/${part('month')} ${part('hour')}:00`;
    expect(rowOf(today, label)).toEqual([label, '1', '0', '1', '0', '—', '—', '—']);
    expect(today.foot).toEqual(['Tổng cộng', '1', '0', '1', '0', '—', '—', '—']);
    await expectDownloadsMatch('calls', { sheet: 'Cuộc gọi theo giờ', withTotal: true });

    await openTab('Phiếu');
    await page.getByRole('button', { name: 'Theo lĩnh vực' }).click();
    await expect.poll(async () => rowOf(await pageTable('tickets'), ticket.categoryName)?.[1]).toBe('1');
  });

  it('says when a period holds nothing, and shows the server’s word on a reversed period', async () => {
    const now = new Date();
    await page.goto(`${env.hotline.url}/reports.html?tab=calls`);
    await page.getByLabel('Từ ngày').fill(localDayBefore(now, 60));
    await page.getByLabel('Đến ngày').fill(localDayBefore(now, 55));
    await page.getByRole('button', { name: 'Xem báo cáo' }).click();
    await expect.poll(() => page.getByTestId('report-empty-calls').isVisible()).toBe(true);
    expect(await page.getByTestId('report-empty-calls').textContent()).toBe(
      'Không có dữ liệu trong khoảng thời gian này.',
    );
    expect(await page.getByTestId('report-table-calls').isVisible()).toBe(false);

    const { first, third } = fixture.days;
    const refused = await page.request.get(`${env.hotline.url}/api/reports/calls?from=${third}&to=${first}`);
    expect(refused.status()).toBe(400);
    const message = ((await refused.json()) as { error: { message: string } }).error.message;
    await page.getByLabel('Từ ngày').fill(third);
    await page.getByLabel('Đến ngày').fill(first);
    await page.getByRole('button', { name: 'Xem báo cáo' }).click();
    await expect.poll(() => page.getByTestId('period-error').textContent()).toBe(message);
    expect(await page.getByTestId('report-table-calls').isVisible()).toBe(false);
  });

  it('sends an operator back to their own page', async () => {
    const operator = await signedInPage(browser, env.hotline.url, 'tdv03', 'operator.html');
    await operator.goto(`${env.hotline.url}/reports.html`);
    await operator.waitForURL('**/operator.html');
    await operator.context().close();
  });
});
