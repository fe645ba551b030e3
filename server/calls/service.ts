/**
 * Keeps call records from the controller's events (`CallRecorder`), opens a callback task for
 * every call that ends owing the citizen a call (hung up while waiting, asked for a callback, left
 * a message after hours), and gives the wallboard today's figures. Events are buffered and
 * written in order, in one transaction per event-loop turn, so the controller's event path never
 * waits for SQLite; a failure is logged, never thrown back into the call controller.
 * Logs carry call ids, never phone numbers.
 */
import { and, desc, eq, isNull, like, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { OfferOutcome, QueueName } from '../../common/domain.ts';
import type { WallboardSnapshot } from '../../common/events.ts';
import type { CallRecordEvent, CallRecorder } from '../../ivr/api.ts';
import { callbackRequestFor } from '../callbacks/rules.ts';
import { closeOnAnsweredCall, recordCallbackRequest } from '../callbacks/service.ts';
import type { Db } from '../db/index.ts';
import { definedValues, preparedOnce, preparedPerColumns } from '../db/prepared.ts';
import type { Tx } from '../outbox/outbox.ts';
import { recordNumberView } from '../tickets/repository.ts';
import { answeredSince, findCall, offerCount, queuedCallFactsSince } from './repository.ts';
import { type CallRow, callEvents, callOffers, calls } from './schema.ts';
import { createEventSpool, type SpooledEvent } from './spool.ts';
import {
  figuresOf,
  type QueueTallies,
  startOfLocalDay,
  tallyAbandon,
  tallyAnswer,
  tallyCalls,
  VIETNAM_UTC_OFFSET_MINUTES,
  withFigures,
} from './stats.ts';

const seconds = (from: Date, to: Date) => Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));

function detailOf(e: CallRecordEvent): string | null {
  switch (e.type) {
    case 'digit':
      return e.digit;
    case 'queued':
      return e.queue;
    case 'offerEnded':
      return e.outcome;
    case 'ended':
      return e.reason;
    case 'recorded':
      return `${e.kind}:${e.name}`;
    default:
      return null;
  }
}

const MESSAGE_PREFIX = 'message:';

/** Hang-ups within this many seconds of joining the queue are left out of the service level. */
export const DEFAULT_SHORT_ABANDON_SECONDS = 5;

/** Waits between replays of the spool: quick at first, then every 5 s while it fails. */
const REPLAY_DELAYS_MS = [100, 500, 2000, 5000];
/** Replays an event may fail, while others succeed, before it is set aside. */
const SET_ASIDE_AFTER_TRIES = 20;

/** The stored-recording name of the caller's latest message on this call, if one was recorded. */
function recordedMessage(tx: Tx, callId: string): string | null {
  const row = tx
    .select({ detail: callEvents.detail })
    .from(callEvents)
    .where(
      and(
        eq(callEvents.callId, callId),
        eq(callEvents.type, 'recorded'),
        like(callEvents.detail, `${MESSAGE_PREFIX}%`),
      ),
    )
    .orderBy(desc(callEvents.id))
    .get();
  return row?.detail ? row.detail.slice(MESSAGE_PREFIX.length) : null;
}

/** What a written event adds to the wallboard's figures: a first answer, or a hang-up while waiting. */
export type FigureChange =
  | { kind: 'answered'; queue: QueueName; at: Date; waitMs: number }
  | { kind: 'abandoned'; queue: QueueName; at: Date; waitMs: number };

export interface AppliedCallEvent {
  /** False when the call is unknown (no `arrived`). */
  known: boolean;
  callbackId?: number;
  figure?: FigureChange;
}

