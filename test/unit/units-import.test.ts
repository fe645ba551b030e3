import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog } from '../../server/audit/schema.ts';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { UnitsImportInvalidError } from '../../server/units/errors.ts';
import {
  DONG_NAI_UNITS_FILE,
  importUnits,
  importUnitsFile,
  parseUnitsCsv,
  type UnitFileRow,
} from '../../server/units/import.ts';
import { units } from '../../server/units/schema.ts';

const HEADER = 'code,name,kind,former_names,note';

function rowsOf(text: string): UnitFileRow[] {
  const parsed = parseUnitsCsv(text);
  if ('errors' in parsed) throw new Error(JSON.stringify(parsed.errors));
  return parsed.rows;
}

function errorsOf(text: string): { line: number; message: string }[] {
  const parsed = parseUnitsCsv(text);
  if (!('errors' in parsed)) throw new Error('expected errors');
  return parsed.errors;
}

describe('parseUnitsCsv', () => {
  it('reads a good file: kinds in either spelling, former names split on ";", comments and blank lines skipped', () => {
    const rows = rowsOf(
      [
        '# Nguồn: thử nghiệm',
        HEADER,
        '26068,Phường Biên Hòa,phuong,Phường Tân Vạn (TP Biên Hòa); Phường Bửu Hòa (TP Biên Hòa),',
        '',
        '# giữa tệp',
        '26368,Xã Long Thành,Xã,Thị trấn Long Thành (huyện Long Thành),ghi chú',
        'TAM-001,Đặc khu Thử,Đặc khu,,mã chưa xác minh',
        '26377,Phường Phước Tân,PHUONG,,',
      ].join('\n'),
    );
    expect(rows).toEqual([
      {
        line: 3,
        code: '26068',
        name: 'Phường Biên Hòa',
        kind: 'phuong',
        formerNames: ['Phường Tân Vạn (TP Biên Hòa)', 'Phường Bửu Hòa (TP Biên Hòa)'],
        note: '',
      },
      {
        line: 6,
        code: '26368',
        name: 'Xã Long Thành',
        kind: 'xa',
        formerNames: ['Thị trấn Long Thành (huyện Long Thành)'],
        note: 'ghi chú',
      },
      {
        line: 7,
        code: 'TAM-001',
        name: 'Đặc khu Thử',
        kind: 'dac_khu',
        formerNames: [],
        note: 'mã chưa xác minh',
      },
      { line: 8, code: '26377', name: 'Phường Phước Tân', kind: 'phuong', formerNames: [], note: '' },
    ]);
  });

  it('handles RFC 4180 quoting: commas, doubled quotes and line breaks inside quotes, CRLF, a BOM', () => {
    const text = `\uFEFF${HEADER}\r\n26068,"Phường Biên Hòa","phuong","Phường Tân Vạn (TP Biên Hòa, Đồng Nai); Phường ""Bửu"" Hòa","dòng 1\r\ndòng 2"\r\n26041,Phường Trấn Biên,phuong,,\r\n`;
    const rows = rowsOf(text);
    expect(rows[0]).toMatchObject({
      line: 2,
      code: '26068',
      formerNames: ['Phường Tân Vạn (TP Biên Hòa, Đồng Nai)', 'Phường "Bửu" Hòa'],
      note: 'dòng 1\ndòng 2',
    });
    // The quoted line break counts: the next record starts on line 4.
    expect(rows[1]).toMatchObject({ line: 4, code: '26041' });
  });

  it('does not treat "#" inside a quoted field or after the first character as a comment', () => {
    const rows = rowsOf(`${HEADER}\n26068,Phường Biên Hòa,phuong,,"# không phải chú thích"\n`);
    expect(rows[0]?.note).toBe('# không phải chú thích');
  });

  it.each([
    ['missing code', ',Phường A,phuong,,', 'thiếu mã đơn vị'],
    ['missing name', '26068,,phuong,,', 'thiếu tên đơn vị'],
    ['missing kind', '26068,Phường A,,,', 'thiếu loại đơn vị'],
    ['unknown kind', '26068,Phường A,quan,,', 'loại đơn vị "quan" không hợp lệ'],
    ['bad code pattern', '2606,Phường A,phuong,,', 'mã "2606" không đúng mẫu'],
    ['letters in the code', 'ABCDE,Phường A,phuong,,', 'không đúng mẫu'],
    ['too few columns', '26068,Phường A,phuong', 'có 3 cột, cần 5 cột'],
    ['too many columns', '26068,Phường A,phuong,,,x', 'có 6 cột, cần 5 cột'],
    ['a quote inside an unquoted field', '26068,Phường "A",phuong,,', 'dấu ngoặc kép giữa ô'],
    ['text after a closing quote', '26068,"Phường A"x,phuong,,', 'sau dấu ngoặc kép đóng'],
  ])('%s: the error names line 3', (_what, row, message) => {
    const errors = errorsOf(`# chú thích\n${HEADER}\n${row}\n26041,Phường Trấn Biên,phuong,,\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.line).toBe(3);
    expect(errors[0]?.message).toContain(message);
  });

  it('names both lines of a duplicate code', () => {
    const errors = errorsOf(
      `${HEADER}\n26068,Phường A,phuong,,\n26041,Phường B,phuong,,\n26068,Phường C,phuong,,\n`,
    );
    expect(errors).toEqual([{ line: 4, message: 'mã 26068 trùng với dòng 2' }]);
  });

  it('reports an unclosed quote at the line where the record starts', () => {
    const errors = errorsOf(
      `${HEADER}\n26068,Phường A,phuong,,\n26041,"Phường B,phuong,,\n26377,Phường C,phuong,,\n`,
    );
    expect(errors).toEqual([{ line: 3, message: 'dấu ngoặc kép mở nhưng không đóng' }]);
  });

  it('lists every bad row, in line order', () => {
    const errors = errorsOf(`${HEADER}\n1,A,phuong,,\n26041,B,x,,\n26377,,phuong,,\n`);
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4]);
  });

  it('refuses a wrong header, and a file without data', () => {
    expect(errorsOf('code,name,kind\n26068,A,phuong\n')[0]).toMatchObject({ line: 1 });
    expect(errorsOf('# chỉ có chú thích\n')[0]?.message).toContain('không có dòng tiêu đề');
    expect(errorsOf(`# a\n${HEADER}\n`)).toEqual([
      { line: 2, message: 'tệp không có dòng dữ liệu nào sau dòng tiêu đề' },
    ]);
  });
});

