/** The audit log page's API, and the admin actions that write to it (IVR reload, controller switch). */
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditPage } from '../../common/api.ts';
import { audit } from '../../server/audit/service.ts';
import { type AuthHeaders, buildFixture, type Fixture } from './server-fixture.ts';

let fx: Fixture;
afterEach(async () => {
  await fx?.close();
});

async function page(headers: AuthHeaders, query = ''): Promise<AuditPage> {
  const res = await fx.app.inject({ url: `/api/admin/audit${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<AuditPage>();
}

describe('GET /api/admin/audit', () => {
  it('is for admins and, read-only, supervisors', async () => {
    fx = await buildFixture();
    expect((await fx.app.inject({ url: '/api/admin/audit' })).statusCode).toBe(401);
    for (const who of ['tdv01', 'syt']) {
      const res = await fx.app.inject({ url: '/api/admin/audit', headers: await fx.session(who) });
      expect([who, res.statusCode]).toEqual([who, 403]);
    }
    await page(await fx.session('giamsat'));
    await page(await fx.session('quantri'));
  });

  it('lists newest first with the actor, filters by entity, action, actor and time, and pages back by id', async () => {
    fx = await buildFixture();
    const admin = await fx.session('quantri');
    const adminId = fx.userId('quantri');
    const at = (iso: string) => new Date(iso);
    audit(
      fx.db,
      { actorId: null, action: 'system.check', entity: 'system', after: { count: 95 } },
      at('2026-03-01T01:00:00Z'),
    );
    audit(
      fx.db,
      { actorId: adminId, action: 'agency.create', entity: 'agency', entityId: 7, after: { code: 'a' } },
      at('2026-03-02T01:00:00Z'),
    );
    audit(
      fx.db,
      {
        actorId: adminId,
        action: 'agency.update',
        entity: 'agency',
        entityId: 7,
        before: { name: 'A' },
        after: { name: 'B' },
      },
      at('2026-03-03T01:00:00Z'),
    );
    audit(
      fx.db,
      { actorId: adminId, action: 'calendar.add', entity: 'calendar', entityId: '2026-03-11' },
      at('2026-03-04T01:00:00Z'),
    );

    // The seed's own entries (the units import) are older than these.
    const all = await page(admin);
    expect(all.data.slice(0, 4).map((e) => e.action)).toEqual([
      'calendar.add',
      'agency.update',
      'agency.create',
      'system.check',
    ]);
    expect(all.data[1]).toMatchObject({
      actor: { id: adminId, username: 'quantri' },
      entity: 'agency',
      entityId: '7',
      before: { name: 'A' },
      after: { name: 'B' },
    });
    expect(all.data[3]?.actor).toBeNull();
    expect(all.nextBeforeId).toBeNull();

    expect((await page(admin, '?entity=agency')).data.map((e) => e.action)).toEqual([
      'agency.update',
      'agency.create',
    ]);
    expect((await page(admin, '?action=calendar.add')).data).toHaveLength(1);
    expect((await page(admin, `?actorId=${adminId}`)).data).toHaveLength(3);
    // Bare dates are local days, `to` included.
    expect((await page(admin, '?from=2026-03-02&to=2026-03-03')).data.map((e) => e.action)).toEqual([
      'agency.update',
      'agency.create',
    ]);

    const first = await page(admin, '?limit=3');
    expect(first.data).toHaveLength(3);
    expect(first.nextBeforeId).toBe(first.data[2]!.id);
    const second = await page(admin, `?limit=3&beforeId=${first.nextBeforeId}`);
    expect(second.data[0]?.action).toBe('system.check');
    expect(second.data.length < 3 ? second.nextBeforeId : null).toBeNull();

    const bad = await fx.app.inject({ url: '/api/admin/audit?from=yesterday', headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_TIME');
  });
});

describe('audited admin actions', () => {
  it('an IVR menu reload, applied or refused, with its result', async () => {
    let result: { ok: true } | { ok: false; errors: string[] } = { ok: true };
    fx = await buildFixture({ ivrMenu: { reload: async () => result } });
    const admin = await fx.session('quantri');
    expect(
      (await fx.app.inject({ method: 'POST', url: '/api/admin/ivr/reload', headers: admin })).statusCode,
    ).toBe(200);
    result = { ok: false, errors: ['menu.options["4"].queue: unknown queue "roads"'] };
    expect(
      (await fx.app.inject({ method: 'POST', url: '/api/admin/ivr/reload', headers: admin })).statusCode,
    ).toBe(400);
    const entries = (await page(admin, '?entity=ivr')).data;
    expect(entries.map((e) => [e.action, e.actor?.username, e.after])).toEqual([
      [
        'ivr.reload',
        'quantri',
        { applied: false, errors: ['menu.options["4"].queue: unknown queue "roads"'] },
      ],
      ['ivr.reload', 'quantri', { applied: true }],
    ]);
  });

  it('a controller switch, stop and start', async () => {
    const calls: string[] = [];
    fx = await buildFixture({
      controller: {
        start: async () => void calls.push('start'),
        stop: async () => void calls.push('stop'),
      },
    });
    const admin = await fx.session('quantri');
    for (const running of [false, true]) {
      const res = await fx.app.inject({
        method: 'POST',
        url: '/api/admin/telephony/controller',
        headers: admin,
        payload: { running },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    expect(calls).toEqual(['stop', 'start']);
    const entries = (await page(admin, '?entity=controller')).data;
    expect(entries.map((e) => [e.action, e.after])).toEqual([
      ['controller.start', { running: true }],
      ['controller.stop', { running: false }],
    ]);
  });
});
