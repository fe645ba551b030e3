/**
 * Reading the reports' downloads back for tests, and matching them against the page's tables.
 * The page writes figures for people (`1.234`, `81,3%`, `1:02:05`, `07/12/2026`, `—`); the files
 * hold the same figures as data (1234, 81.3 percent points in CSV or 0.813 in XLSX, seconds,
 * `2026-12-07`, `2026-12-07 08:00` for `07/12 08:00`, empty). `samePageCell` says whether a written cell and a file's cell are the same
 * figure, so a test can compare a page's table with a file cell for cell.
 */
import ExcelJS from 'exceljs';

export type FileCell = string | number | null;

/** CSV (RFC 4180) into rows of fields; a UTF-8 byte-order mark is dropped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const input = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (quoted) {
      if (ch === '"' && input[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && input[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const isBlank = (row: readonly FileCell[]) => row.every((cell) => cell === null || cell === '');

/** Rows split at blank rows: a file's tables (and the notes under them). */
export function blocks(rows: FileCell[][]): FileCell[][][] {
  const out: FileCell[][][] = [];
  let current: FileCell[][] = [];
  for (const row of rows) {
    if (isBlank(row)) {
      if (current.length > 0) out.push(current);
      current = [];
    } else current.push(row);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Each sheet of a workbook as rows of plain values (numbers stay numbers; blank cells are null). */
export async function readXlsx(data: Buffer): Promise<Map<string, FileCell[][]>> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(data as unknown as ArrayBuffer);
  const sheets = new Map<string, FileCell[][]>();
  for (const sheet of workbook.worksheets) {
    const rows: FileCell[][] = [];
    for (let r = 1; r <= sheet.rowCount; r++) {
      const row = sheet.getRow(r);
      const cells: FileCell[] = [];
      for (let c = 1; c <= sheet.columnCount; c++) {
        const value = row.getCell(c).value;
        cells.push(
          value === null || value === undefined
            ? null
            : typeof value === 'number' || typeof value === 'string'
              ? value
              : String(value),
        );
      }
      rows.push(cells);
    }
    sheets.set(sheet.name, rows);
  }
  return sheets;
}

/** `"1:02:05"` or `"3:33"` → seconds; `null` when it is not a duration. */
function durationSeconds(text: string): number | null {
  const m = /^(?:(\d+):)?(\d+):(\d{2})$/.exec(text);
  if (!m) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

const asNumber = (cell: FileCell): number | null => {
  if (cell === null || cell === '') return null;
  const n = typeof cell === 'number' ? cell : Number(cell);
  return Number.isFinite(n) ? n : null;
};

/**
 * Whether the page's `text` and a file's `cell` are the same figure. `shares`: the file holds
 * percentages as 0–1 shares (XLSX) rather than percent points (CSV).
 */
export function samePageCell(text: string, cell: FileCell, shares: boolean): boolean {
  if (text === '—') return cell === null || cell === '';
  const day = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  if (day) return cell === `${day[3]}-${day[2]}-${day[1]}`;
  // An hour: the page leaves out the year, which the period already says.
  const hour = /^(\d{2})\/(\d{2}) (\d{2}:\d{2})$/.exec(text);
  if (hour)
    return typeof cell === 'string' && new RegExp(`^\\d{4}-${hour[2]}-${hour[1]} ${hour[3]}$`).test(cell);
  const percent = /^(\d+(?:,\d)?)%$/.exec(text);
  if (percent) {
    const n = asNumber(cell);
    const points = n === null ? null : shares ? Math.round(n * 1000) / 10 : n;
    return points !== null && Math.abs(points - Number(percent[1]?.replace(',', '.'))) < 0.05;
  }
  const seconds = durationSeconds(text);
  if (seconds !== null) {
    const n = asNumber(cell);
    return n !== null && Math.round(n) === seconds;
  }
  if (/^-?\d{1,3}(\.\d{3})*$/.test(text)) return asNumber(cell) === Number(text.replace(/\./g, ''));
  return cell === text;
}

/**
 * Where the page's rows and a file's rows differ, as readable lines (none: they match). The
 * file's rows are taken without their header; `skipColumns` leading file columns the page does
 * not show (e.g. a code beside a name).
 */
export function differences(
  pageRows: readonly string[][],
  fileRows: readonly FileCell[][],
  opts: { shares: boolean; skipColumns?: number },
): string[] {
  const skip = opts.skipColumns ?? 0;
  const out: string[] = [];
  if (pageRows.length !== fileRows.length)
    out.push(`${pageRows.length} rows on the page, ${fileRows.length} in the file`);
  pageRows.forEach((row, r) => {
    const fileRow = fileRows[r]?.slice(skip) ?? [];
    if (fileRow.length !== row.length)
      out.push(`row ${r + 1}: ${row.length} cells on the page, ${fileRow.length} in the file`);
    row.forEach((text, c) => {
      const cell = fileRow[c] ?? null;
      if (!samePageCell(text, cell, opts.shares))
        out.push(`row ${r + 1} column ${c + 1}: page "${text}", file ${JSON.stringify(cell)}`);
    });
  });
  return out;
}
