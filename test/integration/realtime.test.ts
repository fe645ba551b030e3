import type { AddressInfo } from 'node:net';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TicketView } from '../../common/api.ts';
import type {
  CallPop,
  ClientToServerEvents,
  ServerToClientEvents,
  WallboardSnapshot,
} from '../../common/events.ts';
import {
  attachRealtime,
  createIvrEventBridge,
  createRealtimeServer,
  createTicketNotifier,
  emitTicketDeadline,
  type IvrEventBridge,
  type RealtimeServer,
} from '../../server/realtime.ts';
import { buildFixture, csrfHeaders, type Fixture, logger } from './server-fixture.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

let fx: Fixture;
let url: string;
let bridge: IvrEventBridge;
let io: RealtimeServer;
const clients: Client[] = [];

beforeEach(async () => {
  io = createRealtimeServer();
  let db: Fixture['db'] | undefined;
  fx = await buildFixture({
    ticketNotifier: {
      ticketChanged: (id) => (db ? createTicketNotifier(io, db, { logger }).ticketChanged(id) : undefined),
    },
  });
  db = fx.db;
  attachRealtime(fx.app, { io, db: fx.db, desk: fx.desk, logger, lostConsoleGraceMs: 300 });
  bridge = createIvrEventBridge(io, fx.db, {
    logger,
    snapshot: () => fx.desk.snapshot(new Date()),
    coalesceMs: 100,
  });
  await fx.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(fx.app.server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  bridge.close();
  await fx.close();
});

function client(cookie?: string): Client {
  const socket: Client = connect(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(cookie ? { extraHeaders: { cookie } } : {}),
  });
  clients.push(socket);
  return socket;
}

function connected(socket: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}

function next<E extends keyof ServerToClientEvents>(
  socket: Client,
  event: E,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve) => {
    socket.once(event, ((payload: Parameters<ServerToClientEvents[E]>[0]) => resolve(payload)) as never);
  });
}