describe('the shipped Đồng Nai file', () => {
  const rows = rowsOf(readFileSync(DONG_NAI_UNITS_FILE, 'utf8'));

  it('has 95 units: 72 xã, 23 phường, unique codes', () => {
    expect(rows).toHaveLength(95);
    expect(rows.filter((r) => r.kind === 'xa')).toHaveLength(72);
    expect(rows.filter((r) => r.kind === 'phuong')).toHaveLength(23);
    expect(new Set(rows.map((r) => r.code)).size).toBe(95);
  });

  it('names each unit with its kind word and the units it was formed from', () => {
    for (const row of rows) {
      expect(row.name.startsWith(row.kind === 'xa' ? 'Xã ' : 'Phường ')).toBe(true);
      expect(row.formerNames.length).toBeGreaterThan(0);
    }
    const bienHoa = rows.find((r) => r.name === 'Phường Biên Hòa');
    expect(bienHoa?.code).toBe('26068');
    expect(bienHoa?.formerNames).toContain('Phường Tân Vạn (TP Biên Hòa)');
  });

  it('names its sources in the header comments', () => {
    const text = readFileSync(DONG_NAI_UNITS_FILE, 'utf8');
    expect(text).toContain('1662/NQ-UBTVQH15');
    expect(text).toContain('19/2025/QĐ-TTg');
  });
});

describe('importUnits', () => {
  let db: Db;
  const now = new Date('2025-07-01T08:00:00+07:00');
  beforeEach(() => {
    db = openDatabase(':memory:');
  });
  afterEach(() => {
    db.$client.close();
  });
  const allUnits = () => db.select().from(units).all();
  const snapshot = () => ({
    units: db.select().from(units).all(),
    audit: db.select().from(auditLog).all(),
  });

  it('imports the shipped file once, then finds nothing to change', () => {
    db.delete(units).run();
    expect(importUnitsFile(db, DONG_NAI_UNITS_FILE, { actorId: null, now })).toEqual({
      added: 95,
      updated: 0,
      deactivated: 0,
      total: 95,
    });
    expect(importUnitsFile(db, DONG_NAI_UNITS_FILE, { actorId: null, now })).toEqual({
      added: 0,
      updated: 0,
      deactivated: 0,
      total: 95,
    });
    const bienHoa = allUnits().find((u) => u.code === '26068');
    expect(bienHoa?.searchText).toContain('bien hoa');
    expect(bienHoa?.searchText).toContain('tan van');
  });

  it('updates changed rows, reactivates, and deactivates missing ones only when asked', () => {
    db.delete(units).run();
    const first = `${HEADER}\n26068,Phường Biên Hòa,phuong,,\n26041,Phường Trấn Biên,phuong,,\n`;
    importUnits(db, first, { actorId: null, now });
    const second = `${HEADER}\n26068,Phường Biên Hòa,phuong,Phường Tân Vạn (TP Biên Hòa),\n`;
    expect(importUnits(db, second, { actorId: null, now })).toEqual({
      added: 0,
      updated: 1,
      deactivated: 0,
      total: 1,
    });
    expect(importUnits(db, second, { actorId: null, now, deactivateMissing: true })).toEqual({
      added: 0,
      updated: 0,
      deactivated: 1,
      total: 1,
    });
    expect(allUnits().find((u) => u.code === '26041')?.active).toBe(false);
    expect(importUnits(db, first, { actorId: null, now })).toMatchObject({ updated: 2 });
    expect(allUnits().every((u) => u.active)).toBe(true);
  });

  it('writes one audit entry per import with the counts', () => {
    db.delete(units).run();
    const before = db.select().from(auditLog).all().length;
    importUnits(db, `${HEADER}\n26068,Phường Biên Hòa,phuong,,\n`, { actorId: null, now });
    const entries = db.select().from(auditLog).all();
    expect(entries).toHaveLength(before + 1);
    expect(entries.at(-1)).toMatchObject({
      action: 'units.import',
      entity: 'units',
      actorId: null,
      after: { added: 1, updated: 0, deactivated: 0, total: 1 },
    });
  });

  it('imports nothing, not even the good rows, when any row is bad', () => {
    importUnitsFile(db, DONG_NAI_UNITS_FILE, { actorId: null, now });
    const before = snapshot();
    const good = readFileSync(DONG_NAI_UNITS_FILE, 'utf8').replace('Phường Biên Hòa', 'Phường Biên Hòa Mới');
    const bad = `${good}99999,Xã Thử,huyen,,\n`;
    let thrown: unknown;
    try {
      importUnits(db, bad, { actorId: null, now, deactivateMissing: true });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UnitsImportInvalidError);
    const error = thrown as UnitsImportInvalidError;
    expect(error.code).toBe('UNITS_IMPORT_INVALID');
    expect(error.errors).toHaveLength(1);
    expect(error.message).toContain(`Dòng ${error.errors[0]?.line}: loại đơn vị "huyen" không hợp lệ`);
    expect(snapshot()).toEqual(before);
  });
});
