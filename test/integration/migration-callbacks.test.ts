/**
 * A database from before one open callback task per number (migration 0017, two open tasks for
 * one number) brought up to date: the oldest task takes over the other's requests, place and
 * message; the other is closed as `merged`; and the rule holds from then on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { migrationsUpTo } from '../support/migrations.ts';

let dir: string;
let db: Db | undefined;
afterEach(() => {
  db?.$client.close();
  db = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const T = Date.parse('2026-11-20T03:00:00Z');
const MIN = 60_000;

it('merges a number’s open tasks into its oldest and enforces one open task per number', () => {
  dir = mkdtempSync(join(tmpdir(), 'hotline-migrate-'));
  const path = join(dir, 'hotline.db');
  const old = openDatabase(path, { migrationsFolder: migrationsUpTo(dir, 17) });
  old.$client.exec(`
    INSERT INTO calls (id, caller_number, arrived_at) VALUES
      ('c1', '0912000001', ${T}), ('c2', '0912000001', ${T + 60 * MIN}), ('c3', '0912000002', ${T});
    INSERT INTO callbacks (id, caller_number, queue, source, call_id, created_at, waiting_since, last_abandon_at, abandons, recording, recording_call_id, status)
      VALUES (1, '0912000001', 'health', 'abandoned', 'c1', ${T}, ${T}, ${T}, 2, NULL, NULL, 'open'),
             (2, '0912000001', 'general', 'after_hours', 'c2', ${T + 60 * MIN}, ${T + 60 * MIN}, ${T + 60 * MIN}, 1, 'message-c2', 'c2', 'open'),
             (3, '0912000002', 'health', 'abandoned', 'c3', ${T}, ${T}, ${T}, 1, NULL, NULL, 'open');
  `);
  old.$client.close();

  db = openDatabase(path);
  const rows = db.$client
    .prepare(
      'select id, status, abandons, waiting_since, recording, recording_call_id, given_up_reason from callbacks order by id',
    )
    .all();
  expect(rows).toEqual([
    {
      id: 1,
      status: 'open',
      abandons: 3,
      waiting_since: T,
      recording: 'message-c2',
      recording_call_id: 'c2',
      given_up_reason: null,
    },
    {
      id: 2,
      status: 'given_up',
      abandons: 1,
      waiting_since: T + 60 * MIN,
      recording: 'message-c2',
      recording_call_id: 'c2',
      given_up_reason: 'merged',
    },
    {
      id: 3,
      status: 'open',
      abandons: 1,
      waiting_since: T,
      recording: null,
      recording_call_id: null,
      given_up_reason: null,
    },
  ]);
  expect(() =>
    db!.$client
      .prepare(
        "insert into callbacks (caller_number, queue, source, call_id, created_at, waiting_since, last_abandon_at) values ('0912000001', 'health', 'abandoned', 'c1', 0, 0, 0)",
      )
      .run(),
  ).toThrow(/UNIQUE constraint failed/);
});
