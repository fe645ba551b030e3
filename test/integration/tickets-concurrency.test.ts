/**
 * The server and the job process write to one SQLite file. A transaction that reads before it
 * writes must take the write lock first (BEGIN IMMEDIATE): a deferred one that read while the
 * other process committed cannot upgrade to a writer and fails at once with SQLITE_BUSY.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthUser } from '../../server/auth/service.ts';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { seedDemo } from '../../server/db/seed.ts';
import { raiseAlert } from '../../server/sla/processor.ts';
import { createTicketService, type TicketService } from '../../server/tickets/service.ts';
import { logger } from './server-fixture.ts';

/** Commits a small write every fraction of a millisecond, as a busy job process does. */
const WRITER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const touch = db.prepare('UPDATE tickets SET delivery_last_error = ? WHERE id = ?');
const pause = new Int32Array(new SharedArrayBuffer(4));
let stop = false;
parentPort.on('message', () => { stop = true; });
let n = 0;
function loop() {
  const until = Date.now() + 50;
  while (Date.now() < until) {
    touch.run(String(n++), workerData.ticketId);
    Atomics.wait(pause, 0, 0, 0.2);
  }
  if (stop) { db.close(); parentPort.postMessage(n); } else setImmediate(loop);
}
loop();
`;

describe('transactions that read, then write, beside another writer', () => {
  let dir: string;
  let db: Db;
  let tickets: TicketService;
  let supervisor: AuthUser;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hotline-concurrency-'));
    db = openDatabase(join(dir, 'hotline.sqlite'));
    await seedDemo(db, { agencyUrl: null });
    tickets = createTicketService({ db, logger });
    const { passwordHash: _, ...user } = db.query.users
      .findFirst({ where: (u, { eq }) => eq(u.username, 'giamsat') })
      .sync()!;
    supervisor = user;
  });
  afterAll(() => {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commit ticket actions and deadline alerts while the other connection commits', async () => {
    const input = {
      callerNumber: '0912345678',
      category: 'health',
      description: 'x',
    } as const;
    const noted = tickets.create({ ...input, outcome: 'callback' }, supervisor);
    const alerted = tickets.create(input, supervisor);
    const touched = tickets.create(input, supervisor);
    const writer = new Worker(WRITER, {
      eval: true,
      workerData: {
        path: join(dir, 'hotline.sqlite'),
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        ticketId: touched.id,
      },
    });
    const failures: string[] = [];
    const alert = {
      ticketId: alerted.id,
      due: 'ack' as const,
      kind: 'warning' as const,
      dueAt: Date.parse(alerted.ackDueAt!),
    };
    try {
      await new Promise((r) => setTimeout(r, 100));
      for (let i = 0; i < 300; i++) {
        try {
          tickets.act(noted.id, { action: 'note', text: `ghi chú ${i}` }, supervisor);
          raiseAlert(alert, { db, logger, emit: () => undefined });
        } catch (err) {
          failures.push(String(err));
        }
        // Let the writer commit between our transactions, too.
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 1));
      }
    } finally {
      writer.postMessage('stop');
      const commits = await new Promise<number>((resolve) => writer.once('message', resolve));
      await writer.terminate();
      expect(commits).toBeGreaterThan(100);
    }
    expect(failures).toEqual([]);
  });
});
