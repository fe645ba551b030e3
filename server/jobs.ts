/**
 * The job side of the hotline: the queue producers, the forward, SMS and deadline workers and
 * the outbox relay. Runs in the server's process (`HOTLINE_JOB_WORKERS=in-process`) or in a child
 * process of its own (`separate`, composed by `workers-main.ts`), which the server nudges over
 * the IPC channel after each commit and which sends deadline alerts back for socket.io.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createGroupCommitter } from './db/group-commit.ts';
import type { Db } from './db/index.ts';
import { DEFAULT_CALENDAR, type WorkingCalendar } from './deadlines/calendar.ts';
import { startForwardWorker } from './forwarding/worker.ts';
import { createJobQueues } from './outbox/queues.ts';
import { createReconciler, DEFAULT_STUCK_ACTIVE_MS } from './outbox/reconcile.ts';
import { createOutboxRelay } from './outbox/relay.ts';
import { type DeadlineEvent, deadlineIntentJob } from './sla/processor.ts';
import { startDeadlineWorker } from './sla/worker.ts';
import { createHttpGateway, createOutboxGateway, type SmsGateway } from './sms/gateway.ts';
import { startSmsWorker } from './sms/worker.ts';
import { createOaClient } from './zalo/oa-client.ts';
import { startZaloReconciler, ZALO_RECONCILE_GRACE_MS } from './zalo/reconcile.ts';
import { startZaloWorker } from './zalo/worker.ts';

export interface JobSide {
  /** Call after a ticket change commits (or inside its transaction: the relay waits a turn). */
  nudge(): void;
  /** Starts relaying; call once the API listens. */
  start(): void;
  /** An admin changed the calendar: a job process reads it again (in-process jobs share the server's). */
  calendarChanged(): void;
  /** For `/api/health`. */
  health(): JobsHealth;
  close(): Promise<void>;
}

/** Where the job side runs and whether it does; `lastExit*` is the job process's last unexpected exit. */
export interface JobsHealth {
  mode: Config['jobWorkers'];
  state: 'running' | 'restarting' | 'stopped';
  /** Times the job process was started again after it exited on its own. */
  restarts: number;
  lastExitCode: number | null;
  lastSignal: string | null;
}

export interface JobSideDeps {
  db: Db;
  logger: Logger;
  emitDeadline(e: DeadlineEvent): void;
  now: () => Date;
  /** The deadline clock (the calendar store's live calendar); office hours only by default. */
  calendar?: WorkingCalendar;
}

/** The messages between the server and its job process. */
export type ToJobs =
  | { type: 'start'; config: Config }
  | { type: 'nudge' }
  | { type: 'calendar' }
  | { type: 'stop' };
export type FromJobs = { type: 'ready' } | { type: 'deadline'; event: DeadlineEvent } | { type: 'stopped' };

