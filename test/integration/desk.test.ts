/**
 * The desk on real SQLite and a real socket.io server: written requests given to ready operators
 * (pushed to their consoles), never to one on a call, at most N each, back to the pool after the
 * offline grace or the open timeout; a citizen's contacts merged across channels by number and by
 * a Zalo user who gave a number; the wallboard's written figures.
 */
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TicketView } from '../../common/api.ts';
import type { ContactHistoryView, DeskTasksView, WrittenFiguresView } from '../../common/desk.ts';
import type { CallPop, ClientToServerEvents, ServerToClientEvents } from '../../common/events.ts';
import { calls } from '../../server/calls/schema.ts';
import { createWrittenDesk, type WrittenDesk } from '../../server/desk/service.ts';
import { writtenRequestEvents, writtenRequests } from '../../server/intake/schema.ts';
import { takeIn } from '../../server/intake/service.ts';
import {
  attachRealtime,
  createIvrEventBridge,
  createRealtimeServer,
  type IvrEventBridge,
  operatorRoom,
  type RealtimeServer,
} from '../../server/realtime.ts';
import { zaloConversations } from '../../server/zalo/schema.ts';
import { buildFixture, csrfHeaders, type Fixture, logger } from './server-fixture.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

let fx: Fixture;
let io: RealtimeServer;
let url: string;
let bridge: IvrEventBridge;
let clock: Date;
let desk: WrittenDesk;
const clients: Client[] = [];

const settings = {
  writtenTasks: 2,
  offlineGraceMs: 60_000,
  openTimeoutMs: 300_000,
  firstResponseMinutes: { web: 240, zalo: 30, app: 240 },
};

