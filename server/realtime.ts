/**
 * socket.io on the HTTP server: operators' screen-pops and states, supervisors' wallboard.
 * Sockets authenticate with the same session cookie as the REST API.
 */
import type {} from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import { hasSoftphone } from '../common/domain.ts';
import type {
  Ack,
  AgentStateView,
  CallPop,
  ClientToServerEvents,
  ServerToClientEvents,
  SettingsUpdate,
  WallboardSnapshot,
} from '../common/events.ts';
import type { AgentRequest, CallInfo, IvrEvents } from '../ivr/api.ts';
import type { Desk } from './app.ts';
import { type AuthService, type AuthUser, createAuthService, SESSION_COOKIE } from './auth/service.ts';
import { type CallbackNotifier, callbackView } from './callbacks/service.ts';
import type { CoachingNoticeSink, CoachingNotifier } from './coaching/service.ts';
import type { Db } from './db/index.ts';
import { contactHistory } from './desk/history.ts';
import { AppError } from './errors.ts';
import { parseAgentStateRequest } from './operators/routes.ts';
import { createStateLog } from './operators/state-log.ts';
import { agentStateStore, settledRequest } from './operators/states.ts';
import { settingsStore } from './settings/service.ts';
import type { TicketNotifier } from './tickets/hooks.ts';
import {
  findTicket,
  type TicketWithAgency,
  ticketHistory,
  toTicketView,
  visibleToAgency,
} from './tickets/repository.ts';

export interface SocketData {
  user: AuthUser;
  /** The session's cookie token: the socket lives no longer than its session. */
  sessionToken: string;
}

export type RealtimeServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;
type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export const WALLBOARD_ROOM = 'wallboard';
/** Supervisors and admins: every ticket change and deadline. */
export const SUPERVISORS_ROOM = 'supervisors';
/** Operators, supervisors and admins: every callback task change. */
export const CALLBACKS_ROOM = 'callbacks';
export const operatorRoom = (operatorId: number): string => `operator:${operatorId}`;
/** An agency's liaisons: changes to the tickets assigned to it. */
export const agencyRoom = (agencyId: number): string => `agency:${agencyId}`;

const HISTORY_LIMIT = 10;

function watchesWallboard(user: AuthUser): boolean {
  return user.role === 'supervisor' || user.role === 'admin';
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'INTERNAL';
}

/**
 * socket.io's reasons for a disconnect the console did not ask for: the page was closed or
 * reloaded, the browser crashed, or the network dropped. A log-out disconnects on purpose
 * (`client namespace disconnect`); a server shutdown is the server's own doing.
 */
/** `connect_error` message of a server that is shutting down; the console tries again shortly. */
export const SHUTTING_DOWN = 'SHUTTING_DOWN';

const LOST_CONNECTION = new Set(['transport close', 'transport error', 'ping timeout', 'parse error']);

/**
 * How long a console that lost its connection has to come back before its operator counts as
 * lost. The call's audio does not go through this connection, so a blip (a server restart, a
 * flaky Wi-Fi) must not send a talking citizen back to the queue.
 */
export const LOST_CONSOLE_GRACE_MS = 4_000;

/**
 * After a start, how long an operator whose state was restored (ready or not ready) has for their
 * console to come back before they count as lost. Consoles retry with a growing delay while the
 * server is away, so this is longer than a blip's grace.
 */
export const RESTORED_CONSOLE_GRACE_MS = 15_000;

/**
 * How often every socket's session is looked up again, so a socket does not outlive its session
 * (a log-out, an expiry, a password changed elsewhere). Disabling an account or resetting its
 * password disconnects at once (`socketAccountListener`).
 */
export const SESSION_CHECK_MS = 5000;

/** Disconnects the sockets (of one user, or all) whose session has ended or awaits a new password. */
function dropEndedSessions(io: RealtimeServer, auth: AuthService, userId?: number): void {
  for (const socket of io.of('/').sockets.values()) {
    if (userId !== undefined && socket.data.user?.id !== userId) continue;
    const user = auth.userForToken(socket.data.sessionToken);
    if (!user || user.mustChangePassword) socket.disconnect(true);
  }
}

