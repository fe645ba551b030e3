import { eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketView } from '../../common/api.ts';
import { outbox, tickets } from '../../server/db/schema.ts';
import { DEFAULT_CALENDAR } from '../../server/deadlines/calendar.ts';
import { addIntent } from '../../server/outbox/outbox.ts';
import { warningTime } from '../../server/sla/alerts.ts';
import {
  alertJobId,
  type DeadlineEvent,
  type DelayedJob,
  nextAlertJob,
  raiseAlert,
  runAlert,
} from '../../server/sla/processor.ts';
import { ticketEventViews } from '../../server/tickets/repository.ts';
import { pipelinesOnRedis, waitFor } from '../support/jobs.ts';
import { buildFixture, type Fixture, logger } from './server-fixture.ts';

describe('deadline jobs on Redis', () => {
  const pipelines = pipelinesOnRedis();

  it('warns at 75% of the time and escalates at each deadline, once', async () => {
    const p = await pipelines.start();
    const ticket = await p.createTicket({ priority: 'urgent' });
    const start = Date.now();
    // A short policy: 800 ms to acknowledge, 1.6 s to resolve.
    p.fx.db.transaction((tx) => {
      tx.update(tickets)
        .set({
          assignedAt: new Date(start),
          ackDueAt: new Date(start + 800),
          resolveDueAt: new Date(start + 1600),
        })
        .where(eq(tickets.id, ticket.id))
        .run();
      addIntent(tx, { kind: 'deadline', ticketId: ticket.id }, new Date());
    });
    p.relay.nudge();
    // One delayed alert job per ticket at a time: each alert schedules the next.
    const delayedCounts = new Set<number>();
    const sampler = setInterval(
      () => void p.queues.deadline.getDelayedCount().then((n) => delayedCounts.add(n)),
      20,
    );
    try {
      await waitFor('four alerts', () => p!.deadlineEvents.length === 4, 5000);
    } finally {
      clearInterval(sampler);
    }
    expect(Math.max(...delayedCounts)).toBe(1);
    expect(p.deadlineEvents).toEqual([
      { ticketId: ticket.id, trackingCode: ticket.trackingCode, kind: 'warning', due: 'ack' },
      { ticketId: ticket.id, trackingCode: ticket.trackingCode, kind: 'overdue', due: 'ack' },
      { ticketId: ticket.id, trackingCode: ticket.trackingCode, kind: 'warning', due: 'resolve' },
      { ticketId: ticket.id, trackingCode: ticket.trackingCode, kind: 'overdue', due: 'resolve' },
    ]);
    const events = ticketEventViews(p.fx.db, ticket.id).filter(
      (e) => e.action === 'warn' || e.action === 'escalate',
    );
    expect(events.map((e) => [e.action, e.actor])).toEqual([
      ['warn', null],
      ['escalate', null],
      ['warn', null],
      ['escalate', null],
    ]);
    // The warning came at 75% (600 ms), not at the start nor at the deadline.
    const warnedAt = Date.parse(events[0]!.at) - start;
    expect(warnedAt).toBeGreaterThanOrEqual(590);
    expect(warnedAt).toBeLessThan(800);
  });
});

describe('deadline intents on Redis', () => {
  const pipelines = pipelinesOnRedis();

  it('become the delayed job of the next alert, added once however often they are relayed', async () => {
    const p = await pipelines.start({ startRelay: false });
    const ticket = await p.createTicket();
    await p.relay.drain();
    const ackDueAt = Date.parse(ticket.ackDueAt!);
    const data = { ticketId: ticket.id, due: 'ack' as const, kind: 'warning' as const, dueAt: ackDueAt };
    const deadlineJobs = () =>
      p.queues.deadline.getJobs(['delayed', 'wait', 'active', 'completed', 'failed']);
    const [job, ...others] = await deadlineJobs();
    expect(others).toEqual([]);
    // No scheduling job in between: the relay adds the warning itself, delayed until it is due.
    expect([job!.id, job!.name, job!.data]).toEqual([alertJobId(data), 'warning', data]);
    expect(await job!.getState()).toBe('delayed');
    const warnAt = warningTime(new Date(ticket.createdAt), new Date(ackDueAt), 'normal', DEFAULT_CALENDAR);
    expect(Math.abs(job!.timestamp + job!.delay - warnAt.getTime())).toBeLessThan(1000);

    // Relayed again (a relay stopped before marking its intents, or a second change): same job.
    const unrelayed = () =>
      p.fx.db
        .select()
        .from(outbox)
        .where(isNull(outbox.relayedAt))
        .all()
        .filter((r) => r.kind === 'deadline').length;
    addIntent(p.fx.db, { kind: 'deadline', ticketId: ticket.id }, new Date());
    // A ticket answered on the call has no deadline, and a missing ticket none either: no job.
    const answered = await p.fx.app.inject({
      method: 'POST',
      url: '/api/tickets',
      headers: p.supervisor,
      payload: {
        callerNumber: '0912345678',
        category: 'policy',
        description: 'Hỏi thủ tục cấp lại thẻ bảo hiểm y tế.',
        outcome: 'answered',
        answer: 'Đã hướng dẫn nộp hồ sơ tại bộ phận một cửa.',
      },
    });
    expect(answered.statusCode).toBe(201);
    addIntent(p.fx.db, { kind: 'deadline', ticketId: answered.json<TicketView>().id }, new Date());
    addIntent(p.fx.db, { kind: 'deadline', ticketId: 999_999 }, new Date());
    expect(unrelayed()).toBe(3);
    await p.relay.drain();
    expect(unrelayed()).toBe(0);
    expect((await deadlineJobs()).map((j) => j.id)).toEqual([alertJobId(data)]);
  });
});

