/**
 * Deadline jobs. Only the ticket's next alert is ever scheduled, as one delayed job: the outbox
 * relay adds, for each `deadline` intent, the earliest alert of the open deadlines not raised yet
 * (`nextAlertJob`), and each alert job, whatever it found, adds the one after it. The job id
 * carries the due time, so an extended deadline gets new jobs and the old ones find their
 * deadline moved. An alert job writes a `warn` or `escalate` line to the audit log and pushes
 * `ticket:deadline`, once, if its deadline is still open and unchanged; otherwise it does nothing
 * but schedule the next one.
 */

import { eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { ServerToClientEvents } from '../../common/events.ts';
import type { Db } from '../db/index.ts';
import { preparedOnce } from '../db/prepared.ts';
import type { WorkingCalendar } from '../deadlines/calendar.ts';
import { appendTicketEvent, findTicket } from '../tickets/repository.ts';
import { type AlertKind, alertKey, type DeadlineKind, nextAlert, stillDue } from './alerts.ts';
import { deadlineAlerts as raisedAlerts } from './schema.ts';

export type DeadlineEvent = Parameters<ServerToClientEvents['ticket:deadline']>[0];

/** Payload of an alert job (job name = `kind`). */
export interface AlertJobData {
  ticketId: number;
  due: DeadlineKind;
  kind: AlertKind;
  /** The deadline, in ms since the epoch. */
  dueAt: number;
}

export interface DelayedJob {
  name: AlertKind;
  data: AlertJobData;
  jobId: string;
  delayMs: number;
}

export function alertJobId(a: Pick<AlertJobData, 'ticketId' | 'due' | 'kind' | 'dueAt'>): string {
  return `deadline-${a.ticketId}-${a.due}-${a.kind}-${a.dueAt}`;
}

export interface NextAlertDeps {
  db: Db;
  calendar: WorkingCalendar;
  now?: () => Date;
}

export interface ScheduleDeps extends NextAlertDeps {
  /** Adds the delayed job; a job whose id exists already is left alone. */
  addDelayed(job: DelayedJob): Promise<void>;
}

/** Alerts already raised for a ticket; runs for every ticket assigned, so built once. */
const raisedOf = preparedOnce((db: Db) =>
  db
    .select({ due: raisedAlerts.due, kind: raisedAlerts.kind, dueAt: raisedAlerts.dueAt })
    .from(raisedAlerts)
    .where(eq(raisedAlerts.ticketId, sql.placeholder('ticketId')))
    .prepare(),
);

/**
 * The delayed job of the ticket's next alert, due now or later; null when no alert is left,
 * undefined when there is no such ticket.
 */
export function nextAlertJob(ticketId: number, deps: NextAlertDeps): DelayedJob | null | undefined {
  const now = (deps.now ?? (() => new Date()))().getTime();
  const row = findTicket(deps.db, ticketId);
  if (!row) return undefined;
  const raised = new Set(raisedOf(deps.db).all({ ticketId }).map(alertKey));
  const a = nextAlert(row.ticket, deps.calendar, raised);
  if (!a) return null;
  const data = { ticketId, due: a.due, kind: a.kind, dueAt: a.dueAt.getTime() };
  return { name: a.kind, data, jobId: alertJobId(data), delayMs: Math.max(0, a.at.getTime() - now) };
}

/**
 * What the outbox relay adds for a `deadline` intent: the ticket's next alert job, or nothing
 * when no alert is left (or, logged, when the ticket does not exist).
 */
export function deadlineIntentJob(deps: NextAlertDeps & { logger: Logger }) {
  return (ticketId: number): DelayedJob | null => {
    const job = nextAlertJob(ticketId, deps);
    if (job === undefined) deps.logger.warn({ ticketId }, 'deadline intent of a ticket that does not exist');
    return job ?? null;
  };
}

export interface AlertDeps {
  db: Db;
  /** Pushes `ticket:deadline` to supervisors and the agency. */
  emit(e: DeadlineEvent): void;
  logger: Logger;
  now?: () => Date;
}

export type AlertOutcome = 'raised' | 'not_due' | 'already_raised';

const ALERT_TEXT: Record<DeadlineKind, Record<AlertKind, string>> = {
  ack: {
    warning: 'Đã dùng 75% thời hạn tiếp nhận, cơ quan chưa xác nhận.',
    overdue: 'Quá hạn tiếp nhận: chuyển giám sát xử lý.',
  },
  resolve: {
    warning: 'Đã dùng 75% thời hạn giải quyết.',
    overdue: 'Quá hạn giải quyết: chuyển giám sát xử lý.',
  },
};

export function raiseAlert(data: AlertJobData, deps: AlertDeps): AlertOutcome {
  const { db } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const dueAt = new Date(data.dueAt);
  // IMMEDIATE: it reads before it writes, and the server writes to the same file meanwhile.
  const result = db.transaction(
    (tx): AlertOutcome | { raised: string } => {
      const row = findTicket(tx, data.ticketId);
      if (!row || !stillDue(row.ticket, data.due, dueAt)) return 'not_due';
      const inserted = tx
        .insert(raisedAlerts)
        .values({ ticketId: data.ticketId, due: data.due, kind: data.kind, dueAt, raisedAt: now })
        .onConflictDoNothing()
        .run().changes;
      if (inserted === 0) return 'already_raised';
      appendTicketEvent(tx, {
        ticketId: data.ticketId,
        at: now,
        actorId: null,
        action: data.kind === 'warning' ? 'warn' : 'escalate',
        from: row.ticket.status,
        to: row.ticket.status,
        text: ALERT_TEXT[data.due][data.kind],
      });
      return { raised: row.ticket.trackingCode };
    },
    { behavior: 'immediate' },
  );
  if (typeof result === 'string') return result;
  deps.logger.info({ ticketId: data.ticketId, due: data.due, kind: data.kind }, 'ticket deadline alert');
  deps.emit({ ticketId: data.ticketId, trackingCode: result.raised, kind: data.kind, due: data.due });
  return 'raised';
}

/**
 * Runs an alert job: raises the alert if still due, then schedules the ticket's next alert, so
 * a retried job adds nothing new (same job id) and a stale one still keeps the chain going.
 */
export async function runAlert(
  data: AlertJobData,
  deps: AlertDeps & ScheduleDeps,
): Promise<{ outcome: AlertOutcome; next: DelayedJob | null }> {
  const outcome = raiseAlert(data, deps);
  const next = nextAlertJob(data.ticketId, deps) ?? null;
  if (next) await deps.addDelayed(next);
  return { outcome, next };
}
