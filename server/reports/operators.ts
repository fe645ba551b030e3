/**
 * Per operator over a period: calls answered and their talk (by answer time), and the time spent
 * in wrap-up, ready, and not ready by reason, from the log of every state they entered
 * (`operator_state_changes`). A state lasts until the operator's next row; the state in effect at
 * the period's start counts from the start, and the last one runs to the period's end (or now,
 * for a period still running).
 */
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { OperatorReportRow, OperatorsReport } from '../../common/api.ts';
import { type AgentState, NOT_READY_REASONS, type NotReadyReason } from '../../common/domain.ts';
import type { Db } from '../db/index.ts';
import { calls, operatorStateChanges, users } from '../db/schema.ts';
import { DAY_MS, type LocalPeriod } from './period.ts';

interface StateRow {
  operatorId: number;
  state: AgentState;
  reason: NotReadyReason | null;
  at: number;
}

interface Times {
  readyMs: number;
  wrapUpMs: number;
  notReadyMs: Record<NotReadyReason, number>;
}

const noTimes = (): Times => ({
  readyMs: 0,
  wrapUpMs: 0,
  notReadyMs: Object.fromEntries(NOT_READY_REASONS.map((r) => [r, 0])) as Record<NotReadyReason, number>,
});

/**
 * The state each operator (or supervisor) was in at `start`: their last row before it. One look-up
 * per person walks the log's time index back from `start` and stops at their latest row, which
 * is quick for anyone who works; someone who never logged in costs one walk of the history.
 */
function statesAt(db: Db, start: Date): StateRow[] {
  const people = db
    .select({ id: users.id })
    .from(users)
    .where(inArray(users.role, ['operator', 'supervisor']))
    .all();
  const latest = db
    .select({ state: operatorStateChanges.state, reason: operatorStateChanges.reason })
    .from(operatorStateChanges)
    .where(
      and(
        eq(operatorStateChanges.operatorId, sql.placeholder('operatorId')),
        lt(operatorStateChanges.at, sql.placeholder('start')),
      ),
    )
    .orderBy(desc(operatorStateChanges.at), desc(operatorStateChanges.id))
    .limit(1)
    .prepare();
  return people.flatMap(({ id }) => {
    const row = latest.get({ operatorId: id, start: start.getTime() });
    return row ? [{ operatorId: id, ...row, at: start.getTime() }] : [];
  });
}

/** Each operator's states from `start` to `end`: the one in effect at `start`, then every change. */
function stateRows(db: Db, start: Date, end: Date): StateRow[] {
  const during = db
    .select({
      operatorId: operatorStateChanges.operatorId,
      state: operatorStateChanges.state,
      reason: operatorStateChanges.reason,
      at: operatorStateChanges.at,
    })
    .from(operatorStateChanges)
    .where(and(gte(operatorStateChanges.at, start), lt(operatorStateChanges.at, end)))
    .orderBy(asc(operatorStateChanges.at), asc(operatorStateChanges.id))
    .all();
  return [...statesAt(db, start), ...during.map((r) => ({ ...r, at: r.at.getTime() }))];
}

/** Time in each state per operator, clipped to [start, end). */
export function stateTimes(rows: readonly StateRow[], start: Date, end: Date): Map<number, Times> {
  const byOperator = new Map<number, StateRow[]>();
  for (const row of rows) {
    const list = byOperator.get(row.operatorId) ?? [];
    list.push(row);
    byOperator.set(row.operatorId, list);
  }
  const out = new Map<number, Times>();
  for (const [operatorId, list] of byOperator) {
    list.sort((a, b) => a.at - b.at);
    const times = noTimes();
    list.forEach((row, i) => {
      const from = Math.max(row.at, start.getTime());
      const to = Math.min(list[i + 1]?.at ?? end.getTime(), end.getTime());
      const ms = Math.max(0, to - from);
      if (row.state === 'ready') times.readyMs += ms;
      else if (row.state === 'wrap_up') times.wrapUpMs += ms;
      // A not-ready row always carries its reason (state-log.ts); one without is not guessed at.
      else if (row.state === 'not_ready' && row.reason) times.notReadyMs[row.reason] += ms;
    });
    out.set(operatorId, times);
  }
  return out;
}

const seconds = (ms: number) => Math.round(ms / 1000);

export function operatorsReport(db: Db, period: LocalPeriod, now: Date): OperatorsReport {
  const end = new Date(Math.max(period.start.getTime(), Math.min(period.end.getTime(), now.getTime())));
  const times = stateTimes(stateRows(db, period.start, end), period.start, end);
  const handled = new Map(
    db
      .select({
        operatorId: calls.operatorId,
        handled: sql<number>`count(*)`,
        talkSeconds: sql<number>`coalesce(sum(${calls.talkSeconds}), 0)`,
        talked: sql<number>`count(${calls.talkSeconds})`,
      })
      .from(calls)
      .where(
        and(
          isNotNull(calls.operatorId),
          // No call waits a day in a queue: the arrival index narrows the scan.
          gte(calls.arrivedAt, new Date(period.start.getTime() - DAY_MS)),
          lt(calls.arrivedAt, period.end),
          gte(calls.answeredAt, period.start),
          lt(calls.answeredAt, period.end),
        ),
      )
      .groupBy(calls.operatorId)
      .all()
      .map((r) => [r.operatorId as number, r]),
  );
  // Every enabled operator, and anyone else with something to show (a supervisor who answered, a
  // since-disabled operator).
  const people = db
    .select({ id: users.id, displayName: users.displayName, role: users.role, disabledAt: users.disabledAt })
    .from(users)
    .all()
    .filter((u) => (u.role === 'operator' && u.disabledAt === null) || handled.has(u.id) || times.has(u.id));
  const rows: OperatorReportRow[] = people.map((u) => {
    const h = handled.get(u.id);
    const t = times.get(u.id) ?? noTimes();
    const talked = h?.talked ?? 0;
    return {
      operatorId: u.id,
      displayName: u.displayName,
      handled: h?.handled ?? 0,
      talkSeconds: h?.talkSeconds ?? 0,
      averageTalkSeconds: talked > 0 ? Math.round(((h?.talkSeconds ?? 0) / talked) * 10) / 10 : null,
      wrapUpSeconds: seconds(t.wrapUpMs),
      notReadySeconds: Object.fromEntries(
        NOT_READY_REASONS.map((r) => [r, seconds(t.notReadyMs[r])]),
      ) as Record<NotReadyReason, number>,
      readySeconds: seconds(t.readyMs),
    };
  });
  rows.sort((a, b) => a.displayName.localeCompare(b.displayName, 'vi') || a.operatorId - b.operatorId);
  return { period: { from: period.from, to: period.to }, rows };
}
