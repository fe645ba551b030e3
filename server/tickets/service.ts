/**
 * Creating tickets and moving them through their life cycle. Every change, its audit line and
 * the intents it causes (forward to the agency, schedule deadlines) commit in one transaction;
 * consoles hear about it after the commit.
 */
import type { Logger } from 'pino';
import type {
  CreateTicketRequest,
  ExtensionRequest,
  TicketActionRequest,
  TicketView,
} from '../../common/api.ts';
import type { AgencyRow } from '../agencies/schema.ts';
import { findAgency } from '../agencies/service.ts';
import type { AuthUser } from '../auth/service.ts';
import { findCategory } from '../categories/service.ts';
import { createGroupCommitter, durably, type GroupCommitter } from '../db/group-commit.ts';
import type { Db } from '../db/index.ts';
import { DEFAULT_CALENDAR, type WorkingCalendar } from '../deadlines/calendar.ts';
import { resumedDeadline } from '../deadlines/policy.ts';
import { linkTicket, writtenRequestForTicket } from '../intake/ticketing.ts';
import { addIntent, type Tx } from '../outbox/outbox.ts';
import { NoRouteError } from '../routing/errors.ts';
import { placeTicket, suggestAgency } from '../routing/service.ts';
import { assignmentColumns, recordAssignmentIntents } from './assignment.ts';
import {
  IdempotencyKeyReusedError,
  TicketNotFoundError,
  TicketValidationError,
  UnknownAgencyError,
} from './errors.ts';
import { NO_TICKET_HOOKS, NO_TICKET_NOTIFIER, type TicketHooks, type TicketNotifier } from './hooks.ts';
import {
  findIdempotencyKey,
  type IdempotentRequest,
  insertIdempotencyKey,
  pruneIdempotencyKeys,
} from './idempotency.ts';
import { type ActionOutcome, applyAction, applyExtension } from './lifecycle.ts';
import {
  appendTicketEvent,
  findTicket,
  insertTicket,
  listTickets,
  masksCallerNumber,
  type NewTicket,
  recordNumberView,
  type TicketFilter,
  type TicketWithAgency,
  ticketEventViews,
  toTicketView,
  updateTicket,
  visibleToAgency,
} from './repository.ts';
import { newTrackingCode } from './tracking-code.ts';

/**
 * For transactions that read before they write: the job process writes to the same file, and a
 * deferred transaction that has read cannot become a writer once it has committed meanwhile
 * (SQLITE_BUSY at once, no waiting). IMMEDIATE takes the write lock, waiting its turn, up front.
 */
const IMMEDIATE = { behavior: 'immediate' } as const;

export type TicketListQuery = Omit<TicketFilter, 'assignedOnly'>;

export interface TicketService {
  /**
   * Throws `UnknownCategoryError`, `UnknownUnitError`, `UnknownAgencyError`, `NoRouteError`, or a
   * validation error (e.g. an answer missing).
   */
  create(input: CreateTicketRequest, by: AuthUser): TicketView;
  /**
   * Like `create`, but the ticket commits in one transaction with the others created during the
   * same turn of the event loop (group commit; see `db/group-commit.ts`): far cheaper under load.
   * A ticket that fails rejects alone; the answer comes once the ticket is durable.
   *
   * With `idempotency`, a request the user already made with that key answers with the ticket it
   * created (also when the two ran concurrently) and creates nothing; the key with a different
   * request throws `IdempotencyKeyReusedError`.
   */
  createGrouped(
    input: CreateTicketRequest,
    by: AuthUser,
    idempotency?: IdempotentRequest,
  ): Promise<TicketView>;
  /** Applies one life-cycle action; see `lifecycle.ts` for what it throws. */
  act(id: number, request: TicketActionRequest, by: AuthUser): TicketView;
  /** Grants the ticket's one extension of its resolution deadline. */
  extend(id: number, request: ExtensionRequest, by: AuthUser): TicketView;
  list(query: TicketListQuery, by: AuthUser): TicketView[];
  /** With its audit log. Throws `TicketNotFoundError`, also for another agency's ticket. */
  get(id: number, by: AuthUser): TicketView;
}

export interface TicketServiceDeps {
  db: Db;
  logger: Logger;
  now?: () => Date;
  calendar?: WorkingCalendar;
  hooks?: TicketHooks;
  notifier?: TicketNotifier;
  /** Shared by everything that group-commits on `db`; one of its own otherwise. */
  committer?: GroupCommitter;
}

