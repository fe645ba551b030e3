import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthUser } from '../../server/auth/service.ts';
import { createGroupCommitter, GroupAbortedError } from '../../server/db/group-commit.ts';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { outbox, smsMessages, ticketEvents, tickets, users } from '../../server/db/schema.ts';
import { seedDemo } from '../../server/db/seed.ts';
import { combineHooks, createNotificationHooks } from '../../server/notifications/hooks.ts';
import { createTicketService } from '../../server/tickets/service.ts';
import { logger } from './server-fixture.ts';

let dir: string;
let writer: Database.Database;
/** A second connection to the same file: sees only what has committed. */
let reader: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hotline-group-'));
  const path = join(dir, 'db.sqlite');
  writer = new Database(path);
  writer.pragma('journal_mode = WAL');
  writer.exec('create table t (id integer primary key, v text not null)');
  reader = new Database(path, { readonly: true });
});

afterEach(() => {
  reader.close();
  writer.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (v: string) => () =>
  Number(writer.prepare('insert into t (v) values (?)').run(v).lastInsertRowid);
const committed = () => reader.prepare('select id, v from t order by id').all();

describe('group commit', () => {
  it('commits the writes of one turn in one transaction, in order, before resolving any', async () => {
    const group = createGroupCommitter(writer);
    const seenBySecond: unknown[] = [];
    const results = Promise.all([
      group.run(insert('a')),
      group.run(() => {
        // The first write is in the same, still open, transaction: not visible elsewhere yet.
        seenBySecond.push(writer.inTransaction, committed().length);
        return insert('b')();
      }),
      group.run(insert('c')),
    ]);
    // Nothing runs before the turn is over.
    expect(committed()).toEqual([]);
    const first = await group.run(insert('d')).then((id) => ({ id, visible: committed().length }));
    expect(await results).toEqual([1, 2, 3]);
    expect(seenBySecond).toEqual([true, 0]);
    // Resolved only once durable: all four rows are visible to another connection by then.
    expect(first).toEqual({ id: 4, visible: 4 });
    expect(committed()).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
      { id: 3, v: 'c' },
      { id: 4, v: 'd' },
    ]);
  });

  it('rolls back a failing write alone and gives it its own error', async () => {
    const group = createGroupCommitter(writer);
    const outcomes = await Promise.allSettled([
      group.run(insert('a')),
      group.run(() => {
        insert('half-written')();
        throw new Error('bad one');
      }),
      group.run(() => writer.prepare('insert into t (v) values (null)').run()),
      group.run(insert('c')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('bad one'));
    expect(String((outcomes[2] as PromiseRejectedResult).reason)).toMatch(/NOT NULL/);
    expect(committed().map((r) => (r as { v: string }).v)).toEqual(['a', 'c']);
  });

  it('fails every write of the group when one takes the whole transaction down', async () => {
    const group = createGroupCommitter(writer);
    const outcomes = await Promise.allSettled([
      group.run(insert('a')),
      group.run(() => {
        writer.exec('rollback');
        throw new Error('disk gone');
      }),
      group.run(insert('c')),
    ]);
    for (const o of outcomes) {
      expect(o.status).toBe('rejected');
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(GroupAbortedError);
    }
    expect(committed()).toEqual([]);
    expect(writer.inTransaction).toBe(false);
    // The next turn works again.
    expect(await group.run(insert('next'))).toBe(1);
  });

  it('commits with synchronous = FULL when durable, and leaves the connection at NORMAL', async () => {
    writer.pragma('synchronous = NORMAL');
    const level = () => writer.pragma('synchronous', { simple: true });
    const durable = createGroupCommitter(writer, { durable: true });
    const plain = createGroupCommitter(writer);
    // 2 is FULL, 1 NORMAL: what the commit of the transaction the write runs in will do.
    expect(await durable.run(level)).toBe(2);
    expect(await plain.run(level)).toBe(1);
    expect(level()).toBe(1);
    // A failing durable group restores NORMAL too.
    await expect(
      durable.run(() => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(level()).toBe(1);
  });

  it('splits a large group into several transactions', async () => {
    const group = createGroupCommitter(writer, { maxGroup: 3 });
    const ids = await Promise.all(Array.from({ length: 7 }, (_, i) => group.run(insert(String(i)))));
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(committed()).toHaveLength(7);
  });
});

describe('tickets created together', () => {
  let db: Db;
  beforeEach(async () => {
    db = openDatabase(':memory:');
    await seedDemo(db, { agencyUrl: 'http://127.0.0.1:9/agency' });
  });
  afterEach(() => db.$client.close());

  function operator(): AuthUser {
    const { passwordHash: _, ...user } = db.select().from(users).where(eq(users.username, 'tdv01')).get()!;
    return user;
  }

  it('are each durable with their own audit lines, SMS and outbox intents; a failing one fails alone', async () => {
    const synchronousInTicketTransaction: number[] = [];
    const service = createTicketService({
      db,
      logger,
      hooks: combineHooks(createNotificationHooks(), {
        afterChange(_tx, ticket) {
          synchronousInTicketTransaction.push(db.$client.pragma('synchronous', { simple: true }) as number);
          if (ticket.description === 'fails in its transaction') throw new Error('hook refused');
        },
      }),
    });
    const by = operator();
    const request = (description: string, n: number) =>
      service.createGrouped({ callerNumber: `09120000${10 + n}`, category: 'health', description }, by);
    const outcomes = await Promise.allSettled([
      request('first', 1),
      request('fails in its transaction', 2),
      request('third', 3),
      // Invalid before anything is written: rejected at once, the group goes on.
      service.createGrouped(
        {
          callerNumber: '0912000099',
          category: 'health',
          description: 'x',
          agencyId: 9999,
        },
        by,
      ),
      request('fourth', 4),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/hook refused/);
    expect((outcomes[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'UNKNOWN_AGENCY' });

    const views = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    // In the order the requests came, with nothing of the failed one left behind.
    expect(views.map((v) => v.description)).toEqual(['first', 'third', 'fourth']);
    const rows = db.select().from(tickets).orderBy(tickets.id).all();
    expect(rows.map((r) => r.description)).toEqual(['first', 'third', 'fourth']);
    expect(rows.map((r) => r.id)).toEqual(views.map((v) => v.id));
    expect(rows[0]!.id).toBeLessThan(rows[1]!.id);
    expect(rows[1]!.id).toBeLessThan(rows[2]!.id);

    // A tracking code is told to the citizen at once: the ticket's commit was a FULL one.
    expect(synchronousInTicketTransaction).toEqual([2, 2, 2, 2]);
    expect(db.$client.pragma('synchronous', { simple: true })).toBe(1);

    for (const view of views) {
      expect(view.status).toBe('assigned');
      const events = db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, view.id)).all();
      expect(events.map((e) => e.action)).toEqual(['create', 'assign']);
      const sms = db.select().from(smsMessages).where(eq(smsMessages.ticketId, view.id)).all();
      expect(sms).toHaveLength(1);
      const intents = db
        .select()
        .from(outbox)
        .all()
        .map((r) => r.payload);
      expect(intents).toContainEqual({ kind: 'forward', ticketId: view.id });
      expect(intents).toContainEqual({ kind: 'deadline', ticketId: view.id });
      expect(intents).toContainEqual({ kind: 'sms', smsId: sms[0]!.id });
    }
    // Three intents per ticket created, none for the failed one.
    expect(db.select().from(outbox).all()).toHaveLength(9);
    expect(db.select().from(smsMessages).all()).toHaveLength(3);
  });
});
