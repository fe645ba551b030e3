/** Ticket rows and their audit log in and out of SQLite, joined with their agency. */
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import type { TicketEventView, TicketSummary, TicketView } from '../../common/api.ts';
import type { Priority, Role, TicketStatus } from '../../common/domain.ts';
import type { AgencyRow } from '../agencies/schema.ts';
import { toAgencyView } from '../agencies/service.ts';
import { audit } from '../audit/service.ts';
import type { Db } from '../db/index.ts';
import { definedValues, preparedOnce, preparedPerColumns } from '../db/prepared.ts';
import { agencies, categories, ticketEvents, tickets, units, users } from '../db/schema.ts';
import type { Tx } from '../outbox/outbox.ts';
import {
  AWAITING_ACK_STATUSES,
  AWAITING_RESOLUTION_STATUSES,
  isOverdue,
  openDeadlines,
} from './lifecycle.ts';
import type { TicketEventAction, TicketRow } from './schema.ts';

export type NewTicket = typeof tickets.$inferInsert;

/** Names a ticket shows for its category and unit, which it stores as keys. */
export interface TicketLabels {
  /** The category key when the category row is missing. */
  categoryName: string;
  /** Null when the ticket names no unit (chưa xác định). */
  unitName: string | null;
}

/** A ticket with the agency it is assigned (or suggested) to, and its labels. */
export interface TicketWithAgency {
  ticket: TicketRow;
  agency: AgencyRow;
  labels: TicketLabels;
}

/** Columns for `select`: a ticket joined with its agency, category and unit (see `withLabels`). */
const TICKET_COLUMNS = {
  ticket: tickets,
  agency: agencies,
  categoryName: categories.name,
  unitName: units.name,
};

type JoinedRow = {
  ticket: TicketRow;
  agency: AgencyRow;
  categoryName: string | null;
  unitName: string | null;
};

function withLabels(row: JoinedRow): TicketWithAgency {
  return {
    ticket: row.ticket,
    agency: row.agency,
    labels: {
      categoryName: row.categoryName ?? row.ticket.category,
      unitName: row.ticket.unitCode === null ? null : (row.unitName ?? row.ticket.unitCode),
    },
  };
}

/** Roles that must not see citizens' full phone numbers, not even on a record's detail. */
export function masksCallerNumber(role: Role): boolean {
  return role === 'agency';
}

/** The audit action of every answer that shows a citizen's full phone number. */
export const NUMBER_VIEW_ACTION = 'personal_data.view_number';

/**
 * Logs that `actorId` was shown the full phone number of `entity` `entityId` (a ticket, call,
 * callback or SMS), and how (`via`: `detail`, `screen_pop`, `callback_claim`, …). Lists show
 * masked numbers, so only a record's detail or an operator's own work writes these.
 */
export function recordNumberView(
  handle: Pick<Db, 'insert'>,
  view: { actorId: number; entity: string; entityId: string | number; via: string },
  at: Date,
): void {
  audit(
    handle,
    {
      actorId: view.actorId,
      action: NUMBER_VIEW_ACTION,
      entity: view.entity,
      entityId: view.entityId,
      after: { via: view.via },
    },
    at,
  );
}

/** `0912345678` → `0912***678`: enough to recognise a number, not to dial it. */
export function maskPhone(number: string): string {
  if (number.length >= 8) return `${number.slice(0, 4)}***${number.slice(-3)}`;
  return `***${number.slice(-2)}`;
}

/**
 * The ticket as `viewer` may see it; `now` decides `overdue`. The caller's number is masked
 * unless `fullNumber` is asked for (a ticket's detail, which the caller logs with
 * `recordNumberView`) and the viewer's role may see it: lists and pushes never carry it.
 */
