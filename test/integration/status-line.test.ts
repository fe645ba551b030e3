/** The server's status line on a real SQLite database: codes, status groups and the result SMS. */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TICKET_STATUSES, type TicketStatus } from '../../common/domain.ts';
import type { TicketStatusGroup, TicketStatusLine } from '../../ivr/api.ts';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { agencies, outbox, smsMessages, tickets, users } from '../../server/db/schema.ts';
import { smsTexts } from '../../server/sms/texts.ts';
import { createStatusLine } from '../../server/status-line/service.ts';
import { insertTicket } from '../../server/tickets/repository.ts';
import { trackingCodeFrom } from '../../server/tickets/tracking-code.ts';

const NUMBER = '0987654321';
const RESULT = 'Đã sửa xong đèn chiếu sáng tại khu phố 3, phường Tân Mai.';
const now = new Date('2024-06-03T09:00:00Z');

let db: Db;
let line: TicketStatusLine;
let serial = 0;

beforeEach(() => {
  db = openDatabase(':memory:');
  db.insert(agencies).values({ code: 'sxd', name: 'Sở Xây dựng', forwardSecret: 's' }).run();
  db.insert(users)
    .values({
      username: 'tdv01',
      displayName: 'Tổng đài viên 01',
      role: 'operator',
      passwordHash: 'x',
      createdAt: now,
    })
    .run();
  line = createStatusLine({ db, now: () => now });
});

afterEach(() => {
  db.$client.close();
});

/** A ticket filed for `NUMBER`, then moved to `status` (as the life cycle would have left it). */
function ticket(
  status: TicketStatus,
  opts: { result?: string | null; resolvedAt?: Date | null; callerNumber?: string } = {},
) {
  const agencyId = db.select().from(agencies).get()!.id;
  const createdBy = db.select().from(users).get()!.id;
  serial += 1;
  const code = trackingCodeFrom(String(20_000_000 + serial));
  const row = insertTicket(
    db,
    {
      callerNumber: opts.callerNumber ?? NUMBER,
      category: 'infrastructure',
      description: 'Đèn đường hỏng nhiều ngày.',
      agencyId,
      createdBy,
      createdAt: now,
    },
    () => code,
  );
  const resolved = status === 'resolved' || status === 'closed';
  db.update(tickets)
    .set({
      status,
      result: opts.result === undefined ? (resolved ? RESULT : null) : opts.result,
      resolvedAt: opts.resolvedAt === undefined ? (resolved ? now : null) : opts.resolvedAt,
    })
    .where(eq(tickets.id, row.id))
    .run();
  return { id: row.id, code };
}

const texts = () => db.select().from(smsMessages).all();

describe('codes', () => {
  it('rejects a code whose check digit fails, even when it differs from a real code by one digit', async () => {
    const { code } = ticket('resolved');
    for (let i = 0; i < code.length; i++) {
      const typo = code.slice(0, i) + String((Number(code[i]) + 1) % 10) + code.slice(i + 1);
      expect(await line.lookup(typo, NUMBER)).toEqual({ kind: 'invalid_code' });
    }
    const swapped = code[1] === code[2] ? null : code[0]! + code[2] + code[1] + code.slice(3);
    if (swapped) expect(await line.lookup(swapped, NUMBER)).toEqual({ kind: 'invalid_code' });
    expect(texts()).toEqual([]);
  });

  it.each(['', '12345678', '1234567820', 'abcdefghi'])('rejects "%s"', async (code) => {
    expect(await line.lookup(code, NUMBER)).toEqual({ kind: 'invalid_code' });
  });

  it('does not find a well-formed code that no ticket has', async () => {
    ticket('assigned');
    expect(await line.lookup(trackingCodeFrom('99999999'), NUMBER)).toEqual({ kind: 'not_found' });
  });
});

