/**
 * The job side of the hotline: the queue producers, the forward, SMS and deadline workers and
 * the outbox relay. Runs in the server's process (`HOTLINE_JOB_WORKERS=in-process`) or in a child
 * process of its own (`separate`, composed by `workers-main.ts`), which the server nudges over
 * the IPC channel after each commit and which sends deadline alerts back for socket.io.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createGroupCommitter } from './db/group-commit.ts';
import type { Db } from './db/index.ts';
import { DEFAULT_CALENDAR, type WorkingCalendar } from './deadlines/calendar.ts';
import { startForwardWorker } from './forwarding/worker.ts';
import { createJobQueues } from './outbox/queues.ts';
import { createOutboxRelay } from './outbox/relay.ts';
import { type DeadlineEvent, deadlineIntentJob } from './sla/processor.ts';
import { startDeadlineWorker } from './sla/worker.ts';
import { createHttpGateway, createOutboxGateway, type SmsGateway } from './sms/gateway.ts';
import { startSmsWorker } from './sms/worker.ts';

export interface JobSide {
  /** Call after a ticket change commits (or inside its transaction: the relay waits a turn). */
  nudge(): void;
  /** Starts relaying; call once the API listens. */
  start(): void;
  /** An admin changed the calendar: a job process reads it again (in-process jobs share the server's). */
  calendarChanged(): void;
  close(): Promise<void>;
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
  const relay = createOutboxRelay({
    db,
    queues,
    policies: { forward: config.forward, sms: config.sms, deadline: config.deadline },
    deadlineJob: deadlineIntentJob({ db, calendar, now, logger }),
    logger,
    pollMs: config.relay.pollMs,
    now,
  });
  stops.push(() => relay.close());
  return {
    nudge: () => relay.nudge(),
    start: () => relay.start(),
    calendarChanged: () => undefined,
    async close() {
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

/** Forks `workers-main` and waits until its relay and workers run. */
export async function startJobsProcess(
  config: Config,
  deps: Pick<JobSideDeps, 'logger' | 'emitDeadline'>,
): Promise<JobSide> {
  const { logger } = deps;
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const child = fork(fileURLToPath(new URL(`./workers-main.${ext}`, import.meta.url)), [], {
    // From source, the child needs the TypeScript loader too (tsx, unless the server runs under it).
    execArgv:
      ext === 'ts' && !process.execArgv.some((a) => a.includes('tsx'))
        ? [...process.execArgv, '--import', 'tsx']
        : process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping = false;
  const send = (m: ToJobs) => {
    if (child.connected) child.send(m);
  };
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the job process exited with ${code}`));
    child.once('exit', onExit);
    child.on('message', (m: FromJobs) => {
      if (m.type === 'ready') {
        child.off('exit', onExit);
        resolve();
      } else if (m.type === 'deadline') deps.emitDeadline(m.event);
    });
    send({ type: 'start', config });
  });
  child.once('exit', (code) => {
    if (!stopping) logger.error({ code }, 'the job process stopped');
  });
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
    async close() {
      stopping = true;
      send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