export function toTicketView(
  row: TicketWithAgency,
  now: Date,
  viewer: Role,
  opts: { fullNumber?: boolean } = {},
): TicketView {
  const { ticket, agency, labels } = row;
  const open = openDeadlines(ticket);
  const full = opts.fullNumber === true && !masksCallerNumber(viewer);
  return {
    id: ticket.id,
    trackingCode: ticket.trackingCode,
    callId: ticket.callId,
    callerNumber: full ? ticket.callerNumber : maskPhone(ticket.callerNumber),
    callerName: ticket.callerName,
    category: ticket.category,
    categoryName: labels.categoryName,
    unit:
      ticket.unitCode === null ? null : { code: ticket.unitCode, name: labels.unitName ?? ticket.unitCode },
    address: ticket.address,
    legacyDistrict: ticket.legacyDistrict,
    description: ticket.description,
    agency: toAgencyView(agency),
    status: ticket.status,
    priority: ticket.priority,
    createdAt: ticket.createdAt.toISOString(),
    ackDueAt: open.ackDueAt?.toISOString() ?? null,
    resolveDueAt: open.resolveDueAt?.toISOString() ?? null,
    overdue: isOverdue(ticket, now),
    extension:
      ticket.extensionReason !== null && ticket.extensionGrantedAt !== null
        ? { reason: ticket.extensionReason, grantedAt: ticket.extensionGrantedAt.toISOString() }
        : null,
    result: ticket.result,
    parentId: ticket.parentId,
    delivery: {
      status: ticket.deliveryStatus,
      attempts: ticket.deliveryAttempts,
      lastError: ticket.deliveryLastError,
      deliveredAt: ticket.deliveredAt?.toISOString() ?? null,
    },
  };
}

function isUniqueViolation(err: unknown, column: string): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ((e as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' && e.message.includes(column)) {
      return true;
    }
  }
  return false;
}

const insertTicketStatement = preparedPerColumns((tx: Tx, columns) =>
  tx
    .insert(tickets)
    .values(columns as unknown as NewTicket)
    .returning()
    .prepare(),
);

/** Inserts the ticket, drawing a new tracking code while the drawn one is taken. */
export function insertTicket(
  tx: Tx,
  values: Omit<NewTicket, 'trackingCode'>,
  newCode: () => string,
): TicketRow {
  for (let attempt = 0; ; attempt++) {
    try {
      const row = definedValues({ ...values, trackingCode: newCode() });
      return insertTicketStatement(tx, row).get(row)!;
    } catch (err) {
      if (attempt >= 9 || !isUniqueViolation(err, 'tickets.tracking_code')) throw err;
    }
  }
}

const updateTicketStatement = preparedPerColumns((tx: Tx, columns) =>
  tx
    .update(tickets)
    .set(columns as Partial<NewTicket>)
    .where(eq(tickets.id, sql.placeholder('$id')))
    .returning()
    .prepare(),
);

/** Writes `changes` and returns the row as it now is. */
export function updateTicket(tx: Tx, id: number, changes: Partial<NewTicket>): TicketRow {
  const values = definedValues(changes);
  return updateTicketStatement(tx, values).get({ ...values, $id: id })!;
}

export interface NewTicketEvent {
  ticketId: number;
  at: Date;
  /** null: the system (deadline jobs, delivery). */
  actorId: number | null;
  action: TicketEventAction;
  from: TicketStatus | null;
  to: TicketStatus | null;
  reason?: string | null;
  text?: string | null;
}

const appendEventStatement = preparedOnce((tx: Tx) =>
  tx
    .insert(ticketEvents)
    .values({
      ticketId: sql.placeholder('ticketId'),
      at: sql.placeholder('at'),
      actorId: sql.placeholder('actorId'),
      action: sql.placeholder('action'),
      from: sql.placeholder('from'),
      to: sql.placeholder('to'),
      reason: sql.placeholder('reason'),
      text: sql.placeholder('text'),
    })
    .prepare(),
);

/** Appends a line to the ticket's audit log; call it in the transaction that makes the change. */
export function appendTicketEvent(tx: Tx, event: NewTicketEvent): void {
  appendEventStatement(tx).run({
    ticketId: event.ticketId,
    at: event.at,
    actorId: event.actorId,
    action: event.action,
    from: event.from,
    to: event.to,
    reason: event.reason ?? null,
    text: event.text ?? null,
  });
}

