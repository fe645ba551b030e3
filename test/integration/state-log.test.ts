/** The operator state log on a real SQLite: one row per change of state or reason, kept across restarts. */
import { asc } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { AgentStateView } from '../../common/events.ts';
import { openDatabase } from '../../server/db/index.ts';
import { operatorStateChanges } from '../../server/db/schema.ts';
import { seedDemo } from '../../server/db/seed.ts';
import { sipAccounts } from '../../server/operators/sip-accounts.ts';
import { createStateLog } from '../../server/operators/state-log.ts';

const view = (
  state: AgentStateView['state'],
  since: string,
  reason: AgentStateView['reason'] = null,
): AgentStateView => ({
  state,
  since,
  reason,
  wrapUpEndsAt: null,
});

describe('operator state log', () => {
  it('writes each change once, at the time the state began, and remembers the last one after a restart', async () => {
    const db = openDatabase(':memory:');
    await seedDemo(db, { agencyUrl: null });
    const [first] = sipAccounts(db);
    if (!first) throw new Error('the demo seed has operators');
    const id = first.operatorId;
    const log = createStateLog(db);
    log.record(id, view('ready', '2026-03-10T01:00:00.000Z'));
    log.record(id, view('ready', '2026-03-10T01:00:00.000Z'));
    log.record(id, view('ringing', '2026-03-10T01:05:00.000Z'));
    log.record(id, view('on_call', '2026-03-10T01:05:04.000Z'));
    log.record(id, view('wrap_up', '2026-03-10T01:09:00.000Z'));
    log.record(id, view('not_ready', '2026-03-10T01:10:00.000Z', 'break'));
    log.record(id, view('not_ready', '2026-03-10T01:20:00.000Z', 'training'));

    const again = createStateLog(db);
    again.record(id, view('not_ready', '2026-03-10T01:20:00.000Z', 'training'));
    again.record(id, view('ready', '2026-03-10T01:30:00.000Z'));

    const rows = db.select().from(operatorStateChanges).orderBy(asc(operatorStateChanges.id)).all();
    expect(rows.map((r) => [r.state, r.reason, r.at.toISOString()])).toEqual([
      ['ready', null, '2026-03-10T01:00:00.000Z'],
      ['ringing', null, '2026-03-10T01:05:00.000Z'],
      ['on_call', null, '2026-03-10T01:05:04.000Z'],
      ['wrap_up', null, '2026-03-10T01:09:00.000Z'],
      ['not_ready', 'break', '2026-03-10T01:10:00.000Z'],
      ['not_ready', 'training', '2026-03-10T01:20:00.000Z'],
      ['ready', null, '2026-03-10T01:30:00.000Z'],
    ]);
    db.$client.close();
  });
});
