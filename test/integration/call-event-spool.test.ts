/**
 * Call events are never dropped: on a real SQLite file whose writes fail (a trigger raising an
 * error, as a full disk or a damaged table would), the recorder spools the events to a file, keeps
 * a call's events in order, writes them once the database takes writes again, and a restarted
 * server replays what the previous one left, so the abandon still opens its callback task.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallRecordEvent } from '../../ivr/api.ts';
import { createCallRecords } from '../../server/calls/service.ts';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { seedDemo } from '../../server/db/seed.ts';
import { waitFor } from '../support/jobs.ts';
import { logger } from './server-fixture.ts';

const NOW = new Date('2026-03-10T03:00:00Z');
/** The recorder's `SET_ASIDE_AFTER_TRIES`. */
const SET_ASIDE_REPLAYS = 20;
const at = (s: number) => new Date(NOW.getTime() + s * 1000);

let dir = '';
let db: Db | undefined;
afterEach(() => {
  db?.$client.close();
  db = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open() {
  dir = mkdtempSync(join(tmpdir(), 'hotline-spool-'));
  const path = join(dir, 'hotline.sqlite');
  db = openDatabase(path);
  await seedDemo(db, { agencyUrl: null });
  return { db, spoolPath: `${path}.call-events.spool` };
}

const breakWrites = (d: Db) =>
  d.$client.exec(
    "create trigger call_events_broken before insert on call_events begin select raise(abort, 'disk I/O error'); end",
  );
const mendWrites = (d: Db) => d.$client.exec('drop trigger call_events_broken');

const abandonSteps = (callId: string, number: string): CallRecordEvent[] => [
  { callId, type: 'arrived', callerNumber: number, at: at(0) },
  { callId, type: 'digit', digit: '1', at: at(4) },
  { callId, type: 'queued', queue: 'health', at: at(5) },
  { callId, type: 'ended', reason: 'abandoned_in_queue', at: at(65) },
];

const eventsOf = (d: Db, callId: string) =>
  d.$client
    .prepare('select type from call_events where call_id = ? order by id')
    .all(callId)
    .map((r) => (r as { type: string }).type);
const openCallbacks = (d: Db, number: string) =>
  d.$client
    .prepare("select count(*) as n from callbacks where caller_number = ? and status = 'open'")
    .get(number) as {
    n: number;
  };

describe('call event spool', () => {
  it('spools events the database refuses, keeps later ones behind them, and writes all in order once it recovers', async () => {
    const { db, spoolPath } = await open();
    const records = createCallRecords({ db, logger, serviceLevelSeconds: 20, spoolPath });
    breakWrites(db);
    for (const e of abandonSteps('spool-1', '0915000001')) records.record(e);
    records.flush();
    expect(eventsOf(db, 'spool-1')).toEqual([]);
    expect(readFileSync(spoolPath, 'utf8').trim().split('\n')).toHaveLength(4);

    mendWrites(db);
    // A new call while the spool still waits: it queues behind, not ahead.
    records.record({ callId: 'spool-2', type: 'arrived', callerNumber: '0915000002', at: at(70) });
    records.flush();
    expect(eventsOf(db, 'spool-2')).toEqual([]);

    await waitFor('the spool written', () => !existsSync(spoolPath), 5000);
    expect(eventsOf(db, 'spool-1')).toEqual(['arrived', 'digit', 'queued', 'ended']);
    expect(eventsOf(db, 'spool-2')).toEqual(['arrived']);
    expect(openCallbacks(db, '0915000001').n).toBe(1);

    // Back to normal: the next event is written straight away.
    records.record({ callId: 'spool-2', type: 'ended', reason: 'caller_hung_up_in_menu', at: at(80) });
    records.flush();
    expect(eventsOf(db, 'spool-2')).toEqual(['arrived', 'ended']);
  });

  it('replays at start what a stopped server could not write', async () => {
    const { db, spoolPath } = await open();
    const first = createCallRecords({ db, logger, serviceLevelSeconds: 20, spoolPath });
    breakWrites(db);
    for (const e of abandonSteps('spool-3', '0915000003')) first.record(e);
    first.flush();
    expect(existsSync(spoolPath)).toBe(true);
    mendWrites(db);

    // The next server's recorder writes them before it takes any new event.
    createCallRecords({ db, logger, serviceLevelSeconds: 20, spoolPath });
    expect(existsSync(spoolPath)).toBe(false);
    expect(eventsOf(db, 'spool-3')).toEqual(['arrived', 'digit', 'queued', 'ended']);
    expect(openCallbacks(db, '0915000003').n).toBe(1);
  });

  it('sets aside one event that keeps failing on its own, without holding the others back', async () => {
    const { db, spoolPath } = await open();
    // Only this call's events fail.
    db.$client.exec(
      "create trigger call_events_poison before insert on call_events when new.call_id = 'poison' begin select raise(abort, 'bad row'); end",
    );
    const records = createCallRecords({ db, logger, serviceLevelSeconds: 20, spoolPath });
    records.record({ callId: 'poison', type: 'arrived', callerNumber: '0915000009', at: at(0) });
    records.flush();
    let n = 0;
    await waitFor(
      'the poison event set aside',
      () => {
        // Other calls keep flowing meanwhile, each written within a replay.
        n++;
        records.record({ callId: `ok-${n}`, type: 'arrived', callerNumber: '0915000010', at: at(n) });
        records.flush();
        return existsSync(`${spoolPath}.rejected`);
      },
      // 20 replays at 100, 500, 2000 ms and then 5 s would take a while; a call every replay resets the backoff.
      60_000,
    );
    expect(readFileSync(`${spoolPath}.rejected`, 'utf8')).toContain('"callId":"poison"');
    await waitFor('the spool emptied', () => !existsSync(spoolPath), 5000);
    expect(n).toBeGreaterThan(SET_ASIDE_REPLAYS);
    for (let i = 1; i <= n; i++) expect(eventsOf(db, `ok-${i}`), `ok-${i}`).toEqual(['arrived']);
    expect(eventsOf(db, 'poison')).toEqual([]);
  }, 70_000);
});
