/** Builds the HTTP application from its dependencies. Never listens: `main.ts` does. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Ivr } from '../ivr/api.ts';
import type { WatchdogHealth } from '../ivr/watchdog-health.ts';
import { adminRoutes, type CallController, type IvrMenuReloader } from './admin/routes.ts';
import { agencyAdminRoutes } from './agencies/admin-routes.ts';
import { agencyRoutes } from './agencies/routes.ts';
import { auditRoutes } from './audit/routes.ts';
import { registerSessionLookup } from './auth/guard.ts';
import { createLoginLimiter, type LoginLimiter } from './auth/rate-limit.ts';
import { authRoutes } from './auth/routes.ts';
import { createAuthService } from './auth/service.ts';
import { calendarRoutes } from './calendar/routes.ts';
import { type CalendarStore, createCalendarStore } from './calendar/service.ts';
import { type DialPermits, NO_DIAL_PERMITS } from './callbacks/dial-permits.ts';
import { callbackRoutes } from './callbacks/routes.ts';
import { type CallbackNotifier, createCallbackService } from './callbacks/service.ts';
import { callRoutes } from './calls/routes.ts';
import { categoryRoutes } from './categories/routes.ts';
import { coachingRoutes } from './coaching/routes.ts';
import { type CoachingDesk, createCoachingService } from './coaching/service.ts';
import type { Config } from './config.ts';
import type { Db } from './db/index.ts';
import type { WorkingCalendar } from './deadlines/calendar.ts';
import { deskRoutes } from './desk/routes.ts';
import { createWrittenDesk, type WrittenDesk } from './desk/service.ts';
import { errorBody, NotFoundError, registerErrorHandler } from './errors.ts';
import { deliveryRoutes } from './forwarding/routes.ts';
import { writtenRequestRoutes } from './intake/desk-routes.ts';
import { webIntakeRoutes } from './intake/web-routes.ts';
import type { JobSide } from './jobs.ts';
import { metricsRoutes } from './metrics/routes.ts';
import { open311AdminRoutes } from './open311/admin-routes.ts';
import { open311Routes } from './open311/routes.ts';
import { operatorRoutes } from './operators/routes.ts';
import { withTimeout } from './outbox/redis.ts';
import { reportRoutes } from './reports/routes.ts';
import { routingRoutes } from './routing/routes.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { settingsRoutes } from './settings/routes.ts';
import { smsRoutes } from './sms/routes.ts';
import type { TicketHooks, TicketNotifier } from './tickets/hooks.ts';
import { ticketRoutes } from './tickets/routes.ts';
import { createTicketService } from './tickets/service.ts';
import { unitRoutes } from './units/routes.ts';
import { userRoutes } from './users/routes.ts';
import { createAccountService } from './users/service.ts';
import { zaloRoutes } from './zalo/routes.ts';

/** The slice of the call controller the HTTP and socket.io side uses. */
export type Desk = Pick<
  Ivr,
  | 'setAgentState'
  | 'agentStatus'
  | 'extendWrapUp'
  | 'operatorLost'
  | 'operatorHangsUp'
  | 'snapshot'
  | 'storedRecording'
> &
  Partial<Pick<Ivr, 'currentCall'>>;

