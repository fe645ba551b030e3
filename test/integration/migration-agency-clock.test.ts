/**
 * A database from before the agency's clock (migration 0020: `resolved_at` stamped at the
 * hotline's approval) brought up to date: the approval keeps its time in `approved_at`, and
 * `resolved_at` becomes when the agency posted the result that was approved, or is under review.
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
const H = 3_600_000;

it('keeps the approval time apart and dates "resolved" at the agency’s result', () => {
  dir = mkdtempSync(join(tmpdir(), 'hotline-migrate-'));
  const path = join(dir, 'hotline.db');
  const old = openDatabase(path, { migrationsFolder: migrationsUpTo(dir, 20) });
  const user = old.$client.prepare('select id from users limit 1').get() as { id: number } | undefined;
  const agency = old.$client.prepare('select id from agencies limit 1').get() as { id: number } | undefined;
  old.$client.exec('PRAGMA foreign_keys = OFF');
  const ticket = old.$client.prepare(
    `insert into tickets (id, tracking_code, caller_number, category, description, agency_id, status, created_by, created_at, resolved_at)
     values (?, ?, '0912000001', 'health', 'x', ?, ?, ?, ?, ?)`,
  );
  const event = old.$client.prepare(
    'insert into ticket_events (ticket_id, at, action, from_status, to_status) values (?, ?, ?, ?, ?)',
  );
  const rows: [number, string, number | null][] = [
    [1, 'resolved', T + 10 * H],
    [2, 'closed', T + 9 * H],
    [3, 'pending_review', null],
    [4, 'resolved', T + 8 * H],
    [5, 'in_progress', null],
    [6, 'closed', null],
  ];
  for (const [id, status, resolvedAt] of rows) {
    ticket.run(id, String(100000000 + id), agency?.id ?? 1, status, user?.id ?? 1, T, resolvedAt);
  }
  // 1: posted at +6 h, approved at +10 h.
  event.run(1, T + 6 * H, 'post_result', 'in_progress', 'pending_review');
  event.run(1, T + 10 * H, 'approve', 'pending_review', 'resolved');
  // 2: posted at +3 h, sent back, posted again at +7 h, approved at +9 h, closed.
  event.run(2, T + 3 * H, 'post_result', 'in_progress', 'pending_review');
  event.run(2, T + 4 * H, 'send_back', 'pending_review', 'in_progress');
  event.run(2, T + 7 * H, 'post_result', 'in_progress', 'pending_review');
  event.run(2, T + 9 * H, 'approve', 'pending_review', 'resolved');
  // 3: under review since +5 h.
  event.run(3, T + 5 * H, 'post_result', 'in_progress', 'pending_review');
  // 4: no audit line of its result (imported): the approval time is all there is.
  // 5: sent back after a result: with the agency again, not resolved.
  event.run(5, T + 2 * H, 'post_result', 'in_progress', 'pending_review');
  event.run(5, T + 3 * H, 'send_back', 'pending_review', 'in_progress');
  // 6: answered on the call and closed: never resolved by an agency.
  old.$client.close();

  db = openDatabase(path);
  expect(db.$client.prepare('select id, resolved_at, approved_at from tickets order by id').all()).toEqual([
    { id: 1, resolved_at: T + 6 * H, approved_at: T + 10 * H },
    { id: 2, resolved_at: T + 7 * H, approved_at: T + 9 * H },
    { id: 3, resolved_at: T + 5 * H, approved_at: null },
    { id: 4, resolved_at: T + 8 * H, approved_at: T + 8 * H },
    { id: 5, resolved_at: null, approved_at: null },
    { id: 6, resolved_at: null, approved_at: null },
  ]);
});