export function startJobsInProcess(config: Config, deps: JobSideDeps): JobSide {
  const { db, logger, now } = deps;
  const calendar = deps.calendar ?? DEFAULT_CALENDAR;
  const stops: (() => Promise<void>)[] = [];
  const redis = { redisUrl: config.redisUrl, prefix: config.queuePrefix, logger };
  const queues = createJobQueues(redis);
  stops.push(() => queues.close());
  // Deliveries and sent messages finishing in the same turn mark themselves in one commit.
  const committer = createGroupCommitter(db.$client);
  const forwardWorker = startForwardWorker({
    ...redis,
    db,
    timeoutMs: config.forward.timeoutMs,
    agencyConcurrency: config.forward.agencyConcurrency,
    now,
    committer,
  });
  stops.push(() => forwardWorker.close());
  const smsWorker = startSmsWorker({
    ...redis,
    db,
    gateway: smsGateway(config),
    timeoutMs: config.sms.timeoutMs,
    now,
    committer,
  });
  stops.push(() => smsWorker.close());
  const deadlineWorker = startDeadlineWorker({
    ...redis,
    db,
    calendar,
    queue: queues.deadline,
    policy: config.deadline,
    emit: deps.emitDeadline,
    now,
  });
  stops.push(() => deadlineWorker.close());
  if (config.zalo) {
    const zaloWorker = startZaloWorker({
      ...redis,
      db,
      client: createOaClient({
        db,
        appId: config.zalo.appId,
        appSecret: config.zalo.appSecret,
        initialRefreshToken: config.zalo.refreshToken,
        apiUrl: config.zalo.apiUrl,
        oauthUrl: config.zalo.oauthUrl,
        timeoutMs: config.zalo.timeoutMs,
        logger: logger.child({ component: 'zalo' }),
        now,
      }),
      timeoutMs: config.zalo.timeoutMs,
      now,
    });
    stops.push(() => zaloWorker.close());
  }
  const deadlineJob = deadlineIntentJob({ db, calendar, now, logger });
  const relay = createOutboxRelay({
    db,
    queues,
    policies: {
      forward: config.forward,
      sms: config.sms,
      deadline: config.deadline,
      ...(config.zalo ? { zalo: config.zalo } : {}),
    },
    deadlineJob,
    logger,
    pollMs: config.relay.pollMs,
    now,
  });
  stops.push(() => relay.close());
  // Beside the relay, so the jobs it finds lost are queued again by the relay itself.
  const reconciler = createReconciler({
    db,
    queues,
    deadlineJob,
    requeued: () => relay.nudge(),
    logger,
    everyMs: config.reconcile.everyMs,
    // Never a job that may still be within its own time limit.
    stuckActiveMs: Math.max(
      DEFAULT_STUCK_ACTIVE_MS,
      3 * Math.max(config.forward.timeoutMs, config.sms.timeoutMs),
    ),
    now,
  });
  stops.push(() => reconciler.close());
  if (config.zalo) {
    const zaloReconciler = startZaloReconciler({
      db,
      queue: queues.zalo,
      graceMs: ZALO_RECONCILE_GRACE_MS,
      everyMs: config.reconcile.everyMs,
      now,
      requeued: () => relay.nudge(),
      onError: (err) => logger.warn({ err }, 'Zalo reconcile failed; trying again later'),
    });
    stops.push(async () => zaloReconciler.close());
  }
  let state: JobsHealth['state'] = 'running';
  return {
    nudge: () => relay.nudge(),
    start() {
      relay.start();
      reconciler.start();
    },
    calendarChanged: () => undefined,
    health: () => ({ mode: 'in-process', state, restarts: 0, lastExitCode: null, lastSignal: null }),
    async close() {
      state = 'stopped';
      for (const stop of stops.splice(0).reverse()) {
        try {
          await stop();
        } catch (err) {
          logger.error({ err }, 'error while stopping the job side');
        }
      }
    },
  };
}

function smsGateway(config: Config): SmsGateway {
  const { sms } = config;
  if (sms.driver === 'http' && sms.url && sms.token) {
    return createHttpGateway({ url: sms.url, token: sms.token, timeoutMs: sms.timeoutMs });
  }
  return createOutboxGateway();
}

/** How long to wait before starting a job process that exited on its own: doubling from the first. */
export interface RestartBackoff {
  firstMs: number;
  mostMs: number;
  /** A process that ran this long before exiting is started again after `firstMs`. */
  resetAfterMs: number;
}

const RESTART_BACKOFF: RestartBackoff = { firstMs: 500, mostMs: 30_000, resetAfterMs: 60_000 };

/** The job process exited before its relay and workers ran. */
class JobProcessExitError extends Error {
  constructor(
    readonly code: number | null,
    readonly signal: string | null,
  ) {
    super(`the job process exited with ${signal ?? code}`);
  }
}