/**
 * The listener for `createApp`'s `accountListeners` and `sessionListeners`: disconnects the user's
 * sockets whose session has ended (a logout, a disabled account, a reset password, a new role, a
 * password changed elsewhere), and leaves the others.
 */
export function socketAccountListener(
  io: RealtimeServer,
  db: Db,
  now?: () => Date,
): (userId: number) => void {
  const auth = createAuthService({ db, ...(now ? { now } : {}) });
  return (userId) => dropEndedSessions(io, auth, userId);
}

/**
 * socket.io's heartbeat: a console whose network went silent (a Wi-Fi drop sends no FIN) is seen
 * gone within interval + timeout (6 s, against 45 s by default), so with the lost console's grace
 * a call ringing there is back in the queue within about 10 s. Both sides use these values.
 */
export const PING_INTERVAL_MS = 3000;
export const PING_TIMEOUT_MS = 3000;

/** A socket.io server not yet bound to HTTP, for wiring that needs it before the app exists. */
export function createRealtimeServer(): RealtimeServer {
  return new Server({ serveClient: false, pingInterval: PING_INTERVAL_MS, pingTimeout: PING_TIMEOUT_MS });
}

export interface RealtimeDeps {
  db: Db;
  desk: Desk;
  logger: Logger;
  /** Created earlier with `createRealtimeServer()`; a new one otherwise. */
  io?: RealtimeServer;
  now?: () => Date;
  /** `LOST_CONSOLE_GRACE_MS` unless a test shortens it. */
  lostConsoleGraceMs?: number;
  /** `RESTORED_CONSOLE_GRACE_MS` unless a test shortens it. */
  restoredConsoleGraceMs?: number;
  /** What an operator coming back mid-call is to be told of a supervisor on it; none without telephony. */
  coaching?: Pick<CoachingNotifier, 'operatorNotice'>;
}

/**
 * Binds socket.io to the app's HTTP server; sockets are dropped when the app closes. Operators'
 * states kept from before the start are given back to the desk first (see `operators/states.ts`).
 */
