/**
 * Reads the units file (format in `README.md`) and applies it to the `units` table: every row in
 * one transaction, or nothing when any row is wrong.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eq, inArray } from 'drizzle-orm';
import type { UnitImportLineError, UnitImportResult } from '../../common/api.ts';
import { UNIT_KINDS, type UnitKind } from '../../common/domain.ts';
import { foldVietnamese } from '../../common/text.ts';
import { audit } from '../audit/service.ts';
import type { Db } from '../db/index.ts';
import { readCsv } from './csv.ts';
import { UnitsImportInvalidError } from './errors.ts';
import { units } from './schema.ts';

/** The shipped list of Đồng Nai's 95 units (from the source tree, or next to the build's output). */
export const DONG_NAI_UNITS_FILE = shippedFile('dong-nai.csv');

function shippedFile(name: string): string {
  const here = fileURLToPath(new URL(`./${name}`, import.meta.url));
  if (existsSync(here)) return here;
  // tsc does not copy data files: dist/server/units/ reads the one in server/units/.
  const source = fileURLToPath(new URL(`../../../server/units/${name}`, import.meta.url));
  return existsSync(source) ? source : here;
}

export const UNIT_COLUMNS = ['code', 'name', 'kind', 'former_names', 'note'] as const;
/** Optional last two columns: a point inside the unit (WGS84 decimal degrees), or both empty. */
export const UNIT_POINT_COLUMNS = ['latitude', 'longitude'] as const;

/** Official 5-digit codes, or provisional `TAM-001` codes until the official one is known. */
export const UNIT_CODE_PATTERN = /^(?:\d{5}|TAM-\d{3})$/;

export interface UnitFileRow {
  line: number;
  code: string;
  name: string;
  kind: UnitKind;
  formerNames: string[];
  note: string;
  /** Absent when the file has no coordinate columns (the units' points stay as they are). */
  point?: { latitude: number; longitude: number } | null;
}

export type ParseResult = { rows: UnitFileRow[] } | { errors: UnitImportLineError[] };

const KIND_BY_WORD = new Map<string, UnitKind>();
for (const [kind, word] of Object.entries(UNIT_KINDS) as [UnitKind, string][]) {
  KIND_BY_WORD.set(kind, kind);
  KIND_BY_WORD.set(foldVietnamese(word), kind);
}

/** The kind a file may spell as `xa|phuong|dac_khu` or `Xã|Phường|Đặc khu` (any case, diacritics optional). */
export function parseUnitKind(text: string): UnitKind | null {
  return KIND_BY_WORD.get(foldVietnamese(text)) ?? null;
}

/** Pure: the file's rows, or every problem found with its line number (Vietnamese). */
export function parseUnitsCsv(text: string): ParseResult {
  const { records, errors } = readCsv(text);
  const [header, ...body] = records;
  if (!header) {
    return { errors: [...errors, { line: 1, message: 'tệp không có dòng tiêu đề và dữ liệu' }] };
  }
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  const base = UNIT_COLUMNS.join(',');
  const withPoint = [...UNIT_COLUMNS, ...UNIT_POINT_COLUMNS].join(',');
  const hasPoint = columns.join(',') === withPoint;
  if (!hasPoint && columns.join(',') !== base) {
    errors.push({ line: header.line, message: `dòng tiêu đề phải là "${base}" hoặc "${withPoint}"` });
    return { errors: sortByLine(errors) };
  }
  const expected = hasPoint ? withPoint : base;
  const width = hasPoint ? UNIT_COLUMNS.length + UNIT_POINT_COLUMNS.length : UNIT_COLUMNS.length;
  if (body.length === 0 && errors.length === 0) {
    return { errors: [{ line: header.line, message: 'tệp không có dòng dữ liệu nào sau dòng tiêu đề' }] };
  }

  const rows: UnitFileRow[] = [];
  const lineOfCode = new Map<string, number>();
  for (const { line, fields } of body) {
    const problems: string[] = [];
    // With the point columns, a row may still end after `note` (no point), as older rows do.
    if (fields.length !== width && !(hasPoint && fields.length === UNIT_COLUMNS.length)) {
      const allowed = hasPoint ? `${UNIT_COLUMNS.length} hoặc ${width}` : `${width}`;
      errors.push({ line, message: `có ${fields.length} cột, cần ${allowed} cột (${expected})` });
      continue;
    }
    const [code = '', name = '', kindText = '', former = '', note = '', lat = '', long = ''] = fields.map(
      (f) => f.trim(),
    );
    if (!code) problems.push('thiếu mã đơn vị (code)');
    else if (!UNIT_CODE_PATTERN.test(code)) {
      problems.push(`mã "${code}" không đúng mẫu (5 chữ số, hoặc mã tạm dạng TAM-001)`);
    }
    if (!name) problems.push('thiếu tên đơn vị (name)');
    const kind = kindText ? parseUnitKind(kindText) : null;
    if (!kindText) problems.push('thiếu loại đơn vị (kind)');
    else if (!kind) {
      problems.push(`loại đơn vị "${kindText}" không hợp lệ (xa, phuong, dac_khu hoặc Xã, Phường, Đặc khu)`);
    }
    if (code) {
      const first = lineOfCode.get(code);
      if (first !== undefined) problems.push(`mã ${code} trùng với dòng ${first}`);
      else lineOfCode.set(code, line);
    }
    const point = hasPoint ? parsePoint(lat, long, problems) : undefined;
    if (problems.length > 0 || !kind) {
      errors.push({ line, message: problems.join('; ') });
      continue;
    }
    const formerNames = [
      ...new Set(
        former
          .split(';')
          .map((n) => n.trim().replace(/\s+/g, ' '))
          .filter(Boolean),
      ),
    ];
    rows.push({
      line,
      code,
      name: name.replace(/\s+/g, ' '),
      kind,
      formerNames,
      note,
      ...(point === undefined ? {} : { point }),
    });
  }
  return errors.length > 0 ? { errors: sortByLine(errors) } : { rows };
}

