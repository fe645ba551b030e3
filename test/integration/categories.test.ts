/** The categories admin API on real SQLite: list, create, update, validation, roles and audit. */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CategoryView } from '../../common/api.ts';
import { listAudit } from '../../server/audit/service.ts';
import { agencies } from '../../server/db/schema.ts';
import { buildFixture, type Fixture } from './server-fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await buildFixture();
});
afterEach(() => f.close());

const agencyId = (code: string): number =>
  f.db.select().from(agencies).where(eq(agencies.code, code)).get()!.id;

async function list(headers: Record<string, string>, all = false): Promise<CategoryView[]> {
  const res = await f.app.inject({ url: `/api/categories${all ? '?all=1' : ''}`, headers });
  expect(res.statusCode).toBe(200);
  return res.json<{ data: CategoryView[] }>().data;
}

describe('categories', () => {
  it('lists the demo categories in their order, each with its default agency', async () => {
    const data = await list(await f.session('tdv01'));
    expect(data.map((c) => c.key)).toEqual([
      'health',
      'welfare',
      'goods',
      'infrastructure',
      'public_services',
      'policy',
      'other',
    ]);
    expect(data[0]).toMatchObject({
      name: 'Y tế, dịch bệnh',
      defaultAgency: { code: 'syt' },
      resolveWorkingDays: null,
      active: true,
    });
    expect(data[1]?.defaultAgency?.code).toBe('snv');
    expect((await list(await f.session('syt'))).length).toBe(7);
    expect((await f.app.inject({ url: '/api/categories' })).statusCode).toBe(401);
  });

  it('an admin creates, renames, re-routes and deactivates a category; each change is audited', async () => {
    const admin = await f.session('quantri');
    const created = await f.app.inject({
      method: 'POST',
      url: '/api/admin/categories',
      headers: admin,
      payload: {
        key: 'electricity',
        name: 'Điện sinh hoạt',
        defaultAgencyId: agencyId('dienluc'),
        resolveWorkingDays: 3,
        sortOrder: 8,
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json<{ data: CategoryView }>().data).toMatchObject({
      key: 'electricity',
      name: 'Điện sinh hoạt',
      defaultAgency: { code: 'dienluc' },
      resolveWorkingDays: 3,
      active: true,
      sortOrder: 8,
    });

    const updated = await f.app.inject({
      method: 'PATCH',
      url: '/api/admin/categories/electricity',
      headers: admin,
      payload: { name: 'Điện', defaultAgencyId: agencyId('sct'), resolveWorkingDays: null, active: false },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json<{ data: CategoryView }>().data).toMatchObject({
      name: 'Điện',
      defaultAgency: { code: 'sct' },
      resolveWorkingDays: null,
      active: false,
    });
    expect((await list(admin)).map((c) => c.key)).not.toContain('electricity');
    expect((await list(admin, true)).map((c) => c.key)).toContain('electricity');
    // `all` is the admin's: an operator still sees only what can be chosen.
    expect((await list(await f.session('tdv01'), true)).map((c) => c.key)).not.toContain('electricity');

    const entries = listAudit(f.db, { entity: 'category', entityId: 'electricity' });
    expect(entries.map((e) => e.action)).toEqual(['category.update', 'category.create']);
    expect(entries[1]).toMatchObject({ actor: { username: 'quantri' }, before: null });
    expect(entries[0]).toMatchObject({
      before: { name: 'Điện sinh hoạt', resolveWorkingDays: 3, active: true },
      after: { name: 'Điện', resolveWorkingDays: null, active: false },
    });
  });

  it('refuses a used key (409), an unknown category (404), bad input (400)', async () => {
    const admin = await f.session('quantri');
    const post = (payload: object) =>
      f.app.inject({ method: 'POST', url: '/api/admin/categories', headers: admin, payload });
    const dup = await post({ key: 'health', name: 'Y tế' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('CATEGORY_EXISTS');
    const missing = await f.app.inject({
      method: 'PATCH',
      url: '/api/admin/categories/nope',
      headers: admin,
      payload: { name: 'X' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('CATEGORY_NOT_FOUND');
    for (const payload of [
      { key: 'Bad Key', name: 'x' },
      { key: 'ok_key', name: '' },
      { key: 'ok_key', name: '   ' },
      { key: 'ok_key', name: 'x', resolveWorkingDays: 0 },
    ]) {
      const res = await post(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION');
    }
    const badAgency = await post({ key: 'ok_key', name: 'x', defaultAgencyId: 99999 });
    expect(badAgency.statusCode).toBe(400);
    expect(badAgency.json().error.code).toBe('UNKNOWN_AGENCY');
    expect(listAudit(f.db, { entity: 'category' })).toEqual([]);
  });

  it('only an admin creates or changes categories', async () => {
    for (const user of ['tdv01', 'giamsat', 'syt']) {
      const headers = await f.session(user);
      const post = await f.app.inject({
        method: 'POST',
        url: '/api/admin/categories',
        headers,
        payload: { key: 'x_new', name: 'x' },
      });
      expect(post.statusCode).toBe(403);
      const patch = await f.app.inject({
        method: 'PATCH',
        url: '/api/admin/categories/health',
        headers,
        payload: { name: 'x' },
      });
      expect(patch.statusCode).toBe(403);
    }
    const anonymous = await f.app.inject({
      method: 'POST',
      url: '/api/admin/categories',
      payload: { key: 'x_new', name: 'x' },
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