export function attachRealtime(app: FastifyInstance, deps: RealtimeDeps): RealtimeServer {
  const { desk, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const io = deps.io ?? createRealtimeServer();
  const auth = createAuthService({ db: deps.db, now });
  const openSockets = new Map<number, number>();
  /** Operators whose console dropped, until it comes back or the grace period ends. */
  const lostConsoles = new Map<number, NodeJS.Timeout>();
  const graceMs = deps.lostConsoleGraceMs ?? LOST_CONSOLE_GRACE_MS;
  const states = agentStateStore(deps.db);

  /** Unless a console of the operator is back within `ms`, they count as lost. */
  const awaitConsole = (userId: number, ms: number) => {
    const timer = setTimeout(() => {
      lostConsoles.delete(userId);
      if (closing || openSockets.has(userId)) return;
      try {
        desk.operatorLost(userId);
      } catch (err) {
        logger.debug({ err, userId }, 'could not update a lost operator');
      }
    }, ms);
    timer.unref();
    lostConsoles.set(userId, timer);
  };

  try {
    for (const [operatorId, request] of states.load()) {
      try {
        desk.setAgentState(operatorId, request);
        awaitConsole(operatorId, deps.restoredConsoleGraceMs ?? RESTORED_CONSOLE_GRACE_MS);
      } catch (err) {
        logger.warn({ err, operatorId }, 'could not restore an operator state');
      }
    }
  } catch (err) {
    logger.error({ err }, "could not read operators' states; everyone starts offline");
  }

  io.attach(app.server);
  const stopSettings = settingsStore(deps.db).subscribe((section, value) => {
    io.to(SUPERVISORS_ROOM).emit('settings:updated', { section, value } as SettingsUpdate);
  });
  // While the server shuts down (e.g. a restart), consoles are turned away and their drops are not
  // operators lost: the next server takes over their calls.
  let closing = false;
  const sessionCheck = setInterval(() => dropEndedSessions(io, auth), SESSION_CHECK_MS);
  sessionCheck.unref();
  app.addHook('preClose', async () => {
    closing = true;
    clearInterval(sessionCheck);
    stopSettings();
    for (const timer of lostConsoles.values()) clearTimeout(timer);
    lostConsoles.clear();
    io.local.disconnectSockets(true);
    io.engine.close();
  });

  io.use((socket, next) => {
    if (closing) {
      next(new Error(SHUTTING_DOWN));
      return;
    }
    const cookies = app.parseCookie(socket.request.headers.cookie ?? '');
    const token = cookies[SESSION_COOKIE];
    const user = auth.userForToken(token);
    if (!user || !token) {
      next(new Error('UNAUTHENTICATED'));
      return;
    }
    if (user.mustChangePassword) {
      next(new Error('PASSWORD_CHANGE_REQUIRED'));
      return;
    }
    socket.data.user = user;
    socket.data.sessionToken = token;
    next();
  });

  const keepState = (operatorId: number, request: AgentRequest) => {
    try {
      states.save(operatorId, request, now());
    } catch (err) {
      logger.error({ err, operatorId }, 'could not keep an operator state');
    }
  };

  io.on('connection', (socket: RealtimeSocket) => {
    const { user } = socket.data;
    const log = logger.child({ userId: user.id, role: user.role });

    if (hasSoftphone(user.role)) {
      void socket.join(operatorRoom(user.id));
      openSockets.set(user.id, (openSockets.get(user.id) ?? 0) + 1);
      clearTimeout(lostConsoles.get(user.id));
      lostConsoles.delete(user.id);
      try {
        socket.emit('agent:state', desk.agentStatus(user.id));
        // A console that (re)connects mid-call, e.g. after a controller restart, shows it again.
        const current = desk.currentCall?.(user.id);
        if (current) {
          const pop = {
            ...current.call,
            history: ticketHistory(deps.db, current.call.caller, HISTORY_LIMIT),
            contacts: contactHistory(deps.db, { phone: current.call.caller }),
          };
          socket.emit(current.answered ? 'call:answered' : 'call:offered', pop);
          const coached = current.answered
            ? deps.coaching?.operatorNotice(user.id, current.call.callId)
            : null;
          if (coached) socket.emit('coaching:changed', coached);
        }
      } catch (err) {
        log.debug({ err }, 'operator unknown to the call controller');
      }
    }
    if (user.role === 'agency' && user.agencyId !== null) void socket.join(agencyRoom(user.agencyId));
    if (user.role !== 'agency') void socket.join(CALLBACKS_ROOM);
    if (watchesWallboard(user)) {
      void socket.join(SUPERVISORS_ROOM);
      void socket.join(WALLBOARD_ROOM);
      socket.emit('wallboard:updated', desk.snapshot(now()));
    }

    const forbidden = { error: { code: 'FORBIDDEN', message: 'Tài khoản của bạn không nhận cuộc gọi.' } };

    socket.on('agent:setState', (raw, ack) => {
      if (typeof ack !== 'function') return;
      const reply = (r: Ack<AgentStateView>) => ack(r);
      if (!hasSoftphone(user.role)) return reply(forbidden);
      try {
        const request = parseAgentStateRequest(raw);
        const view = desk.setAgentState(user.id, request);
        // Also a choice made mid-call, which shows only once the call is over.
        keepState(user.id, request);
        reply({ data: view });
      } catch (err) {
        if (err instanceof AppError) return reply({ error: { code: err.code, message: err.message } });
        log.warn({ err }, 'could not change agent state');
        reply({ error: { code: errorCode(err), message: 'Không đổi được trạng thái, vui lòng thử lại.' } });
      }
    });

    socket.on('agent:extendWrapUp', (ack) => {
      if (typeof ack !== 'function') return;
      const reply = (r: Ack<AgentStateView>) => ack(r);
      if (!hasSoftphone(user.role)) return reply(forbidden);
      try {
        reply({ data: desk.extendWrapUp(user.id) });
      } catch (err) {
        const code = errorCode(err);
        if (code !== 'NOT_IN_WRAP_UP') log.warn({ err }, 'could not extend wrap-up');
        const message =
          code === 'NOT_IN_WRAP_UP'
            ? 'Bạn không ở trạng thái xử lý sau cuộc gọi.'
            : 'Không thêm được thời gian, vui lòng thử lại.';
        reply({ error: { code, message } });
      }
    });

    socket.on('call:hangup', (e, ack) => {
      if (typeof ack !== 'function') return;
      const reply = (r: Ack<{ callId: string }>) => ack(r);
      if (!hasSoftphone(user.role)) return reply(forbidden);
      const callId = (e as { callId?: unknown } | null)?.callId;
      if (typeof callId !== 'string' || callId.length === 0 || callId.length > 200) {
        return reply({ error: { code: 'VALIDATION', message: 'Cuộc gọi không hợp lệ.' } });
      }
      try {
        if (desk.operatorHangsUp(user.id, callId)) return reply({ data: { callId } });
        reply({ error: { code: 'CALL_NOT_FOUND', message: 'Cuộc gọi đã kết thúc.' } });
      } catch (err) {
        log.warn({ err }, 'could not hang up');
        reply({
          error: { code: errorCode(err), message: 'Không kết thúc được cuộc gọi, vui lòng thử lại.' },
        });
      }
    });

    socket.on('disconnect', (reason) => {
      if (!hasSoftphone(user.role) || closing) return;
      const left = (openSockets.get(user.id) ?? 1) - 1;
      if (left > 0) {
        openSockets.set(user.id, left);
        return;
      }
      openSockets.delete(user.id);
      try {
        if (LOST_CONNECTION.has(reason)) {
          log.warn({ reason }, 'operator console connection lost');
          awaitConsole(user.id, graceMs);
        } else {
          desk.setAgentState(user.id, { state: 'offline' });
        }
      } catch (err) {
        log.debug({ err }, 'could not update a disconnected operator');
      }
    });
  });

  return io;
}

export interface IvrEventBridge extends IvrEvents {
  /** Cancels a pending wallboard push. */
  close(): void;
}

/**
 * Turns the call controller's notifications into socket.io events. Screen-pops get the caller's
 * last tickets; wallboard pushes are throttled to one per `coalesceMs`, the last one always sent,
 * and run on a timer of their own rather than in the turn that reported the change.
 */
export function createIvrEventBridge(
  io: RealtimeServer,
  db: Db,
  opts: { snapshot: () => WallboardSnapshot; logger: Logger; coalesceMs?: number },
): IvrEventBridge {
  const coalesceMs = opts.coalesceMs ?? 100;
  const states = agentStateStore(db);
  const stateLog = createStateLog(db);
  let lastPush = 0;
  let timer: NodeJS.Timeout | undefined;

  const withHistory = (call: CallInfo): CallPop => {
    try {
      return {
        ...call,
        history: ticketHistory(db, call.caller, HISTORY_LIMIT),
        contacts: contactHistory(db, { phone: call.caller }),
      };
    } catch (err) {
      // A screen-pop without history beats none at all.
      opts.logger.error({ err, callId: call.callId }, 'could not load the caller history');
      return { ...call, history: [] };
    }
  };
  const pushWallboard = () => {
    timer = undefined;
    lastPush = Date.now();
    try {
      io.to(WALLBOARD_ROOM).emit('wallboard:updated', opts.snapshot());
    } catch (err) {
      opts.logger.error({ err }, 'could not push the wallboard');
    }
  };

  return {
    callOffered(operatorId, call) {
      io.to(operatorRoom(operatorId)).emit('call:offered', withHistory(call));
    },
    callAnswered(operatorId, call) {
      io.to(operatorRoom(operatorId)).emit('call:answered', withHistory(call));
    },
    callEnded(operatorId, callId) {
      io.to(operatorRoom(operatorId)).emit('call:ended', { callId });
    },
    agentStateChanged(operatorId, status) {
      io.to(operatorRoom(operatorId)).emit('agent:state', status);
      try {
        stateLog.record(operatorId, status);
      } catch (err) {
        opts.logger.error({ err, operatorId }, 'could not log an operator state');
      }
      // Kept for the next start; passing states (ringing, on a call, wrap-up) are not.
      const settled = settledRequest(status);
      if (!settled) return;
      try {
        states.save(operatorId, settled, new Date());
      } catch (err) {
        opts.logger.error({ err, operatorId }, 'could not keep an operator state');
      }
    },
    wallboardChanged() {
      if (timer) return;
      // Never inside the caller's turn: the snapshot (with today's figures) is built afterwards,
      // off the call controller's event path.
      timer = setTimeout(pushWallboard, Math.max(0, lastPush + coalesceMs - Date.now()));
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** Coaching notices to one user's consoles: operators and supervisors each have a room. */
export function coachingNoticeSink(io: RealtimeServer): CoachingNoticeSink {
  return { toUser: (userId, notice) => io.to(operatorRoom(userId)).emit('coaching:changed', notice) };
}

/** Whether any socket of this process is in `room`: nothing to render for an empty one. */
function occupied(io: RealtimeServer, room: string): boolean {
  return (io.sockets.adapter.rooms.get(room)?.size ?? 0) > 0;
}

/**
 * Pushes `ticket:updated` to supervisors (whole caller number) and, once assigned, to the
 * ticket's agency (masked). Each payload is rendered once per room, and only for a room someone
 * is in. `row`: the ticket as committed, if the caller has it; otherwise it is read, and an
 * unknown id is ignored: the ticket may be gone by now.
 */
export function emitTicketUpdated(
  io: RealtimeServer,
  db: Db,
  ticketId: number,
  now: Date = new Date(),
  row?: TicketWithAgency,
): void {
  const toSupervisors = occupied(io, SUPERVISORS_ROOM);
  if (!toSupervisors && io.sockets.adapter.rooms.size === 0) return;
  const found = row ?? findTicket(db, ticketId);
  if (!found) return;
  const { ticket } = found;
  if (toSupervisors) {
    io.to(SUPERVISORS_ROOM).emit('ticket:updated', toTicketView(found, now, 'supervisor'));
  }
  const room = agencyRoom(ticket.agencyId);
  if (visibleToAgency(ticket, ticket.agencyId) && occupied(io, room)) {
    // Rendered for the `agency` role: the caller number is masked.
    io.to(room).emit('ticket:updated', toTicketView(found, now, 'agency'));
  }
}

/** What a deadline job reports: a warning at 75% of the time, or the deadline passed. */
export interface TicketDeadlineEvent {
  ticketId: number;
  kind: 'warning' | 'overdue';
  due: 'ack' | 'resolve';
}

/** Pushes `ticket:deadline` to supervisors and to the ticket's agency. */
export function emitTicketDeadline(io: RealtimeServer, db: Db, e: TicketDeadlineEvent): void {
  const row = findTicket(db, e.ticketId);
  if (!row) return;
  const payload = { ticketId: e.ticketId, trackingCode: row.ticket.trackingCode, kind: e.kind, due: e.due };
  io.to(SUPERVISORS_ROOM).emit('ticket:deadline', payload);
  if (visibleToAgency(row.ticket, row.ticket.agencyId)) {
    io.to(agencyRoom(row.ticket.agencyId)).emit('ticket:deadline', payload);
  }
}

/** The ticket service's notifier for consoles; errors are logged, never thrown into the request. */
export function createTicketNotifier(
  io: RealtimeServer,
  db: Db,
  opts: { logger: Logger; now?: () => Date },
): TicketNotifier {
  const now = opts.now ?? (() => new Date());
  return {
    ticketChanged(ticketId, row) {
      try {
        emitTicketUpdated(io, db, ticketId, now(), row);
      } catch (err) {
        opts.logger.error({ err, ticketId }, 'could not push a ticket change');
      }
    },
  };
}

/** Pushes `callback:updated` to operators, supervisors and admins; errors are logged, never thrown. */
export function createCallbackNotifier(
  io: RealtimeServer,
  db: Db,
  opts: { logger: Logger; now?: () => Date },
): CallbackNotifier {
  const now = opts.now ?? (() => new Date());
  return {
    changed(callbackId) {
      try {
        const task = callbackView(db, callbackId, now());
        if (task) io.to(CALLBACKS_ROOM).emit('callback:updated', task);
      } catch (err) {
        opts.logger.error({ err, callbackId }, 'could not push a callback change');
      }
    },
  };
}