// Every call writes these a dozen times: built and prepared once (see db/prepared.ts).
const insertArrived = preparedOnce((tx: Tx) =>
  tx
    .insert(calls)
    .values({
      id: sql.placeholder('id'),
      callerNumber: sql.placeholder('callerNumber'),
      arrivedAt: sql.placeholder('at'),
    })
    .onConflictDoNothing()
    .prepare(),
);
const insertEvent = preparedOnce((tx: Tx) =>
  tx
    .insert(callEvents)
    .values({
      callId: sql.placeholder('callId'),
      at: sql.placeholder('at'),
      type: sql.placeholder('type'),
      operatorId: sql.placeholder('operatorId'),
      detail: sql.placeholder('detail'),
    })
    .prepare(),
);
const appendDigit = preparedOnce((tx: Tx) =>
  tx
    .update(calls)
    .set({ menuPath: sql`${calls.menuPath} || ${sql.placeholder('digit')}` })
    .where(eq(calls.id, sql.placeholder('id')))
    .prepare(),
);
/** Sets the fields given (undefined ones are left alone, nulls written as null). */
const updateCall = preparedPerColumns((tx: Tx, columns) =>
  tx
    .update(calls)
    .set(columns as unknown as Partial<CallRow>)
    .where(eq(calls.id, sql.placeholder('id')))
    .prepare(),
);
const insertOffer = preparedOnce((tx: Tx) =>
  tx
    .insert(callOffers)
    .values({
      callId: sql.placeholder('callId'),
      operatorId: sql.placeholder('operatorId'),
      offeredAt: sql.placeholder('at'),
    })
    .prepare(),
);
const endOperatorOffer = preparedOnce((tx: Tx) =>
  tx
    .update(callOffers)
    .set({
      outcome: sql.placeholder('outcome') as unknown as OfferOutcome,
      endedAt: sql.placeholder('at') as unknown as Date,
    })
    .where(
      and(
        eq(callOffers.callId, sql.placeholder('callId')),
        eq(callOffers.operatorId, sql.placeholder('operatorId')),
        isNull(callOffers.outcome),
      ),
    )
    .prepare(),
);
const endRingingOffers = preparedOnce((tx: Tx) =>
  tx
    .update(callOffers)
    .set({
      outcome: sql.placeholder('outcome') as unknown as OfferOutcome,
      endedAt: sql.placeholder('at') as unknown as Date,
    })
    .where(and(eq(callOffers.callId, sql.placeholder('callId')), isNull(callOffers.outcome)))
    .prepare(),
);

function setCall(tx: Tx, id: string, values: Partial<Omit<CallRow, 'id'>>): void {
  const defined = definedValues(values);
  updateCall(tx, defined).run({ ...defined, id });
}

/**
 * Applies one event to the call's record. Pass the root `Db` (inside `db.transaction`) to reuse
 * the prepared statements; a transaction handle works too, preparing them again.
 */
export function applyCallEvent(tx: Tx, e: CallRecordEvent): AppliedCallEvent {
  if (e.type === 'arrived') insertArrived(tx).run({ id: e.callId, callerNumber: e.callerNumber, at: e.at });
  const call = findCall(tx, e.callId);
  if (!call) return { known: false };
  insertEvent(tx).run({
    callId: e.callId,
    at: e.at,
    type: e.type,
    operatorId: 'operatorId' in e ? e.operatorId : null,
    detail: detailOf(e),
  });
  switch (e.type) {
    case 'arrived':
      return { known: true };
    case 'digit':
      appendDigit(tx).run({ id: e.callId, digit: e.digit });
      return { known: true };
    case 'queued':
      setCall(tx, e.callId, { queue: e.queue, queuedAt: call.queuedAt ?? e.at });
      return { known: true };
    case 'offered':
      insertOffer(tx).run({ callId: e.callId, operatorId: e.operatorId, at: e.at });
      // The offer pops the caller's full number on the operator's console (and their softphone).
      recordNumberView(
        tx,
        { actorId: e.operatorId, entity: 'call', entityId: e.callId, via: 'screen_pop' },
        e.at,
      );
      return { known: true };
    case 'offerEnded':
      endOperatorOffer(tx).run({ callId: e.callId, operatorId: e.operatorId, outcome: e.outcome, at: e.at });
      return { known: true };
    case 'recorded':
      setCall(tx, e.callId, { recording: e.name, recordingKind: e.kind });
      return { known: true };
    case 'answered': {
      const queuedAt = call.queuedAt ?? e.at;
      const figure: FigureChange | undefined =
        call.answeredAt === null && call.queue !== null && call.queuedAt !== null
          ? {
              kind: 'answered',
              queue: call.queue,
              at: e.at,
              waitMs: e.at.getTime() - call.queuedAt.getTime(),
            }
          : undefined;
      setCall(tx, e.callId, {
        operatorId: e.operatorId,
        answeredAt: call.answeredAt ?? e.at,
        leftQueueAt: call.leftQueueAt ?? e.at,
        waitSeconds: call.waitSeconds ?? seconds(queuedAt, e.at),
      });
      // The citizen is talking to an operator: the call the hotline owed them is no longer owed.
      const closed =
        call.answeredAt === null ? closeOnAnsweredCall(tx, call.callerNumber, e.callId, e.at) : null;
      return {
        known: true,
        ...(closed !== null ? { callbackId: closed } : {}),
        ...(figure ? { figure } : {}),
      };
    }
    case 'operatorLost':
      // The talk was lost; the caller waits again, and a later answer names the next operator.
      return { known: true };
    case 'ended': {
      const waited = call.queuedAt !== null && call.leftQueueAt === null;
      setCall(tx, e.callId, {
        endedAt: e.at,
        endReason: e.reason,
        ...(waited && call.queuedAt ? { leftQueueAt: e.at, waitSeconds: seconds(call.queuedAt, e.at) } : {}),
        ...(call.answeredAt ? { talkSeconds: seconds(call.answeredAt, e.at) } : {}),
      });
      // An offer still ringing when the call ended without the controller saying how.
      endRingingOffers(tx).run({
        callId: e.callId,
        outcome: e.reason === 'error' ? 'failed' : 'withdrawn',
        at: e.at,
      });
      const figure: FigureChange | undefined =
        e.reason === 'abandoned_in_queue' && call.answeredAt === null && call.queue !== null && call.queuedAt
          ? {
              kind: 'abandoned',
              queue: call.queue,
              at: e.at,
              waitMs: e.at.getTime() - call.queuedAt.getTime(),
            }
          : undefined;
      const message = e.reason === 'after_hours_message' ? recordedMessage(tx, e.callId) : null;
      const request = callbackRequestFor(call, e.reason, e.at, message);
      const callbackId = request
        ? recordCallbackRequest(tx, call.callerNumber, request).callbackId
        : undefined;
      return {
        known: true,
        ...(callbackId !== undefined ? { callbackId } : {}),
        ...(figure ? { figure } : {}),
      };
    }
  }
}

