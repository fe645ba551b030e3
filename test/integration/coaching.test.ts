/**
 * Supervisors on calls through the API: who may, the refusals with their codes and Vietnamese
 * messages, the audit entry of every use, and what the operator and the supervisor are told under
 * each of the province's coaching settings (real SQLite, the real settings store and audit log,
 * real socket.io).
 * The call controller is a scripted desk here; its ARI side is unit-tested on a fake ARI and
 * exercised end to end on a real Asterisk (test/e2e/coaching.test.ts).
 */
import type { AddressInfo } from 'node:net';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiError, AuditEntryView, CoachingMode, CoachingView } from '../../common/api.ts';
import type { ClientToServerEvents, CoachingNotice, ServerToClientEvents } from '../../common/events.ts';
import { CoachingError, type CoachingErrorCode, type CoachRequest } from '../../ivr/api.ts';
import { openMenuStore } from '../../ivr/menu-file.ts';
import { AriDisconnectedError, AriTimeoutError } from '../../ivr/port.ts';
import { createApp } from '../../server/app.ts';
import { listAudit } from '../../server/audit/service.ts';
import { type CoachingDesk, createCoachingNotifier } from '../../server/coaching/service.ts';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { seedDemo } from '../../server/db/seed.ts';
import { sipAccounts } from '../../server/operators/sip-accounts.ts';
import { attachRealtime, coachingNoticeSink, createRealtimeServer } from '../../server/realtime.ts';
import { settingsStore } from '../../server/settings/service.ts';
import { MENU_FILE } from '../support/menu.ts';
import { type AuthHeaders, buildFixture, config, csrfHeaders, FakeDesk, logger } from './server-fixture.ts';

const CALL = '1796637409.10';

/** The controller's contract, scripted: one call in talk with operator `operatorId`, one supervisor on it at a time. */
class ScriptedCoaching implements CoachingDesk {
  onCall: { supervisorId: number; mode: CoachingMode } | null = null;
  /** The next request fails with this code, or this error. */
  failNext: CoachingErrorCode | Error | null = null;
  readonly asked: CoachRequest[] = [];
  constructor(readonly operatorId: number) {}
  async coach(request: CoachRequest): Promise<CoachingView> {
    this.asked.push(request);
    const code = this.failNext;
    this.failNext = null;
    if (code instanceof Error) throw code;
    if (code) throw new CoachingError(code, 'scripted');
    if (request.callId !== CALL) throw new CoachingError('CALL_NOT_IN_TALK', 'no such talk');
    if (this.onCall && this.onCall.supervisorId !== request.supervisor.id)
      throw new CoachingError('COACHING_TAKEN', 'taken');
    this.onCall = { supervisorId: request.supervisor.id, mode: request.mode };
    return {
      callId: CALL,
      operatorId: this.operatorId,
      supervisorId: request.supervisor.id,
      mode: request.mode,
    };
  }
  async leaveCoaching(callId: string, supervisorId: number): Promise<void> {
    if (callId !== CALL || this.onCall?.supervisorId !== supervisorId)
      throw new CoachingError('NOT_COACHING', 'not on it');
    this.onCall = null;
  }
}

let db: Db | undefined;
let app: Awaited<ReturnType<typeof createApp>> | undefined;
afterEach(async () => {
  await app?.close();
  db?.$client.close();
  app = undefined;
  db = undefined;
});

