/** The one calendar: admin entries through the API move ticket deadlines and the IVR's holiday hours. */
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { CalendarDayView, CalendarYearView, TicketView } from '../../common/api.ts';
import { isOpen } from '../../ivr/hours.ts';
import { openMenuStore } from '../../ivr/menu-file.ts';
import { createApp } from '../../server/app.ts';
import { menuWithHolidays } from '../../server/calendar/ivr-hours.ts';
import { type CalendarStore, createCalendarStore, importDecreedDays } from '../../server/calendar/service.ts';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { auditLog, calendarDays } from '../../server/db/schema.ts';
import { seedDemo } from '../../server/db/seed.ts';
import { sipAccounts } from '../../server/operators/sip-accounts.ts';
import { DEFAULT_MENU, MENU_FILE } from '../support/menu.ts';
import { type AuthHeaders, config, csrfHeaders, FakeDesk, logger } from './server-fixture.ts';

/** Tuesday 10/3/2026, 16:00 local. */
let clock = new Date('2026-03-10T16:00:00+07:00');
const now = () => clock;

interface Setup {
  db: Db;
  store: CalendarStore;
  app: Awaited<ReturnType<typeof createApp>>;
  session(username: string): Promise<AuthHeaders>;
}

let setup: Setup | undefined;
afterEach(async () => {
  await setup?.app.close();
  setup?.db.$client.close();
  setup = undefined;
  clock = new Date('2026-03-10T16:00:00+07:00');
});

async function start(): Promise<Setup> {
  const db = openDatabase(':memory:');
  const logins = await seedDemo(db, { agencyUrl: null });
  const store = createCalendarStore({ db, now });
  const ivrMenu = await openMenuStore({ path: MENU_FILE, soundsDir: null, logger, watch: false });
  const desk = new FakeDesk(sipAccounts(db).map((a) => a.operatorId));
  const app = await createApp({ config, db, logger, desk, ivrMenu, calendarStore: store, now });
  setup = {
    db,
    store,
    app,
    async session(username) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password: logins.password },
      });
      expect(res.statusCode, res.body).toBe(200);
      return csrfHeaders(res.cookies.map((c) => `${c.name}=${c.value}`).join('; '));
    },
  };
  return setup;
}

async function newTicket(s: Setup, headers: AuthHeaders): Promise<TicketView> {
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/tickets',
    headers,
    payload: { callerNumber: '0912345678', category: 'health', description: 'Trạm y tế đóng cửa.' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<TicketView>();
}

describe('calendar API', () => {
  it('shows a year: computed holidays, admin entries and warnings; admins add and delete, supervisors read', async () => {
    const s = await start();
    const admin = await s.session('quantri');
    const view = async (headers: AuthHeaders, year: number) => {
      const res = await s.app.inject({ url: `/api/admin/calendar?year=${year}`, headers });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ data: CalendarYearView }>().data;
    };
    const year = await view(await s.session('giamsat'), 2027);
    expect(year.computed.map((h) => h.date)).toContain('2027-02-06');
    expect(year.entries).toEqual([]);
    expect(year.warnings[0]).toBe(
      'Năm 2027 chưa có ngày nghỉ bù/hoán đổi nào do quản trị nhập — kiểm tra thông báo nghỉ Tết của Bộ Nội vụ.',
    );

    for (const who of ['tdv01', 'syt']) {
      const res = await s.app.inject({ url: '/api/admin/calendar?year=2027', headers: await s.session(who) });
      expect([who, res.statusCode]).toEqual([who, 403]);
    }
    expect((await s.app.inject({ url: '/api/admin/calendar' })).statusCode).toBe(401);
    const supervisorAdd = await s.app.inject({
      method: 'POST',
      url: '/api/admin/calendar',
      headers: await s.session('giamsat'),
      payload: { date: '2027-02-10', kind: 'holiday', name: 'Nghỉ bù Tết' },
    });
    expect(supervisorAdd.statusCode).toBe(403);

    for (const [payload, code] of [
      [{ date: '2027-02-30', kind: 'holiday', name: 'x' }, 'INVALID_DATE'],
      [{ date: '10/2/2027', kind: 'holiday', name: 'x' }, 'VALIDATION'],
      [{ date: '2027-02-10', kind: 'vacation', name: 'x' }, 'VALIDATION'],
      [{ date: '2027-02-10', kind: 'holiday', name: '  ' }, 'NAME_REQUIRED'],
    ] as const) {
      const res = await s.app.inject({ method: 'POST', url: '/api/admin/calendar', headers: admin, payload });
      expect([payload, res.statusCode, res.json().error.code]).toEqual([payload, 400, code]);
    }

    const added = await s.app.inject({
      method: 'POST',
      url: '/api/admin/calendar',
      headers: admin,
      payload: { date: '2027-02-06', kind: 'workday', name: 'Làm việc (thử)' },
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json<{ data: CalendarDayView }>().data).toMatchObject({
      date: '2027-02-06',
      kind: 'workday',
      createdBy: { username: 'quantri' },
    });
    const taken = await s.app.inject({
      method: 'POST',
      url: '/api/admin/calendar',
      headers: admin,
      payload: { date: '2027-02-06', kind: 'holiday', name: 'Trùng' },
    });
    expect(taken.statusCode).toBe(409);
    const after = await view(admin, 2027);
    expect(after.computed.find((h) => h.date === '2027-02-06')?.cancelled).toBe(true);
    expect(after.warnings[0]).not.toMatch(/chưa có ngày nghỉ bù\/hoán đổi/);

    const removed = await s.app.inject({
      method: 'DELETE',
      url: '/api/admin/calendar/2027-02-06',
      headers: admin,
    });
    expect(removed.statusCode).toBe(204);
    const gone = await s.app.inject({
      method: 'DELETE',
      url: '/api/admin/calendar/2027-02-06',
      headers: admin,
    });
    expect(gone.statusCode).toBe(404);
    const rows = s.db.select().from(auditLog).where(eq(auditLog.entity, 'calendar')).all();
    expect(rows.map((r) => [r.action, r.entityId, r.actorId !== null])).toEqual([
      ['calendar.add', '2027-02-06', true],
      ['calendar.delete', '2027-02-06', true],
    ]);
  });

  it('imports the shipped decreed days once, on an empty table only', async () => {
    const s = await start();
    expect(importDecreedDays(s.db)).toBeGreaterThan(5);
    expect(s.db.select().from(calendarDays).where(eq(calendarDays.date, '2025-04-26')).get()?.kind).toBe(
      'workday',
    );
    expect(importDecreedDays(s.db)).toBe(0);
    const imported = s.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'calendar.import'), eq(auditLog.entity, 'calendar')))
      .all();
    expect(imported).toHaveLength(1);
    expect(imported[0]?.actorId).toBeNull();
  });
});