export interface AppDeps {
  config: Config;
  db: Db;
  logger: Logger;
  desk: Desk;
  /** Reloads the IVR menu file (POST /api/admin/ivr/reload). */
  ivrMenu: IvrMenuReloader;
  /** The call controller alone (POST /api/admin/telephony/controller); none without telephony. */
  controller?: CallController;
  /** Supervisors on calls in progress (POST/DELETE /api/calls/:callId/coaching); none without telephony. */
  coaching?: CoachingDesk;
  /** Runs inside every ticket change's transaction (SMS, …); none by default. */
  ticketHooks?: TicketHooks;
  /** Told after a ticket change commits (socket.io pushes); none by default. */
  ticketNotifier?: TicketNotifier;
  /** Office hours and holidays deadlines count in; `calendarStore`'s live calendar otherwise. */
  calendar?: WorkingCalendar;
  /** The hotline's one calendar (holidays, admin entries); one on `db` by default. */
  calendarStore?: CalendarStore;
  /** Failed-login throttle; a fresh in-process one by default. */
  loginLimiter?: LoginLimiter;
  /** Lets operators' softphones dial the citizen of a claimed callback; none without telephony. */
  dialPermits?: DialPermits;
  /** Told after a callback task changes (socket.io pushes); none by default. */
  callbackNotifier?: CallbackNotifier;
  /**
   * Told the id of an account after each change to it commits (created, edited, disabled, enabled,
   * password reset): `main.ts` disconnects its sockets, and updates the softphone accounts.
   */
  accountListeners?: ((userId: number) => void)[];
  /**
   * Told the id of a user after a login, a logout or a password change (which ends their other
   * sessions): `main.ts` drops the sockets of ended sessions and brings the softphone accounts in
   * Asterisk in line with the live sessions. The request waits for them, at most
   * `SESSION_SYNC_MS`, so a console registers as soon as it has its secret and a logged-out
   * secret stops working before the logout answers.
   */
  sessionListeners?: ((userId: number) => Promise<void> | void)[];
  /** Built console (static files); served at `/`, with `index.html` for unknown non-API paths. */
  consoleDir?: string;
  /** Served at `/metrics` to holders of `HOTLINE_METRICS_TOKEN`; none: 404. */
  metrics?: Registry;
  /** Where the job side runs and whether it does, for `/api/health`; left out when none. */
  jobs?: Pick<JobSide, 'health'>;
  /** Whether a watchdog process watches the controller (`ivr/watchdog-health.ts`), for `/api/health`; left out without telephony. */
  watchdog?: { health(): WatchdogHealth };
  /** Tells the job side that intents wait (Zalo's events, replies); none: its poll finds them. */
  nudgeJobs?: () => void;
  /** Gives written requests to ready operators (`main.ts` starts it); a desk that only answers lists otherwise. */
  writtenDesk?: WrittenDesk;
  now?: () => Date;
}

/** How long a login, logout or password change waits for the session listeners before answering. */
export const SESSION_SYNC_MS = 3000;