async function start(opts: { telephony?: boolean } = {}) {
  db = openDatabase(':memory:');
  const logins = await seedDemo(db, { agencyUrl: null });
  const desk = new FakeDesk(sipAccounts(db).map((a) => a.operatorId));
  const ivrMenu = await openMenuStore({ path: MENU_FILE, soundsDir: null, logger, watch: false });
  const operatorId = db.query.users.findFirst({ where: (u, { eq }) => eq(u.username, 'tdv01') }).sync()!.id;
  const coaching = new ScriptedCoaching(operatorId);
  const built = await createApp({
    config,
    db,
    logger,
    desk,
    ivrMenu,
    ...(opts.telephony === false ? {} : { coaching }),
  });
  app = built;
  const session = async (username: string): Promise<AuthHeaders> => {
    const res = await built.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password: logins.password },
    });
    expect(res.statusCode, res.body).toBe(200);
    return csrfHeaders(res.cookies.map((c) => `${c.name}=${c.value}`).join('; '));
  };
  const database = db;
  const idOf = (username: string) =>
    database.query.users.findFirst({ where: (u, { eq }) => eq(u.username, username) }).sync()!.id;
  const post = (headers: AuthHeaders | Record<string, never>, mode: unknown, callId = CALL) =>
    built.inject({
      method: 'POST',
      url: `/api/calls/${encodeURIComponent(callId)}/coaching`,
      headers,
      payload: { mode },
    });
  const remove = (headers: AuthHeaders, callId = CALL) =>
    built.inject({ method: 'DELETE', url: `/api/calls/${encodeURIComponent(callId)}/coaching`, headers });
  return { app: built, db: database, session, coaching, operatorId, idOf, post, remove };
}

const coachingEntries = (db: Db): AuditEntryView[] =>
  listAudit(db, { entity: 'call' })
    .filter((e) => e.action.startsWith('coaching.'))
    .reverse();

describe('POST/DELETE /api/calls/:callId/coaching', () => {
  it('lets a supervisor listen, whisper, barge and leave, auditing each use with the call and operator', async () => {
    const s = await start();
    const supervisor = await s.session('giamsat');
    for (const mode of ['listen', 'whisper', 'barge'] as const) {
      const res = await s.post(supervisor, mode);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<CoachingView>()).toEqual({
        callId: CALL,
        operatorId: s.operatorId,
        supervisorId: s.idOf('giamsat'),
        mode,
      });
    }
    // The controller rings the supervisor's own softphone: their user name is its endpoint.
    expect(s.coaching.asked[0]?.supervisor).toMatchObject({ id: s.idOf('giamsat'), endpoint: 'giamsat' });
    const left = await s.remove(supervisor);
    expect(left.statusCode).toBe(204);
    expect(s.coaching.onCall).toBeNull();

    const entries = coachingEntries(s.db);
    expect(entries.map((e) => [e.action, e.entityId, e.actor?.username])).toEqual([
      ['coaching.listen', CALL, 'giamsat'],
      ['coaching.whisper', CALL, 'giamsat'],
      ['coaching.barge', CALL, 'giamsat'],
      ['coaching.leave', CALL, 'giamsat'],
    ]);
    expect(entries[0]?.after).toEqual({ operatorId: s.operatorId, mode: 'listen' });
    expect(entries[3]?.after).toEqual({ reason: 'left' });
  });

  it('is for supervisors and admins only; an admin without a softphone is told so', async () => {
    const s = await start();
    expect((await s.post({}, 'listen')).statusCode).toBe(401);
    for (const username of ['tdv01', 'syt']) {
      const res = await s.post(await s.session(username), 'listen');
      expect(res.statusCode, username).toBe(403);
    }
    const admin = await s.post(await s.session('quantri'), 'listen');
    expect(admin.statusCode).toBe(409);
    expect(admin.json<ApiError>().error).toEqual({
      code: 'NO_SOFTPHONE',
      message: 'Tài khoản của bạn không có điện thoại trình duyệt để giám sát cuộc gọi.',
    });
    expect(s.coaching.asked).toEqual([]);
    expect(coachingEntries(s.db)).toEqual([]);
  });

  it('refuses an unknown mode, and answers the controller’s refusals with their codes and Vietnamese messages', async () => {
    const s = await start();
    const supervisor = await s.session('giamsat');
    const bad = await s.post(supervisor, 'shout');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ApiError>().error.code).toBe('VALIDATION');

    const cases: [CoachingErrorCode, number, string][] = [
      ['CALL_NOT_IN_TALK', 404, 'Cuộc gọi không còn diễn ra.'],
      ['COACHING_TAKEN', 409, 'Một giám sát viên khác đang giám sát cuộc gọi này.'],
      ['ALREADY_COACHING', 409, 'Bạn đang giám sát một cuộc gọi khác; hãy rời cuộc gọi đó trước.'],
      [
        'SOFTPHONE_UNREACHABLE',
        409,
        'Điện thoại trình duyệt của bạn chưa kết nối với tổng đài; hãy mở lại trang Bảng theo dõi.',
      ],
      ['SOFTPHONE_NO_ANSWER', 409, 'Điện thoại trình duyệt của bạn không trả lời.'],
    ];
    for (const [code, status, message] of cases) {
      s.coaching.failNext = code;
      const res = await s.post(supervisor, 'listen');
      expect(res.statusCode, code).toBe(status);
      expect(res.json<ApiError>().error).toEqual({ code, message });
    }
    // Asterisk gone or slow mid-request: a refusal to retry, not a server error.
    for (const failure of [new AriDisconnectedError('snoop'), new AriTimeoutError('snoop', 5000)]) {
      s.coaching.failNext = failure;
      const res = await s.post(supervisor, 'listen');
      expect(res.statusCode, failure.code).toBe(503);
      expect(res.json<ApiError>().error).toEqual({
        code: 'TELEPHONY_UNAVAILABLE',
        message: 'Không kết nối được tổng đài, vui lòng thử lại.',
      });
    }
    // An operator may not take a supervisor's place; nobody leaves a call they are not on.
    expect((await s.post(supervisor, 'listen')).statusCode).toBe(200);
    const other = await s.session('tdv02');
    expect((await s.post(other, 'listen')).statusCode).toBe(403);
    const notOn = await s.remove(supervisor, 'another-call');
    expect(notOn.statusCode).toBe(404);
    expect(notOn.json<ApiError>().error).toEqual({
      code: 'NOT_COACHING',
      message: 'Bạn không giám sát cuộc gọi này.',
    });
    // Refusals are not uses: only the successful listen is in the log.
    expect(coachingEntries(s.db).map((e) => e.action)).toEqual(['coaching.listen']);
  });

  it('answers 409 NO_TELEPHONY when the hotline runs without telephony', async () => {
    const s = await start({ telephony: false });
    const res = await s.post(await s.session('giamsat'), 'listen');
    expect(res.statusCode).toBe(409);
    expect(res.json<ApiError>().error.code).toBe('NO_TELEPHONY');
  });
});

