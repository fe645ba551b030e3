/**
 * Callback tasks: opened (or merged) when a call ends owing the citizen a call; claimed by an
 * operator who dials the citizen, with each attempt's outcome recorded until the task is reached
 * or given up. Every change is told to the notifier after it commits.
 */
import { and, asc, eq, isNull, lte, ne } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type {
  CallbackAttemptView,
  CallbackTaskDetail,
  CallbackTaskView,
  ClaimCallbackResponse,
} from '../../common/api.ts';
import type { CallbackOutcome } from '../../common/domain.ts';
import type { Desk } from '../app.ts';
import { users } from '../auth/schema.ts';
import type { Db } from '../db/index.ts';
import { AppError, TelephonyUnavailableError } from '../errors.ts';
import type { Tx } from '../outbox/outbox.ts';
import { maskPhone, recordNumberView } from '../tickets/repository.ts';
import type { DialPermits } from './dial-permits.ts';
import {
  afterAttempt,
  type CallbackPolicy,
  type CallbackRequest,
  type ClaimRefusal,
  claimRefusal,
  decideOnRequest,
  mergeRequest,
} from './rules.ts';
import { type CallbackRow, type CallbackStatus, callbackAttempts, callbacks } from './schema.ts';

/**
 * Opens a callback task for the request, or merges it into the number's open task, however old
 * (see `mergeRequest`). Runs in the caller's transaction.
 */
export function recordCallbackRequest(
  tx: Tx,
  callerNumber: string,
  request: CallbackRequest,
): { callbackId: number; created: boolean } {
  const open = tx
    .select()
    .from(callbacks)
    .where(and(eq(callbacks.callerNumber, callerNumber), eq(callbacks.status, 'open')))
    .all();
  const decision = decideOnRequest(open);
  const task = decision.kind === 'merge' ? open.find((t) => t.id === decision.callbackId) : undefined;
  if (task) {
    const merged = mergeRequest(task, request);
    tx.update(callbacks)
      .set({
        source: merged.source,
        callId: merged.callId,
        queue: merged.queue,
        lastRequestAt: merged.lastRequestAt,
        waitingSince: merged.waitingSince,
        requests: merged.requests,
        recording: merged.recording,
        recordingCallId: merged.recordingCallId,
        // A caller who pressed 1 again has their place kept again.
        ...(request.source === 'offer' ? { queueHeld: true } : {}),
      })
      .where(eq(callbacks.id, task.id))
      .run();
    return { callbackId: task.id, created: false };
  }
  const row = tx
    .insert(callbacks)
    .values({
      callerNumber,
      queue: request.queue,
      source: request.source,
      callId: request.callId,
      createdAt: request.at,
      waitingSince: request.waitingSince,
      lastRequestAt: request.at,
      recording: request.recording,
      recordingCallId: request.recording === null ? null : request.callId,
      // Pressed 1 while waiting: the ACD keeps the caller's place and the hotline dials them.
      queueHeld: request.source === 'offer',
    })
    .returning({ id: callbacks.id })
    .get();
  return { callbackId: row.id, created: true };
}

/**
 * The citizen got through on a later call (`callId`, answered at `at`): their open task, owed for an
 * earlier call, is closed as reached, naming that call. Returns the task closed, if any.
 */