const findTicketStatement = preparedOnce((db: Pick<Db, 'select'>) =>
  db
    .select(TICKET_COLUMNS)
    .from(tickets)
    .innerJoin(agencies, eq(agencies.id, tickets.agencyId))
    .leftJoin(categories, eq(categories.key, tickets.category))
    .leftJoin(units, eq(units.code, tickets.unitCode))
    .where(eq(tickets.id, sql.placeholder('id')))
    .prepare(),
);

export function findTicket(db: Pick<Db, 'select'>, id: number): TicketWithAgency | undefined {
  const row = findTicketStatement(db).get({ id });
  return row ? withLabels(row) : undefined;
}

export function ticketEventViews(db: Db, ticketId: number): TicketEventView[] {
  return db
    .select({
      event: ticketEvents,
      actor: { id: users.id, displayName: users.displayName, role: users.role },
    })
    .from(ticketEvents)
    .leftJoin(users, eq(users.id, ticketEvents.actorId))
    .where(eq(ticketEvents.ticketId, ticketId))
    .orderBy(asc(ticketEvents.id))
    .all()
    .map(({ event, actor }) => ({
      at: event.at.toISOString(),
      actor: actor && event.actorId !== null ? actor : null,
      action: event.action,
      from: event.from,
      to: event.to,
      reason: event.reason,
      text: event.text,
    }));
}

/** Whether a liaison of `agencyId` may see the ticket: it is, or was last, assigned to them. */
export function visibleToAgency(
  ticket: Pick<TicketRow, 'agencyId' | 'assignedAt'>,
  agencyId: number | null,
): boolean {
  return agencyId !== null && ticket.agencyId === agencyId && ticket.assignedAt !== null;
}

export interface TicketFilter {
  statuses?: TicketStatus[];
  agencyId?: number;
  priority?: Priority;
  callerNumber?: string;
  /** Only tickets with an open deadline already passed. */
  overdue?: boolean;
  /** Only tickets with an open deadline between now and this many hours from now. */
  dueWithinHours?: number;
  /** A liaison's view: assigned tickets only. */
  assignedOnly?: boolean;
  limit: number;
  offset?: number;
}

function openDeadlineBefore(t: Date): SQL {
  return or(
    and(inArray(tickets.status, [...AWAITING_ACK_STATUSES]), lt(tickets.ackDueAt, t)),
    and(inArray(tickets.status, [...AWAITING_RESOLUTION_STATUSES]), lt(tickets.resolveDueAt, t)),
  )!;
}

function openDeadlineWithin(from: Date, to: Date): SQL {
  return or(
    and(
      inArray(tickets.status, [...AWAITING_ACK_STATUSES]),
      gte(tickets.ackDueAt, from),
      lte(tickets.ackDueAt, to),
    ),
    and(
      inArray(tickets.status, [...AWAITING_RESOLUTION_STATUSES]),
      gte(tickets.resolveDueAt, from),
      lte(tickets.resolveDueAt, to),
    ),
  )!;
}

export function listTickets(db: Db, filter: TicketFilter, now: Date): TicketWithAgency[] {
  const conditions: SQL[] = [];
  if (filter.statuses !== undefined) conditions.push(inArray(tickets.status, filter.statuses));
  if (filter.agencyId !== undefined) conditions.push(eq(tickets.agencyId, filter.agencyId));
  if (filter.priority !== undefined) conditions.push(eq(tickets.priority, filter.priority));
  if (filter.callerNumber !== undefined) conditions.push(eq(tickets.callerNumber, filter.callerNumber));
  if (filter.assignedOnly) conditions.push(isNotNull(tickets.assignedAt));
  if (filter.overdue) conditions.push(openDeadlineBefore(now));
  if (filter.dueWithinHours !== undefined) {
    conditions.push(openDeadlineWithin(now, new Date(now.getTime() + filter.dueWithinHours * 3_600_000)));
  }
  return db
    .select(TICKET_COLUMNS)
    .from(tickets)
    .innerJoin(agencies, eq(agencies.id, tickets.agencyId))
    .leftJoin(categories, eq(categories.key, tickets.category))
    .leftJoin(units, eq(units.code, tickets.unitCode))
    .where(and(...conditions))
    .orderBy(desc(tickets.createdAt), desc(tickets.id))
    .limit(filter.limit)
    .offset(filter.offset ?? 0)
    .all()
    .map(withLabels);
}