describe('calendar store', () => {
  it('reads entries written by another process on refresh (the job process is told to), and tells listeners', async () => {
    const s = await start();
    const other = createCalendarStore({ db: s.db, now });
    let changes = 0;
    other.onChange(() => changes++);
    const before = other.version();
    s.db
      .insert(calendarDays)
      .values({ date: '2026-03-11', kind: 'holiday', name: 'Nghỉ bù', createdAt: now() })
      .run();
    expect(other.calendar.holidays.has('2026-03-11')).toBe(false);
    other.refresh();
    expect(other.calendar.holidays.has('2026-03-11')).toBe(true);
    expect(other.version()).toBeGreaterThan(before);
    expect(changes).toBe(1);
  });

  it('moves to the new year by itself', async () => {
    const s = await start();
    clock = new Date('2026-12-31T12:00:00+07:00');
    const store = createCalendarStore({ db: s.db, now });
    expect(store.holidaysBetween('2029-01-01', '2029-12-31')).toEqual([]);
    clock = new Date('2027-01-01T08:00:00+07:00');
    expect(store.holidaysBetween('2029-01-01', '2029-01-01')).toEqual([
      { date: '2029-01-01', name: 'Tết Dương lịch' },
    ]);
  });
});

describe('one calendar for deadlines and the hotline', () => {
  it("an admin's holiday moves a new ticket's deadline, without a restart", async () => {
    const s = await start();
    const operator = await s.session('tdv01');
    // Tuesday 16:00: 8 working hours end Wednesday 16:30.
    const before = await newTicket(s, operator);
    expect(before.ackDueAt).toBe(new Date('2026-03-11T16:30:00+07:00').toISOString());

    const res = await s.app.inject({
      method: 'POST',
      url: '/api/admin/calendar',
      headers: await s.session('quantri'),
      payload: { date: '2026-03-11', kind: 'holiday', name: 'Nghỉ bù (thử)' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const after = await newTicket(s, operator);
    expect(after.ackDueAt).toBe(new Date('2026-03-12T16:30:00+07:00').toISOString());

    await s.app.inject({
      method: 'DELETE',
      url: '/api/admin/calendar/2026-03-11',
      headers: await s.session('quantri'),
    });
    expect((await newTicket(s, operator)).ackDueAt).toBe(before.ackDueAt);
  });

  it('a call on a calendar holiday gets the holiday hours of the menu file', async () => {
    const s = await start();
    const menu = menuWithHolidays(() => DEFAULT_MENU, s.store, now);
    // Wednesday 11/3/2026 at 18:00 local: open on a normal day (07:00–20:00).
    clock = new Date('2026-03-11T18:00:00+07:00');
    expect(isOpen(menu().hours, clock)).toBe(true);
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/admin/calendar',
      headers: await s.session('quantri'),
      payload: { date: '2026-03-11', kind: 'holiday', name: 'Nghỉ bù (thử)' },
    });
    expect(res.statusCode, res.body).toBe(201);
    // Holiday hours (07:30–17:00): closed at 18:00, open at 10:00.
    expect(menu().hours.holidays).toContainEqual({
      date: '2026-03-11',
      name: 'Nghỉ bù (thử)',
      open: '07:30',
      close: '17:00',
    });
    expect(isOpen(menu().hours, clock)).toBe(false);
    expect(isOpen(menu().hours, new Date('2026-03-11T10:00:00+07:00'))).toBe(true);
    // A computed holiday (Quốc khánh) too, and a workday entry cancels it.
    clock = new Date('2026-09-02T18:00:00+07:00');
    expect(isOpen(menu().hours, clock)).toBe(false);
    await s.app.inject({
      method: 'POST',
      url: '/api/admin/calendar',
      headers: await s.session('quantri'),
      payload: { date: '2026-09-02', kind: 'workday', name: 'Làm việc (thử)' },
    });
    expect(isOpen(menu().hours, clock)).toBe(true);
  });
});
