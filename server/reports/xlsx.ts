/**
 * Report tables as an XLSX workbook (exceljs): one sheet per table, the header row bold and
 * frozen, numbers stored as numbers (shares as 0–1 with a percent format, so a spreadsheet can
 * still sum and chart them), notes under the table after a blank row.
 */
import ExcelJS from 'exceljs';
import type { ColumnKind, ReportTable } from './tables.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const FORMATS: Record<ColumnKind, string | undefined> = {
  text: undefined,
  count: '#,##0',
  seconds: '#,##0',
  decimal: '#,##0.0',
  percent: '0.0%',
};

/** Sheet names: at most 31 characters, none of : \ / ? * [ ], unique in the workbook. */
function sheetName(title: string, taken: Set<string>): string {
  const base = title.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31);
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base.slice(0, 28)} ${i}`;
  taken.add(name.toLowerCase());
  return name;
}

export function addTableSheet(
  workbook: ExcelJS.Workbook,
  table: ReportTable,
  taken = new Set<string>(),
): void {
  for (const ws of workbook.worksheets) taken.add(ws.name.toLowerCase());
  const sheet = workbook.addWorksheet(sheetName(table.title, taken), {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  sheet.columns = table.columns.map((c) => ({
    header: c.header,
    width: c.kind === 'text' ? 28 : Math.min(40, Math.max(12, c.header.length + 2)),
    ...(FORMATS[c.kind] ? { style: { numFmt: FORMATS[c.kind] } } : {}),
  }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'middle' };
  for (const row of table.rows) sheet.addRow(row);
  if (table.notes?.length) {
    sheet.addRow([]);
    for (const note of table.notes) sheet.addRow(note).font = { italic: true };
  }
}

export async function toXlsx(
  tables: ReportTable[],
  opts: { created?: Date; title?: string } = {},
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Tổng đài 1022';
  if (opts.created) workbook.created = opts.created;
  if (opts.title) workbook.title = opts.title;
  const taken = new Set<string>();
  for (const table of tables) addTableSheet(workbook, table, taken);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