const DECIMAL = /^-?\d{1,3}(?:\.\d+)?$/;

/** Both empty (no point), or two decimal degrees in range; a problem otherwise. */
function parsePoint(
  lat: string,
  long: string,
  problems: string[],
): { latitude: number; longitude: number } | null {
  if (!lat && !long) return null;
  if (!lat || !long) {
    problems.push('cần cả vĩ độ (latitude) và kinh độ (longitude), hoặc để trống cả hai');
    return null;
  }
  const latitude = DECIMAL.test(lat) ? Number(lat) : Number.NaN;
  const longitude = DECIMAL.test(long) ? Number(long) : Number.NaN;
  if (!(Math.abs(latitude) <= 90))
    problems.push(`vĩ độ "${lat}" không hợp lệ (số thập phân từ -90 đến 90, dấu chấm)`);
  if (!(Math.abs(longitude) <= 180)) {
    problems.push(`kinh độ "${long}" không hợp lệ (số thập phân từ -180 đến 180, dấu chấm)`);
  }
  return { latitude, longitude };
}

function sortByLine(errors: UnitImportLineError[]): UnitImportLineError[] {
  return errors.sort((a, b) => a.line - b.line);
}

/** What a typed search matches: the name and every former name, folded. */
export function unitSearchText(name: string, formerNames: readonly string[]): string {
  return [name, ...formerNames].map(foldVietnamese).join(' | ');
}

export interface ImportOptions {
  /** Who imports; null for the system (the demo seed). */
  actorId: number | null;
  now: Date;
  /** Marks inactive the active units the file no longer lists (tickets keep pointing at them). */
  deactivateMissing?: boolean;
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Applies the file: new codes are added, listed codes take the file's name, kind and former names
 * (and become active again), and with `deactivateMissing` the unlisted ones are deactivated. One
 * transaction with its audit entry; throws `UnitsImportInvalidError` (nothing written) on any bad row.
 * `total` is the number of rows in the file.
 */
export function importUnits(db: Db, text: string, opts: ImportOptions): UnitImportResult {
  const parsed = parseUnitsCsv(text);
  if ('errors' in parsed) throw new UnitsImportInvalidError(parsed.errors);
  const { rows } = parsed;
  return db.transaction((tx) => {
    const existing = new Map(
      tx
        .select()
        .from(units)
        .all()
        .map((u) => [u.code, u]),
    );
    let added = 0;
    let updated = 0;
    for (const row of rows) {
      const values = {
        name: row.name,
        kind: row.kind,
        formerNames: row.formerNames,
        searchText: unitSearchText(row.name, row.formerNames),
        active: true,
        importedAt: opts.now,
        // A file without the coordinate columns leaves the units' points as they are.
        ...(row.point === undefined
          ? {}
          : { latitude: row.point?.latitude ?? null, longitude: row.point?.longitude ?? null }),
      };
      const before = existing.get(row.code);
      if (!before) {
        tx.insert(units)
          .values({ code: row.code, ...values })
          .run();
        added++;
        continue;
      }
      const changed =
        before.name !== row.name ||
        before.kind !== row.kind ||
        !before.active ||
        !sameList(before.formerNames, row.formerNames) ||
        (row.point !== undefined &&
          (before.latitude !== (row.point?.latitude ?? null) ||
            before.longitude !== (row.point?.longitude ?? null)));
      if (changed) {
        tx.update(units).set(values).where(eq(units.code, row.code)).run();
        updated++;
      }
    }
    let deactivated = 0;
    if (opts.deactivateMissing) {
      const listed = new Set(rows.map((r) => r.code));
      const missing = [...existing.values()]
        .filter((u) => u.active && !listed.has(u.code))
        .map((u) => u.code);
      if (missing.length > 0) {
        tx.update(units).set({ active: false }).where(inArray(units.code, missing)).run();
        deactivated = missing.length;
      }
    }
    const result: UnitImportResult = { added, updated, deactivated, total: rows.length };
    audit(tx, { actorId: opts.actorId, action: 'units.import', entity: 'units', after: result }, opts.now);
    return result;
  });
}

/** `importUnits` on a file, e.g. `importUnitsFile(db, DONG_NAI_UNITS_FILE, { actorId: null, now })`. */
export function importUnitsFile(db: Db, path: string, opts: ImportOptions): UnitImportResult {
  return importUnits(db, readFileSync(path, 'utf8'), opts);
}