describe('status groups', () => {
  const expected: [TicketStatus, TicketStatusGroup, Date | null][] = [
    ['received', 'received', null],
    ['returned', 'received', null],
    ['reopened', 'received', null],
    ['callback_pending', 'callback', null],
    ['assigned', 'assigned', null],
    ['acknowledged', 'in_progress', null],
    ['in_progress', 'in_progress', null],
    ['pending_review', 'in_progress', null],
    ['resolved', 'resolved', now],
    ['closed', 'resolved', now],
    ['closed', 'answered', null],
    ['answered_at_intake', 'answered', null],
    ['rejected', 'rejected', null],
    ['duplicate', 'duplicate', null],
  ];

  it('covers every status of the life cycle', () => {
    expect(new Set(expected.map(([s]) => s))).toEqual(new Set(TICKET_STATUSES));
  });

  it.each(expected)('%s is read as %s (resolved at %s)', async (status, group, resolvedAt) => {
    const { code } = ticket(status, { resolvedAt, result: resolvedAt ? RESULT : null });
    // Asked from another number, so no SMS is involved.
    expect(await line.lookup(code, '0911111111')).toEqual({ kind: 'found', group, smsSent: false });
  });
});

describe('the result by SMS', () => {
  it('texts the result to the ticket’s own number, once per ticket', async () => {
    const { id, code } = ticket('resolved');
    expect(await line.lookup(code, NUMBER)).toEqual({ kind: 'found', group: 'resolved', smsSent: true });
    const [sms, ...more] = texts();
    expect(more).toEqual([]);
    expect(sms).toMatchObject({
      ticketId: id,
      event: 'status_lookup',
      to: NUMBER,
      body: smsTexts.statusLookup(code, RESULT),
      status: 'pending',
      createdAt: now,
    });
    expect(sms?.body).toContain(RESULT);
    // The intent to send it was recorded with it (the outbox).
    expect(
      db
        .select()
        .from(outbox)
        .all()
        .map((o) => o.payload),
    ).toEqual([{ kind: 'sms', smsId: sms?.id }]);

    // A second lookup still reads the status, but texts nothing more.
    expect(await line.lookup(code, NUMBER)).toEqual({ kind: 'found', group: 'resolved', smsSent: false });
    expect(texts()).toHaveLength(1);
    expect(db.select().from(outbox).all()).toHaveLength(1);
  });

  it.each([
    ['+84987654321', true],
    ['84987654321', true],
    ['0987 654 321', true],
    ['0987654322', false],
    ['', false],
  ])('caller id %s matches the ticket’s number: %s', async (caller, sent) => {
    const { code } = ticket('resolved');
    expect(await line.lookup(code, caller)).toEqual({ kind: 'found', group: 'resolved', smsSent: sent });
    expect(texts().map((t) => t.to)).toEqual(sent ? [NUMBER] : []);
  });

  it('texts a closed ticket that had been resolved', async () => {
    const { code } = ticket('closed');
    expect(await line.lookup(code, NUMBER)).toMatchObject({ smsSent: true });
  });

  it('uses the province’s resolution text when no result was written down', async () => {
    const { code } = ticket('resolved', { result: null });
    expect(await line.lookup(code, NUMBER)).toMatchObject({ smsSent: true });
    expect(texts()[0]?.body).toBe(smsTexts.resolved());
  });

  it.each<TicketStatus>(['in_progress', 'pending_review', 'answered_at_intake', 'rejected'])(
    'texts nothing for a %s ticket',
    async (status) => {
      const { code } = ticket(status, { result: RESULT });
      expect(await line.lookup(code, NUMBER)).toMatchObject({ kind: 'found', smsSent: false });
      expect(texts()).toEqual([]);
    },
  );

  it('texts each ticket of the same number separately', async () => {
    const a = ticket('resolved');
    const b = ticket('resolved');
    await line.lookup(a.code, NUMBER);
    await line.lookup(b.code, NUMBER);
    expect(texts().map((t) => t.ticketId)).toEqual([a.id, b.id]);
  });
});