async function waitFor(what: string, probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('socket.io', () => {
  it('refuses a connection without a session cookie', async () => {
    const err = await connected(client()).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('UNAUTHENTICATED');
  });

  it('refuses a connection with a forged session cookie', async () => {
    const err = await connected(client('hotline_session=forged')).catch((e: Error) => e);
    expect((err as Error).message).toBe('UNAUTHENTICATED');
  });

  it('lets an operator change state, acknowledged, and goes offline when the last tab logs out', async () => {
    const cookie = await fx.login('tdv01');
    const id = fx.userId('tdv01');
    const first = client(cookie);
    const initial = next(first, 'agent:state');
    await connected(first);
    expect((await initial).state).toBe('offline');

    expect(await first.emitWithAck('agent:setState', { state: 'ready' })).toMatchObject({
      data: { state: 'ready', reason: null },
    });
    expect(fx.desk.agentState(id)).toBe('ready');
    expect(
      await first.emitWithAck('agent:setState', { state: 'not_ready', reason: 'training' }),
    ).toMatchObject({
      data: { state: 'not_ready', reason: 'training' },
    });
    expect(fx.desk.agentStatus(id)).toMatchObject({ state: 'not_ready', reason: 'training' });

    const second = client(cookie);
    await connected(second);
    first.disconnect();
    await new Promise((r) => setTimeout(r, 200));
    expect(fx.desk.agentState(id)).toBe('not_ready');
    second.disconnect();
    await waitFor('offline', () => fx.desk.agentState(id) === 'offline');
    expect(fx.desk.lost).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['an unknown state', { state: 'on_call' }, 'INVALID_AGENT_STATE'],
    ['the old string form', 'ready', 'INVALID_AGENT_STATE'],
    ['not ready without a reason', { state: 'not_ready' }, 'UNKNOWN_NOT_READY_REASON'],
    ['an unknown reason', { state: 'not_ready', reason: 'lunch' }, 'UNKNOWN_NOT_READY_REASON'],
    [
      'a reason only the hotline sets',
      { state: 'not_ready', reason: 'missed_call' },
      'UNKNOWN_NOT_READY_REASON',
    ],
  ])('refuses %s with a code, changing nothing', async (_label, request, code) => {
    const socket = client(await fx.login('tdv01'));
    await connected(socket);
    const reply = await socket.emitWithAck('agent:setState', request as never);
    expect(reply).toMatchObject({ error: { code } });
    expect(fx.desk.changes).toEqual([]);
  });

  it('takes a dropped connection (not a log-out) for a lost console', async () => {
    const id = fx.userId('tdv02');
    const socket = client(await fx.login('tdv02'));
    await connected(socket);
    await socket.emitWithAck('agent:setState', { state: 'ready' });
    // Closing the transport under socket.io is what a closed page or a cut network looks like.
    socket.io.engine.close();
    await waitFor('the console counted as lost', () => fx.desk.lost.length === 1);
    expect(fx.desk.lost).toEqual([id]);
    expect(fx.desk.agentStatus(id)).toMatchObject({ state: 'not_ready', reason: 'connection_lost' });
  });

  it('keeps an operator whose console comes back within the grace period', async () => {
    const socket = client(await fx.login('tdv02'));
    await connected(socket);
    await socket.emitWithAck('agent:setState', { state: 'ready' });
    // Logged in beforehand: a password check on a busy machine can outlast the 300 ms grace.
    const session = await fx.login('tdv02');
    socket.io.engine.close();
    const again = client(session);
    await connected(again);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(fx.desk.lost).toEqual([]);
    expect(fx.desk.agentStatus(fx.userId('tdv02'))).toMatchObject({ state: 'ready' });
  });

  it('passes an announced hang-up to the desk, refusing calls that are not the operator’s', async () => {
    const id = fx.userId('tdv01');
    fx.desk.calls.set(id, 'c-7');
    const socket = client(await fx.login('tdv01'));
    await connected(socket);
    expect(await socket.emitWithAck('call:hangup', { callId: 'c-7' })).toEqual({ data: { callId: 'c-7' } });
    expect(await socket.emitWithAck('call:hangup', { callId: 'c-8' })).toMatchObject({
      error: { code: 'CALL_NOT_FOUND' },
    });
    expect(await socket.emitWithAck('call:hangup', {} as { callId: string })).toMatchObject({
      error: { code: 'VALIDATION' },
    });
    expect(fx.desk.hangups).toEqual([{ operatorId: id, callId: 'c-7' }]);
    expect(await socket.emitWithAck('agent:extendWrapUp')).toMatchObject({
      error: { code: 'NOT_IN_WRAP_UP' },
    });
  });

  it('gives a supervisor the wallboard on connect, and refuses a state change from an admin', async () => {
    const supervisor = client(await fx.login('giamsat'));
    const snapshot = next(supervisor, 'wallboard:updated');
    await connected(supervisor);
    const board = await snapshot;
    expect(board.queues).toEqual([
      {
        queue: 'health',
        waiting: 2,
        longestWaitSeconds: 40,
        answered: 0,
        abandoned: 0,
        serviceLevel: null,
        serviceLevelCalls: 0,
        averageSpeedOfAnswerSeconds: null,
      },
    ]);
    expect(board.agents.map((a) => a.operatorId)).toContain(fx.userId('tdv04'));

    const admin = client(await fx.login('quantri'));
    await connected(admin);
    expect(await admin.emitWithAck('agent:setState', { state: 'ready' })).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
  });

  it('pops the call to its operator only, with the caller’s ticket history', async () => {
    const cookie = await fx.login('tdv01');
    const created = await fx.app.inject({
      method: 'POST',
      url: '/api/tickets',
      headers: csrfHeaders(cookie),
      payload: {
        callerNumber: '0909111222',
        category: 'goods',
        description: 'Thiếu gạo.',
      },
    });
    const ticket = created.json<TicketView>();
    const tdv01 = client(cookie);
    const tdv02 = client(await fx.login('tdv02'));
    await Promise.all([connected(tdv01), connected(tdv02)]);
    let leaked = false;
    tdv02.on('call:offered', () => {
      leaked = true;
    });

    const offered = next(tdv01, 'call:offered');
    const call = {
      callId: 'c-1',
      caller: '0909111222',
      queue: 'goods' as const,
      menuChoice: '3',
      waitedSeconds: 12,
    };
    bridge.callOffered(fx.userId('tdv01'), call);
    const pop: CallPop = await offered;
    expect(pop).toMatchObject(call);
    expect(pop.history).toEqual([
      {
        id: ticket.id,
        trackingCode: ticket.trackingCode,
        category: 'goods',
        status: 'assigned',
        createdAt: ticket.createdAt,
        description: 'Thiếu gạo.',
      },
    ]);

    const ended = next(tdv01, 'call:ended');
    bridge.callEnded(fx.userId('tdv01'), 'c-1');
    expect(await ended).toEqual({ callId: 'c-1' });
    expect(leaked).toBe(false);
  });

  it('coalesces a burst of wallboard changes but always delivers the final state', async () => {
    const supervisor = client(await fx.login('giamsat'));
    const boards: WallboardSnapshot[] = [];
    await connected(supervisor);
    await new Promise((r) => setTimeout(r, 150));
    supervisor.on('wallboard:updated', (b) => boards.push(b));

    const id = fx.userId('tdv03');
    for (let i = 0; i < 20; i++) {
      fx.desk.setAgentState(id, i % 2 === 0 ? { state: 'ready' } : { state: 'not_ready', reason: 'break' });
      bridge.wallboardChanged();
    }
    await waitFor(
      'final state',
      () => boards.at(-1)?.agents.find((a) => a.operatorId === id)?.state === 'not_ready',
    );
    await new Promise((r) => setTimeout(r, 250));
    expect(boards.length).toBeLessThanOrEqual(2);
    expect(boards.at(-1)?.agents.find((a) => a.operatorId === id)).toMatchObject({
      state: 'not_ready',
      reason: 'break',
    });
  });

  it('builds the wallboard snapshot after the turn that reported the change, not during it', async () => {
    let snapshots = 0;
    const deferred = createIvrEventBridge(io, fx.db, {
      logger,
      snapshot: () => {
        snapshots++;
        return fx.desk.snapshot(new Date());
      },
      coalesceMs: 100,
    });
    try {
      deferred.wallboardChanged();
      deferred.wallboardChanged();
      expect(snapshots).toBe(0);
      await waitFor('the push', () => snapshots === 1);
    } finally {
      deferred.close();
    }
  });

  it('pushes ticket changes to supervisors and to the ticket’s agency, the number masked, nobody else', async () => {
    const supervisor = client(await fx.login('giamsat'));
    const syt = client(await fx.login('syt'));
    const sct = client(await fx.login('sct'));
    const operator = client(await fx.login('tdv02'));
    await Promise.all([supervisor, syt, sct, operator].map(connected));
    const leaks: string[] = [];
    sct.on('ticket:updated', () => leaks.push('sct'));
    operator.on('ticket:updated', () => leaks.push('operator'));

    const toSupervisor = next(supervisor, 'ticket:updated');
    const toAgency = next(syt, 'ticket:updated');
    const created = await fx.app.inject({
      method: 'POST',
      url: '/api/tickets',
      headers: csrfHeaders(await fx.login('tdv01')),
      payload: {
        callerNumber: '0912345678',
        category: 'health',
        description: 'Sốt cao.',
      },
    });
    const ticket = created.json<TicketView>();
    expect(await toSupervisor).toMatchObject({
      id: ticket.id,
      status: 'assigned',
      callerNumber: '0912***678',
    });
    expect(await toAgency).toMatchObject({ id: ticket.id, status: 'assigned', callerNumber: '0912***678' });

    const acknowledged = next(supervisor, 'ticket:updated');
    const ack = await fx.app.inject({
      method: 'POST',
      url: `/api/tickets/${ticket.id}/actions`,
      headers: csrfHeaders(await fx.login('syt')),
      payload: { action: 'acknowledge' },
    });
    expect(ack.statusCode).toBe(200);
    expect((await acknowledged).status).toBe('acknowledged');

    const deadline = next(syt, 'ticket:deadline');
    const escalated = next(supervisor, 'ticket:deadline');
    emitTicketDeadline(io, fx.db, { ticketId: ticket.id, kind: 'overdue', due: 'resolve' });
    const expected = {
      ticketId: ticket.id,
      trackingCode: ticket.trackingCode,
      kind: 'overdue',
      due: 'resolve',
    };
    expect(await deadline).toEqual(expected);
    expect(await escalated).toEqual(expected);
    await new Promise((r) => setTimeout(r, 100));
    expect(leaks).toEqual([]);
  });

  it('closing the server disconnects open consoles instead of hanging', async () => {
    const supervisor = client(await fx.login('giamsat'));
    await connected(supervisor);
    const dropped = new Promise<string>((resolve) => supervisor.once('disconnect', resolve));
    await fx.close();
    expect(await dropped).toBeTypeOf('string');
  });
});
