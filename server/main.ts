/**
 * The composition root: opens the database, starts the job queues and their workers (forwarding,
 * SMS, deadlines) and the outbox relay (`jobs.ts`; in-process or in a child process), the call controller (or a desk without telephony), the
 * HTTP API and socket.io, in that order, and stops them in reverse. `tsx server/main.ts` runs it with the configuration from the environment.
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Logger, pino } from 'pino';
import { QUEUE_NAMES } from '../common/domain.ts';
import { type AgentStateView, NO_CALL_FIGURES, type WallboardSnapshot } from '../common/events.ts';
import {
  type AgentRequest,
  type Ivr,
  type IvrEvents,
  NotInWrapUpError,
  UnknownOperatorError,
} from '../ivr/api.ts';
import { createFallbackWatch, telephonyMode } from '../ivr/fallback.ts';
import { createIvr } from '../ivr/index.ts';
import { openMenuStore } from '../ivr/menu-file.ts';
import { writePrompts } from '../ivr/prompt-files.ts';
import { ALL_PROMPTS } from '../ivr/prompts.ts';
import { startControllerBeat } from '../ivr/watchdog-beat.ts';
import { followWatchdogBeat } from '../ivr/watchdog-health.ts';
import { createApp, type Desk } from './app.ts';
import { menuWithHolidays } from './calendar/ivr-hours.ts';
import { createCalendarStore, importDecreedDays } from './calendar/service.ts';
import { createIvrDialPermits, NO_DIAL_PERMITS } from './callbacks/dial-permits.ts';
import { createQueueCallbackStore } from './callbacks/queue.ts';
import type { CallbackNotifier } from './callbacks/service.ts';
import { createCallerHistory } from './calls/history.ts';
import { createCallRecords } from './calls/service.ts';
import { createCoachingNotifier } from './coaching/service.ts';
import { type Config, loadConfig } from './config.ts';
import { startWalCheckpointer } from './db/checkpoint.ts';
import { type Db, openDatabase } from './db/index.ts';
import { seedDemo } from './db/seed.ts';
import { createWrittenDesk } from './desk/service.ts';
import { startJobsInProcess, startJobsProcess } from './jobs.ts';
import { startHotlineMetrics } from './metrics/registry.ts';
import { combineHooks, createNotificationHooks } from './notifications/hooks.ts';
import { createOperatorProvisioning } from './operators/provisioning.ts';
import { operatorAccount, type SipAccount, sipAccounts } from './operators/sip-accounts.ts';
import { withTimeout } from './outbox/redis.ts';
import { raiseCallControlPriority } from './priority.ts';
import { createFirstAdmin, refuseUnsafeProduction, warnWithoutWatchdog } from './production.ts';
import {
  attachRealtime,
  coachingNoticeSink,
  createCallbackNotifier,
  createIvrEventBridge,
  createRealtimeServer,
  createTicketNotifier,
  emitTicketDeadline,
  operatorRoom,
  socketAccountListener,
} from './realtime.ts';
import { startReportMailRunner } from './reports/mail-runner.ts';
import { createMailTransport } from './reports/mail-transport.ts';
import { startRetentionJob } from './retention/job.ts';
import type { DeadlineEvent } from './sla/processor.ts';
import { createStatusLine } from './status-line/service.ts';

export interface RunningHotline {
  url: string;
  db: Db;
  /**
   * The call controller alone: `stop()` drops its ARI connection while the server stays up (calls
   * then go to the dialplan's fallback queue), `start()` connects it again and adopts the calls.
   */
  controller: Pick<Ivr, 'start' | 'stop'>;
  close(): Promise<void>;
}

/**
 * The operator desk when telephony is disabled (`HOTLINE_ARI_ENABLED=false`): operators can log
 * in, change state and file tickets; no calls arrive and the wallboard shows telephony down.
 */
