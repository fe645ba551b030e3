/**
 * WAL checkpoints off the event loop. SQLite normally checkpoints inside whichever commit fills
 * the WAL past `wal_autocheckpoint` pages, copying pages into the database file and syncing it:
 * with better-sqlite3 that stalls every request for that long. Here a worker thread with its own
 * connection checkpoints (PASSIVE: never blocks the writer) every `intervalMs`; the request
 * connection keeps a much higher automatic threshold as a backstop should the thread fall behind.
 *
 * Seldom, on purpose: once a checkpoint has copied the whole WAL, the next commit starts the WAL
 * over and syncs its new header, on the event loop. Checkpoints every 200 ms did that 2.7 times a
 * second at 300 callers, each sync 1.5 ms typically and up to 15 ms, holding up the call
 * controller. A few seconds of WAL costs nothing to read.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Db } from './index.ts';

/** How often the thread checkpoints, by default. */
const CHECKPOINT_INTERVAL_MS = 5_000;

/** The request connection checkpoints itself only if the WAL grows past this many pages (~40 MB). */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 10_000;

const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage(String(err && err.message || err));
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.close();
});
`;

export interface WalCheckpointer {
  close(): Promise<void>;
}

/** Starts checkpointing `path` in the background; `db` is switched to the backstop threshold. */
export function startWalCheckpointer(
  db: Db,
  path: string,
  opts: { logger: Logger; intervalMs?: number },
): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(THREAD, {
    eval: true,
    workerData: { path, driver, intervalMs: opts.intervalMs ?? CHECKPOINT_INTERVAL_MS },
  });
  let warned = false;
  worker.on('message', (message: string) => {
    if (warned) return;
    warned = true;
    opts.logger.warn({ err: message }, 'background WAL checkpoint failed; commits checkpoint instead');
  });
  worker.on('error', (err) => {
    opts.logger.error({ err }, 'WAL checkpoint thread stopped; commits checkpoint instead');
    if (db.$client.open) db.$client.pragma('wal_autocheckpoint = 1000');
  });
  db.$client.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async close() {
      worker.postMessage('close');
      await exited;
    },
  };
}
