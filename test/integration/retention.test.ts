/**
 * The retention job on a real SQLite database with an injected clock: records just outside the
 * period lose their recordings (deleted through the recording port, a test double of the call
 * controller's ARI client) and their citizens' numbers are masked; records just inside keep both;
 * open work keeps its number; a recording that cannot be deleted stays named for the next run;
 * runs are idempotent and each writes one audit entry.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { TicketView } from '../../common/api.ts';
import { listAudit } from '../../server/audit/service.ts';
import { callbacks, calls, smsMessages, tickets } from '../../server/db/schema.ts';
import { startRetentionJob } from '../../server/retention/job.ts';
import {
  RETENTION_ACTION,
  type RecordingPort,
  type RetentionSummary,
  retentionCutoff,
  runRetention,
} from '../../server/retention/service.ts';
import { buildFixture, type Fixture, logger } from './server-fixture.ts';

// 10:00 in Hồ Chí Minh City; twelve months earlier is the cut-off.
const NOW = new Date('2026-06-15T03:00:00Z');
const CUTOFF = new Date('2025-06-15T03:00:00Z');
const MIN = 60_000;
const outside = new Date(CUTOFF.getTime() - MIN);
const inside = new Date(CUTOFF.getTime() + MIN);

/** Asterisk's stored recordings, as the port sees them; `down` makes every delete throw. */
class FakeRecordings implements RecordingPort {
  readonly stored = new Set<string>();
  readonly asked: string[] = [];
  down = false;
  telephony = true;
  async deleteStoredRecording(name: string): Promise<boolean> {
    this.asked.push(name);
    if (this.down) throw new Error('ARI unreachable');
    if (!this.telephony) return false;
    this.stored.delete(name);
    return true;
  }
}

let fx: Fixture | undefined;
let clock = NOW;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

async function setUp(): Promise<{ fx: Fixture; port: FakeRecordings }> {
  clock = NOW;
  fx = await buildFixture({ now: () => clock });
  const port = new FakeRecordings();
  const call = (id: string, number: string, arrivedAt: Date, recording: string | null) => {
    fx!.db
      .insert(calls)
      .values({
        id,
        callerNumber: number,
        arrivedAt,
        recording,
        recordingKind: recording ? (recording.startsWith('message') ? 'message' : 'conversation') : null,
      })
      .run();
    if (recording) port.stored.add(recording);
  };
  call('old-talk', '0912000001', outside, 'conversation-old-talk');
  call('old-message', '0912000002', new Date(outside.getTime() - 30 * 24 * 60 * MIN), 'message-old-message');
  call('new-talk', '0912000003', inside, 'conversation-new-talk');
  call('old-plain', '0912000004', outside, null);
  // Named on the call, but Asterisk lost it already: counts as deleted.
  call('old-lost', '0912000005', outside, 'conversation-old-lost');
  port.stored.delete('conversation-old-lost');

  const callback = (
    callId: string,
    number: string,
    createdAt: Date,
    status: 'open' | 'reached',
    message?: string,
  ) =>
    fx!.db
      .insert(callbacks)
      .values({
        callerNumber: number,
        queue: 'health',
        callId,
        createdAt,
        waitingSince: createdAt,
        lastRequestAt: createdAt,
        status,
        ...(message ? { recording: message, recordingCallId: callId, source: 'after_hours' as const } : {}),
      })
      .run();
  callback('old-message', '0912000002', outside, 'reached', 'message-old-message');
  callback('old-plain', '0912000004', outside, 'open');
  callback('new-talk', '0912000003', inside, 'reached');

  const sms = (
    to: string,
    createdAt: Date,
    status: 'pending' | 'sent',
    event: 'ticket_created' | 'ticket_resolved',
  ) => fx!.db.insert(smsMessages).values({ to, body: 'Tổng đài 1022', createdAt, status, event }).run();
  sms('0912000011', outside, 'sent', 'ticket_created');
  sms('0912000012', outside, 'pending', 'ticket_resolved');
  sms('0912000013', inside, 'sent', 'ticket_created');
  return { fx, port };
}