function createDeskWithoutTelephony(operators: SipAccount[], events: IvrEvents, now: () => Date): Ivr {
  const offline = (): AgentStateView => ({
    state: 'offline',
    since: now().toISOString(),
    reason: null,
    wrapUpEndsAt: null,
  });
  const agents = new Map(
    operators.map((op) => [op.operatorId, { displayName: op.displayName, ...offline() }]),
  );
  const agent = (operatorId: number) => {
    const found = agents.get(operatorId);
    if (!found) throw new UnknownOperatorError(operatorId);
    return found;
  };
  const status = ({ state, since, reason, wrapUpEndsAt }: AgentStateView) => ({
    state,
    since,
    reason,
    wrapUpEndsAt,
  });
  const setAgentState = (operatorId: number, request: AgentRequest): AgentStateView => {
    const found = agent(operatorId);
    const reason = request.state === 'not_ready' ? request.reason : null;
    if (found.state !== request.state || found.reason !== reason) {
      Object.assign(found, { state: request.state, reason, since: now().toISOString() });
      events.agentStateChanged(operatorId, status(found));
      events.wallboardChanged();
    }
    return status(found);
  };
  return {
    async start() {},
    async stop() {},
    setAgentState,
    agentStatus: (operatorId) => status(agent(operatorId)),
    extendWrapUp(operatorId) {
      throw new NotInWrapUpError(operatorId);
    },
    operatorLost(operatorId) {
      if (agent(operatorId).state !== 'offline')
        setAgentState(operatorId, { state: 'not_ready', reason: 'connection_lost' });
    },
    operatorHangsUp: () => false,
    currentCall: () => null,
    async setOperators(accounts) {
      const kept = new Set(accounts.map((a) => a.operatorId));
      for (const operatorId of agents.keys()) if (!kept.has(operatorId)) agents.delete(operatorId);
      for (const a of accounts) {
        const known = agents.get(a.operatorId);
        if (known) known.displayName = a.displayName;
        else agents.set(a.operatorId, { displayName: a.displayName, ...offline() });
      }
      events.wallboardChanged();
    },
    storedRecording: async () => null,
    deleteStoredRecording: async () => false,
    snapshot: (at) => ({
      at: at.toISOString(),
      telephonyUp: false,
      mode: 'down',
      fallbackQueue: null,
      queues: QUEUE_NAMES.map((queue) => ({
        queue,
        waiting: 0,
        longestWaitSeconds: 0,
        ...NO_CALL_FIGURES,
      })),
      agents: [...agents].map(([operatorId, a]) => ({
        operatorId,
        displayName: a.displayName,
        ...status(a),
      })),
    }),
  };
}

