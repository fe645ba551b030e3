/**
 * The desk's written side: every `tickMs` (and soon after any operator's state changes) it reads
 * the open written requests and the operators' states, asks `rules.ts` who gets what, and
 * carries it out in one transaction: a given task is the request taken for that operator
 * (`taken_by`, as "Nhận" does), a released one is untaken again. Each operator whose list
 * changed is pushed it (`desk:tasks`, no ring). What the desk gave and whether it was opened is
 * kept as the request's events (`desk_given`, `desk_opened`, `desk_released`), so a restart
 * keeps every open timeout.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { DeskTasksView, DeskTaskView } from '../../common/desk.ts';
import type { AgentStatus } from '../../common/events.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { writtenRequestEvents, writtenRequests } from '../intake/schema.ts';
import { type DeskDecision, type DeskPolicy, type DeskTask, decide, type TaskChannel } from './rules.ts';

const SUMMARY = 100;

export class DeskTaskNotYoursError extends AppError {
  constructor() {
    super(
      'DESK_TASK_NOT_YOURS',
      409,
      'Phản ánh này không phải việc của bạn (đã giao cho người khác hoặc đã xong).',
    );
  }
}

export interface WrittenDesk {
  /** Runs the rule once now; the decision it carried out. */
  tick(): DeskDecision;
  /** A tick soon (coalesced), e.g. after an operator's state changed. */
  nudge(): void;
  tasksOf(operatorId: number): DeskTasksView;
  /** The operator opened a task: its open timeout stops. */
  open(operatorId: number, requestId: number): DeskTasksView;
  start(): void;
  stop(): void;
}

export interface WrittenDeskDeps {
  db: Db;
  /** The operators the call controller knows, with their states. */
  agents(): readonly Pick<AgentStatus, 'operatorId' | 'state' | 'reason' | 'since'>[];
  settings: Config['desk'];
  /** Sends an operator their list (socket.io room `operator:<id>`); none in tests that do not watch. */
  push?: (operatorId: number, view: DeskTasksView) => void;
  logger: Logger;
  now?: () => Date;
  tickMs?: number;
}

interface Given {
  operatorId: number;
  givenAt: Date;
  openedAt: Date | null;
}

export function deskPolicy(settings: Config['desk']): DeskPolicy {
  const m = settings.firstResponseMinutes;
  return {
    maxTasks: settings.writtenTasks,
    offlineGraceMs: settings.offlineGraceMs,
    openTimeoutMs: settings.openTimeoutMs,
    targetMs: { web: m.web * 60_000, zalo: m.zalo * 60_000, app: m.app * 60_000 },
  };
}

