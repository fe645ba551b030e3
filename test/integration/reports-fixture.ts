/**
 * Call, callback, operator-state and ticket records whose every report figure is known by hand,
 * for the reports' tests. The period is 1–2 December 2026, local days (UTC+7); `L(day, h, m, s)`
 * is a local time. The expected figures are worked out next to each record in the tests.
 */
import { asc } from 'drizzle-orm';
import type { AgentState, NotReadyReason } from '../../common/domain.ts';
import type { Db } from '../../server/db/index.ts';
import {
  agencies,
  callbackAttempts,
  callbacks,
  calls,
  operatorStateChanges,
  tickets,
  units,
} from '../../server/db/schema.ts';

/** A local (UTC+7) time in December 2026; day 0 is 30 November. */
export const L = (day: number, h = 0, m = 0, s = 0): Date => new Date(Date.UTC(2026, 11, day, h - 7, m, s));
/** After the period: the reports look back from its end. */
export const NOW = L(7, 10);
export const SEC = 1000;

export interface Seeded {
  operators: { hoa: number; minh: number; third: number };
  units: { first: { code: string; name: string }; second: { code: string; name: string } };
  agencies: { syt: number; sct: number };
}

export function seedReportRecords(db: Db, ids: { tdv01: number; tdv02: number; tdv03: number }): Seeded {
  const { tdv01, tdv02, tdv03 } = ids;
  let n = 0;
  const call = (
    arrivedAt: Date,
    opts: {
      queueAfterS?: number | null;
      answerAfterS?: number;
      abandonAfterS?: number;
      talkS?: number | null;
      operatorId?: number;
      endReason?: (typeof calls.$inferInsert)['endReason'];
    },
  ): string => {
    const id = `report-call-${++n}`;
    const queuedAt =
      opts.queueAfterS === null ? null : new Date(arrivedAt.getTime() + (opts.queueAfterS ?? 10) * SEC);
    const answeredAt =
      queuedAt && opts.answerAfterS !== undefined
        ? new Date(queuedAt.getTime() + opts.answerAfterS * SEC)
        : null;
    const leftQueueAt =
      queuedAt && opts.abandonAfterS !== undefined
        ? new Date(queuedAt.getTime() + opts.abandonAfterS * SEC)
        : answeredAt;
    const talk = opts.talkS ?? null;
    db.insert(calls)
      .values({
        id,
        callerNumber: `09120000${String(n).padStart(2, '0')}`,
        arrivedAt,
        queue: queuedAt ? 'health' : null,
        queuedAt,
        leftQueueAt,
        answeredAt,
        operatorId: opts.operatorId ?? null,
        endedAt:
          answeredAt && talk !== null
            ? new Date(answeredAt.getTime() + talk * SEC)
            : answeredAt
              ? null
              : (leftQueueAt ?? new Date(arrivedAt.getTime() + 20 * SEC)),
        endReason:
          opts.endReason ??
          (answeredAt
            ? talk === null
              ? null
              : 'agent_hung_up'
            : opts.abandonAfterS !== undefined
              ? 'abandoned_in_queue'
              : 'caller_hung_up_in_menu'),
        waitSeconds: opts.answerAfterS ?? opts.abandonAfterS ?? null,
        talkSeconds: talk,
      })
      .run();
    return id;
  };

  // ── Calls (service level 20 s, short abandon 5 s) ──
  // c5: arrives exactly at local midnight starting 1 Dec (17:00 UTC on 30 Nov): hour 0 of 1 Dec.
  call(L(1, 0, 0, 0), { answerAfterS: 5, talkS: 30, operatorId: tdv01 });
  // c6: arrives 10 s before that midnight (30 Nov): not in the calls report; answered at 00:00:05
  // on 1 Dec, so it is in tdv03's handled calls.
  call(L(1, 0, 0, -10), { queueAfterS: 5, answerAfterS: 10, talkS: 40, operatorId: tdv03 });
  // Hour 8 of 1 Dec: answered within 20 s, answered after 40 s, abandoned after 3 s (short).
  call(L(1, 8, 0, 0), { answerAfterS: 15, talkS: 120, operatorId: tdv01 });
  call(L(1, 8, 30, 0), { answerAfterS: 40, talkS: 60, operatorId: tdv02 });
  const c3 = call(L(1, 8, 45, 0), { abandonAfterS: 3 });
  // Hour 9: a caller who hung up in the menu never reached a queue: not offered.
  call(L(1, 9, 0, 0), { queueAfterS: null });
  // Hour 10: abandoned after 30 s.
  call(L(1, 10, 0, 0), { abandonAfterS: 30 });
  // 2 Dec: answered at exactly 20 s (within), still talking (no talk time yet); a callback
  // request in the last second of the day (offered, neither answered nor abandoned).
  call(L(2, 14, 0, 0), { answerAfterS: 20, talkS: null, operatorId: tdv02 });
  call(L(2, 23, 59, 59), { queueAfterS: 0, endReason: 'callback_requested' });
  // 3 Dec 00:00 local: after the period.
  call(L(3, 0, 0, 0), { answerAfterS: 1, talkS: 10, operatorId: tdv01 });

  // ── Callbacks ──
  let citizen = 0;
  const task = (values: Partial<typeof callbacks.$inferInsert> & { createdAt: Date }): number =>
    db
      .insert(callbacks)
      .values({
        // One open task per number.
        callerNumber: `09130000${String(++citizen).padStart(2, '0')}`,
        queue: 'health',
        callId: c3,
        waitingSince: values.createdAt,
        lastRequestAt: values.createdAt,
        ...values,
      })
      .returning({ id: callbacks.id })
      .get().id;
  const attempt = (callbackId: number, startedAt: Date, outcome: 'reached' | 'no_answer' | 'busy') =>
    db
      .insert(callbackAttempts)
      .values({
        callbackId,
        operatorId: tdv01,
        startedAt,
        endedAt: new Date(startedAt.getTime() + 30 * SEC),
        outcome,
      })
      .run();
  const cb1 = task({ createdAt: L(1, 8, 45, 5), status: 'reached', closedAt: L(1, 9), attempts: 1 });
  attempt(cb1, L(1, 8, 55), 'reached');
  const cb2 = task({
    createdAt: L(1, 10, 0, 30),
    status: 'given_up',
    closedAt: L(2, 9),
    givenUpReason: 'attempts_exhausted',
    attempts: 3,
  });
  attempt(cb2, L(1, 11), 'no_answer');
  attempt(cb2, L(2, 8), 'busy');
  attempt(cb2, L(2, 8, 55), 'no_answer');
  task({ createdAt: L(2, 15) });
  // Opened before the period and still open.
  task({ createdAt: L(0, 20) });
  // Opened on 2 Dec, reached after the period: open at its end.
  task({ createdAt: L(2, 16), status: 'reached', closedAt: L(3, 8) });

  // ── Operator states ──
  const state = (operatorId: number, at: Date, s: AgentState, reason: NotReadyReason | null = null) =>
    db.insert(operatorStateChanges).values({ operatorId, state: s, reason, at }).run();
  // tdv01: on a break since before the period; ready 01:00–08:00 and 08:02:30–12:00; wrap-up 30 s;
  // training 12:00–13:00; offline from 13:00 to the end.
  state(tdv01, L(0, 20), 'ready');
  state(tdv01, L(0, 22), 'not_ready', 'break');
  state(tdv01, L(1, 1), 'ready');
  state(tdv01, L(1, 8), 'on_call');
  state(tdv01, L(1, 8, 2), 'wrap_up');
  state(tdv01, L(1, 8, 2, 30), 'ready');
  state(tdv01, L(1, 12), 'not_ready', 'training');
  state(tdv01, L(1, 13), 'offline');
  // tdv02: ready 08:00–10:00 and 10:05–23:00 on 2 Dec, a missed call in between; connection lost
  // at 23:00 until after the period's end.
  state(tdv02, L(2, 8), 'ready');
  state(tdv02, L(2, 10), 'not_ready', 'missed_call');
  state(tdv02, L(2, 10, 5), 'ready');
  state(tdv02, L(2, 23), 'not_ready', 'connection_lost');
  state(tdv02, L(3, 1), 'offline');

  // ── Tickets ──
  const [first, second] = db
    .select({ code: units.code, name: units.name })
    .from(units)
    .orderBy(asc(units.code))
    .limit(2)
    .all();
  if (!first || !second) throw new Error('the demo units are missing');
  const agencyId = (code: string) => {
    const found = db
      .select({ id: agencies.id, code: agencies.code })
      .from(agencies)
      .all()
      .find((a) => a.code === code);
    if (!found) throw new Error(`no agency ${code}`);
    return found.id;
  };
  const syt = agencyId('syt');
  const sct = agencyId('sct');
  let code = 100000000;
  const ticket = (values: Partial<typeof tickets.$inferInsert> & { createdAt: Date }) =>
    db
      .insert(tickets)
      .values({
        trackingCode: String(++code),
        callerNumber: '0912000088',
        category: 'health',
        description: 'x',
        agencyId: syt,
        createdBy: tdv01,
        status: 'assigned',
        ...values,
      })
      .run();
  // t1: resolved on time in the period.
  ticket({
    createdAt: L(1, 9),
    unitCode: first.code,
    status: 'resolved',
    resolvedAt: L(2, 10),
    resolveDueAt: L(2, 12),
  });
  // t2: resolved late in the period.
  ticket({
    createdAt: L(1, 10),
    unitCode: first.code,
    status: 'closed',
    resolvedAt: L(2, 15),
    resolveDueAt: L(2, 8),
  });
  // t3: in progress, its resolution deadline passed before the period's end: overdue.
  ticket({
    createdAt: L(2, 9),
    category: 'goods',
    agencyId: sct,
    unitCode: second.code,
    status: 'in_progress',
    ackedAt: L(2, 9, 30),
    resolveDueAt: L(2, 20),
  });
  // t4: created before the period, no commune, never acknowledged past its deadline: overdue.
  ticket({
    createdAt: L(-5),
    category: 'goods',
    agencyId: sct,
    unitCode: null,
    ackDueAt: L(1, 12),
    resolveDueAt: L(10),
  });
  // t5: resolved after the period, but overdue at its end.
  ticket({
    createdAt: L(-10),
    unitCode: second.code,
    status: 'resolved',
    ackedAt: L(-9),
    resolvedAt: L(5),
    resolveDueAt: L(2, 10),
  });
  // t6: created in the period, deadlines after it: not overdue.
  ticket({ createdAt: L(2, 11), unitCode: first.code, ackDueAt: L(5), resolveDueAt: L(20) });
  // t7: done before the period: nothing.
  ticket({
    createdAt: L(-2),
    category: 'goods',
    agencyId: sct,
    unitCode: second.code,
    status: 'resolved',
    resolvedAt: L(0, 9),
    resolveDueAt: L(3),
  });
  // t8: created after the period.
  ticket({ createdAt: L(3, 10), ackDueAt: L(3, 12) });

  return {
    operators: { hoa: tdv01, minh: tdv02, third: tdv03 },
    units: { first, second },
    agencies: { syt, sct },
  };
}