export async function startHotline(
  config: Config,
  opts: { logger?: Logger; stopGraceMs?: number } = {},
): Promise<RunningHotline> {
  const logger = opts.logger ?? pino({ level: config.logLevel });
  const now = () => new Date();
  const stops: { name: string; stop: () => Promise<void> | void }[] = [];
  // Each part gets a bounded time to stop, so a part that hangs (a request that never ends, say)
  // is logged by name and a restart goes on instead of hanging.
  const closeAll = async () => {
    for (const { name, stop } of stops.splice(0).reverse()) {
      try {
        await withTimeout(
          Promise.resolve().then(stop),
          opts.stopGraceMs ?? STOP_GRACE_MS,
          `stopping ${name}`,
        );
      } catch (err) {
        logger.error({ err }, `error while stopping ${name}`);
      }
    }
  };

  try {
    // First, so a bad menu file stops the start before anything else runs.
    const menu = await openMenuStore({
      path: config.ivr.menuPath,
      soundsDir: config.ivr.soundsDir,
      logger: logger.child({ component: 'ivr-menu' }),
    });
    stops.push({ name: 'IVR menu', stop: () => menu.close() });
    if (config.ivr.soundsDir) await writePrompts(config.ivr.soundsDir, Object.entries(ALL_PROMPTS));

    if (config.dbPath !== ':memory:') mkdirSync(dirname(config.dbPath), { recursive: true });
    const db = openDatabase(config.dbPath);
    stops.push({ name: 'database', stop: () => void db.$client.close() });
    if (config.dbPath !== ':memory:') {
      const checkpointer = startWalCheckpointer(db, config.dbPath, { logger });
      stops.push({ name: 'WAL checkpoints', stop: () => checkpointer.close() });
    }
    // Before the demo seed, which production refuses.
    await refuseUnsafeProduction(db, config);
    if (config.seedDemo) await seedDemo(db, { agencyUrl: config.demoAgencyUrl });
    await createFirstAdmin(db, { logger });

    // One calendar for deadlines, the deadline jobs and the IVR's holiday hours.
    const imported = importDecreedDays(db);
    if (imported > 0) logger.info({ days: imported }, 'decreed calendar days imported');
    const calendarStore = createCalendarStore({ db, now, logger: logger.child({ component: 'calendar' }) });
    for (const warning of calendarStore.nextYearWarnings()) logger.warn(warning);
    const calendar = calendarStore.calendar;
    const io = createRealtimeServer();
    const callbackPushes = createCallbackNotifier(io, db, { logger, now });
    const queueCallbackTasks = createQueueCallbackStore({
      db,
      flush: () => callRecords.flush(),
      logger: logger.child({ component: 'queue-callbacks' }),
      notifier: callbackPushes,
    });
    // A task given up or reached by a later call also leaves the ACD (the controller's own changes
    // to held tasks are pushed only).
    const callbackNotifier: CallbackNotifier = {
      changed(id) {
        callbackPushes.changed(id);
        queueCallbackTasks.changed(id);
      },
    };
    const callRecords = createCallRecords({
      db,
      logger: logger.child({ component: 'calls' }),
      serviceLevelSeconds: config.serviceLevelSeconds,
      shortAbandonSeconds: config.shortAbandonSeconds,
      onCallbackChanged: (id) => callbackNotifier.changed(id),
      spoolPath: config.dbPath === ':memory:' ? null : `${config.dbPath}.call-events.spool`,
    });
    // Before the database closes: the last buffered call events are written.
    stops.push({ name: 'call records', stop: () => callRecords.flush() });
    // Only when something may scrape it: the answered and abandoned counters see every call event.
    const metrics = config.metricsToken
      ? startHotlineMetrics(config, logger.child({ component: 'metrics' }))
      : null;
    if (metrics) stops.push({ name: 'metrics', stop: () => metrics.close() });
    const records = metrics ? metrics.counting(callRecords) : callRecords;

    // Jobs: producers, the workers that run them and the relay (which starts once the API
    // listens), here or in a child process of their own.
    const emitDeadline = (e: DeadlineEvent) => emitTicketDeadline(io, db, e);
    const jobs =
      config.jobWorkers === 'separate'
        ? await startJobsProcess(config, { logger, emitDeadline })
        : startJobsInProcess(config, { db, logger, emitDeadline, now, calendar });
    stops.push({ name: 'job side', stop: () => jobs.close() });
    calendarStore.onChange(() => jobs.calendarChanged());
    const ticketHooks = combineHooks(createNotificationHooks(), {
      // Runs inside the ticket's transaction; the nudge fires after it commits.
      afterChange: () => jobs.nudge(),
    });

    // The bridge needs the desk's snapshot and the desk needs the bridge; pushes run on a timer,
    // after the desk below exists.
    let wallboardSource: Desk | undefined;
    const bridge = createIvrEventBridge(io, db, {
      logger,
      snapshot: () => {
        if (!wallboardSource) throw new Error('wallboard pushed before the desk exists');
        return wallboardSource.snapshot(now());
      },
    });
    stops.push({ name: 'wallboard bridge', stop: () => bridge.close() });
    // Who is told of a supervisor on a call, and the audit of how it ended.
    const coachingNotices = createCoachingNotifier({
      db,
      sink: coachingNoticeSink(io),
      logger: logger.child({ component: 'coaching' }),
      now,
    });
    const operators = sipAccounts(db);
    const endpoints = operators
      .filter((op) => op.takesCalls)
      .map((op) => ({
        operatorId: op.operatorId,
        displayName: op.displayName,
        sipEndpoint: op.endpoint,
        skills: op.skills,
      }));
    // Follows Asterisk's own fallback queue (used while the controller is down) over AMI; its
    // members are paused while their operators are not ready, as the desk knows them.
    const fallback = config.ami
      ? createFallbackWatch({
          ami: config.ami,
          operators: endpoints,
          records,
          menu: () => menu.current(),
          agentStatus: (operatorId) => {
            try {
              return desk.agentStatus(operatorId);
            } catch (err) {
              if (err instanceof UnknownOperatorError) return null;
              throw err;
            }
          },
          changed: () => bridge.wallboardChanged(),
          logger: logger.child({ component: 'fallback-queue' }),
          now,
        })
      : null;
    // Every state change reaches the fallback queue too, also while the controller is down.
    let nudgeWrittenDesk = (): void => undefined;
    const deskEvents: IvrEvents = {
      ...bridge,
      agentStateChanged(operatorId, status) {
        bridge.agentStateChanged(operatorId, status);
        fallback?.agentStateChanged(operatorId, status);
        nudgeWrittenDesk();
      },
    };
    const desk: Ivr = config.ari.enabled
      ? createIvr({
          ari: config.ari,
          operators: operators.map(operatorAccount),
          events: {
            ...deskEvents,
            coachingChanged: (change) => coachingNotices.changed(change),
          },
          records,
          statusLine: createStatusLine({ db, now, logger: logger.child({ component: 'status-line' }) }),
          history: createCallerHistory(db),
          queueCallbacks: queueCallbackTasks,
          queueCallback: config.queueCallbacks,
          waiting: {
            overflowAfterMs: config.waiting.overflowAfterSeconds * 1000,
            announceEveryMs: config.waiting.announceEverySeconds * 1000,
            callbackOfferAfterMs: config.waiting.callbackOfferAfterSeconds * 1000,
          },
          menu: menuWithHolidays(() => menu.current(), calendarStore, now, config.ivr.alwaysOpen),
          recordCalls: config.ivr.recordCalls,
          logger: logger.child({ component: 'ivr' }),
          ringSeconds: config.operators.ringSeconds,
          wrapUp: config.operators.wrapUp,
          now,
        })
      : createDeskWithoutTelephony(operators, deskEvents, now);
    const withMode = (snapshot: WallboardSnapshot, at: Date): WallboardSnapshot =>
      fallback
        ? {
            ...snapshot,
            mode: telephonyMode(snapshot.telephonyUp, fallback.up),
            fallbackQueue: fallback.up ? fallback.stats(at) : null,
          }
        : snapshot;
    // The wallboard adds today's figures from the call records to the controller's live view.
    const wallboardDesk: Desk = {
      setAgentState: (operatorId, request) => desk.setAgentState(operatorId, request),
      agentStatus: (operatorId) => desk.agentStatus(operatorId),
      extendWrapUp: (operatorId) => desk.extendWrapUp(operatorId),
      operatorLost: (operatorId) => desk.operatorLost(operatorId),
      operatorHangsUp: (operatorId, callId) => desk.operatorHangsUp(operatorId, callId),
      storedRecording: (name) => desk.storedRecording(name),
      currentCall: (operatorId) => desk.currentCall(operatorId),
      snapshot: (at) => callRecords.addFigures(withMode(desk.snapshot(at), at), at),
    };
    wallboardSource = wallboardDesk;
    // Written requests as tasks beside calls, given to ready operators only (server/desk/).
    const writtenDesk = createWrittenDesk({
      db,
      agents: () => desk.snapshot(now()).agents,
      settings: config.desk,
      push: (operatorId, view) => io.to(operatorRoom(operatorId)).emit('desk:tasks', view),
      logger: logger.child({ component: 'desk' }),
      now,
    });
    nudgeWrittenDesk = () => writtenDesk.nudge();
    metrics?.followDesk({
      snapshot: () => {
        const at = now();
        return withMode(desk.snapshot(at), at);
      },
      ...(fallback ? { amiUp: () => fallback.up } : {}),
    });

    // Told after each account change commits; sockets of an ended session are dropped at once.
    const dropEndedSockets = socketAccountListener(io, db);
    const accountListeners: ((userId: number) => void)[] = [dropEndedSockets];
    // A new operator's softphone can register, a disabled one's cannot, without a restart; a
    // login's SIP secret works from the login to its logout or expiry.
    const provisioning = createOperatorProvisioning({
      db,
      desk,
      fallback,
      logger: logger.child({ component: 'operators' }),
      now,
    });
    accountListeners.push(() => {
      provisioning.refresh().catch((err: unknown) => {
        logger.error({ err }, 'could not update the operators after an account change');
      });
    });
    // Whether a watchdog process watches the controller, read through the controller's ARI client.
    const readGlobalVariable = desk.globalVariable;
    const watchdog = readGlobalVariable
      ? followWatchdogBeat({
          read: (name) => readGlobalVariable(name),
          logger: logger.child({ component: 'watchdog-beat' }),
        })
      : null;
    if (watchdog) {
      stops.push({ name: 'watchdog beat', stop: () => watchdog.stop() });
      if (config.environment === 'production') {
        const warning = warnWithoutWatchdog(() => watchdog.health(), logger);
        stops.push({ name: 'watchdog warning', stop: () => warning.stop() });
      }
    }
    const app = await createApp({
      accountListeners,
      sessionListeners: [dropEndedSockets, () => provisioning.refreshIfChanged()],
      config,
      db,
      logger,
      desk: wallboardDesk,
      ivrMenu: menu,
      ...(config.ari.enabled ? { controller: { start: () => desk.start(), stop: () => desk.stop() } } : {}),
      ...(desk.coach && desk.leaveCoaching
        ? { coaching: { coach: desk.coach, leaveCoaching: desk.leaveCoaching } }
        : {}),
      calendar,
      calendarStore,
      ticketHooks,
      ticketNotifier: createTicketNotifier(io, db, { logger, now }),
      callbackNotifier,
      ...(watchdog ? { watchdog } : {}),
      dialPermits: desk.setGlobalVariable
        ? createIvrDialPermits({ setGlobalVariable: desk.setGlobalVariable })
        : NO_DIAL_PERMITS,
      now,
      ...(config.consoleDir ? { consoleDir: config.consoleDir } : {}),
      ...(metrics ? { metrics: metrics.registry } : {}),
      jobs,
      nudgeJobs: () => jobs.nudge(),
      writtenDesk,
    });
    stops.push({ name: 'http', stop: () => app.close() });
    attachRealtime(app, { io, db, desk: wallboardDesk, logger, now, coaching: coachingNotices });
    const url = await app.listen({ host: config.http.host, port: config.http.port });

    if (fallback) {
      fallback.start();
      stops.push({ name: 'fallback queue watch', stop: () => fallback.stop() });
    }
    await desk.start();
    stops.push({ name: 'call controller', stop: () => desk.stop() });
    writtenDesk.start();
    stops.push({ name: 'written desk', stop: () => writtenDesk.stop() });
    const setGlobalVariable = desk.setGlobalVariable;
    if (setGlobalVariable) {
      // Tells the watchdog process the controller is there (see ivr/watchdog.ts), through the
      // controller's own ARI client.
      const beat = startControllerBeat({
        rest: { setGlobalVariable: (name, value) => setGlobalVariable(name, value) },
        isUp: () => desk.snapshot(now()).telephonyUp,
        logger: logger.child({ component: 'controller-beat' }),
      });
      stops.push({ name: 'controller heartbeat', stop: () => beat.stop() });
    }
    // Sessions also end by expiring: their softphone accounts leave Asterisk within seconds.
    stops.push({ name: 'session expiry watch', stop: provisioning.watch() });

    jobs.start();
    const retention = startRetentionJob({
      db,
      recordings: desk,
      months: config.retentionMonths,
      logger: logger.child({ component: 'retention' }),
      now,
    });
    stops.push({ name: 'retention job', stop: () => retention.stop() });
    // The monitoring team's daily and weekly summaries: here, beside retention, since they only
    // need the database; a second server process would not send them twice (`mail-runner.ts`).
    const reportMails = startReportMailRunner({
      db,
      logger: logger.child({ component: 'report-mails' }),
      now,
      transport: createMailTransport(config.mail),
      from: config.mail.from,
      policy: config.mail,
      reportOptions: {
        serviceLevelSeconds: config.serviceLevelSeconds,
        shortAbandonSeconds: config.shortAbandonSeconds,
      },
    });
    stops.push({ name: 'report mails', stop: () => reportMails.stop() });
    // Last: the worker pool and child processes already exist and keep ordinary priority.
    if (config.ari.enabled) raiseCallControlPriority(config.ari.realtimePriority, logger);

    return {
      url,
      db,
      controller: { start: () => desk.start(), stop: () => desk.stop() },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** How long one part of the server may take to stop before the shutdown goes on without it. */
const STOP_GRACE_MS = 10_000;

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  if (process.argv.includes('--standby')) {
    // A spare npm start keeps (scripts/lib/supervise.ts): its code is loaded, it starts when told.
    const orphaned = () => process.exit(0);
    process.once('disconnect', orphaned);
    await new Promise<void>((resolve) =>
      process.on('message', (message: { type?: unknown }) => {
        if (message?.type === 'start') resolve();
      }),
    );
    process.off('disconnect', orphaned);
  }
  const config = loadConfig();
  const logger = pino({ level: config.logLevel });
  const hotline = await startHotline(config, { logger });
  logger.info({ url: hotline.url, pid: process.pid }, 'hotline is up');
  // Started by npm start (scripts/lib/supervise.ts): it learns the address, and the server goes
  // when its starter goes.
  process.send?.({ type: 'up', url: hotline.url });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    hotline.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  if (process.connected) process.once('disconnect', () => shutdown('its starter is gone'));
}
