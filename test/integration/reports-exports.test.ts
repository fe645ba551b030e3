/** The reports' CSV and XLSX files open, and hold the page's figures. */
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CallbacksReport,
  CallsReport,
  OperatorsReport,
  TicketReportRow,
  TicketsReport,
} from '../../common/api.ts';
import { users } from '../../server/db/schema.ts';
import { NOW, seedReportRecords } from './reports-fixture.ts';
import { type AuthHeaders, buildFixture, type Fixture } from './server-fixture.ts';

let fx: Fixture;
let supervisor: AuthHeaders;
const PERIOD = 'from=2026-12-01&to=2026-12-02';
/** An operator whose name a spreadsheet would run as a formula. */
const FORMULA_NAME = '=HYPERLINK("http://example.invalid","Bấm vào đây")';

beforeAll(async () => {
  fx = await buildFixture({ now: () => NOW });
  supervisor = await fx.session('giamsat');
  seedReportRecords(fx.db, {
    tdv01: fx.userId('tdv01'),
    tdv02: fx.userId('tdv02'),
    tdv03: fx.userId('tdv03'),
  });
  fx.db
    .update(users)
    .set({ displayName: FORMULA_NAME })
    .where(eq(users.id, fx.userId('tdv04')))
    .run();
});
afterAll(async () => {
  await fx.close();
});

/** RFC 4180: fields split on commas, quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

async function download(path: string) {
  const res = await fx.app.inject({ url: path, headers: supervisor });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  return res;
}

async function csvOf(path: string): Promise<string[][]> {
  const res = await download(path);
  expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
  const bytes = res.rawPayload;
  // UTF-8 byte-order mark, so Excel reads the diacritics right.
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf8');
  expect(text.endsWith('\r\n')).toBe(true);
  return parseCsv(text);
}

async function workbookOf(path: string): Promise<ExcelJS.Workbook> {
  const res = await download(path);
  expect(res.headers['content-type']).toBe(
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  );
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  return workbook;
}

/** A sheet's rows as plain values (row 1 the header); empty cells null. */
function sheetRows(sheet: ExcelJS.Worksheet): (string | number | null)[][] {
  const rows: (string | number | null)[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row) => {
    const values: (string | number | null)[] = [];
    for (let c = 1; c <= sheet.columnCount; c++) {
      const v = row.getCell(c).value;
      values.push(v === null || v === undefined ? null : (v as string | number));
    }
    rows.push(values);
  });
  return rows;
}

const num = (v: number | null) => (v === null ? '' : String(v));
const pct = (v: number | null) => (v === null ? '' : String(Math.round(v * 1000) / 10));

describe('calls export', () => {
  it('CSV and XLSX hold every row of the page and the total', async () => {
    const query = `${PERIOD}&granularity=hour`;
    const json = (await download(`/api/reports/calls?${query}`)).json<CallsReport>();
    const res = await download(`/api/reports/calls.csv?${query}`);
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="bao-cao-cuoc-goi-2026-12-01-2026-12-02.csv"',
    );
    const csv = await csvOf(`/api/reports/calls.csv?${query}`);
    expect(csv[0]).toEqual([
      'Giờ',
      'Cuộc gọi vào hàng chờ',
      'Đã trả lời',
      'Bỏ máy khi chờ',
      'Bỏ máy sau hơn 5 giây',
      'Mức phục vụ (trả lời trong 20 giây, %)',
      'Thời gian chờ trung bình (giây)',
      'Thời gian đàm thoại trung bình (giây)',
    ]);
    const expected = [
      ...json.rows.map((r) => ({ label: `${r.start.slice(0, 10)} ${r.start.slice(11, 16)}`, ...r })),
      { label: 'Tổng cộng', ...json.total },
    ];
    expect(csv.slice(1)).toEqual(
      expected.map((r) => [
        r.label,
        num(r.offered),
        num(r.answered),
        num(r.abandoned),
        num(r.abandonedAfterThreshold),
        pct(r.serviceLevel),
        num(r.averageWaitSeconds),
        num(r.averageTalkSeconds),
      ]),
    );
    // Known answers on the way: 8:00 on 1 Dec, and the period's service level of 3/5.
    expect(csv[1 + 8]).toEqual(['2026-12-01 08:00', '3', '2', '1', '0', '50', '27.5', '90']);
    expect(csv.at(-1)).toEqual(['Tổng cộng', '7', '4', '2', '1', '60', '20', '70']);

    const workbook = await workbookOf(`/api/reports/calls.xlsx?${query}`);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Cuộc gọi theo giờ']);
    const sheet = workbook.worksheets[0]!;
    const rows = sheetRows(sheet);
    expect(rows[0]).toEqual(csv[0]);
    expect(rows.slice(1)).toEqual(
      expected.map((r) => [
        r.label,
        r.offered,
        r.answered,
        r.abandoned,
        r.abandonedAfterThreshold,
        r.serviceLevel,
        r.averageWaitSeconds,
        r.averageTalkSeconds,
      ]),
    );
    // Shares stay numbers, shown as percentages.
    expect(sheet.getRow(rows.length).getCell(6).numFmt).toBe('0.0%');
    expect(sheet.getRow(1).font?.bold).toBe(true);
  });
});