export interface CallRecords extends Required<CallRecorder> {
  /** Writes the buffered events now; readers that must see every event so far call this first. */
  flush(): void;
  /** The live snapshot with today's answered, abandoned, service level and speed of answer per queue. */
  addFigures(snapshot: WallboardSnapshot, at: Date): WallboardSnapshot;
}

export function createCallRecords(deps: {
  db: Db;
  logger: Logger;
  /** Answers within this many seconds of joining the queue count toward the service level. */
  serviceLevelSeconds: number;
  /** Abandons within this many seconds are left out of the service level; 5 s by default. */
  shortAbandonSeconds?: number;
  /** Told after a call opened or joined a callback task. */
  onCallbackChanged?: (callbackId: number) => void;
  utcOffsetMinutes?: number;
  /**
   * Where events that fail to write wait for the next try (see `spool.ts`); replayed here first.
   * Without it (an in-memory database) a failed event is only logged.
   */
  spoolPath?: string | null;
}): CallRecords {
  const { db, logger, serviceLevelSeconds } = deps;
  const shortAbandonSeconds = deps.shortAbandonSeconds ?? DEFAULT_SHORT_ABANDON_SECONDS;
  const offset = deps.utcOffsetMinutes ?? VIETNAM_UTC_OFFSET_MINUTES;
  const pending: CallRecordEvent[] = [];
  let scheduled: NodeJS.Immediate | null = null;
  /** Today's sums, seeded from SQLite and then kept up to date as events are written. */
  let today: { since: number; tallies: QueueTallies } | null = null;

  const count = (change: FigureChange) => {
    const t = today && change.at.getTime() >= today.since ? today.tallies.get(change.queue) : undefined;
    if (!t) return;
    if (change.kind === 'answered') tallyAnswer(t, change.waitMs, serviceLevelSeconds);
    else tallyAbandon(t, change.waitMs, shortAbandonSeconds);
  };
  const logResult = (event: CallRecordEvent, result: AppliedCallEvent) => {
    if (result.figure) count(result.figure);
    if (!result.known) {
      logger.warn({ callId: event.callId, event: event.type }, 'call event for an unknown call');
    } else if (event.type === 'ended') {
      logger.info(
        { callId: event.callId, reason: event.reason, callbackId: result.callbackId },
        'call recorded',
      );
    } else if (event.type === 'answered' && result.callbackId !== undefined) {
      logger.info(
        { callId: event.callId, callbackId: result.callbackId },
        'callback task closed: the citizen got through',
      );
    }
    if (result.known && result.callbackId !== undefined) deps.onCallbackChanged?.(result.callbackId);
  };
  const spool = deps.spoolPath
    ? createEventSpool(deps.spoolPath, () =>
        logger.error('a damaged line in the call event spool was skipped'),
      )
    : null;
  /** Events wait in the spool: new ones join them there, so a call's events stay in order. */
  let spooling = false;
  let replayTimer: NodeJS.Timeout | null = null;
  let replays = 0;

  const toSpool = (event: CallRecordEvent, err: unknown) => {
    if (!spool) {
      logger.error({ err, callId: event.callId, event: event.type }, 'could not record a call event');
      return;
    }
    try {
      spool.append([{ event, tries: err === undefined ? 0 : 1 }]);
    } catch (spoolErr) {
      logger.error(
        { err, spoolErr, callId: event.callId, event: event.type },
        'could not record or spool a call event',
      );
      return;
    }
    if (err !== undefined)
      logger.warn({ err, callId: event.callId, event: event.type }, 'call event spooled for a later write');
    spooling = true;
    scheduleReplay();
  };
  const scheduleReplay = () => {
    if (replayTimer) return;
    const delay = REPLAY_DELAYS_MS[Math.min(replays, REPLAY_DELAYS_MS.length - 1)]!;
    replays++;
    replayTimer = setTimeout(() => {
      replayTimer = null;
      replay();
    }, delay);
    replayTimer.unref();
  };
  /** Writes what the spool holds, in order; keeps what still fails. */
  const replay = () => {
    if (!spool) return;
    let entries: SpooledEvent[];
    try {
      entries = spool.read();
    } catch (err) {
      logger.error({ err }, 'could not read the call event spool');
      scheduleReplay();
      return;
    }
    const kept: SpooledEvent[] = [];
    let written = 0;
    for (const entry of entries) {
      try {
        logResult(
          entry.event,
          db.transaction(() => applyCallEvent(db, entry.event)),
        );
        written++;
      } catch (err) {
        if (entry.tries === 0)
          logger.warn({ err, callId: entry.event.callId }, 'a spooled call event still fails');
        kept.push({ event: entry.event, tries: entry.tries + 1 });
      }
    }
    // With the database writing again, an event that keeps failing on its own is set aside.
    const hopeless = written > 0 ? kept.filter((e) => e.tries >= SET_ASIDE_AFTER_TRIES) : [];
    const left = kept.filter((e) => !hopeless.includes(e));
    try {
      spool.setAside(hopeless);
      spool.rewrite(left);
    } catch (err) {
      logger.error({ err }, 'could not rewrite the call event spool');
    }
    for (const e of hopeless) {
      logger.error(
        { callId: e.event.callId, event: e.event.type, file: `${spool.path}.rejected` },
        'call event set aside after repeated failures',
      );
    }
    if (written > 0) replays = 0;
    if (entries.length > 0) logger.info({ written, left: left.length }, 'call event spool replayed');
    spooling = left.length > 0 && written === 0;
    if (left.length > 0) scheduleReplay();
  };

  const writeOne = (event: CallRecordEvent) => {
    if (spooling) {
      toSpool(event, undefined);
      return;
    }
    try {
      logResult(
        event,
        db.transaction(() => applyCallEvent(db, event)),
      );
    } catch (err) {
      toSpool(event, err);
    }
  };
  const flush = () => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = null;
    const batch = pending.splice(0);
    if (batch.length === 0) return;
    if (batch.length === 1 || spooling) {
      for (const event of batch) writeOne(event);
      return;
    }
    let results: AppliedCallEvent[];
    try {
      results = db.transaction(() => batch.map((event) => applyCallEvent(db, event)));
    } catch {
      // The whole batch rolled back: write each event on its own, so one bad event costs only itself.
      for (const event of batch) writeOne(event);
      return;
    }
    for (const [i, event] of batch.entries()) logResult(event, results[i]!);
  };

  // Events a previous run could not write go first.
  replay();

  return {
    record(event) {
      pending.push(event);
      scheduled ??= setImmediate(flush);
    },
    flush,
    recall(callId) {
      flush();
      const call = findCall(db, callId);
      if (!call) return null;
      return {
        queue: call.queue,
        queuedAt: call.queuedAt,
        menuPath: call.menuPath,
        answeredAt: call.answeredAt,
        offers: offerCount(db, callId),
        ended: call.endedAt !== null,
      };
    },
    recentWaits(since) {
      flush();
      return answeredSince(db, since).map(({ queue, queuedAt, answeredAt, handledUntil }) => ({
        queue,
        answeredAt,
        waitMs: Math.max(0, answeredAt.getTime() - queuedAt.getTime()),
        ...(handledUntil
          ? {
              handle: {
                endedAt: handledUntil,
                handleMs: Math.max(0, handledUntil.getTime() - answeredAt.getTime()),
              },
            }
          : {}),
      }));
    },
    addFigures(snapshot, at) {
      flush();
      try {
        const since = startOfLocalDay(at, offset);
        if (today?.since !== since.getTime()) {
          // At start and at each new day: from the records; from then on, from each written event.
          today = {
            since: since.getTime(),
            tallies: tallyCalls(queuedCallFactsSince(db, since), {
              since,
              serviceLevelSeconds,
              shortAbandonSeconds,
            }),
          };
        }
        return withFigures(snapshot, figuresOf(today.tallies), serviceLevelSeconds);
      } catch (err) {
        logger.error({ err }, 'could not compute the wallboard figures');
        return snapshot;
      }
    },
  };
}