beforeEach(async () => {
  io = createRealtimeServer();
  fx = await buildFixture({ config: { desk: settings } });
  attachRealtime(fx.app, { io, db: fx.db, desk: fx.desk, logger });
  bridge = createIvrEventBridge(io, fx.db, { logger, snapshot: () => fx.desk.snapshot(new Date()) });
  await fx.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(fx.app.server.address() as AddressInfo).port}`;
  clock = new Date('2026-12-07T02:00:00Z');
  desk = createWrittenDesk({
    db: fx.db,
    agents: () => fx.desk.snapshot(clock).agents,
    settings,
    push: (operatorId, view) => io.to(operatorRoom(operatorId)).emit('desk:tasks', view),
    logger,
    now: () => clock,
  });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  bridge.close();
  await fx.close();
});

async function consoleOf(username: string): Promise<{ socket: Client; lists: DeskTasksView[] }> {
  const socket: Client = connect(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { cookie: await fx.login(username) },
  });
  clients.push(socket);
  const lists: DeskTasksView[] = [];
  socket.on('desk:tasks', (view) => lists.push(view));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, lists };
}

/** Puts an operator in a state as the controller reports it, since the fake clock's now. */
function state(username: string, value: 'ready' | 'on_call' | 'wrap_up' | 'ringing' | 'offline', ago = 0) {
  fx.desk.states.set(fx.userId(username), {
    state: value,
    since: new Date(clock.getTime() - ago * 1000).toISOString(),
    reason: null,
    wrapUpEndsAt: null,
  });
}

function advance(seconds: number): void {
  clock = new Date(clock.getTime() + seconds * 1000);
}

function writeIn(description: string, more: Partial<Parameters<typeof takeIn>[1]> = {}): number {
  advance(1);
  return takeIn(fx.db, { channel: 'web', description, ...more }, { now: clock }).request.id;
}

const holder = (id: number) =>
  fx.db.select().from(writtenRequests).where(eq(writtenRequests.id, id)).get()?.takenBy ?? null;

const lastOf = async (lists: DeskTasksView[]) => {
  await expect.poll(() => lists.length).toBeGreaterThan(0);
  return lists.at(-1)?.tasks.map((t) => t.requestId);
};

describe('written tasks', () => {
  it('gives tasks to ready operators only, at most N, pushes them, and takes them back', async () => {
    for (const name of ['tdv01', 'tdv02', 'tdv03', 'tdv04', 'giamsat']) state(name, 'offline', 3600);
    const one = await consoleOf('tdv01');
    const two = await consoleOf('tdv02');
    const a = writeIn('Đèn đường hỏng ở tổ 5.');
    const b = writeIn('Rác chưa được thu gom hai ngày.');
    const c = writeIn('Cống thoát nước bị tắc.');

    // tdv01 ready (longest), tdv02 on a call: all but N wait; the one on a call gets nothing.
    state('tdv01', 'ready', 120);
    state('tdv02', 'on_call', 300);
    desk.tick();
    expect([holder(a), holder(b), holder(c)]).toEqual([fx.userId('tdv01'), fx.userId('tdv01'), null]);
    expect(await lastOf(one.lists)).toEqual([a, b]);
    expect(two.lists.flatMap((l) => l.tasks)).toEqual([]);
    // The same list through REST, with N.
    const rest = await fx.app.inject({
      method: 'GET',
      url: '/api/desk/tasks',
      headers: { cookie: await fx.login('tdv01') },
    });
    expect(rest.json<DeskTasksView>()).toMatchObject({
      maxTasks: 2,
      tasks: [{ requestId: a }, { requestId: b }],
    });

    // The call ends and wrap-up is over: the waiting task goes to tdv02 at once.
    state('tdv02', 'wrap_up');
    desk.tick();
    expect(holder(c)).toBeNull();
    state('tdv02', 'ready');
    desk.tick();
    expect(holder(c)).toBe(fx.userId('tdv02'));
    expect(await lastOf(two.lists)).toEqual([c]);

    // tdv01 opens one; then goes offline: kept through the grace, back to the pool after it.
    desk.open(fx.userId('tdv01'), a);
    state('tdv01', 'offline');
    advance(30);
    desk.tick();
    expect([holder(a), holder(b)]).toEqual([fx.userId('tdv01'), fx.userId('tdv01')]);
    advance(31);
    desk.tick();
    // tdv02 holds one of N=2: takes one; the other waits in the pool.
    expect([holder(a), holder(b)].sort()).toEqual([fx.userId('tdv02'), null].sort());
    await expect.poll(() => one.lists.at(-1)?.tasks).toEqual([]);
    const released = fx.db
      .select()
      .from(writtenRequestEvents)
      .where(eq(writtenRequestEvents.kind, 'desk_released'))
      .all();
    expect(released.map((e) => [e.requestId, e.actorId, e.text]).sort()).toEqual(
      [
        [a, fx.userId('tdv01'), 'offline'],
        [b, fx.userId('tdv01'), 'offline'],
      ].sort(),
    );
  });

  it('gives a task nobody opened within the timeout to someone else', async () => {
    for (const name of ['tdv01', 'tdv02', 'tdv03', 'tdv04', 'giamsat']) state(name, 'offline', 3600);
    const a = writeIn('Cây đổ chắn đường.');
    const b = writeIn('Nước sinh hoạt bị đục.');
    state('tdv01', 'ready', 600);
    desk.tick();
    expect([holder(a), holder(b)]).toEqual([fx.userId('tdv01'), fx.userId('tdv01')]);
    // Opened by hand through the panel ("Tạo phiếu" takes it again): its timeout stops.
    await fx.app.inject({
      method: 'POST',
      url: `/api/written-requests/${b}/take`,
      headers: csrfHeaders(await fx.login('tdv01')),
    });
    state('tdv03', 'ready', 10);
    advance(299);
    desk.tick();
    expect(holder(a)).toBe(fx.userId('tdv01'));
    advance(2);
    desk.tick();
    expect([holder(a), holder(b)]).toEqual([fx.userId('tdv03'), fx.userId('tdv01')]);
  });

  it('keeps the open timeouts across a restart, from the requests’ events', async () => {
    for (const name of ['tdv01', 'tdv02', 'tdv03', 'tdv04', 'giamsat']) state(name, 'offline', 3600);
    const a = writeIn('Biển báo giao thông bị gãy.');
    const b = writeIn('Chó thả rông cắn người.');
    state('tdv01', 'ready', 600);
    desk.tick();
    desk.open(fx.userId('tdv01'), b);
    // A new server: a new desk on the same database.
    const restarted = createWrittenDesk({
      db: fx.db,
      agents: () => fx.desk.snapshot(clock).agents,
      settings,
      logger,
      now: () => clock,
    });
    restarted.start();
    restarted.stop();
    state('tdv02', 'ready', 10);
    advance(301);
    restarted.tick();
    expect([holder(a), holder(b)]).toEqual([fx.userId('tdv02'), fx.userId('tdv01')]);
  });

  it('refuses to open a task the operator does not hold', async () => {
    const a = writeIn('Ổ gà trên đường.');
    const res = await fx.app.inject({
      method: 'POST',
      url: `/api/desk/tasks/${a}/open`,
      headers: csrfHeaders(await fx.login('tdv02')),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { code: 'DESK_TASK_NOT_YOURS' } });
  });
});

describe('a citizen on every channel', () => {
  const PHONE = '0912345678';

  async function seedContacts() {
    const cookie = await fx.login('tdv01');
    const ticket = (
      await fx.app.inject({
        method: 'POST',
        url: '/api/tickets',
        headers: csrfHeaders(cookie),
        payload: { callerNumber: PHONE, category: 'goods', description: 'Thiếu gạo cứu trợ.' },
      })
    ).json<TicketView>();
    fx.db
      .insert(calls)
      .values({ id: 'call-desk-1', callerNumber: PHONE, arrivedAt: new Date('2026-12-06T01:00:00Z') })
      .run();
    const web = writeIn('Đường ngập sau mưa.', { phone: PHONE, phoneVerified: true });
    const at = clock;
    fx.db
      .insert(zaloConversations)
      .values([
        { zaloUserId: 'zu-phone', phone: PHONE, lastMessageAt: at, createdAt: at },
        { zaloUserId: 'zu-other', phone: null, lastMessageAt: at, createdAt: at },
      ])
      .run();
    const zalo = writeIn('Ảnh bãi rác tự phát.', { channel: 'zalo', zaloUserId: 'zu-phone' });
    const other = writeIn('Người khác nhắn Zalo.', { channel: 'zalo', zaloUserId: 'zu-other' });
    return { ticket, web, zalo, other };
  }

  const history = async (query: string) => {
    const res = await fx.app.inject({
      method: 'GET',
      url: `/api/desk/history?${query}`,
      headers: { cookie: await fx.login('tdv01') },
    });
    return res;
  };

  it('merges calls, tickets, web and Zalo requests by number and by a Zalo user with that number', async () => {
    const { ticket } = await seedContacts();
    const byPhone = (await history(`phone=${PHONE}`)).json<ContactHistoryView>();
    expect(byPhone.items.map((i) => i.kind).sort()).toEqual(['call', 'ticket', 'web', 'zalo']);
    expect(byPhone.items.find((i) => i.kind === 'ticket')?.trackingCode).toBe(ticket.trackingCode);
    expect(byPhone.items.some((i) => i.summary.includes('Người khác'))).toBe(false);

    // The Zalo user who wrote the number brings in the number's calls and tickets.
    const byZalo = (await history('zaloUserId=zu-phone')).json<ContactHistoryView>();
    expect(byZalo.items).toEqual(byPhone.items);
    // A Zalo user without a number: only their own requests.
    const alone = (await history('zaloUserId=zu-other')).json<ContactHistoryView>();
    expect(alone.items.map((i) => i.kind)).toEqual(['zalo']);
  });

  it('opens a written request with its citizen’s contacts, and pops a call with them', async () => {
    const { zalo } = await seedContacts();
    const byRequest = (await history(`requestId=${zalo}`)).json<ContactHistoryView>();
    expect(byRequest.items.map((i) => i.kind).sort()).toEqual(['call', 'ticket', 'web', 'zalo']);

    const tdv01 = await consoleOf('tdv01');
    const popped = new Promise<CallPop>((resolve) => tdv01.socket.once('call:offered', resolve));
    bridge.callOffered(fx.userId('tdv01'), {
      callId: 'c-desk',
      caller: PHONE,
      queue: 'goods',
      menuChoice: '3',
      waitedSeconds: 4,
    });
    const pop = await popped;
    expect(pop.contacts?.map((i) => i.kind).sort()).toEqual(['call', 'ticket', 'web', 'zalo']);
  });

  it('answers 400 without a citizen or with a bad number', async () => {
    const none = await history('');
    expect(none.statusCode).toBe(400);
    expect(none.json()).toMatchObject({ error: { code: 'CITIZEN_REQUIRED' } });
    const bad = await history('phone=abc');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'PHONE_INVALID' } });
  });
});

describe('first-response figures', () => {
  it('counts open requests, the oldest waiting, and today’s answers within the target', async () => {
    const now = new Date();
    const early = new Date(now.getTime() - 5 * 3600_000);
    const old = takeIn(fx.db, { channel: 'web', description: 'Chờ lâu.' }, { now: early }).request.id;
    const fresh = takeIn(fx.db, { channel: 'zalo', description: 'Vừa nhắn.' }, { now }).request.id;
    const cookie = await fx.login('tdv01');
    for (const id of [old, fresh]) {
      const res = await fx.app.inject({
        method: 'POST',
        url: `/api/written-requests/${id}/close`,
        headers: csrfHeaders(cookie),
        payload: { reason: 'Không thuộc phạm vi.' },
      });
      expect(res.statusCode).toBe(200);
    }
    takeIn(fx.db, { channel: 'web', description: 'Còn chờ.' }, { now: new Date(now.getTime() - 60_000) });
    const res = await fx.app.inject({
      method: 'GET',
      url: '/api/desk/written-figures',
      headers: { cookie: await fx.login('giamsat') },
    });
    const figures = res.json<WrittenFiguresView>();
    const web = figures.channels.find((c) => c.channel === 'web');
    const zalo = figures.channels.find((c) => c.channel === 'zalo');
    expect(web).toMatchObject({ open: 1, answeredToday: 1, answeredWithinTarget: 0, targetMinutes: 240 });
    expect(web?.oldestWaitingSeconds).toBeGreaterThanOrEqual(59);
    expect(zalo).toMatchObject({
      open: 0,
      oldestWaitingSeconds: null,
      answeredToday: 1,
      withinTargetRate: 1,
    });
  });
});