export function createTicketService(deps: TicketServiceDeps): TicketService {
  const { db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const calendar = deps.calendar ?? DEFAULT_CALENDAR;
  const hooks = deps.hooks ?? NO_TICKET_HOOKS;
  const notifier = deps.notifier ?? NO_TICKET_NOTIFIER;
  // A new ticket's tracking code is read to the citizen at once: its commit reaches the disk first.
  const committer = deps.committer ?? createGroupCommitter(db.$client, { durable: true });
  /** Expired idempotency keys are pruned by a keyed creation, at most this often. */
  const PRUNE_EVERY_MS = 10 * 60 * 1000;
  let prunedAt = 0;

  /** A deactivated agency takes no new tickets. */
  function agencyOrThrow(id: number): AgencyRow {
    const agency = findAgency(db, id);
    if (!agency?.active) throw new UnknownAgencyError();
    return agency;
  }

  function throwNoRoute(): never {
    throw new NoRouteError();
  }

  /** The category's own resolution time, if it has one (and still exists). */
  function resolveWorkingDaysOf(category: string): number | null {
    return findCategory(db, category)?.resolveWorkingDays ?? null;
  }

  /** A liaison gets the same 404 for another agency's ticket as for a missing one. */
  function visibleOrThrow(id: number, by: AuthUser): TicketWithAgency {
    const row = findTicket(db, id);
    if (!row) throw new TicketNotFoundError();
    if (by.role === 'agency' && !visibleToAgency(row.ticket, by.agencyId)) throw new TicketNotFoundError();
    return row;
  }

  function recordEvent(tx: Tx, ticketId: number, by: AuthUser, outcome: ActionOutcome): void {
    const { event } = outcome;
    appendTicketEvent(tx, { ticketId, actorId: by.id, ...event });
  }

  /** Tells consoles about the committed change and answers with the ticket as it now is. */
  function changed(row: TicketWithAgency, by: AuthUser): TicketView {
    notifier.ticketChanged(row.ticket.id, row);
    return toTicketView(row, now(), by.role);
  }

  /**
   * Validates a new ticket and works out its agency and first step, before anything is written;
   * throws what `create` throws. Returns the writes, to run inside a transaction.
   */
  function prepareCreate(
    input: CreateTicketRequest,
    by: AuthUser,
    idempotency?: IdempotentRequest,
  ): () => TicketWithAgency {
    const at = now();
    // A unit a later import no longer lists keeps its old tickets but gets no new ones.
    const { category, unit, suggested } = placeTicket(db, input.category, input.unitCode ?? null);
    const agency =
      input.agencyId !== undefined ? agencyOrThrow(input.agencyId) : (suggested ?? throwNoRoute());
    const priority = input.priority ?? 'normal';
    const outcome = input.outcome ?? 'assign';
    // Made from a citizen's written request: the ticket keeps the code the citizen was given.
    const written =
      input.writtenRequestId !== undefined ? writtenRequestForTicket(db, input.writtenRequestId) : null;
    const trackingCode = written ? () => written.trackingCode : newTrackingCode;
    const step: TicketActionRequest =
      outcome === 'assign'
        ? { action: 'assign', agencyId: agency.id }
        : outcome === 'answered'
          ? { action: 'answer', ...(input.answer !== undefined ? { text: input.answer } : {}) }
          : { action: 'request_callback' };
    // The first step is taken on the ticket as received; it validates before anything is written.
    const first = applyAction(
      { id: 0, status: 'received', agencyId: agency.id },
      { ...step, actorRole: by.role, actorAgencyId: by.agencyId },
      at,
    );
    const values: Omit<NewTicket, 'trackingCode'> = {
      callId: input.callId ?? null,
      callerNumber: input.callerNumber,
      callerName: input.callerName?.trim() || null,
      category: category.key,
      unitCode: unit?.code ?? null,
      address: input.address?.trim() || null,
      description: input.description,
      agencyId: agency.id,
      priority,
      createdBy: by.id,
      createdAt: at,
      ...first.changes,
      ...(outcome === 'assign'
        ? assignmentColumns(agency, priority, at, calendar, category.resolveWorkingDays)
        : {}),
    };

    // Statements run on `db`, prepared once, inside the open transaction (one connection).
    const tx = db;
    return () => {
      const created = insertTicket(tx, values, trackingCode);
      if (written) linkTicket(tx, written.id, created.id, by.id, at);
      appendTicketEvent(tx, {
        ticketId: created.id,
        at,
        actorId: by.id,
        action: 'create',
        from: null,
        to: 'received',
      });
      recordEvent(tx, created.id, by, first);
      if (outcome === 'assign') recordAssignmentIntents(tx, created.id, agency, at);
      hooks.afterChange(tx, created, null, at);
      if (idempotency) {
        if (at.getTime() - prunedAt >= PRUNE_EVERY_MS) {
          pruneIdempotencyKeys(tx, at);
          prunedAt = at.getTime();
        }
        // Last: a concurrent request with the same key fails here, and its savepoint takes the
        // ticket, events and intents back with it.
        insertIdempotencyKey(tx, { userId: by.id, request: idempotency, ticketId: created.id, at });
      }
      return {
        ticket: created,
        agency,
        labels: { categoryName: category.name, unitName: unit?.name ?? null },
      };
    };
  }

  /** The answer to a repeated request: the ticket its key created, as it now is. */
  function replayed(
    prior: { requestHash: string; ticketId: number },
    idempotency: IdempotentRequest,
    by: AuthUser,
  ): TicketView {
    if (prior.requestHash !== idempotency.requestHash) throw new IdempotencyKeyReusedError();
    const row = findTicket(db, prior.ticketId);
    if (!row) throw new TicketNotFoundError();
    logger.info(
      { ticketId: prior.ticketId, userId: by.id },
      'ticket creation replayed for its idempotency key',
    );
    return toTicketView(row, now(), by.role);
  }

  /** After the ticket's transaction committed. */
  function created(row: TicketWithAgency, by: AuthUser): TicketView {
    const { ticket } = row;
    logger.info(
      { ticketId: ticket.id, category: ticket.category, agencyId: ticket.agencyId, status: ticket.status },
      'ticket created',
    );
    return changed(row, by);
  }

  return {
    create(input, by) {
      const write = prepareCreate(input, by);
      return created(
        durably(db.$client, () => db.$client.transaction(write)()),
        by,
      );
    },

    async createGrouped(input, by, idempotency) {
      if (!idempotency) return created(await committer.run(prepareCreate(input, by)), by);
      const prior = findIdempotencyKey(db, by.id, idempotency.key);
      if (prior) return replayed(prior, idempotency, by);
      const write = prepareCreate(input, by, idempotency);
      try {
        return created(await committer.run(write), by);
      } catch (err) {
        // A concurrent request with the same key committed first: the unique index refused ours.
        const winner = findIdempotencyKey(db, by.id, idempotency.key);
        if (winner) return replayed(winner, idempotency, by);
        throw err;
      }
    },

    act(id, request, by) {
      const at = now();
      const tx = db;
      const { from, row } = db.transaction(() => {
        const current = visibleOrThrow(id, by);
        const { ticket } = current;
        let agency: AgencyRow | undefined;
        if (request.action === 'assign') {
          agency =
            request.agencyId !== undefined
              ? agencyOrThrow(request.agencyId)
              : suggestAgency(tx, ticket.category, ticket.unitCode);
        }
        const outcome = applyAction(
          ticket,
          {
            ...request,
            ...(agency ? { agencyId: agency.id } : {}),
            actorRole: by.role,
            actorAgencyId: by.agencyId,
          },
          at,
        );
        if (request.action === 'mark_duplicate' && !findTicket(tx, request.parentId!)) {
          throw new TicketValidationError('UNKNOWN_PARENT', 'Không tìm thấy phiếu gốc.');
        }
        // Sent back: the agency's clock resumes, its deadline moved by the time the review took.
        const resumed =
          request.action === 'send_back' && ticket.resolvedAt && ticket.resolveDueAt
            ? {
                resolveDueAt: resumedDeadline(
                  ticket.resolveDueAt,
                  ticket.resolvedAt,
                  at,
                  ticket.priority,
                  calendar,
                ),
              }
            : null;
        const after = updateTicket(tx, id, {
          ...outcome.changes,
          ...(agency
            ? assignmentColumns(agency, ticket.priority, at, calendar, resolveWorkingDaysOf(ticket.category))
            : {}),
          ...resumed,
        });
        recordEvent(tx, id, by, outcome);
        if (agency) recordAssignmentIntents(tx, id, agency, at);
        if (resumed) addIntent(tx, { kind: 'deadline', ticketId: id }, at);
        hooks.afterChange(tx, after, ticket.status, at);
        return {
          from: ticket.status,
          row: { ticket: after, agency: agency ?? current.agency, labels: current.labels },
        };
      }, IMMEDIATE);
      logger.debug({ ticketId: id, action: request.action, from, userId: by.id }, 'ticket action');
      return changed(row, by);
    },

    extend(id, request, by) {
      const at = now();
      const tx = db;
      const row = db.transaction(() => {
        const { ticket, agency, labels } = visibleOrThrow(id, by);
        const granted = applyExtension(
          ticket,
          { reason: request.reason, resolveDueAt: new Date(request.resolveDueAt), actorRole: by.role },
          at,
        );
        const after = updateTicket(tx, id, granted);
        appendTicketEvent(tx, {
          ticketId: id,
          at,
          actorId: by.id,
          action: 'extend',
          from: ticket.status,
          to: ticket.status,
          reason: granted.extensionReason,
          text: granted.resolveDueAt.toISOString(),
        });
        addIntent(tx, { kind: 'deadline', ticketId: id }, at);
        hooks.afterChange(tx, after, ticket.status, at);
        return { ticket: after, agency, labels };
      }, IMMEDIATE);
      logger.info({ ticketId: id, userId: by.id }, 'ticket deadline extended');
      return changed(row, by);
    },

    list(query, by) {
      const at = now();
      let filter: TicketFilter = query;
      if (by.role === 'agency') {
        if (by.agencyId === null) return [];
        if (query.agencyId !== undefined && query.agencyId !== by.agencyId) return [];
        filter = { ...query, agencyId: by.agencyId, assignedOnly: true };
      }
      return listTickets(db, filter, at).map((row) => toTicketView(row, at, by.role));
    },

    get(id, by) {
      const row = visibleOrThrow(id, by);
      const at = now();
      const view = toTicketView(row, at, by.role, { fullNumber: true });
      if (!masksCallerNumber(by.role)) {
        recordNumberView(db, { actorId: by.id, entity: 'ticket', entityId: id, via: 'detail' }, at);
      }
      return { ...view, events: ticketEventViews(db, id) };
    },
  };
}