describe('coaching notices', () => {
  function notifier(s: Awaited<ReturnType<typeof start>>) {
    const sent: [number, CoachingNotice][] = [];
    const notices = createCoachingNotifier({
      db: s.db,
      sink: { toUser: (userId, notice) => sent.push([userId, notice]) },
      logger,
    });
    const supervisorId = s.idOf('giamsat');
    const change = (mode: CoachingMode | null, ended?: 'left' | 'talk_ended') =>
      notices.changed({
        callId: CALL,
        operatorId: s.operatorId,
        supervisorId,
        mode,
        ...(ended ? { ended } : {}),
      });
    const toOperator = () => sent.filter(([id]) => id === s.operatorId).map(([, n]) => n.mode);
    const toSupervisor = () => sent.filter(([id]) => id === supervisorId).map(([, n]) => n.mode);
    return { change, toOperator, toSupervisor, sent, notices };
  }

  it('by default tells the operator of whispers and barges, not of listening; the supervisor of everything', async () => {
    const s = await start();
    const n = notifier(s);
    n.change('listen');
    expect(n.toOperator()).toEqual([]);
    n.change('whisper');
    n.change('barge');
    n.change('listen');
    n.change(null, 'left');
    expect(n.toOperator()).toEqual(['whisper', 'barge', null]);
    expect(n.toSupervisor()).toEqual(['listen', 'whisper', 'barge', 'listen', null]);
    // A leave the supervisor asked for was audited by their request, not again here.
    expect(coachingEntries(s.db)).toEqual([]);
  });

  it('follows an admin’s change of the setting at once: always tells listening, never tells anything', async () => {
    const s = await start();
    const admin = s.idOf('quantri');
    const n = notifier(s);
    settingsStore(s.db).update('coaching', { operatorSees: 'always' }, admin);
    n.change('listen');
    expect(n.toOperator()).toEqual(['listen']);
    settingsStore(s.db).update('coaching', { operatorSees: 'never' }, admin);
    n.change('whisper');
    n.change('barge');
    expect(n.toOperator()).toEqual(['listen', null]);
    n.change(null, 'talk_ended');
    expect(n.toOperator()).toEqual(['listen', null]);
    expect(n.toSupervisor()).toEqual(['listen', 'whisper', 'barge', null]);
  });

  it('remembers what the operator was told, for their console coming back mid-call', async () => {
    const s = await start();
    const n = notifier(s);
    n.change('listen');
    expect(n.notices.operatorNotice(s.operatorId, CALL)).toBeNull();
    n.change('whisper');
    expect(n.notices.operatorNotice(s.operatorId, CALL)).toEqual({
      callId: CALL,
      operatorId: s.operatorId,
      mode: 'whisper',
    });
    expect(n.notices.operatorNotice(s.idOf('tdv02'), CALL)).toBeNull();
    n.change(null, 'left');
    expect(n.notices.operatorNotice(s.operatorId, CALL)).toBeNull();
  });

  it('audits the ends the supervisor did not ask for', async () => {
    const s = await start();
    const n = notifier(s);
    n.change('barge');
    n.change(null, 'talk_ended');
    expect(coachingEntries(s.db).map((e) => [e.action, e.actor?.username, e.after])).toEqual([
      ['coaching.leave', 'giamsat', { operatorId: s.operatorId, reason: 'talk_ended' }],
    ]);
  });
});

