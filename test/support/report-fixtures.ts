/**
 * A known three days of work for the reports, written straight into a hotline's database: calls
 * (answered fast and slow, abandoned after a long and a short wait, one ended in the menu),
 * callback tasks (reached, given up, still open), operators' states, and tickets (resolved on
 * time, resolved late, overdue, open). The days lie in the past, so nothing the running hotline
 * does today falls into them. The figures each report must show are worked out by hand in
 * test/e2e/reports.test.ts from the facts below.
 */
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../server/db/index.ts';
import {
  agencies,
  callbackAttempts,
  callbacks,
  calls,
  categories,
  operatorStateChanges,
  tickets,
  units,
  users,
} from '../../server/db/schema.ts';

/** The three local days, oldest first. */
export interface ReportDays {
  first: string;
  second: string;
  third: string;
}

/** Names the reports label their rows with, as the database holds them. */
export interface ReportFixture {
  days: ReportDays;
  operators: { first: string; second: string };
  categories: { first: string; second: string };
  communes: { first: string; second: string };
  agencies: { first: string; second: string };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The local day (Asia/Ho_Chi_Minh) `daysAgo` days before `now`, `YYYY-MM-DD`. */
export function localDayBefore(now: Date, daysAgo: number): string {
  return new Date(now.getTime() + 7 * 3600_000 - daysAgo * DAY_MS).toISOString().slice(0, 10);
}

/** Three consecutive local days ending `daysAgo` days before `now`. */
export function pastDays(now: Date, daysAgo: number): ReportDays {
  return {
    first: localDayBefore(now, daysAgo + 2),
    second: localDayBefore(now, daysAgo + 1),
    third: localDayBefore(now, daysAgo),
  };
}

/** `HH:MM:SS` on a local day, as an instant. */
const at = (day: string, time: string) => new Date(`${day}T${time}+07:00`);

export function insertReportFixture(db: Db, days: ReportDays): ReportFixture {
  const { first: d1, second: d2, third: d3 } = days;
  const user = (username: string) => {
    const row = db
      .select({ id: users.id, displayName: users.displayName })
      .from(users)
      .where(eq(users.username, username))
      .get();
    if (!row) throw new Error(`no user ${username} in the demo data`);
    return row;
  };
  const op1 = user('tdv01');
  const op2 = user('tdv02');
  const supervisor = user('giamsat');
  const [cat1, cat2] = db
    .select({ key: categories.key, name: categories.name })
    .from(categories)
    .where(eq(categories.active, true))
    .orderBy(asc(categories.sortOrder))
    .limit(2)
    .all();
  const [unit1, unit2] = db
    .select({ code: units.code, name: units.name })
    .from(units)
    .where(eq(units.active, true))
    .orderBy(asc(units.code))
    .limit(2)
    .all();
  const [agency1, agency2] = db
    .select({ id: agencies.id, name: agencies.name })
    .from(agencies)
    .where(eq(agencies.active, true))
    .orderBy(asc(agencies.id))
    .limit(2)
    .all();
  if (!cat1 || !cat2 || !unit1 || !unit2 || !agency1 || !agency2) throw new Error('demo data is missing');

  // ── Calls ──
  type Call = typeof calls.$inferInsert;
  const call = (id: string, day: string, arrived: string, rest: Partial<Call>): Call => ({
    id,
    callerNumber: `09${id.replace(/\D/g, '').padStart(8, '0')}`,
    arrivedAt: at(day, arrived),
    queue: 'general',
    ...rest,
  });
  db.insert(calls)
    .values([
      // Answered after 10 s (within the 20 s service level), 125 s of talk.
      call('report-a-1', d1, '08:00:00', {
        queuedAt: at(d1, '08:00:05'),
        leftQueueAt: at(d1, '08:00:15'),
        answeredAt: at(d1, '08:00:15'),
        endedAt: at(d1, '08:02:20'),
        operatorId: op1.id,
        endReason: 'caller_hung_up',
        waitSeconds: 10,
        talkSeconds: 125,
      }),
      // Answered after 40 s, 301 s of talk.
      call('report-b-2', d1, '08:10:00', {
        queuedAt: at(d1, '08:10:05'),
        leftQueueAt: at(d1, '08:10:45'),
        answeredAt: at(d1, '08:10:45'),
        endedAt: at(d1, '08:15:46'),
        operatorId: op2.id,
        endReason: 'agent_hung_up',
        waitSeconds: 40,
        talkSeconds: 301,
      }),
      // Hung up after 60 s in the queue: counts against the service level.
      call('report-c-3', d1, '09:00:00', {
        queuedAt: at(d1, '09:00:05'),
        leftQueueAt: at(d1, '09:01:05'),
        endedAt: at(d1, '09:01:05'),
        endReason: 'abandoned_in_queue',
        waitSeconds: 60,
      }),
      // Hung up after 2 s in the queue: abandoned, but below the 5 s threshold.
      call('report-d-4', d1, '09:30:00', {
        queuedAt: at(d1, '09:30:02'),
        leftQueueAt: at(d1, '09:30:04'),
        endedAt: at(d1, '09:30:04'),
        endReason: 'abandoned_in_queue',
        waitSeconds: 2,
      }),
      // Hung up in the menu: never offered to the queue.
      call('report-e-5', d1, '09:40:00', {
        queue: null,
        endedAt: at(d1, '09:40:09'),
        endReason: 'caller_hung_up_in_menu',
      }),
      // Third day: answered after 5 s, 3725 s (1:02:05) of talk.
      call('report-f-6', d3, '14:00:00', {
        queuedAt: at(d3, '14:00:03'),
        leftQueueAt: at(d3, '14:00:08'),
        answeredAt: at(d3, '14:00:08'),
        endedAt: at(d3, '15:02:13'),
        operatorId: op1.id,
        endReason: 'caller_hung_up',
        waitSeconds: 5,
        talkSeconds: 3725,
      }),
    ])
    .run();

  // ── Callbacks ──
  const task = (values: Omit<typeof callbacks.$inferInsert, 'queue' | 'lastRequestAt' | 'waitingSince'>) =>
    db
      .insert(callbacks)
      .values({
        queue: 'general',
        waitingSince: values.createdAt,
        lastRequestAt: values.createdAt,
        ...values,
      })
      .returning({ id: callbacks.id })
      .get().id;
  const reached = task({
    callerNumber: '0900000003',
    callId: 'report-c-3',
    createdAt: at(d1, '09:01:05'),
    status: 'reached',
    attempts: 2,
    closedAt: at(d3, '09:02:00'),
  });
  task({
    callerNumber: '0900000004',
    callId: 'report-d-4',
    createdAt: at(d1, '09:30:04'),
    status: 'given_up',
    closedAt: at(d2, '08:00:00'),
    givenUpReason: 'supervisor',
    givenUpNote: 'Số máy không đúng',
    givenUpBy: supervisor.id,
  });
  task({
    callerNumber: '0900000007',
    callId: 'report-f-6',
    createdAt: at(d3, '16:00:00'),
  });
  db.insert(callbackAttempts)
    .values([
      {
        callbackId: reached,
        operatorId: op1.id,
        startedAt: at(d1, '10:00:00'),
        endedAt: at(d1, '10:00:30'),
        outcome: 'no_answer',
      },
      {
        callbackId: reached,
        operatorId: op1.id,
        startedAt: at(d3, '09:00:00'),
        endedAt: at(d3, '09:02:00'),
        outcome: 'reached',
      },
    ])
    .run();

  // ── Operators' states (the first day; offline until the period ends) ──
  const state = (
    operatorId: number,
    time: string,
    s: (typeof operatorStateChanges.$inferInsert)['state'],
    reason: (typeof operatorStateChanges.$inferInsert)['reason'] = null,
  ) => ({ operatorId, state: s, reason, at: at(d1, time) });
  db.insert(operatorStateChanges)
    .values([
      state(op1.id, '07:55:00', 'ready'),
      state(op1.id, '08:00:10', 'ringing'),
      state(op1.id, '08:00:15', 'on_call'),
      state(op1.id, '08:02:20', 'wrap_up'),
      state(op1.id, '08:02:50', 'ready'),
      state(op1.id, '12:00:00', 'not_ready', 'break'),
      state(op1.id, '13:00:00', 'ready'),
      state(op1.id, '17:00:00', 'offline'),
      state(op2.id, '08:05:00', 'ready'),
      state(op2.id, '08:10:45', 'on_call'),
      state(op2.id, '08:15:46', 'wrap_up'),
      state(op2.id, '08:16:46', 'ready'),
      state(op2.id, '09:00:00', 'not_ready', 'training'),
      state(op2.id, '09:30:00', 'not_ready', 'missed_call'),
      state(op2.id, '10:00:00', 'offline'),
    ])
    .run();

  // ── Tickets ──
  type Ticket = typeof tickets.$inferInsert;
  const ticket = (
    code: string,
    values: Omit<Ticket, 'trackingCode' | 'callerNumber' | 'description' | 'createdBy'>,
  ) => ({
    trackingCode: code,
    callerNumber: '0900000010',
    description: 'Phiếu mẫu cho báo cáo',
    createdBy: op1.id,
    ...values,
  });
  db.insert(tickets)
    .values([
      // Resolved on the second day, a day before its deadline.
      ticket('990000011', {
        category: cat1.key,
        unitCode: unit1.code,
        agencyId: agency1.id,
        status: 'resolved',
        createdAt: at(d1, '10:00:00'),
        assignedAt: at(d1, '10:00:00'),
        ackedAt: at(d1, '11:00:00'),
        resolveDueAt: at(d3, '10:00:00'),
        resolvedAt: at(d2, '10:00:00'),
        result: 'Đã xử lý',
      }),
      // Resolved on the third day, a day late.
      ticket('990000022', {
        category: cat1.key,
        unitCode: unit2.code,
        agencyId: agency1.id,
        status: 'resolved',
        createdAt: at(d1, '11:00:00'),
        assignedAt: at(d1, '11:00:00'),
        ackedAt: at(d1, '12:00:00'),
        resolveDueAt: at(d2, '12:00:00'),
        resolvedAt: at(d3, '12:00:00'),
        result: 'Đã xử lý',
      }),
      // Still being worked, past its deadline since the third morning.
      ticket('990000033', {
        category: cat2.key,
        unitCode: unit1.code,
        agencyId: agency2.id,
        status: 'in_progress',
        createdAt: at(d2, '09:00:00'),
        assignedAt: at(d2, '09:00:00'),
        ackedAt: at(d2, '09:30:00'),
        resolveDueAt: at(d3, '08:00:00'),
      }),
      // Open, commune not determined, its deadline far ahead.
      ticket('990000044', {
        category: cat2.key,
        unitCode: null,
        agencyId: agency2.id,
        status: 'in_progress',
        createdAt: at(d3, '15:00:00'),
        assignedAt: at(d3, '15:00:00'),
        ackedAt: at(d3, '15:10:00'),
        resolveDueAt: new Date(Date.now() + 30 * DAY_MS),
      }),
    ])
    .run();

  return {
    days,
    operators: { first: op1.displayName, second: op2.displayName },
    categories: { first: cat1.name, second: cat2.name },
    communes: { first: unit1.name, second: unit2.name },
    agencies: { first: agency1.name, second: agency2.name },
  };
}