describe('callbacks export', () => {
  it('has the days, the total and the tasks open at the end', async () => {
    const json = (await download(`/api/reports/callbacks?${PERIOD}`)).json<CallbacksReport>();
    const csv = await csvOf(`/api/reports/callbacks.csv?${PERIOD}`);
    const body = [
      ...json.rows.map((r) => [r.start.slice(0, 10), r.opened, r.reached, r.givenUp, r.attempts]),
      ['Tổng cộng', json.total.opened, json.total.reached, json.total.givenUp, json.total.attempts],
    ];
    expect(csv).toEqual([
      ['Ngày', 'Yêu cầu gọi lại mới', 'Đã gọi được', 'Ngừng gọi lại', 'Lượt gọi lại'],
      ...body.map((r) => r.map(String)),
      [''],
      ['Yêu cầu còn mở cuối kỳ', String(json.openAtEnd)],
    ]);
    expect(csv.at(-1)).toEqual(['Yêu cầu còn mở cuối kỳ', '3']);
    const rows = sheetRows((await workbookOf(`/api/reports/callbacks.xlsx?${PERIOD}`)).worksheets[0]!);
    expect(rows.slice(1, 1 + body.length)).toEqual(body);
    expect(rows.at(-1)?.slice(0, 2)).toEqual(['Yêu cầu còn mở cuối kỳ', 3]);
  });
});

describe('operators export', () => {
  it('has a row per operator with every not-ready reason, and defuses formula-like names', async () => {
    const json = (await download(`/api/reports/operators?${PERIOD}`)).json<OperatorsReport>();
    const csv = await csvOf(`/api/reports/operators.csv?${PERIOD}`);
    expect(csv[0]).toEqual([
      'Tổng đài viên',
      'Cuộc gọi đã xử lý',
      'Tổng thời gian đàm thoại (giây)',
      'Đàm thoại trung bình (giây)',
      'Xử lý sau cuộc gọi (giây)',
      'Sẵn sàng (giây)',
      'Tạm nghỉ: Nghỉ giải lao (giây)',
      'Tạm nghỉ: Đào tạo (giây)',
      'Tạm nghỉ: Gọi lại cho dân (giây)',
      'Tạm nghỉ: Không trả lời cuộc gọi (giây)',
      'Tạm nghỉ: Mất kết nối (giây)',
    ]);
    const values = json.rows.map((r) => [
      r.displayName,
      r.handled,
      r.talkSeconds,
      r.averageTalkSeconds,
      r.wrapUpSeconds,
      r.readySeconds,
      r.notReadySeconds.break,
      r.notReadySeconds.training,
      r.notReadySeconds.callback_work,
      r.notReadySeconds.missed_call,
      r.notReadySeconds.connection_lost,
    ]);
    const guard = (name: string) => (/^[=+\-@]/.test(name) ? `'${name}` : name);
    expect(csv.slice(1)).toEqual(
      values.map(([name, ...rest]) => [guard(name as string), ...rest.map((v) => num(v as number | null))]),
    );
    expect(csv.slice(1).map((r) => r[0])).toContain(`'${FORMULA_NAME}`);
    expect(csv.find((r) => r[0] === 'Nguyễn Thị Hoa')?.slice(1, 7)).toEqual([
      '2',
      '150',
      '75',
      '30',
      '39450',
      '3600',
    ]);

    const workbook = await workbookOf(`/api/reports/operators.xlsx?${PERIOD}`);
    const rows = sheetRows(workbook.worksheets[0]!);
    expect(rows.slice(1)).toEqual(values);
    // A text cell in XLSX is never a formula.
    const formulaCell = workbook.worksheets[0]!.getColumn(1).values.find((v) => v === FORMULA_NAME);
    expect(formulaCell).toBe(FORMULA_NAME);
  });
});