/** The caller's latest tickets, newest first, for the screen-pop. */
/** Runs for every offered and answered call (the console's pop-up): built and prepared once. */
const ticketsOfCaller = preparedOnce((db: Db) =>
  db
    .select({
      id: tickets.id,
      trackingCode: tickets.trackingCode,
      category: tickets.category,
      status: tickets.status,
      createdAt: tickets.createdAt,
      description: tickets.description,
    })
    .from(tickets)
    .where(eq(tickets.callerNumber, sql.placeholder('callerNumber')))
    .orderBy(desc(tickets.createdAt), desc(tickets.id))
    .limit(sql.placeholder('limit'))
    .prepare(),
);

export function ticketHistory(db: Db, callerNumber: string, limit: number): TicketSummary[] {
  return ticketsOfCaller(db)
    .all({ callerNumber, limit })
    .map((t) => ({ ...t, createdAt: t.createdAt.toISOString() }));
}

/**
 * Records a successful delivery to the agency, with a `deliver` line in the audit log, in one
 * transaction. False when it was already delivered (a job ran twice); nothing is written then.
 */
export function markDelivered(db: Db, id: number, at: Date): boolean {
  return db.transaction(() => {
    const row = markDeliveredStatement(db).get({ id, at });
    if (!row) return false;
    appendTicketEvent(db, {
      ticketId: id,
      at,
      actorId: null,
      action: 'deliver',
      from: row.status,
      to: row.status,
    });
    return true;
  });
}

const markDeliveredStatement = preparedOnce((db: Db) =>
  db
    .update(tickets)
    .set({
      deliveryStatus: 'delivered',
      deliveredAt: sql.placeholder('at') as unknown as Date,
      deliveryLastError: null,
    })
    .where(and(eq(tickets.id, sql.placeholder('id')), eq(tickets.deliveryStatus, 'pending')))
    .returning({ status: tickets.status })
    .prepare(),
);

/**
 * Counts a failed delivery attempt and keeps its error; `dead` gives up until a supervisor
 * retries. Only a pending delivery changes.
 */
export function markDeliveryFailed(
  db: Pick<Db, 'update'>,
  id: number,
  error: string,
  dead: boolean,
): boolean {
  const result = db
    .update(tickets)
    .set({
      deliveryAttempts: sql`${tickets.deliveryAttempts} + 1`,
      deliveryLastError: error.slice(0, 500),
      ...(dead ? { deliveryStatus: 'dead' as const } : {}),
    })
    .where(and(eq(tickets.id, id), eq(tickets.deliveryStatus, 'pending')))
    .run();
  return result.changes > 0;
}

/**
 * Makes a dead delivery pending again, attempts reset (a supervisor's retry); the caller records
 * the `forward` intent in the same transaction. False unless the delivery was dead.
 */
export function markDeliveryPending(tx: Tx, id: number): boolean {
  const row = tx
    .update(tickets)
    .set({ deliveryStatus: 'pending', deliveryAttempts: 0, deliveryLastError: null, deliveredAt: null })
    .where(and(eq(tickets.id, id), eq(tickets.deliveryStatus, 'dead')))
    .returning({ id: tickets.id })
    .get();
  return row !== undefined;
}

/** Tickets still waiting to be delivered to their agency, oldest first. */
export function pendingDeliveryTicketIds(db: Db, limit: number): number[] {
  return db
    .select({ id: tickets.id })
    .from(tickets)
    .where(eq(tickets.deliveryStatus, 'pending'))
    .orderBy(tickets.id)
    .limit(limit)
    .all()
    .map((t) => t.id);
}
