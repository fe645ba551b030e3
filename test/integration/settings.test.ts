/** The province's settings through the API: defaults, checked saves, roles and the audit entry. */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { HotlineSettings } from '../../common/api.ts';
import { auditLog } from '../../server/db/schema.ts';
import { DEFAULT_SETTINGS, settingsStore } from '../../server/settings/service.ts';
import { buildFixture, type Fixture } from './server-fixture.ts';

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

async function start(): Promise<Fixture> {
  fx = await buildFixture();
  return fx;
}

describe('settings', () => {
  it('reads the defaults, saves a checked section, tells listeners and audits the change', async () => {
    const s = await start();
    const admin = await s.session('quantri');
    const first = await s.app.inject({ method: 'GET', url: '/api/settings', headers: admin });
    expect(first.json<{ data: HotlineSettings }>().data).toEqual(DEFAULT_SETTINGS);

    const heard: string[] = [];
    settingsStore(s.db).subscribe((section) => heard.push(section));
    const schedule = {
      recipients: [' GiamSat@Tinh.gov.vn ', 'giamsat@tinh.gov.vn'],
      daily: true,
      weekly: false,
      sendAt: '06:30',
    };
    const saved = await s.app.inject({
      method: 'PUT',
      url: '/api/settings/reportSchedule',
      headers: admin,
      payload: schedule,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().data.recipients).toEqual(['giamsat@tinh.gov.vn']);
    expect(heard).toEqual(['reportSchedule']);

    const supervisor = await s.session('giamsat');
    const read = await s.app.inject({ method: 'GET', url: '/api/settings', headers: supervisor });
    expect(read.json<{ data: HotlineSettings }>().data.reportSchedule).toMatchObject({
      daily: true,
      sendAt: '06:30',
    });
    const entry = s.db.select().from(auditLog).where(eq(auditLog.action, 'settings.update')).get();
    expect(entry).toMatchObject({ entity: 'settings', entityId: 'reportSchedule' });
  });

  it.each([
    ['wallboard', { ...DEFAULT_SETTINGS.wallboard, waiting: { amber: 5, red: 2 } }, /ngưỡng đỏ/i],
    ['wallboard', { ...DEFAULT_SETTINGS.wallboard, serviceLevelPercent: { amber: 60, red: 80 } }, /nhỏ hơn/],
    [
      'reportSchedule',
      { recipients: ['not-an-address'], daily: false, weekly: false, sendAt: '07:00' },
      /không hợp lệ/,
    ],
    ['reportSchedule', { recipients: [], daily: false, weekly: true, sendAt: '07:00' }, /ít nhất một/],
    ['reportSchedule', { recipients: [], daily: false, weekly: false, sendAt: '7h' }, /HH:MM/],
  ])('refuses a bad %s with 400 INVALID_SETTING and keeps the old value', async (section, value, message) => {
    const s = await start();
    const admin = await s.session('quantri');
    const res = await s.app.inject({
      method: 'PUT',
      url: `/api/settings/${section}`,
      headers: admin,
      payload: value,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_SETTING');
    expect(res.json().error.message).toMatch(message);
    expect(settingsStore(s.db).all()).toEqual(DEFAULT_SETTINGS);
  });

  it('drops an unknown field and lets only admins save', async () => {
    const s = await start();
    const admin = await s.session('quantri');
    const extra = await s.app.inject({
      method: 'PUT',
      url: '/api/settings/coaching',
      headers: admin,
      payload: { operatorSees: 'never', x: 1 },
    });
    expect(extra.statusCode).toBe(200);
    expect(extra.json().data).toEqual({ operatorSees: 'never' });
    const supervisor = await s.session('giamsat');
    const refused = await s.app.inject({
      method: 'PUT',
      url: '/api/settings/coaching',
      headers: supervisor,
      payload: { operatorSees: 'never' },
    });
    expect(refused.statusCode).toBe(403);
    const operator = await s.session('tdv01');
    expect((await s.app.inject({ method: 'GET', url: '/api/settings', headers: operator })).statusCode).toBe(
      403,
    );
  });
});
