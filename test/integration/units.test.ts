/** The units API on a real in-memory database: search, look-up, admin import all-or-nothing, roles. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListResponse, UnitImportInvalid, UnitImportResult, UnitView } from '../../common/api.ts';
import { auditLog } from '../../server/audit/schema.ts';
import { DONG_NAI_UNITS_FILE, importUnitsFile } from '../../server/units/import.ts';
import { units } from '../../server/units/schema.ts';
import { type AuthHeaders, buildFixture, type Fixture } from './server-fixture.ts';

const HEADER = 'code,name,kind,former_names,note';
let fx: Fixture;
let admin: AuthHeaders;
let operator: AuthHeaders;

beforeAll(async () => {
  fx = await buildFixture();
  // The demo seed may already hold the shipped list; importing it again changes nothing then.
  importUnitsFile(fx.db, DONG_NAI_UNITS_FILE, { actorId: null, now: new Date() });
  admin = await fx.session('quantri');
  operator = await fx.session('tdv01');
});
afterAll(async () => {
  await fx.close();
});

async function search(q: string, headers: AuthHeaders = operator, limit?: number): Promise<UnitView[]> {
  const query = new URLSearchParams({ q, ...(limit ? { limit: String(limit) } : {}) });
  const res = await fx.app.inject({ url: `/api/units?${query}`, headers });
  expect(res.statusCode).toBe(200);
  return res.json<ListResponse<UnitView>>().data;
}

const snapshot = () => ({
  units: fx.db.select().from(units).all(),
  audit: fx.db.select().from(auditLog).all().length,
});

describe('GET /api/units', () => {
  it('finds Biên Hòa first when typed without diacritics', async () => {
    const found = await search('bien hoa');
    expect(found[0]).toMatchObject({ code: '26068', name: 'Phường Biên Hòa', kind: 'phuong', active: true });
    expect(found[0]?.matchedFormerName).toBeUndefined();
    // Other units formed from wards of the former city follow, through their former names.
    expect(found.slice(1).some((u) => u.name === 'Phường Trấn Biên')).toBe(true);
  });

  it('finds the new unit from a former name, and says which one matched', async () => {
    const found = await search('tan van');
    expect(found[0]).toMatchObject({
      name: 'Phường Biên Hòa',
      matchedFormerName: 'Phường Tân Vạn (TP Biên Hòa)',
    });
    // A ward merged in 2024, a year before the reform, still leads to its unit.
    expect((await search('quyet thang'))[0]).toMatchObject({
      name: 'Phường Trấn Biên',
      matchedFormerName: 'Phường Quyết Thắng (TP Biên Hòa, nhập vào phường Trung Dũng năm 2024)',
    });
    const quangVinh = await search('Quang Vinh');
    expect(quangVinh[0]).toMatchObject({
      name: 'Phường Trấn Biên',
      matchedFormerName: 'Phường Quang Vinh (TP Biên Hòa)',
    });
  });

  it('puts the current name before former names that match the same words', async () => {
    const found = await search('Thong Nhat');
    expect(found[0]?.name).toBe('Xã Thống Nhất');
    const viaFormer = found.find((u) => u.name === 'Phường Trấn Biên');
    expect(viaFormer?.matchedFormerName).toBe('Phường Thống Nhất (TP Biên Hòa)');
  });

  it('takes the kind word or the code too', async () => {
    expect((await search('phuong bien hoa'))[0]?.code).toBe('26068');
    expect((await search('xa long'))[0]?.name).toMatch(/^Xã Long /);
    expect((await search('26068'))[0]?.name).toBe('Phường Biên Hòa');
  });

  it('needs every typed word, and honours the limit (at most 50)', async () => {
    expect(await search('bien hoa xyzzy')).toEqual([]);
    expect(await search('', operator, 5)).toHaveLength(5);
    const tooMany = await fx.app.inject({ url: '/api/units?q=a&limit=51', headers: operator });
    expect(tooMany.statusCode).toBe(400);
  });
});

describe('GET /api/units/:code', () => {
  it('answers the unit, or 404 UNIT_NOT_FOUND', async () => {
    const res = await fx.app.inject({ url: '/api/units/26041', headers: operator });
    expect(res.statusCode).toBe(200);
    expect(res.json<UnitView>()).toMatchObject({ code: '26041', name: 'Phường Trấn Biên' });
    const missing = await fx.app.inject({ url: '/api/units/00000', headers: operator });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'UNIT_NOT_FOUND' } });
  });
});

describe('admin routes', () => {
  it('lists every unit with former names and the active flag', async () => {
    const res = await fx.app.inject({ url: '/api/admin/units', headers: admin });
    expect(res.statusCode).toBe(200);
    const data = res.json<ListResponse<UnitView>>().data;
    expect(data.filter((u) => u.active)).toHaveLength(95);
    expect(data.find((u) => u.code === '26068')?.formerNames).toContain('Phường Hóa An (TP Biên Hòa)');
  });

  it('imports a text/csv body and a JSON body, auditing each', async () => {
    const text = readFileSync(DONG_NAI_UNITS_FILE, 'utf8');
    const raw = await fx.app.inject({
      method: 'POST',
      url: '/api/admin/units/import',
      headers: { ...admin, 'content-type': 'text/csv; charset=utf-8' },
      payload: text,
    });
    expect(raw.statusCode).toBe(200);
    expect(raw.json<UnitImportResult>()).toEqual({ added: 0, updated: 0, deactivated: 0, total: 95 });

    const renamed = `${HEADER}\nTAM-001,Đặc khu Thử Nghiệm,dac_khu,Xã Cổ Lũy (huyện Ngàn Xưa),mã chưa xác minh\n`;
    const json = await fx.app.inject({
      method: 'POST',
      url: '/api/admin/units/import',
      headers: admin,
      payload: { csv: renamed },
    });
    expect(json.statusCode).toBe(200);
    expect(json.json<UnitImportResult>()).toEqual({ added: 1, updated: 0, deactivated: 0, total: 1 });
    expect((await search('ngan xua'))[0]).toMatchObject({
      code: 'TAM-001',
      kind: 'dac_khu',
      matchedFormerName: 'Xã Cổ Lũy (huyện Ngàn Xưa)',
    });
    const last = fx.db.select().from(auditLog).all().at(-1);
    expect(last).toMatchObject({ action: 'units.import', entity: 'units', actorId: fx.userId('quantri') });

    // Re-importing the shipped list with deactivateMissing retires the trial unit.
    const retire = await fx.app.inject({
      method: 'POST',
      url: '/api/admin/units/import?deactivateMissing=true',
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: text,
    });
    expect(retire.json<UnitImportResult>()).toMatchObject({ deactivated: 1, total: 95 });
    expect(await search('ngan xua')).toEqual([]);
    const stillThere = await fx.app.inject({ url: '/api/units/TAM-001', headers: operator });
    expect(stillThere.json<UnitView>().active).toBe(false);
  });

  it('rejects a file with a bad row: 400 with numbered errors, nothing imported', async () => {
    const before = snapshot();
    const text = readFileSync(DONG_NAI_UNITS_FILE, 'utf8').replace('Phường Biên Hòa', 'Phường Đổi Tên');
    const bad = `${text}26068,Phường Trùng Mã,phuong,,\n,Xã Không Mã,xa,,\n`;
    const lines = bad.split('\n').length - 1;
    const res = await fx.app.inject({
      method: 'POST',
      url: '/api/admin/units/import',
      headers: admin,
      payload: { csv: bad, deactivateMissing: true },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<UnitImportInvalid>();
    expect(body.error.code).toBe('UNITS_IMPORT_INVALID');
    expect(body.errors.map((e) => e.line)).toEqual([lines - 1, lines]);
    expect(body.error.message).toContain(`Dòng ${lines - 1}: mã 26068 trùng với dòng`);
    expect(body.error.message).toContain(`Dòng ${lines}: thiếu mã đơn vị`);
    expect(snapshot()).toEqual(before);
    expect((await search('bien hoa'))[0]?.name).toBe('Phường Biên Hòa');
  });

  it('refuses a JSON body without csv', async () => {
    const res = await fx.app.inject({
      method: 'POST',
      url: '/api/admin/units/import',
      headers: admin,
      payload: { text: 'x' },
    });
    expect(res.statusCode).toBe(400);
  });
});

describe('roles', () => {
  it('lets an operator search and look up, but not list or import as admin', async () => {
    expect((await fx.app.inject({ url: '/api/units?q=long', headers: operator })).statusCode).toBe(200);
    expect((await fx.app.inject({ url: '/api/admin/units', headers: operator })).statusCode).toBe(403);
    const before = snapshot();
    const res = await fx.app.inject({
      method: 'POST',
      url: '/api/admin/units/import',
      headers: { ...operator, 'content-type': 'text/csv' },
      payload: `${HEADER}\n99998,Xã Lạ,xa,,\n`,
    });
    expect(res.statusCode).toBe(403);
    expect(snapshot()).toEqual(before);
  });

  it('answers 401 without a session', async () => {
    for (const url of ['/api/units?q=bien', '/api/units/26068', '/api/admin/units']) {
      expect((await fx.app.inject({ url })).statusCode).toBe(401);
    }
    const res = await fx.app.inject({
      method: 'POST',
      url: '/api/admin/units/import',
      headers: { 'content-type': 'text/csv' },
      payload: `${HEADER}\n99998,Xã Lạ,xa,,\n`,
    });
    expect(res.statusCode).toBe(401);
  });
});