describe('tickets export', () => {
  it('puts each grouping in a table of its own: CSV blocks, XLSX sheets', async () => {
    const json = (await download(`/api/reports/tickets?${PERIOD}`)).json<TicketsReport>();
    const asCsv = (r: TicketReportRow) => [
      r.key,
      r.label,
      num(r.created),
      num(r.resolved),
      num(r.resolvedOnTime),
      pct(r.onTimeRate),
      num(r.overdue),
    ];
    const header = [
      'Tiếp nhận',
      'Đã giải quyết',
      'Giải quyết đúng hạn',
      'Tỷ lệ đúng hạn (%)',
      'Quá hạn cuối kỳ',
    ];
    const csv = await csvOf(`/api/reports/tickets.csv?${PERIOD}`);
    expect(csv).toEqual([
      ['Phiếu theo lĩnh vực'],
      ['Mã lĩnh vực', 'Lĩnh vực', ...header],
      ...json.byCategory.map(asCsv),
      [''],
      ['Phiếu theo xã, phường'],
      ['Mã đơn vị', 'Xã, phường', ...header],
      ...json.byCommune.map(asCsv),
      [''],
      ['Phiếu theo cơ quan'],
      ['Mã cơ quan', 'Cơ quan', ...header],
      ...json.byAgency.map(asCsv),
    ]);
    expect(csv.find((r) => r[0] === 'health')).toEqual([
      'health',
      'Y tế, dịch bệnh',
      '3',
      '2',
      '1',
      '50',
      '1',
    ]);

    const workbook = await workbookOf(`/api/reports/tickets.xlsx?${PERIOD}`);
    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      'Phiếu theo lĩnh vực',
      'Phiếu theo xã, phường',
      'Phiếu theo cơ quan',
    ]);
    const asCells = (r: TicketReportRow) => [
      r.key,
      r.label,
      r.created,
      r.resolved,
      r.resolvedOnTime,
      r.onTimeRate,
      r.overdue,
    ];
    const [byCategory, byCommune, byAgency] = workbook.worksheets.map((s) => sheetRows(s).slice(1));
    expect(byCategory).toEqual(json.byCategory.map(asCells));
    // The "not determined" commune row has an empty key.
    expect(byCommune).toEqual(json.byCommune.map(asCells));
    expect(byCommune?.at(-1)?.slice(0, 2)).toEqual(['', 'Chưa xác định']);
    expect(byAgency).toEqual(json.byAgency.map(asCells));
  });
});

describe('summary workbook', () => {
  it('opens on the overview, then every report, with the same figures', async () => {
    const res = await download(`/api/reports/summary.xlsx?${PERIOD}`);
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="bao-cao-tong-hop-2026-12-01-2026-12-02.xlsx"',
    );
    const workbook = await workbookOf(`/api/reports/summary.xlsx?${PERIOD}`);
    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      'Tổng quan',
      'Cuộc gọi theo ngày',
      'Gọi lại cho dân',
      'Tổng đài viên',
      'Phiếu theo lĩnh vực',
      'Phiếu theo xã, phường',
      'Phiếu theo cơ quan',
    ]);
    const overview = Object.fromEntries(
      sheetRows(workbook.worksheets[0]!)
        .slice(1)
        .filter((r) => r[0] !== null)
        .map((r) => [r[0], r.slice(1)]),
    );
    expect(overview).toMatchObject({
      'Cuộc gọi vào hàng chờ': [7, null],
      'Đã trả lời': [4, 4 / 7],
      'Bỏ máy khi chờ': [2, 2 / 7],
      'Mức phục vụ': [null, 0.6],
      'Yêu cầu gọi lại mới': [4, null],
      'Yêu cầu gọi lại còn mở cuối kỳ': [3, null],
      'Phiếu tiếp nhận': [4, null],
      'Phiếu đã giải quyết': [2, null],
      'Giải quyết đúng hạn': [1, 0.5],
      'Phiếu quá hạn cuối kỳ': [3, null],
      'Kỳ báo cáo': ['2026-12-01 – 2026-12-02', null],
    });
    const calls = sheetRows(workbook.worksheets[1]!);
    expect(calls.map((r) => r[0])).toEqual(['Ngày', '2026-12-01', '2026-12-02', 'Tổng cộng']);
  });

  it('is refused like the page: bad periods 400, other roles 403', async () => {
    for (const path of ['/api/reports/summary.xlsx', '/api/reports/calls.csv', '/api/reports/tickets.xlsx']) {
      const bad = await fx.app.inject({ url: `${path}?from=2026-12-09&to=2026-12-01`, headers: supervisor });
      expect(bad.statusCode).toBe(400);
      expect(bad.json<{ error: { code: string } }>().error.code).toBe('INVALID_PERIOD');
      const operator = await fx.app.inject({ url: `${path}?${PERIOD}`, headers: await fx.session('tdv01') });
      expect(operator.statusCode).toBe(403);
    }
  });
});