describe('coaching notices over socket.io', () => {
  it('reach the operator’s and the supervisor’s consoles, and an operator’s console coming back mid-call', async () => {
    const io = createRealtimeServer();
    const fx = await buildFixture();
    try {
      const operatorId = fx.userId('tdv01');
      const supervisorId = fx.userId('giamsat');
      const notices = createCoachingNotifier({ db: fx.db, sink: coachingNoticeSink(io), logger });
      const call = {
        callId: CALL,
        caller: '0909111222',
        queue: 'general' as const,
        menuChoice: '0',
        waitedSeconds: 3,
      };
      Object.assign(fx.desk, {
        currentCall: (id: number) => (id === operatorId ? { call, answered: true } : null),
      });
      attachRealtime(fx.app, { io, db: fx.db, desk: fx.desk, logger, coaching: notices });
      await fx.app.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(fx.app.server.address() as AddressInfo).port}`;
      const sockets: Socket<ServerToClientEvents, ClientToServerEvents>[] = [];
      const open = async (username: string) => {
        const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(url, {
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
          extraHeaders: { cookie: await fx.login(username) },
        });
        sockets.push(socket);
        const heard: CoachingNotice[] = [];
        socket.on('coaching:changed', (n) => heard.push(n));
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
        return heard;
      };
      const operator = await open('tdv01');
      const supervisor = await open('giamsat');
      const other = await open('tdv02');
      notices.changed({ callId: CALL, operatorId, supervisorId, mode: 'whisper' });
      const until = async (probe: () => boolean) => {
        for (let i = 0; i < 100 && !probe(); i++) await new Promise((r) => setTimeout(r, 20));
      };
      await until(() => operator.length > 0 && supervisor.length > 0);
      expect(operator).toEqual([{ callId: CALL, operatorId, mode: 'whisper' }]);
      expect(supervisor).toEqual([{ callId: CALL, operatorId, mode: 'whisper' }]);

      // The operator's page reloads mid-whisper: the new console is told at once.
      const again = await open('tdv01');
      await until(() => again.length > 0);
      expect(again).toEqual([{ callId: CALL, operatorId, mode: 'whisper' }]);
      expect(other).toEqual([]);
      for (const socket of sockets) socket.disconnect();
    } finally {
      await fx.close();
    }
  });
});