export function closeOnAnsweredCall(tx: Tx, callerNumber: string, callId: string, at: Date): number | null {
  const row = tx
    .update(callbacks)
    .set({
      status: 'reached',
      reachedBy: 'later_call',
      queueHeld: false,
      closedAt: at,
      closedByCallId: callId,
      claimedBy: null,
      claimedUntil: null,
      nextAttemptAt: null,
    })
    .where(
      and(
        eq(callbacks.callerNumber, callerNumber),
        eq(callbacks.status, 'open'),
        ne(callbacks.callId, callId),
        lte(callbacks.lastRequestAt, at),
      ),
    )
    .returning({ id: callbacks.id })
    .get();
  return row?.id ?? null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The task as lists and pushes show it: the citizen's number masked. Its detail shows it in full
 * (logged), and a claim hands it to the dialling operator (logged).
 */
export function toCallbackView(
  row: CallbackRow,
  claimer: { id: number; displayName: string } | null,
  now: Date,
): CallbackTaskView {
  const claimLive = row.claimedUntil !== null && row.claimedUntil > now && row.status === 'open';
  return {
    id: row.id,
    callerNumber: maskPhone(row.callerNumber),
    queue: row.queue,
    source: row.source,
    callId: row.callId,
    createdAt: row.createdAt.toISOString(),
    waitingSince: row.waitingSince.toISOString(),
    lastRequestAt: row.lastRequestAt.toISOString(),
    requests: row.requests,
    recording:
      row.recording !== null && row.recordingCallId !== null
        ? { callId: row.recordingCallId, name: row.recording }
        : null,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'open' ? iso(row.nextAttemptAt) : null,
    claimedBy: claimLive && claimer ? claimer : null,
    closedAt: iso(row.closedAt),
    givenUp: row.givenUpReason ? { reason: row.givenUpReason, note: row.givenUpNote } : null,
    closedByCall: row.closedByCallId,
    reachedBy: row.status === 'reached' ? row.reachedBy : null,
    heldInQueue: row.status === 'open' && row.queueHeld,
    queueAttempts: row.queueAttempts,
  };
}

const claimers = alias(users, 'claimers');

function selectTasks(db: Db | Tx) {
  return db
    .select({ task: callbacks, claimerId: claimers.id, claimerName: claimers.displayName })
    .from(callbacks)
    .leftJoin(claimers, eq(claimers.id, callbacks.claimedBy));
}

type TaskWithClaimer = { task: CallbackRow; claimerId: number | null; claimerName: string | null };

const viewOf = (r: TaskWithClaimer, now: Date) =>
  toCallbackView(
    r.task,
    r.claimerId !== null ? { id: r.claimerId, displayName: r.claimerName ?? '' } : null,
    now,
  );

/** Tasks with `status`, oldest first (by waiting-since). */
export function listCallbacks(
  db: Db,
  opts: { status: CallbackStatus; limit: number },
  now: Date = new Date(),
): CallbackTaskView[] {
  return selectTasks(db)
    .where(eq(callbacks.status, opts.status))
    .orderBy(asc(callbacks.waitingSince), asc(callbacks.id))
    .limit(opts.limit)
    .all()
    .map((r) => viewOf(r, now));
}

export function callbackView(db: Db | Tx, id: number, now: Date): CallbackTaskView | null {
  const row = selectTasks(db).where(eq(callbacks.id, id)).get();
  return row ? viewOf(row, now) : null;
}

export class CallbackNotFoundError extends AppError {
  constructor() {
    super('CALLBACK_NOT_FOUND', 404, 'Không tìm thấy yêu cầu gọi lại.');
  }
}

const REFUSALS: Record<ClaimRefusal, [string, string]> = {
  closed: ['CALLBACK_CLOSED', 'Yêu cầu gọi lại này đã kết thúc.'],
  taken: ['CALLBACK_TAKEN', 'Một tổng đài viên khác đang gọi lại cho người dân này.'],
  not_due: ['CALLBACK_NOT_DUE', 'Chưa đến lượt gọi lại tiếp theo.'],
  in_queue: ['CALLBACK_IN_QUEUE', 'Tổng đài sẽ tự gọi lại cho người dân này khi đến lượt chờ.'],
};

export class CallbackConflictError extends AppError {
  constructor(code: string, message: string) {
    super(code, 409, message);
  }
  static refused(refusal: ClaimRefusal): CallbackConflictError {
    const [code, message] = REFUSALS[refusal];
    return new CallbackConflictError(code, message);
  }
}

/** Told after a change commits; the realtime side pushes `callback:updated`. */
export interface CallbackNotifier {
  changed(callbackId: number): void;
}

export interface CallbackServiceDeps {
  db: Db;
  desk: Pick<Desk, 'agentStatus' | 'setAgentState'>;
  permits: DialPermits;
  policy: CallbackPolicy;
  notifier?: CallbackNotifier;
  now?: () => Date;
}

export type CallbackService = ReturnType<typeof createCallbackService>;

export function createCallbackService(deps: CallbackServiceDeps) {
  const { db, desk, permits, policy } = deps;
  const now = deps.now ?? (() => new Date());
  const notify = (id: number) => deps.notifier?.changed(id);

  const findTask = (tx: Db | Tx, id: number) => {
    const task = tx.select().from(callbacks).where(eq(callbacks.id, id)).get();
    if (!task) throw new CallbackNotFoundError();
    return task;
  };

  /** Settles an attempt and applies its outcome to the task, releasing the claim. */
  const settle = (
    tx: Tx,
    task: CallbackRow,
    attemptId: number,
    outcome: CallbackOutcome,
    detail: string | null,
    at: Date,
    opts: { spaced: boolean } = { spaced: true },
  ) => {
    tx.update(callbackAttempts)
      .set({ outcome, endedAt: at, detail })
      .where(eq(callbackAttempts.id, attemptId))
      .run();
    // Operators get their own allowance of attempts, after those the hotline made itself.
    const next = afterAttempt(task.attempts - task.queueAttempts, outcome, at, policy);
    tx.update(callbacks)
      .set({
        ...next,
        attempts: task.attempts + 1,
        ...(outcome === 'reached' ? { reachedBy: 'operator' as const } : {}),
        ...(opts.spaced ? {} : { nextAttemptAt: null }),
        claimedBy: null,
        claimedUntil: null,
      })
      .where(eq(callbacks.id, task.id))
      .run();
  };

  const openAttemptOf = (tx: Tx, callbackId: number) =>
    tx
      .select()
      .from(callbackAttempts)
      .where(and(eq(callbackAttempts.callbackId, callbackId), isNull(callbackAttempts.outcome)))
      .get();

  return {
    list: (opts: { status: CallbackStatus; limit: number }) => listCallbacks(db, opts, now()),

    detail(id: number, viewerId: number): CallbackTaskDetail {
      const at = now();
      const task = callbackView(db, id, at);
      if (!task) throw new CallbackNotFoundError();
      const callerNumber = findTask(db, id).callerNumber;
      recordNumberView(db, { actorId: viewerId, entity: 'callback', entityId: id, via: 'detail' }, at);
      const history: CallbackAttemptView[] = db
        .select({ attempt: callbackAttempts, operatorName: users.displayName })
        .from(callbackAttempts)
        .innerJoin(users, eq(users.id, callbackAttempts.operatorId))
        .where(eq(callbackAttempts.callbackId, id))
        .orderBy(asc(callbackAttempts.id))
        .all()
        .map(({ attempt, operatorName }) => ({
          id: attempt.id,
          kind: attempt.kind,
          operator: { id: attempt.operatorId, displayName: operatorName },
          startedAt: attempt.startedAt.toISOString(),
          endedAt: iso(attempt.endedAt),
          outcome: attempt.outcome,
          detail: attempt.detail,
        }));
      return { ...task, callerNumber, history };
    },

    /**
     * Gives the task to `operator` for `policy.claimMs`, opens an attempt, lets their softphone
     * dial the number through the trunk, and puts them Not ready (`callback_work`) so no queue
     * call rings while they dial. An attempt left without an outcome by a lapsed claim counts as failed first.
     */
    async claim(id: number, operator: { id: number; endpoint: string }): Promise<ClaimCallbackResponse> {
      const task = findTask(db, id);
      const refusal = claimRefusal(task, operator.id, now());
      if (refusal) throw CallbackConflictError.refused(refusal);
      const status = desk.agentStatus(operator.id);
      if (status.state === 'ringing' || status.state === 'on_call') {
        throw new CallbackConflictError(
          'OPERATOR_BUSY',
          'Bạn đang có cuộc gọi, hãy kết thúc trước khi gọi lại.',
        );
      }
      try {
        await permits.allow(operator.endpoint, task.callerNumber);
      } catch {
        throw new TelephonyUnavailableError();
      }
      let claimed: { attemptId: number } | { refusal: ClaimRefusal };
      try {
        claimed = db.transaction((tx) => {
          const at = now();
          let current = findTask(tx, id);
          const again = claimRefusal(current, operator.id, at);
          if (again) return { refusal: again };
          const dangling = openAttemptOf(tx, id);
          if (dangling) {
            // Its operator never reported back; it counts, but the citizen is due now.
            settle(tx, current, dangling.id, 'failed', 'no outcome reported', at, { spaced: false });
            current = findTask(tx, id);
            const after = claimRefusal(current, operator.id, at);
            if (after) return { refusal: after };
          }
          tx.update(callbacks)
            .set({ claimedBy: operator.id, claimedUntil: new Date(at.getTime() + policy.claimMs) })
            .where(eq(callbacks.id, id))
            .run();
          const attempt = tx
            .insert(callbackAttempts)
            .values({ callbackId: id, operatorId: operator.id, startedAt: at })
            .returning({ id: callbackAttempts.id })
            .get();
          recordNumberView(
            tx,
            { actorId: operator.id, entity: 'callback', entityId: id, via: 'callback_claim' },
            at,
          );
          return { attemptId: attempt.id };
        });
      } catch (err) {
        await permits.revoke(operator.endpoint).catch(() => {});
        throw err;
      }
      notify(id);
      if ('refusal' in claimed) {
        await permits.revoke(operator.endpoint).catch(() => {});
        throw CallbackConflictError.refused(claimed.refusal);
      }
      if (status.state !== 'not_ready' || status.reason !== 'callback_work') {
        desk.setAgentState(operator.id, { state: 'not_ready', reason: 'callback_work' });
      }
      const view = callbackView(db, id, now());
      if (!view) throw new CallbackNotFoundError();
      return { task: view, attemptId: claimed.attemptId, dial: task.callerNumber };
    },

    /** Records how the operator's attempt went; only its own operator reports it, once. */
    async reportOutcome(
      id: number,
      operator: { id: number; endpoint: string },
      report: { attemptId: number; outcome: CallbackOutcome; detail?: string },
    ): Promise<CallbackTaskView> {
      db.transaction((tx) => {
        const task = findTask(tx, id);
        const attempt = tx
          .select()
          .from(callbackAttempts)
          .where(and(eq(callbackAttempts.id, report.attemptId), eq(callbackAttempts.callbackId, id)))
          .get();
        if (!attempt || attempt.operatorId !== operator.id) {
          throw new CallbackConflictError('ATTEMPT_NOT_YOURS', 'Lượt gọi này không phải của bạn.');
        }
        if (attempt.outcome !== null || task.status !== 'open') {
          throw new CallbackConflictError('ATTEMPT_SETTLED', 'Kết quả lượt gọi này đã được ghi nhận.');
        }
        settle(tx, task, attempt.id, report.outcome, report.detail ?? null, now());
      });
      await permits.revoke(operator.endpoint).catch(() => {});
      notify(id);
      const view = callbackView(db, id, now());
      if (!view) throw new CallbackNotFoundError();
      return view;
    },

    /** A supervisor closes an open task without reaching the citizen, saying why. */
    giveUp(id: number, supervisorId: number, note: string): CallbackTaskView {
      db.transaction((tx) => {
        const task = findTask(tx, id);
        if (task.status !== 'open') throw CallbackConflictError.refused('closed');
        const at = now();
        const dangling = openAttemptOf(tx, id);
        if (dangling) {
          tx.update(callbackAttempts)
            .set({ outcome: 'failed', endedAt: at, detail: 'given up while dialling' })
            .where(eq(callbackAttempts.id, dangling.id))
            .run();
        }
        tx.update(callbacks)
          .set({
            status: 'given_up',
            closedAt: at,
            givenUpReason: 'supervisor',
            givenUpNote: note,
            givenUpBy: supervisorId,
            claimedBy: null,
            claimedUntil: null,
            nextAttemptAt: null,
          })
          .where(eq(callbacks.id, id))
          .run();
      });
      notify(id);
      const view = callbackView(db, id, now());
      if (!view) throw new CallbackNotFoundError();
      return view;
    },
  };
}