export function createWrittenDesk(deps: WrittenDeskDeps): WrittenDesk {
  const { db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const policy = deskPolicy(deps.settings);
  /** Tasks the desk gave, by request: to whom, when, and whether opened. */
  const given = new Map<number, Given>();
  /** Requests taken back for not being opened, and from whom. */
  const passedOver = new Map<number, number>();
  /** The list last pushed to each operator (request ids), so only changes are pushed. */
  const pushed = new Map<number, string>();
  let timer: NodeJS.Timeout | undefined;
  let soon: NodeJS.Timeout | undefined;

  /** What the events say of requests held now (after a restart). */
  function loadGiven(): void {
    const held = db
      .select({ id: writtenRequests.id, takenBy: writtenRequests.takenBy })
      .from(writtenRequests)
      .where(eq(writtenRequests.status, 'open'))
      .all()
      .filter((r) => r.takenBy !== null);
    if (held.length === 0) return;
    const events = db
      .select()
      .from(writtenRequestEvents)
      .where(
        and(
          inArray(
            writtenRequestEvents.requestId,
            held.map((r) => r.id),
          ),
          inArray(writtenRequestEvents.kind, ['desk_given', 'desk_opened', 'taken', 'desk_released']),
        ),
      )
      .orderBy(writtenRequestEvents.id)
      .all();
    for (const e of events) {
      if (e.kind === 'desk_given' && e.actorId !== null)
        given.set(e.requestId, { operatorId: e.actorId, givenAt: e.at, openedAt: null });
      else if (e.kind === 'desk_released') given.delete(e.requestId);
      else {
        const g = given.get(e.requestId);
        if (g && g.operatorId === e.actorId) g.openedAt ??= e.at;
      }
    }
  }

  function openRows() {
    return db
      .select({
        id: writtenRequests.id,
        trackingCode: writtenRequests.trackingCode,
        channel: writtenRequests.channel,
        createdAt: writtenRequests.createdAt,
        takenBy: writtenRequests.takenBy,
        takenAt: writtenRequests.takenAt,
      })
      .from(writtenRequests)
      .where(eq(writtenRequests.status, 'open'))
      .all();
  }
  type Row = ReturnType<typeof openRows>[number];

  /** When the holder opened it: the desk's record for a task it gave, else the hand take. */
  function openedAt(row: Row): Date | null {
    const g = given.get(row.id);
    return g && g.operatorId === row.takenBy ? g.openedAt : row.takenAt;
  }

  function view(row: Row, description: string): DeskTaskView {
    const g = given.get(row.id);
    const mine = g && g.operatorId === row.takenBy ? g : null;
    const flat = description.replace(/\s+/g, ' ').trim();
    return {
      requestId: row.id,
      trackingCode: row.trackingCode,
      channel: row.channel,
      summary: flat.length <= SUMMARY ? flat : `${flat.slice(0, SUMMARY - 1)}…`,
      createdAt: row.createdAt.toISOString(),
      givenAt: mine?.givenAt.toISOString() ?? null,
      openedAt: openedAt(row)?.toISOString() ?? null,
      dueAt: new Date(row.createdAt.getTime() + policy.targetMs[row.channel as TaskChannel]).toISOString(),
    };
  }

  function listOf(rows: Row[], operatorId: number): DeskTasksView {
    const held = rows.filter((r) => r.takenBy === operatorId);
    // Descriptions only for the tasks listed: the tick itself reads no text.
    const texts = new Map(
      held.length === 0
        ? []
        : db
            .select({ id: writtenRequests.id, description: writtenRequests.description })
            .from(writtenRequests)
            .where(
              inArray(
                writtenRequests.id,
                held.map((r) => r.id),
              ),
            )
            .all()
            .map((r) => [r.id, r.description]),
    );
    const tasks = held
      .map((r) => view(r, texts.get(r.id) ?? ''))
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.requestId - b.requestId);
    return { tasks, maxTasks: policy.maxTasks };
  }

  function pushChanged(rows: Row[], operatorIds: Iterable<number>): void {
    if (!deps.push) return;
    for (const operatorId of operatorIds) {
      const key = rows
        .filter((r) => r.takenBy === operatorId)
        .map((r) => `${r.id}:${openedAt(r)?.getTime() ?? ''}`)
        .sort()
        .join(',');
      if (pushed.get(operatorId) === key) continue;
      pushed.set(operatorId, key);
      try {
        deps.push(operatorId, listOf(rows, operatorId));
      } catch (err) {
        logger.error({ err, operatorId }, 'could not push written tasks');
      }
    }
  }

  function tick(): DeskDecision {
    const at = now();
    let rows = openRows();
    const open = new Set(rows.map((r) => r.id));
    for (const id of given.keys()) if (!open.has(id)) given.delete(id);
    for (const id of passedOver.keys()) if (!open.has(id)) passedOver.delete(id);

    const tasks: DeskTask[] = rows.map((r) => {
      let g = given.get(r.id);
      if (g && g.operatorId !== r.takenBy) {
        given.delete(r.id);
        g = undefined;
      }
      // Taken again by its holder ("Nhận", "Tạo phiếu") after the desk gave it: opened.
      if (g && !g.openedAt && r.takenAt && r.takenAt.getTime() !== g.givenAt.getTime())
        g.openedAt = r.takenAt;
      return {
        requestId: r.id,
        channel: r.channel,
        createdAt: r.createdAt,
        heldBy: r.takenBy,
        givenAt: g ? g.givenAt : null,
        openedAt: g ? g.openedAt : r.takenAt,
        passedOverBy: passedOver.get(r.id) ?? null,
      };
    });
    const operators = deps.agents().map((a) => ({
      operatorId: a.operatorId,
      state: a.state,
      reason: a.reason,
      since: new Date(a.since),
    }));
    const decision = decide(operators, tasks, policy, at);
    if (decision.release.length === 0 && decision.assign.length === 0) {
      pushChanged(
        rows,
        new Set([...pushed.keys(), ...rows.flatMap((r) => (r.takenBy === null ? [] : [r.takenBy]))]),
      );
      return decision;
    }

    const done: DeskDecision = { release: [], assign: [] };
    db.transaction(
      (tx) => {
        for (const r of decision.release) {
          const changed = tx
            .update(writtenRequests)
            .set({ takenBy: null, takenAt: null, updatedAt: at })
            .where(
              and(
                eq(writtenRequests.id, r.requestId),
                eq(writtenRequests.takenBy, r.operatorId),
                eq(writtenRequests.status, 'open'),
              ),
            )
            .run();
          if (changed.changes === 0) continue;
          tx.insert(writtenRequestEvents)
            .values({ requestId: r.requestId, at, kind: 'desk_released', actorId: r.operatorId, text: r.why })
            .run();
          done.release.push(r);
        }
        for (const a of decision.assign) {
          const changed = tx
            .update(writtenRequests)
            .set({ takenBy: a.operatorId, takenAt: at, updatedAt: at })
            .where(
              and(
                eq(writtenRequests.id, a.requestId),
                isNull(writtenRequests.takenBy),
                eq(writtenRequests.status, 'open'),
              ),
            )
            .run();
          if (changed.changes === 0) continue;
          tx.insert(writtenRequestEvents)
            .values({ requestId: a.requestId, at, kind: 'desk_given', actorId: a.operatorId, text: null })
            .run();
          done.assign.push(a);
        }
      },
      { behavior: 'immediate' },
    );
    for (const r of done.release) {
      given.delete(r.requestId);
      if (r.why === 'not_opened') passedOver.set(r.requestId, r.operatorId);
      else passedOver.delete(r.requestId);
    }
    for (const a of done.assign)
      given.set(a.requestId, { operatorId: a.operatorId, givenAt: at, openedAt: null });
    for (const r of done.release)
      logger.info(
        { requestId: r.requestId, operatorId: r.operatorId, why: r.why },
        'written task back to the pool',
      );
    for (const a of done.assign)
      logger.debug({ requestId: a.requestId, operatorId: a.operatorId }, 'written task given');

    rows = openRows();
    pushChanged(
      rows,
      new Set([
        ...pushed.keys(),
        ...done.release.map((r) => r.operatorId),
        ...rows.flatMap((r) => (r.takenBy === null ? [] : [r.takenBy])),
      ]),
    );
    return done;
  }

  const safeTick = () => {
    try {
      tick();
    } catch (err) {
      logger.error({ err }, 'the desk could not give written tasks');
    }
  };

  return {
    tick,
    nudge() {
      if (soon || !timer) return;
      soon = setTimeout(() => {
        soon = undefined;
        safeTick();
      }, 50);
      soon.unref();
    },
    tasksOf(operatorId) {
      return listOf(openRows(), operatorId);
    },
    open(operatorId, requestId) {
      const row = openRows().find((r) => r.id === requestId);
      if (!row || row.takenBy !== operatorId) throw new DeskTaskNotYoursError();
      const g = given.get(requestId);
      if (g && g.operatorId === operatorId && !g.openedAt) {
        const at = now();
        g.openedAt = at;
        db.insert(writtenRequestEvents)
          .values({ requestId, at, kind: 'desk_opened', actorId: operatorId, text: null })
          .run();
      }
      const rows = openRows();
      pushed.delete(operatorId);
      pushChanged(rows, [operatorId]);
      return listOf(rows, operatorId);
    },
    start() {
      if (timer) return;
      loadGiven();
      timer = setInterval(safeTick, deps.tickMs ?? 1000);
      timer.unref();
      safeTick();
    },
    stop() {
      clearInterval(timer);
      clearTimeout(soon);
      timer = undefined;
      soon = undefined;
    },
  };
}
