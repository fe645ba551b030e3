/** CSV writing rules of the report files: quoting, formula guard, percent points, several tables. */
import { describe, expect, it } from 'vitest';
import { guardFormula, toCsv } from '../../server/reports/csv.ts';
import type { ReportTable } from '../../server/reports/tables.ts';

const table = (rows: ReportTable['rows'], title = 'Bảng'): ReportTable => ({
  title,
  columns: [
    { header: 'Tên, đơn vị', kind: 'text' },
    { header: 'Số', kind: 'count' },
    { header: 'Tỷ lệ (%)', kind: 'percent' },
  ],
  rows,
});

describe('guardFormula', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+84912', "'+84912"],
    ['-3', "'-3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['Phường Biên Hòa', 'Phường Biên Hòa'],
    ['a=b', 'a=b'],
  ])('%j → %j', (input, output) => {
    expect(guardFormula(input)).toBe(output);
  });
});

describe('toCsv', () => {
  it('starts with a BOM, quotes per RFC 4180, ends lines with CRLF', () => {
    const csv = toCsv([
      table([
        ['Xã "A", B', 3, 2 / 3],
        ['dòng\nhai', null, null],
        ['=cmd', 0, 1],
      ]),
    ]);
    expect(csv).toBe(
      '\uFEFF"Tên, đơn vị",Số,Tỷ lệ (%)\r\n"Xã ""A"", B",3,66.7\r\n"dòng\nhai",,\r\n\'=cmd,0,100\r\n',
    );
  });

  it('puts several tables under their titles, a blank line apart, notes after the rows', () => {
    const csv = toCsv([
      { ...table([['x', 1, null]], 'Một'), notes: [['Còn mở', 2]] },
      table([['y', 2, 0.5]], 'Hai'),
    ]);
    expect(csv).toBe(
      '\uFEFFMột\r\n"Tên, đơn vị",Số,Tỷ lệ (%)\r\nx,1,\r\n\r\nCòn mở,2\r\n\r\nHai\r\n"Tên, đơn vị",Số,Tỷ lệ (%)\r\ny,2,50\r\n',
    );
  });
});
