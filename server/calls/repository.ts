/** Reads and writes of call records. Writers take a transaction handle; readers the database. */
import { and, asc, desc, eq, gte, isNotNull, lt, sql } from 'drizzle-orm';
import type { CallEventView, CallOfferView, CallRecordDetail, CallRecordView } from '../../common/api.ts';
import type { QueueName } from '../../common/domain.ts';
import { users } from '../auth/schema.ts';
import type { Db } from '../db/index.ts';
import { preparedOnce } from '../db/prepared.ts';
import { operatorStateChanges } from '../operators/schema.ts';
import type { Tx } from '../outbox/outbox.ts';
import { maskPhone } from '../tickets/repository.ts';
import { tickets } from '../tickets/schema.ts';
import { type CallRow, callEvents, callOffers, calls } from './schema.ts';
import type { QueuedCallFacts } from './stats.ts';

const HOUR = 3600_000;
/** No caller waits this long; bounds the statistics query to an indexed range. */
const LONGEST_PLAUSIBLE_WAIT_MS = 24 * HOUR;
/** Longer than any wrap-up: a later state change was not the end of one (e.g. it went unlogged). */
const LONGEST_PLAUSIBLE_WRAP_UP_MS = 10 * 60_000;

const callById = preparedOnce((tx: Tx) =>
  tx
    .select()
    .from(calls)
    .where(eq(calls.id, sql.placeholder('id')))
    .prepare(),
);

export function findCall(tx: Tx, callId: string): CallRow | undefined {
  return callById(tx).get({ id: callId });
}

/** How many times an operator's softphone rang for the call. */
export function offerCount(db: Db, callId: string): number {
  return (
    db.select({ n: sql<number>`count(*)` }).from(callOffers).where(eq(callOffers.callId, callId)).get()?.n ??
    0
  );
}

/** Calls that joined a queue and were answered or abandoned at `since` or later. */
export function queuedCallFactsSince(db: Db, since: Date): QueuedCallFacts[] {
  const rows = db
    .select({
      queue: calls.queue,
      queuedAt: calls.queuedAt,
      answeredAt: calls.answeredAt,
      endedAt: calls.endedAt,
      endReason: calls.endReason,
    })
    .from(calls)
    .where(
      and(
        gte(calls.queuedAt, new Date(since.getTime() - LONGEST_PLAUSIBLE_WAIT_MS)),
        isNotNull(calls.queue),
        sql`(${calls.answeredAt} >= ${since.getTime()} or ${calls.endedAt} >= ${since.getTime()})`,
      ),
    )
    .all();
  return rows.flatMap((r) => (r.queue && r.queuedAt ? [{ ...r, queue: r.queue, queuedAt: r.queuedAt }] : []));
}

/**
 * Queue, queue join and answer of the calls answered since `since`, oldest answer first (the
 * queue-join index bounds the search: no call waits a day); for a call over, when its end and
 * its operator's wrap-up after it (their next state other than wrap-up, at most
 * `LONGEST_PLAUSIBLE_WRAP_UP_MS` later) were over.
 */
export function answeredSince(
  db: Db,
  since: Date,
): { queue: QueueName; queuedAt: Date; answeredAt: Date; handledUntil: Date | null }[] {
  const rows = db
    .select({
      queue: calls.queue,
      queuedAt: calls.queuedAt,
      answeredAt: calls.answeredAt,
      endedAt: calls.endedAt,
      wrapUpEnd: sql<
        number | null
      >`(select min(s.at) from ${operatorStateChanges} s where s.operator_id = ${calls.operatorId} and s.at >= ${calls.endedAt} and s.state != 'wrap_up')`,
    })
    .from(calls)
    .where(
      and(
        gte(calls.queuedAt, new Date(since.getTime() - LONGEST_PLAUSIBLE_WAIT_MS)),
        gte(calls.answeredAt, since),
        isNotNull(calls.queue),
      ),
    )
    .orderBy(asc(calls.answeredAt))
    .all();
  return rows.flatMap((r) => {
    if (!r.queue || !r.queuedAt || !r.answeredAt) return [];
    const ended = r.endedAt?.getTime() ?? null;
    const wrapUpEnd =
      ended !== null && r.wrapUpEnd !== null && r.wrapUpEnd - ended <= LONGEST_PLAUSIBLE_WRAP_UP_MS
        ? r.wrapUpEnd
        : ended;
    return [
      {
        queue: r.queue,
        queuedAt: r.queuedAt,
        answeredAt: r.answeredAt,
        handledUntil: wrapUpEnd === null ? null : new Date(wrapUpEnd),
      },
    ];
  });
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toView(row: CallRow, operatorName: string | null, opts: { maskCaller: boolean }): CallRecordView {
  return {
    id: row.id,
    callerNumber: opts.maskCaller ? maskPhone(row.callerNumber) : row.callerNumber,
    arrivedAt: row.arrivedAt.toISOString(),
    menuPath: row.menuPath,
    queue: row.queue,
    queuedAt: iso(row.queuedAt),
    leftQueueAt: iso(row.leftQueueAt),
    answeredAt: iso(row.answeredAt),
    operator: row.operatorId !== null ? { id: row.operatorId, displayName: operatorName ?? '' } : null,
    endedAt: iso(row.endedAt),
    endReason: row.endReason,
    waitSeconds: row.waitSeconds,
    talkSeconds: row.talkSeconds,
    recording: row.recording && row.recordingKind ? { kind: row.recordingKind, name: row.recording } : null,
  };
}

/** Calls that arrived in [from, to), newest first, callers' numbers masked. */
export function listCalls(db: Db, opts: { from: Date; to: Date; limit: number }): CallRecordView[] {
  return db
    .select({ call: calls, operatorName: users.displayName })
    .from(calls)
    .leftJoin(users, eq(users.id, calls.operatorId))
    .where(and(gte(calls.arrivedAt, opts.from), lt(calls.arrivedAt, opts.to)))
    .orderBy(desc(calls.arrivedAt))
    .limit(opts.limit)
    .all()
    .map((r) => toView(r.call, r.operatorName, { maskCaller: true }));
}

export function callDetail(db: Db, callId: string, opts: { maskCaller: boolean }): CallRecordDetail | null {
  const found = db
    .select({ call: calls, operatorName: users.displayName })
    .from(calls)
    .leftJoin(users, eq(users.id, calls.operatorId))
    .where(eq(calls.id, callId))
    .get();
  if (!found) return null;
  const offers: CallOfferView[] = db
    .select()
    .from(callOffers)
    .where(eq(callOffers.callId, callId))
    .orderBy(asc(callOffers.id))
    .all()
    .map((o) => ({
      operatorId: o.operatorId,
      offeredAt: o.offeredAt.toISOString(),
      endedAt: iso(o.endedAt),
      outcome: o.outcome,
    }));
  const events: CallEventView[] = db
    .select()
    .from(callEvents)
    .where(eq(callEvents.callId, callId))
    .orderBy(asc(callEvents.id))
    .all()
    .map((e) => ({ at: e.at.toISOString(), type: e.type, operatorId: e.operatorId, detail: e.detail }));
  const linked = db
    .select({ id: tickets.id, trackingCode: tickets.trackingCode })
    .from(tickets)
    .where(eq(tickets.callId, callId))
    .orderBy(asc(tickets.id))
    .all();
  return { ...toView(found.call, found.operatorName, opts), offers, events, tickets: linked };
}