describe('deadline processors', () => {
  let fx: Fixture;
  const emitted: DeadlineEvent[] = [];
  const clock = new Date('2025-06-02T01:00:00Z'); // Monday 08:00 in Vietnam
  beforeAll(async () => {
    fx = await buildFixture({ now: () => clock });
  });
  afterAll(async () => {
    await fx.close();
  });

  async function create(priority: 'urgent' | 'normal'): Promise<TicketView> {
    const res = await fx.app.inject({
      method: 'POST',
      url: '/api/tickets',
      headers: await fx.session('giamsat'),
      payload: {
        callerNumber: '0912345678',
        category: 'health',
        description: 'x',
        priority,
      },
    });
    return res.json<TicketView>();
  }

  /** What the relay adds for a deadline intent: the ticket's next alert job alone. */
  function schedule(ticketId: number): DelayedJob {
    const job = nextAlertJob(ticketId, { db: fx.db, calendar: DEFAULT_CALENDAR, now: () => clock });
    if (!job) throw new Error(`no alert to schedule for ticket ${ticketId}`);
    return job;
  }
  const alertDeps = () => ({
    db: fx.db,
    emit: (e: DeadlineEvent) => void emitted.push(e),
    logger,
    now: () => clock,
  });
  /** Runs an alert job as the worker does; returns the one job it scheduled next, if any. */
  async function run(job: DelayedJob, emit = alertDeps().emit) {
    const added: DelayedJob[] = [];
    const result = await runAlert(job.data, {
      ...alertDeps(),
      emit,
      calendar: DEFAULT_CALENDAR,
      addDelayed: async (j) => void added.push(j),
    });
    expect(added).toEqual(result.next ? [result.next] : []);
    return result;
  }

  it('schedules warnings at 75% of working time (urgent: elapsed time)', async () => {
    const urgent = await create('urgent');
    const jobs = [schedule(urgent.id)];
    for (let next = (await run(jobs[0]!)).next; next; next = (await run(next)).next) jobs.push(next);
    expect(jobs.map((j) => [j.name, j.data.due, j.delayMs])).toEqual([
      ['warning', 'ack', 1.5 * 3600_000],
      ['overdue', 'ack', 2 * 3600_000],
      ['warning', 'resolve', 18 * 3600_000],
      ['overdue', 'resolve', 24 * 3600_000],
    ]);
    const normal = await create('normal');
    const ackWarning = schedule(normal.id);
    // 8 working hours from Monday 08:00 (07:30–11:30, 13:30–17:00) end Tuesday 08:30; 6 h of
    // them (3.5 h + 2.5 h) end Monday 16:00, not at 75% of the elapsed 24.5 h.
    expect(new Date(clock.getTime() + ackWarning.delayMs).toISOString()).toBe('2025-06-02T09:00:00.000Z');
  });

  it('raises nothing while the agency’s result is reviewed or after it returned the ticket; a result sent back gets alerts of its moved deadline', async () => {
    const start = clock.getTime();
    try {
      const syt = await fx.session('syt');
      const supervisor = await fx.session('giamsat');
      const act = async (headers: typeof syt, id: number, payload: object) => {
        const res = await fx.app.inject({
          method: 'POST',
          url: `/api/tickets/${id}/actions`,
          headers,
          payload,
        });
        expect(res.statusCode, res.body).toBe(200);
      };
      const reviewed = await create('urgent');
      const returned = await create('urgent');
      for (const id of [reviewed.id, returned.id]) await act(syt, id, { action: 'acknowledge' });
      const warnings = [schedule(reviewed.id), schedule(returned.id)];
      expect(warnings.map((j) => [j.name, j.data.due, j.data.dueAt])).toEqual([
        ['warning', 'resolve', start + 24 * 3600_000],
        ['warning', 'resolve', start + 24 * 3600_000],
      ]);

      clock.setTime(start + 4 * 3600_000);
      await act(syt, reviewed.id, { action: 'post_result', text: 'Đã xử lý.' });
      await act(syt, returned.id, { action: 'return', reason: 'Không thuộc thẩm quyền.' });
      // Their warning jobs find no deadline running, and schedule nothing after them.
      for (const job of warnings) {
        expect(await run(job)).toEqual({ outcome: 'not_due', next: null });
      }

      // Sent back after 6 h of review: the agency's deadline moves by those 6 h, with new alerts.
      clock.setTime(start + 10 * 3600_000);
      await act(supervisor, reviewed.id, { action: 'send_back', reason: 'Thiếu ảnh.' });
      const intents = fx.db
        .select()
        .from(outbox)
        .all()
        .filter(
          (r) => r.kind === 'deadline' && 'ticketId' in r.payload && r.payload.ticketId === reviewed.id,
        );
      expect(intents.map((r) => r.createdAt.getTime())).toContain(start + 10 * 3600_000);
      const resumed = schedule(reviewed.id);
      expect([resumed.name, resumed.data.due, resumed.data.dueAt]).toEqual([
        'warning',
        'resolve',
        start + 30 * 3600_000,
      ]);
      expect(raiseAlert(resumed.data, alertDeps())).toBe('raised');
    } finally {
      clock.setTime(start);
    }
  });

  it('raises nothing for a deadline met, moved by an extension, or already raised', async () => {
    const ticket = await create('normal');
    const aside: DeadlineEvent[] = [];
    const ackWarning = schedule(ticket.id);
    expect([ackWarning.name, ackWarning.data.due]).toEqual(['warning', 'ack']);
    const ackOverdue = (await run(ackWarning, (e) => void aside.push(e))).next!;
    expect([ackOverdue.name, ackOverdue.data.due]).toEqual(['overdue', 'ack']);

    const supervisor = await fx.session('giamsat');
    const ack = await fx.app.inject({
      method: 'POST',
      url: `/api/tickets/${ticket.id}/actions`,
      headers: supervisor,
      payload: { action: 'acknowledge' },
    });
    expect(ack.statusCode).toBe(200);
    expect(raiseAlert(ackOverdue.data, alertDeps())).toBe('not_due');
    // The met deadline's job does nothing but schedule the next alert.
    const stale = await run(ackOverdue);
    expect(stale.outcome).toBe('not_due');
    const resolveWarning = stale.next!;
    expect([resolveWarning.name, resolveWarning.data.due]).toEqual(['warning', 'resolve']);

    expect(raiseAlert(resolveWarning.data, alertDeps())).toBe('raised');
    expect(raiseAlert(resolveWarning.data, alertDeps())).toBe('already_raised');
    expect(emitted.filter((e) => e.ticketId === ticket.id)).toHaveLength(1);
    // A retried job adds the same next job (same id), nothing else.
    const retried = await run(resolveWarning);
    expect(retried.outcome).toBe('already_raised');
    const resolveOverdue = retried.next!;
    expect([resolveOverdue.name, resolveOverdue.data.due]).toEqual(['overdue', 'resolve']);
    expect((await run(resolveWarning)).next!.jobId).toBe(resolveOverdue.jobId);

    const later = new Date(resolveWarning.data.dueAt + 3 * 24 * 3600_000).toISOString();
    const extended = await fx.app.inject({
      method: 'POST',
      url: `/api/tickets/${ticket.id}/extension`,
      headers: supervisor,
      payload: { reason: 'Cần khảo sát hiện trường', resolveDueAt: later },
    });
    expect(extended.statusCode).toBe(200);
    expect(raiseAlert(resolveOverdue.data, alertDeps())).toBe('not_due');

    const rescheduled = [schedule(ticket.id)];
    rescheduled.push((await run(rescheduled[0]!, (e) => void aside.push(e))).next!);
    expect(rescheduled.map((j) => [j.name, j.data.due])).toEqual([
      ['warning', 'resolve'],
      ['overdue', 'resolve'],
    ]);
    // The stale job of the old deadline leads to the same next job as the new chain.
    expect((await run(resolveOverdue)).next!.jobId).toBe(rescheduled[1]!.jobId);
    expect(rescheduled[1]!.data.dueAt).toBe(Date.parse(later));
    expect(rescheduled[1]!.jobId).not.toBe(resolveOverdue.jobId);
    expect(raiseAlert(rescheduled[1]!.data, alertDeps())).toBe('raised');
    expect(emitted.filter((e) => e.ticketId === ticket.id).map((e) => [e.kind, e.due])).toEqual([
      ['warning', 'resolve'],
      ['overdue', 'resolve'],
    ]);
    expect(aside.map((e) => [e.kind, e.due])).toEqual([
      ['warning', 'ack'],
      ['warning', 'resolve'],
    ]);
    // Nothing is left to schedule once every alert of the open deadlines has been raised.
    expect((await run(rescheduled[1]!)).next).toBeNull();
  });
});
