/**
 * Routing by commune on real SQLite with the demo data: a category's default agency, a commune's
 * exception, inactive agencies never suggested, and the admin API that keeps the exceptions.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgencyView, RoutingException } from '../../common/api.ts';
import { listAudit } from '../../server/audit/service.ts';
import { agencies, categories, units } from '../../server/db/schema.ts';
import { NoRouteError, UnknownCategoryError, UnknownUnitError } from '../../server/routing/errors.ts';
import { placeTicket, suggestAgency } from '../../server/routing/service.ts';
import { buildFixture, type Fixture } from './server-fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await buildFixture();
});
afterEach(() => f.close());

const unitCode = (name: string): string =>
  f.db.select().from(units).where(eq(units.name, name)).get()?.code ??
  (() => {
    throw new Error(`no unit ${name}`);
  })();
const agencyId = (code: string): number =>
  f.db.select().from(agencies).where(eq(agencies.code, code)).get()!.id;

describe('suggestAgency', () => {
  it.each([
    ['health', 'Phường Biên Hòa', 'syt'],
    ['welfare', 'Phường Biên Hòa', 'snv'],
    ['goods', 'Xã Long Thành', 'sct'],
    ['infrastructure', 'Phường Biên Hòa', 'ubnd-bien-hoa'],
    ['public_services', 'Phường Long Khánh', 'ubnd-long-khanh'],
    ['infrastructure', 'Xã Long Thành', 'ubnd-long-thanh'],
    ['infrastructure', 'Phường Tam Hiệp', 'sxd'],
    ['public_services', 'Phường Tam Hiệp', 'vpubnd'],
    ['policy', 'Phường Biên Hòa', 'vpubnd'],
  ])('%s in %s → %s', (category, unit, code) => {
    expect(suggestAgency(f.db, category, unitCode(unit)).code).toBe(code);
  });

  it('without a unit (chưa xác định) suggests the category default', () => {
    expect(suggestAgency(f.db, 'infrastructure', null).code).toBe('sxd');
  });

  it('never suggests an inactive agency: an inactive exception falls back to the default', () => {
    f.db.update(agencies).set({ active: false }).where(eq(agencies.code, 'ubnd-bien-hoa')).run();
    expect(suggestAgency(f.db, 'infrastructure', unitCode('Phường Biên Hòa')).code).toBe('sxd');
  });

  it('an inactive default agency, or none, is no route rather than a wrong one', () => {
    f.db.update(agencies).set({ active: false }).where(eq(agencies.code, 'sct')).run();
    expect(() => suggestAgency(f.db, 'goods', null)).toThrow(NoRouteError);
    f.db.update(categories).set({ defaultAgencyId: null }).where(eq(categories.key, 'health')).run();
    expect(() => suggestAgency(f.db, 'health', unitCode('Phường Biên Hòa'))).toThrow(NoRouteError);
  });
});

describe('placeTicket (one read for a new ticket)', () => {
  const suggestion = (category: string, unit: string | null) => {
    try {
      return suggestAgency(f.db, category, unit).code;
    } catch (err) {
      if (err instanceof NoRouteError) return null;
      throw err;
    }
  };
  const names = ['Phường Biên Hòa', 'Phường Long Khánh', 'Xã Long Thành', 'Phường Tam Hiệp'];

  it('suggests what suggestAgency suggests, for every category and commune, also after changes', () => {
    const compare = () => {
      for (const { key } of f.db.select().from(categories).all()) {
        for (const unit of [null, ...names.map(unitCode)]) {
          const placed = placeTicket(f.db, key, unit);
          expect(placed.suggested?.code ?? null, `${key} in ${unit}`).toBe(suggestion(key, unit));
          expect(placed.unit?.code ?? null).toBe(unit);
        }
      }
    };
    compare();
    f.db.update(agencies).set({ active: false }).where(eq(agencies.code, 'ubnd-bien-hoa')).run();
    f.db.update(agencies).set({ active: false }).where(eq(agencies.code, 'sct')).run();
    f.db.update(categories).set({ defaultAgencyId: null }).where(eq(categories.key, 'health')).run();
    compare();
  });

  it('refuses an unknown or inactive category, and an unknown or unlisted unit', () => {
    expect(() => placeTicket(f.db, 'no_such', null)).toThrow(UnknownCategoryError);
    f.db.update(categories).set({ active: false }).where(eq(categories.key, 'goods')).run();
    expect(() => placeTicket(f.db, 'goods', null)).toThrow(UnknownCategoryError);
    expect(() => placeTicket(f.db, 'health', '99999')).toThrow(UnknownUnitError);
    const code = unitCode('Phường Tam Hiệp');
    f.db.update(units).set({ active: false }).where(eq(units.code, code)).run();
    expect(() => placeTicket(f.db, 'health', code)).toThrow(UnknownUnitError);
  });
});

describe('routing API', () => {
  it('suggests over HTTP, 422 NO_ROUTE when there is none', async () => {
    const headers = await f.session('tdv01');
    const code = unitCode('Phường Biên Hòa');
    const res = await f.app.inject({
      url: `/api/routing/suggest?category=infrastructure&unitCode=${code}`,
      headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<AgencyView>()).toMatchObject({ code: 'ubnd-bien-hoa', unitCode: code, active: true });
    const plain = await f.app.inject({ url: '/api/routing/suggest?category=infrastructure', headers });
    expect(plain.json<AgencyView>().code).toBe('sxd');
    f.db.update(categories).set({ defaultAgencyId: null }).where(eq(categories.key, 'goods')).run();
    const none = await f.app.inject({ url: '/api/routing/suggest?category=goods', headers });
    expect(none.statusCode).toBe(422);
    expect(none.json().error.code).toBe('NO_ROUTE');
  });

  it('lists, sets and deletes a commune exception, each change audited', async () => {
    const admin = await f.session('quantri');
    const tamHiep = unitCode('Phường Tam Hiệp');
    const list = async () =>
      (await f.app.inject({ url: '/api/routing/exceptions?category=infrastructure', headers: admin })).json<{
        data: RoutingException[];
      }>().data;
    const before = await list();
    expect(before.map((e) => e.agency.code)).toContain('ubnd-bien-hoa');
    const names = before.map((e) => e.unit.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));

    const put = await f.app.inject({
      method: 'PUT',
      url: '/api/routing/exceptions',
      headers: admin,
      payload: { category: 'infrastructure', unitCode: tamHiep, agencyId: agencyId('ubnd-tran-bien') },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json<{ data: RoutingException }>().data).toMatchObject({
      category: 'infrastructure',
      unit: { code: tamHiep, name: 'Phường Tam Hiệp' },
      agency: { code: 'ubnd-tran-bien' },
    });
    expect(suggestAgency(f.db, 'infrastructure', tamHiep).code).toBe('ubnd-tran-bien');
    expect((await list()).length).toBe(before.length + 1);

    const del = await f.app.inject({
      method: 'DELETE',
      url: `/api/routing/exceptions?category=infrastructure&unitCode=${tamHiep}`,
      headers: admin,
    });
    expect(del.statusCode).toBe(204);
    expect(suggestAgency(f.db, 'infrastructure', tamHiep).code).toBe('sxd');
    const again = await f.app.inject({
      method: 'DELETE',
      url: `/api/routing/exceptions?category=infrastructure&unitCode=${tamHiep}`,
      headers: admin,
    });
    expect(again.statusCode).toBe(404);

    const entries = listAudit(f.db, { entity: 'routing' });
    expect(entries.map((e) => e.action)).toEqual(['routing.delete', 'routing.set']);
    expect(entries[1]).toMatchObject({
      actor: { username: 'quantri' },
      entityId: `infrastructure/${tamHiep}`,
      before: null,
      after: { agencyCode: 'ubnd-tran-bien' },
    });
    expect(entries[0]).toMatchObject({ before: { agencyCode: 'ubnd-tran-bien' }, after: null });
  });

  it('refuses an unknown unit, category or agency, or an inactive agency', async () => {
    const admin = await f.session('quantri');
    const put = (payload: object) =>
      f.app.inject({ method: 'PUT', url: '/api/routing/exceptions', headers: admin, payload });
    const code = unitCode('Phường Tam Hiệp');
    const cases: [object, number, string][] = [
      [{ category: 'infrastructure', unitCode: '99999', agencyId: agencyId('sxd') }, 400, 'UNKNOWN_UNIT'],
      [{ category: 'nope', unitCode: code, agencyId: agencyId('sxd') }, 400, 'UNKNOWN_CATEGORY'],
      [{ category: 'infrastructure', unitCode: code, agencyId: 99999 }, 400, 'UNKNOWN_AGENCY'],
    ];
    for (const [payload, status, errorCode] of cases) {
      const res = await put(payload);
      expect(res.statusCode).toBe(status);
      expect(res.json().error.code).toBe(errorCode);
    }
    f.db.update(units).set({ active: false }).where(eq(units.code, code)).run();
    const retired = await put({ category: 'infrastructure', unitCode: code, agencyId: agencyId('sxd') });
    expect(retired.json().error.code).toBe('UNKNOWN_UNIT');
    f.db.update(units).set({ active: true }).where(eq(units.code, code)).run();
    f.db.update(agencies).set({ active: false }).where(eq(agencies.code, 'stc')).run();
    const inactive = await put({ category: 'infrastructure', unitCode: code, agencyId: agencyId('stc') });
    expect(inactive.json().error.code).toBe('UNKNOWN_AGENCY');
    expect(listAudit(f.db, { entity: 'routing' })).toEqual([]);
  });

  it('only an admin changes exceptions; a liaison cannot read them; no session is 401', async () => {
    const operator = await f.session('tdv01');
    const liaison = await f.session('syt');
    const payload = {
      category: 'infrastructure',
      unitCode: unitCode('Phường Tam Hiệp'),
      agencyId: agencyId('sxd'),
    };
    for (const headers of [operator, liaison]) {
      const put = await f.app.inject({ method: 'PUT', url: '/api/routing/exceptions', headers, payload });
      expect(put.statusCode).toBe(403);
      const del = await f.app.inject({
        method: 'DELETE',
        url: `/api/routing/exceptions?category=infrastructure&unitCode=${payload.unitCode}`,
        headers,
      });
      expect(del.statusCode).toBe(403);
    }
    const operatorList = await f.app.inject({
      url: '/api/routing/exceptions?category=infrastructure',
      headers: operator,
    });
    expect(operatorList.statusCode).toBe(200);
    const liaisonList = await f.app.inject({
      url: '/api/routing/exceptions?category=infrastructure',
      headers: liaison,
    });
    expect(liaisonList.statusCode).toBe(403);
    const anonymous = await f.app.inject({ method: 'PUT', url: '/api/routing/exceptions', payload });
    expect(anonymous.statusCode).toBe(401);
    expect((await f.app.inject({ url: '/api/routing/suggest?category=health' })).statusCode).toBe(401);
  });

  it('the old matrix routes are gone', async () => {
    const admin = await f.session('quantri');
    expect((await f.app.inject({ url: '/api/routing/matrix', headers: admin })).statusCode).toBe(404);
  });
});
