/**
 * Report tables as CSV (RFC 4180): UTF-8 with a byte-order mark so Excel shows the diacritics,
 * CRLF line ends, fields quoted when they hold a comma, quote or line break. Text that a
 * spreadsheet would run as a formula (starting with = + - @, tab or carriage return: a commune or
 * operator name an admin typed) is prefixed with a quote. Percentages are written as percent
 * points to a tenth (the headers say "%"). Several tables: each under its title, a blank line
 * between.
 */
import type { Cell, Column, ReportTable } from './tables.ts';

export const CSV_TYPE = 'text/csv; charset=utf-8';
const BOM = '\uFEFF';
const CRLF = '\r\n';

/** Neutralises text a spreadsheet would evaluate (CSV injection). */
export function guardFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** A share of 0–1 as percent points to a tenth: 2/3 → 66.7. */
export const percentPoints = (share: number): number => Math.round(share * 1000) / 10;

function field(value: Cell, column: Column | undefined): string {
  if (value === null) return '';
  if (typeof value === 'number') {
    return String(column?.kind === 'percent' ? percentPoints(value) : value);
  }
  return quote(guardFormula(value));
}

function lines(table: ReportTable): string[] {
  const out = [
    table.columns.map((c) => field(c.header, undefined)).join(','),
    ...table.rows.map((row) => row.map((v, i) => field(v, table.columns[i])).join(',')),
  ];
  if (table.notes?.length) {
    out.push('');
    for (const [label, value] of table.notes)
      out.push(`${field(label, undefined)},${field(value, undefined)}`);
  }
  return out;
}

export function toCsv(tables: ReportTable[]): string {
  const blocks = tables.map((t) => (tables.length > 1 ? [field(t.title, undefined), ...lines(t)] : lines(t)));
  return BOM + blocks.map((b) => b.join(CRLF)).join(CRLF + CRLF) + CRLF;
}
