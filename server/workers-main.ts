/**
 * The composition root of the job process (`HOTLINE_JOB_WORKERS=separate`): forked by the
 * server, it opens the same database file and runs the outbox relay and the forward, SMS and
 * deadline workers with the server's configuration, sent over the IPC channel. The server nudges
 * the relay after each commit; deadline alerts go back to the server for socket.io.
 */
import { pino } from 'pino';
import { type CalendarStore, createCalendarStore } from './calendar/service.ts';
import { BACKSTOP_AUTOCHECKPOINT_PAGES } from './db/checkpoint.ts';
import { openDatabase } from './db/index.ts';
import { type FromJobs, type JobSide, startJobsInProcess, type ToJobs } from './jobs.ts';

const send = (m: FromJobs) => {
  if (process.connected) process.send?.(m);
};

let jobs: JobSide | undefined;
let calendar: CalendarStore | undefined;
let closeDb: () => void = () => undefined;
let stopping = false;

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await jobs?.close();
  closeDb();
  send({ type: 'stopped' });
  process.exit(0);
}

process.on('message', (m: ToJobs) => {
  if (m.type === 'start' && !jobs) {
    const { config } = m;
    const logger = pino({ level: config.logLevel }).child({ process: 'jobs' });
    const db = openDatabase(config.dbPath);
    // The server's background thread checkpoints the WAL; commits here must not do it inline.
    db.$client.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
    closeDb = () => void db.$client.close();
    const now = () => new Date();
    // The same data as the server's calendar; read again when the server says an admin changed it.
    calendar = createCalendarStore({ db, now, logger });
    jobs = startJobsInProcess(config, {
      db,
      logger,
      now,
      calendar: calendar.calendar,
      emitDeadline: (event) => send({ type: 'deadline', event }),
    });
    jobs.start();
    send({ type: 'ready' });
  } else if (m.type === 'nudge') {
    jobs?.nudge();
  } else if (m.type === 'calendar') {
    calendar?.refresh();
  } else if (m.type === 'stop') {
    void stop();
  }
});
// The server went away without a word: stop too.
process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => undefined); // the server decides when to stop
process.on('SIGHUP', () => undefined); // a closed terminal too: the server stops this process in order