export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, db, logger, desk } = deps;
  const now = deps.now ?? (() => new Date());
  const app = Fastify({
    // Behind the reverse proxy, the client's address and HTTPS come from its X-Forwarded-* headers.
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
    // Widened so the instance is the plain `FastifyInstance` that route plugins are typed against.
    loggerInstance: logger as FastifyBaseLogger,
    // Request lines carry query strings (caller numbers); log our own line without them.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
  });

  registerErrorHandler(app);
  await registerSecurityHeaders(app, config);
  await app.register(fastifyCookie);
  const auth = createAuthService({ db, now });
  registerSessionLookup(app, auth);

  app.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      {
        method: request.method,
        route: request.routeOptions.url,
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request done',
    );
  });

  app.get('/api/health', async () => {
    db.$client.prepare('select 1').get();
    return {
      status: 'ok',
      telephonyUp: desk.snapshot(now()).telephonyUp,
      ...(deps.jobs ? { jobs: deps.jobs.health() } : {}),
      ...(deps.watchdog ? { watchdog: deps.watchdog.health() } : {}),
    };
  });
  const limiter = deps.loginLimiter ?? createLoginLimiter(undefined, now);
  const sessionListeners = deps.sessionListeners ?? [];
  const sessionsChanged = async (userId: number): Promise<void> => {
    const settled = Promise.allSettled(sessionListeners.map(async (listener) => listener(userId)));
    try {
      for (const result of await withTimeout(settled, SESSION_SYNC_MS, 'following the sessions')) {
        if (result.status === 'rejected')
          logger.error({ err: result.reason, userId }, 'a session listener failed');
      }
    } catch (err) {
      logger.warn({ err, userId }, 'answering before the softphone accounts follow the sessions');
    }
  };
  await app.register(authRoutes, { auth, limiter, config, now, sessionsChanged });
  await app.register(agencyRoutes, { db });
  const calendarStore = deps.calendarStore ?? createCalendarStore({ db, now, logger });
  const calendar = deps.calendar ?? calendarStore.calendar;
  await app.register(categoryRoutes, { db });
  await app.register(routingRoutes, { db });
  const tickets = createTicketService({
    db,
    logger,
    now,
    calendar,
    ...(deps.ticketHooks ? { hooks: deps.ticketHooks } : {}),
    ...(deps.ticketNotifier ? { notifier: deps.ticketNotifier } : {}),
  });
  await app.register(ticketRoutes, { tickets });
  await app.register(deliveryRoutes, { db, now });
  await app.register(smsRoutes, { db });
  await app.register(reportRoutes, {
    db,
    now,
    options: {
      serviceLevelSeconds: config.serviceLevelSeconds,
      shortAbandonSeconds: config.shortAbandonSeconds,
    },
  });
  await app.register(settingsRoutes, { db, now });
  await app.register(callRoutes, { db, now, recordings: desk });
  await app.register(coachingRoutes, {
    coaching: createCoachingService({ db, desk: deps.coaching ?? null, now }),
  });
  const callbacks = createCallbackService({
    db,
    desk,
    permits: deps.dialPermits ?? NO_DIAL_PERMITS,
    policy: config.callbacks,
    now,
    ...(deps.callbackNotifier ? { notifier: deps.callbackNotifier } : {}),
  });
  await app.register(callbackRoutes, { callbacks });
  await app.register(adminRoutes, {
    db,
    ivrMenu: deps.ivrMenu,
    ...(deps.controller ? { controller: deps.controller } : {}),
  });
  await app.register(operatorRoutes, { desk, now });
  await app.register(agencyAdminRoutes, {
    db,
    now,
    calendar,
    requireHttps: config.environment === 'production',
    ...(deps.ticketHooks ? { hooks: deps.ticketHooks } : {}),
    ...(deps.ticketNotifier ? { notifier: deps.ticketNotifier } : {}),
  });
  await app.register(auditRoutes, { db });
  await app.register(calendarRoutes, { calendar: calendarStore, now });
  await app.register(unitRoutes, { db, now });
  await app.register(userRoutes, {
    accounts: createAccountService({ db, logger, now, listeners: deps.accountListeners ?? [] }),
  });
  await app.register(zaloRoutes, { db, zalo: config.zalo, nudge: deps.nudgeJobs ?? (() => undefined), now });
  await app.register(webIntakeRoutes, { db, config, now });
  await app.register(writtenRequestRoutes, { db, now });
  await app.register(deskRoutes, {
    db,
    now,
    settings: config.desk,
    desk:
      deps.writtenDesk ??
      createWrittenDesk({
        db,
        agents: () => desk.snapshot(now()).agents,
        settings: config.desk,
        logger,
        now,
      }),
  });
  await app.register(open311Routes, { prefix: '/open311', db, now, ...config.open311 });
  await app.register(open311AdminRoutes, { db, now });
  await app.register(metricsRoutes, { registry: deps.metrics ?? null, token: config.metricsToken });

  const consoleDir = deps.consoleDir;
  const hasConsole = consoleDir !== undefined && existsSync(join(consoleDir, 'index.html'));
  if (consoleDir !== undefined && existsSync(consoleDir)) {
    await app.register(fastifyStatic, {
      root: consoleDir,
      prefix: '/',
      index: 'index.html',
      wildcard: false,
    });
  }
  app.setNotFoundHandler((request, reply) => {
    if (hasConsole && request.method === 'GET' && !request.url.startsWith('/api/')) {
      return reply.sendFile('index.html');
    }
    const notFound = new NotFoundError();
    return reply.status(404).send(errorBody(notFound.code, notFound.message));
  });

  return app;
}