/** A ticket created at `at`: answered on the call (done) or assigned to an agency (open). */
async function ticketAt(f: Fixture, at: Date, number: string, done: boolean): Promise<number> {
  clock = at;
  const res = await f.app.inject({
    method: 'POST',
    url: '/api/tickets',
    headers: await f.session('tdv01'),
    payload: {
      callerNumber: number,
      category: 'health',
      description: 'Hỏi lịch tiêm chủng.',
      ...(done ? { outcome: 'answered', answer: 'Thứ Hai hằng tuần.' } : {}),
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  clock = NOW;
  return res.json<TicketView>().id;
}

const callRow = (f: Fixture, id: string) => f.db.select().from(calls).where(eq(calls.id, id)).get()!;
const numbers = (f: Fixture) => ({
  calls: Object.fromEntries(
    f.db
      .select()
      .from(calls)
      .all()
      .map((c) => [c.id, c.callerNumber]),
  ),
  callbacks: Object.fromEntries(
    f.db
      .select()
      .from(callbacks)
      .all()
      .map((c) => [c.callId, c.callerNumber]),
  ),
  sms: f.db
    .select()
    .from(smsMessages)
    .all()
    .map((m) => m.to),
});
const run = (f: Fixture, port: RecordingPort) =>
  runRetention({ db: f.db, recordings: port, months: 12, logger, now: () => NOW });

describe('the retention period', () => {
  it('is counted in calendar months, a month end clamped', () => {
    expect(retentionCutoff(NOW, 12)).toEqual(CUTOFF);
    expect(retentionCutoff(new Date('2026-03-31T10:00:00Z'), 1)).toEqual(new Date('2026-02-28T10:00:00Z'));
    expect(retentionCutoff(new Date('2028-03-31T10:00:00Z'), 1)).toEqual(new Date('2028-02-29T10:00:00Z'));
    expect(retentionCutoff(new Date('2026-01-15T00:00:00Z'), 24)).toEqual(new Date('2024-01-15T00:00:00Z'));
  });
});

describe('the retention job', () => {
  it('deletes recordings and masks numbers outside the period, keeps what is inside, and open work’s numbers', async () => {
    const { fx: f, port } = await setUp();
    const oldDone = await ticketAt(f, outside, '0912000021', true);
    const oldOpen = await ticketAt(f, outside, '0912000022', false);
    const newDone = await ticketAt(f, inside, '0912000023', true);

    const summary = await run(f, port);
    expect(summary).toEqual<RetentionSummary>({
      cutoff: CUTOFF.toISOString(),
      months: 12,
      recordings: { deleted: 3, kept: 0 },
      masked: { calls: 4, tickets: 1, callbacks: 1, sms: 1 },
      deleted: { reportMails: 0 },
    });
    expect(port.asked.sort()).toEqual([
      'conversation-old-lost',
      'conversation-old-talk',
      'message-old-message',
    ]);
    expect([...port.stored]).toEqual(['conversation-new-talk']);
    for (const id of ['old-talk', 'old-message', 'old-lost']) {
      expect(callRow(f, id)).toMatchObject({ recording: null, recordingKind: null });
    }
    expect(callRow(f, 'new-talk')).toMatchObject({
      recording: 'conversation-new-talk',
      recordingKind: 'conversation',
    });
    const task = f.db.select().from(callbacks).where(eq(callbacks.callId, 'old-message')).get()!;
    expect(task).toMatchObject({ recording: null, recordingCallId: null });

    expect(numbers(f)).toEqual({
      calls: {
        'old-talk': '0912***001',
        'old-message': '0912***002',
        'new-talk': '0912000003',
        'old-plain': '0912***004',
        'old-lost': '0912***005',
      },
      // The open task keeps the number it must dial.
      callbacks: { 'old-message': '0912***002', 'old-plain': '0912000004', 'new-talk': '0912000003' },
      // The SMS still waiting to be sent keeps its number.
      sms: ['0912***011', '0912000012', '0912000013'],
    });
    const ticketNumber = (id: number) =>
      f.db.select().from(tickets).where(eq(tickets.id, id)).get()!.callerNumber;
    expect([ticketNumber(oldDone), ticketNumber(oldOpen), ticketNumber(newDone)]).toEqual([
      '0912***021',
      '0912000022',
      '0912000023',
    ]);

    const entries = listAudit(f.db, { action: RETENTION_ACTION });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: null,
      entity: 'retention',
      at: NOW.toISOString(),
      after: summary,
    });
  });

  it('is idempotent: a second run deletes and masks nothing, and logs its own summary', async () => {
    const { fx: f, port } = await setUp();
    await run(f, port);
    const before = numbers(f);
    port.asked.length = 0;
    const again = await run(f, port);
    expect(again.recordings).toEqual({ deleted: 0, kept: 0 });
    expect(again.masked).toEqual({ calls: 0, tickets: 0, callbacks: 0, sms: 0 });
    expect(port.asked).toEqual([]);
    expect(numbers(f)).toEqual(before);
    expect(listAudit(f.db, { action: RETENTION_ACTION })).toHaveLength(2);
  });

  it('keeps a recording named while Asterisk cannot delete it, and deletes it at a later run', async () => {
    const { fx: f, port } = await setUp();
    port.down = true;
    const failed = await run(f, port);
    expect(failed.recordings).toEqual({ deleted: 0, kept: 3 });
    // Asterisk down: one attempt, not one per recording.
    expect(port.asked).toHaveLength(1);
    expect(callRow(f, 'old-talk').recording).toBe('conversation-old-talk');
    // Numbers do not wait for Asterisk.
    expect(callRow(f, 'old-talk').callerNumber).toBe('0912***001');

    port.down = false;
    port.telephony = false;
    expect((await run(f, port)).recordings).toEqual({ deleted: 0, kept: 3 });

    port.telephony = true;
    expect((await run(f, port)).recordings).toEqual({ deleted: 3, kept: 0 });
    expect(callRow(f, 'old-talk').recording).toBeNull();
    expect(
      listAudit(f.db, { action: RETENTION_ACTION }).map((e) => (e.after as RetentionSummary).recordings),
    ).toEqual([
      { deleted: 3, kept: 0 },
      { deleted: 0, kept: 3 },
      { deleted: 0, kept: 3 },
    ]);
  });

  it('a masked call’s recording route and detail no longer give the citizen away', async () => {
    const { fx: f, port } = await setUp();
    await run(f, port);
    const headers = await f.session('giamsat');
    const recording = await f.app.inject({ url: '/api/calls/old-talk/recording', headers });
    expect(recording.statusCode).toBe(404);
    expect(recording.json().error.code).toBe('RECORDING_NOT_FOUND');
    const detail = await f.app.inject({ url: '/api/calls/old-talk', headers });
    expect(detail.json()).toMatchObject({ callerNumber: '0912***001', recording: null });
  });
});

describe('the retention job’s schedule', () => {
  it('runs soon after start, a second request joins the run in progress, and stop waits for it', async () => {
    const { fx: f, port } = await setUp();
    // Asterisk answers each delete only when the test says so.
    const waiting: (() => void)[] = [];
    const slow: RecordingPort = {
      async deleteStoredRecording(name) {
        await new Promise<void>((resolve) => waiting.push(resolve));
        return port.deleteStoredRecording(name);
      },
    };
    const job = startRetentionJob({
      db: f.db,
      recordings: slow,
      months: 12,
      logger,
      now: () => NOW,
      firstRunAfterMs: 10,
      everyMs: 3600_000,
    });
    await expect.poll(() => waiting.length).toBe(1);
    const joined = job.runNow();
    const stopped = job.stop();
    for (let answered = 0; answered < 3; answered++) {
      await expect.poll(() => waiting.length).toBe(answered + 1);
      waiting[answered]!();
    }
    expect((await joined)?.recordings).toEqual({ deleted: 3, kept: 0 });
    await stopped;
    expect(listAudit(f.db, { action: RETENTION_ACTION })).toHaveLength(1);
  });
});
