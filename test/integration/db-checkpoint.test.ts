import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startWalCheckpointer } from '../../server/db/checkpoint.ts';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { logger } from './server-fixture.ts';

let dir: string;
let path: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotline-checkpoint-'));
  path = join(dir, 'db.sqlite');
  db = openDatabase(path);
  db.$client.exec('create table t (id integer primary key, v text not null)');
});

afterEach(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Commits on the request connection every 5 ms for `ms`; returns how many WAL headers they
 * wrote. Each start of the WAL over writes a new header (new salts) and syncs it.
 */
async function walStartsWhileWriting(ms: number): Promise<number> {
  const insert = db.$client.prepare('insert into t (v) values (?)');
  const headers = new Set<string>();
  const until = Date.now() + ms;
  while (Date.now() < until) {
    insert.run('call event');
    headers.add(readFileSync(`${path}-wal`).subarray(16, 24).toString('hex'));
    await new Promise((r) => setTimeout(r, 5));
  }
  return headers.size;
}

it('leaves the request connection one WAL header for the whole checkpoint interval', async () => {
  const checkpointer = startWalCheckpointer(db, path, { logger });
  try {
    expect(await walStartsWhileWriting(1_500)).toBe(1);
  } finally {
    await checkpointer.close();
  }
});

it('checkpoints on its interval: each checkpoint lets the next commit start the WAL over', async () => {
  const checkpointer = startWalCheckpointer(db, path, { logger, intervalMs: 50 });
  try {
    expect(await walStartsWhileWriting(600)).toBeGreaterThanOrEqual(4);
  } finally {
    await checkpointer.close();
  }
  // Closing checkpoints what is left: the database file alone holds every row.
  const [state] = db.$client.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
  expect(state!.checkpointed).toBe(state!.log);
  expect((db.$client.prepare('select count(*) as n from t').get() as { n: number }).n).toBeGreaterThan(50);
});
