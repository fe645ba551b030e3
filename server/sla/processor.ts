/**
 * Deadline jobs. `schedule` (from a `deadline` intent) adds a delayed job per alert of the
 * ticket's open deadlines; the job id carries the due time, so an extended deadline gets new
 * jobs and the old ones find their deadline moved. An alert job writes a `warn` or `escalate`
 * line to the audit log and pushes `ticket:deadline`, once, if its deadline is still open and
 * unchanged; otherwise it does nothing.
 */
import { UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import type { ServerToClientEvents } from '../../common/events.ts';
import type { Db } from '../db/index.ts';
import type { WorkingCalendar } from '../deadlines/calendar.ts';
import { appendTicketEvent, findTicket } from '../tickets/repository.ts';
import { type AlertKind, type DeadlineKind, deadlineAlerts, stillDue } from './alerts.ts';
import { deadlineAlerts as raisedAlerts } from './schema.ts';

export type DeadlineEvent = Parameters<ServerToClientEvents['ticket:deadline']>[0];

/** Payload of a `schedule` job: ids only. */
export interface ScheduleJobData {
  ticketId: number;
}

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

export interface ScheduleDeps {
  db: Db;
  calendar: WorkingCalendar;
  /** Adds the delayed jobs; jobs whose id exists already are left alone. */
  addDelayed(jobs: DelayedJob[]): Promise<void>;
  now?: () => Date;
}

export async function scheduleDeadlines(ticketId: number, deps: ScheduleDeps): Promise<DelayedJob[]> {
  const now = (deps.now ?? (() => new Date()))().getTime();
  const row = findTicket(deps.db, ticketId);
  if (!row) throw new UnrecoverableError(`ticket ${ticketId} does not exist`);
  const jobs = deadlineAlerts(row.ticket, deps.calendar).map((a): DelayedJob => {
    const data = { ticketId, due: a.due, kind: a.kind, dueAt: a.dueAt.getTime() };
    return { name: a.kind, data, jobId: alertJobId(data), delayMs: Math.max(0, a.at.getTime() - now) };
  });
  if (jobs.length > 0) await deps.addDelayed(jobs);
  return jobs;
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
  const result = db.transaction((tx): AlertOutcome | { raised: string } => {
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
  });
  if (typeof result === 'string') return result;
  deps.logger.info({ ticketId: data.ticketId, due: data.due, kind: data.kind }, 'ticket deadline alert');
  deps.emit({ ticketId: data.ticketId, trackingCode: result.raised, kind: data.kind, due: data.due });
  return 'raised';
}