/**
 * Forks `workers-main` and waits until its relay and workers run. A job process that exits on
 * its own (a crash, a kill, out of memory) is started again with a doubling wait, as a service
 * manager would; jobs it held are taken up again by BullMQ's stall check and nothing else is
 * lost meanwhile (intents wait in the outbox, the reconciler finds what Redis lost).
 */
export async function startJobsProcess(
  config: Config,
  deps: Pick<JobSideDeps, 'logger' | 'emitDeadline'>,
  backoff: RestartBackoff = RESTART_BACKOFF,
): Promise<JobSide> {
  const { logger } = deps;
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const health: JobsHealth = {
    mode: 'separate',
    state: 'running',
    restarts: 0,
    lastExitCode: null,
    lastSignal: null,
  };
  let current: ChildProcess | null = null;
  let stopping = false;
  let waitMs = backoff.firstMs;
  let restartTimer: NodeJS.Timeout | undefined;
  const send = (m: ToJobs) => {
    if (current?.connected) current.send(m);
  };

  /** Forks a job process; resolves once it runs, rejects if it exits first. */
  function launch(): Promise<ChildProcess> {
    const child = fork(fileURLToPath(new URL(`./workers-main.${ext}`, import.meta.url)), [], {
      // From source, the child needs the TypeScript loader too (tsx, unless the server runs under it).
      execArgv:
        ext === 'ts' && !process.execArgv.some((a) => a.includes('tsx'))
          ? [...process.execArgv, '--import', 'tsx']
          : process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    current = child;
    return new Promise<ChildProcess>((resolve, reject) => {
      const onExit = (code: number | null, signal: string | null) =>
        reject(new JobProcessExitError(code, signal));
      child.once('exit', onExit);
      child.on('message', (m: FromJobs) => {
        if (m.type === 'ready') {
          child.off('exit', onExit);
          resolve(child);
        } else if (m.type === 'deadline') deps.emitDeadline(m.event);
      });
      child.send({ type: 'start', config } satisfies ToJobs);
    });
  }

  function exitedOnItsOwn(code: number | null, signal: string | null, ranMs: number): void {
    health.state = 'restarting';
    health.lastExitCode = code;
    health.lastSignal = signal;
    if (ranMs >= backoff.resetAfterMs) waitMs = backoff.firstMs;
    logger.error({ code, signal, restartInMs: waitMs }, 'the job process stopped; starting it again');
    restartTimer = setTimeout(restart, waitMs);
    waitMs = Math.min(waitMs * 2, backoff.mostMs);
  }

  function watch(child: ChildProcess, startedAt: number): void {
    child.once('exit', (code, signal) => {
      if (!stopping) exitedOnItsOwn(code, signal, Date.now() - startedAt);
    });
  }

  function restart(): void {
    if (stopping) return;
    const startedAt = Date.now();
    health.restarts++;
    launch().then(
      (child) => {
        if (stopping) return;
        health.state = 'running';
        logger.info({ restarts: health.restarts }, 'the job process runs again');
        watch(child, startedAt);
      },
      (err: unknown) => {
        if (stopping) return;
        const { code, signal } = err instanceof JobProcessExitError ? err : { code: null, signal: null };
        exitedOnItsOwn(code, signal, Date.now() - startedAt);
      },
    );
  }

  // The first start must succeed: a job process that cannot start at all is a configuration error.
  watch(await launch(), Date.now());
  // One message per turn of the event loop, sent after the nudging transaction has committed.
  let nudged = false;
  return {
    nudge() {
      if (nudged) return;
      nudged = true;
      setImmediate(() => {
        nudged = false;
        send({ type: 'nudge' });
      });
    },
    start: () => undefined,
    calendarChanged: () => send({ type: 'calendar' }),
    health: () => ({ ...health }),
    async close() {
      stopping = true;
      health.state = 'stopped';
      clearTimeout(restartTimer);
      const child = current;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.connected) child.send({ type: 'stop' } satisfies ToJobs);
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
