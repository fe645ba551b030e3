/**
 * The admin's agencies: create, edit, rotate the webhook secret, deactivate (moving its open
 * tickets and routing rules to another agency in the same transaction) and activate again. Each
 * change is audited in its transaction, never with the secret.
 */
import { and, asc, count, eq, inArray, isNotNull, ne } from 'drizzle-orm';
import type {
  AgencyAdminView,
  CreateAgencyRequest,
  MovedRoutingRule,
  UpdateAgencyRequest,
} from '../../common/api.ts';
import { AGENCY_KINDS, type AgencyKind, type TicketStatus } from '../../common/domain.ts';
import { audit } from '../audit/service.ts';
import { randomSecret } from '../auth/password.ts';
import type { AuthUser } from '../auth/service.ts';
import type { Db } from '../db/index.ts';
import { agencies, categories, routingUnits, tickets, units, users } from '../db/schema.ts';
import type { WorkingCalendar } from '../deadlines/calendar.ts';
import { AppError } from '../errors.ts';
import { assignmentColumns, recordAssignmentIntents } from '../tickets/assignment.ts';
import {
  NO_TICKET_HOOKS,
  NO_TICKET_NOTIFIER,
  type TicketHooks,
  type TicketNotifier,
} from '../tickets/hooks.ts';
import { OPEN_STATUSES } from '../tickets/lifecycle.ts';
import { appendTicketEvent, updateTicket } from '../tickets/repository.ts';
import type { AgencyRow } from './schema.ts';

/** Open but not yet assigned: the agency is only routing's suggestion. */
const UNASSIGNED_STATUSES: readonly TicketStatus[] = ['received', 'callback_pending'];

const CODE_PATTERN = /^[a-z0-9][a-z0-9-]{1,39}$/;
const IMMEDIATE = { behavior: 'immediate' } as const;

export class AgencyValidationError extends AppError {
  constructor(code: string, message: string, status = 400) {
    super(code, status, message);
  }
}

export class AgencyNotFoundError extends AppError {
  constructor() {
    super('AGENCY_NOT_FOUND', 404, 'Không tìm thấy cơ quan.');
  }
}

export class AgencyCodeTakenError extends AppError {
  constructor(code: string) {
    super('AGENCY_CODE_TAKEN', 409, `Mã cơ quan "${code}" đã được dùng.`);
  }
}

/** Deactivating an agency with open tickets (or routing rules) needs somewhere to move them. */
export class TargetRequiredError extends AppError {
  readonly openTickets: number;
  readonly rules: number;
  constructor(openTickets: number, rules: number) {
    super(
      'TARGET_REQUIRED',
      400,
      `Cơ quan còn ${openTickets} phiếu chưa xử lý xong và ${rules} quy tắc định tuyến; vui lòng chọn cơ quan nhận chuyển.`,
    );
    this.openTickets = openTickets;
    this.rules = rules;
  }
}

/** What the audit log keeps of an agency: everything but its secret. */
function audited(agency: AgencyRow): Omit<AgencyRow, 'forwardSecret'> {
  const { forwardSecret: _secret, ...rest } = agency;
  return rest;
}

export class ForwardUrlNotHttpsError extends AgencyValidationError {
  constructor() {
    super(
      'FORWARD_URL_NOT_HTTPS',
      'Ở chế độ vận hành chính thức, địa chỉ nhận phiếu phải dùng https:// (phiếu chứa thông tin cá nhân của người dân).',
    );
  }
}

/** `requireHttps`: production, where tickets (personal data) never travel in clear. */
function normalizeUrl(url: string | null | undefined, requireHttps: boolean): string | null {
  const trimmed = url?.trim();
  if (!trimmed) return null;
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new AgencyValidationError(
      'INVALID_FORWARD_URL',
      'Địa chỉ nhận phiếu phải là một URL http(s) hợp lệ.',
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AgencyValidationError(
      'INVALID_FORWARD_URL',
      'Địa chỉ nhận phiếu phải là một URL http(s) hợp lệ.',
    );
  }
  if (requireHttps && parsed.protocol !== 'https:') throw new ForwardUrlNotHttpsError();
  return trimmed;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 200) {
    throw new AgencyValidationError('NAME_REQUIRED', 'Vui lòng nhập tên cơ quan (tối đa 200 ký tự).');
  }
  return trimmed;
}

/**
 * A commune committee needs an existing unit that no other active committee governs; any other
 * agency may name a unit (e.g. a commune's police), which must exist.
 */
function checkUnit(
  db: Pick<Db, 'select'>,
  kind: AgencyKind,
  unitCode: string | null,
  selfId: number | null,
): void {
  if (!(kind in AGENCY_KINDS)) throw new AgencyValidationError('INVALID_KIND', 'Loại cơ quan không hợp lệ.');
  if (unitCode === null) {
    if (kind === 'commune_committee') {
      throw new AgencyValidationError(
        'UNIT_REQUIRED',
        'UBND xã, phường, đặc khu phải gắn với một đơn vị hành chính.',
      );
    }
    return;
  }
  const unit = db.select({ code: units.code }).from(units).where(eq(units.code, unitCode)).get();
  if (!unit) throw new AgencyValidationError('UNKNOWN_UNIT', `Không có đơn vị hành chính mã "${unitCode}".`);
  if (kind !== 'commune_committee') return;
  const other = db
    .select({ id: agencies.id, name: agencies.name })
    .from(agencies)
    .where(
      and(
        eq(agencies.unitCode, unitCode),
        eq(agencies.kind, 'commune_committee'),
        eq(agencies.active, true),
        ...(selfId !== null ? [ne(agencies.id, selfId)] : []),
      ),
    )
    .get();
  if (other) {
    throw new AgencyValidationError(
      'COMMITTEE_EXISTS',
      `Đơn vị này đã có UBND đang hoạt động: ${other.name}.`,
      409,
    );
  }
}

function findRow(db: Pick<Db, 'select'>, id: number): AgencyRow {
  const row = db.select().from(agencies).where(eq(agencies.id, id)).get();
  if (!row) throw new AgencyNotFoundError();
  return row;
}

/** Every agency (or the one `id`), departments first, each kind by name. */
export function listAgenciesForAdmin(db: Db, id?: number): AgencyAdminView[] {
  const rows = db
    .select({ agency: agencies, unitName: units.name })
    .from(agencies)
    .leftJoin(units, eq(units.code, agencies.unitCode))
    .where(id !== undefined ? eq(agencies.id, id) : undefined)
    .orderBy(asc(agencies.kind), asc(agencies.name))
    .all();
  const ids = rows.map((r) => r.agency.id);
  if (ids.length === 0) return [];
  const liaisons = db
    .select({
      id: users.id,
      username: users.username,
      displayName: users.displayName,
      disabledAt: users.disabledAt,
      agencyId: users.agencyId,
    })
    .from(users)
    .where(and(eq(users.role, 'agency'), isNotNull(users.agencyId), inArray(users.agencyId, ids)))
    .orderBy(asc(users.username))
    .all();
  const open = new Map(
    db
      .select({ agencyId: tickets.agencyId, n: count() })
      .from(tickets)
      .where(and(inArray(tickets.agencyId, ids), inArray(tickets.status, [...OPEN_STATUSES])))
      .groupBy(tickets.agencyId)
      .all()
      .map((r) => [r.agencyId, r.n]),
  );
  return rows.map(({ agency, unitName }) => ({
    id: agency.id,
    code: agency.code,
    name: agency.name,
    kind: agency.kind,
    unit: agency.unitCode ? { code: agency.unitCode, name: unitName ?? agency.unitCode } : null,
    active: agency.active,
    forwardUrl: agency.forwardUrl,
    receivesCallerNumber: agency.receivesCallerNumber,
    liaisons: liaisons
      .filter((l) => l.agencyId === agency.id)
      .map((l) => ({
        id: l.id,
        username: l.username,
        displayName: l.displayName,
        disabled: l.disabledAt !== null,
      })),
    openTickets: open.get(agency.id) ?? 0,
  }));
}

function viewOf(db: Db, id: number): AgencyAdminView {
  const view = listAgenciesForAdmin(db, id)[0];
  if (!view) throw new AgencyNotFoundError();
  return view;
}

export interface AgencyAdminDeps {
  db: Db;
  now: () => Date;
  /** The deadline clock a reassignment's due times count in. */
  calendar: WorkingCalendar;
  /** Run inside the transaction for each moved ticket, as for any ticket change (relay nudge, SMS). */
  hooks?: TicketHooks;
  /** Told after the commit about each moved ticket (socket.io pushes). */
  notifier?: TicketNotifier;
  /** Refuse `http:` forward URLs (production). */
  requireHttps?: boolean;
}

export interface AgencyAdminService {
  list(): AgencyAdminView[];
  /** Throws `AgencyCodeTakenError` or a validation error. */
  create(input: CreateAgencyRequest, by: AuthUser): { data: AgencyAdminView; secret: string };
  update(id: number, patch: UpdateAgencyRequest, by: AuthUser): AgencyAdminView;
  rotateSecret(id: number, by: AuthUser): string;
  deactivate(
    id: number,
    targetId: number | undefined,
    by: AuthUser,
  ): { data: AgencyAdminView; moved: number; rulesMoved: MovedRoutingRule[] };
  activate(id: number, by: AuthUser): AgencyAdminView;
}

export function createAgencyAdminService(deps: AgencyAdminDeps): AgencyAdminService {
  const { db, now, calendar } = deps;
  const hooks = deps.hooks ?? NO_TICKET_HOOKS;
  const notifier = deps.notifier ?? NO_TICKET_NOTIFIER;
  const requireHttps = deps.requireHttps ?? false;

  return {
    list: () => listAgenciesForAdmin(db),

    create(input, by) {
      const code = input.code.trim();
      if (!CODE_PATTERN.test(code)) {
        throw new AgencyValidationError(
          'INVALID_AGENCY_CODE',
          'Mã cơ quan gồm 2–40 ký tự chữ thường không dấu, số và dấu gạch ngang, bắt đầu bằng chữ hoặc số.',
        );
      }
      const name = checkName(input.name);
      const forwardUrl = normalizeUrl(input.forwardUrl, requireHttps);
      const receivesCallerNumber = input.receivesCallerNumber ?? false;
      const unitCode = input.unitCode?.trim() || null;
      const secret = randomSecret(32);
      const at = now();
      const id = db.transaction((tx) => {
        if (tx.select({ id: agencies.id }).from(agencies).where(eq(agencies.code, code)).get()) {
          throw new AgencyCodeTakenError(code);
        }
        checkUnit(tx, input.kind, unitCode, null);
        const row = tx
          .insert(agencies)
          .values({
            code,
            name,
            kind: input.kind,
            unitCode,
            forwardUrl,
            receivesCallerNumber,
            forwardSecret: secret,
            active: true,
          })
          .returning()
          .get();
        audit(
          tx,
          {
            actorId: by.id,
            action: 'agency.create',
            entity: 'agency',
            entityId: row.id,
            after: audited(row),
          },
          at,
        );
        return row.id;
      }, IMMEDIATE);
      return { data: viewOf(db, id), secret };
    },

    update(id, patch, by) {
      const at = now();
      db.transaction((tx) => {
        const before = findRow(tx, id);
        const kind = patch.kind ?? before.kind;
        const unitCode = patch.unitCode === undefined ? before.unitCode : patch.unitCode?.trim() || null;
        const name = patch.name === undefined ? before.name : checkName(patch.name);
        const forwardUrl =
          patch.forwardUrl === undefined ? before.forwardUrl : normalizeUrl(patch.forwardUrl, requireHttps);
        const receivesCallerNumber = patch.receivesCallerNumber ?? before.receivesCallerNumber;
        // An inactive committee does not hold its unit; it is checked again when activated.
        if (before.active) checkUnit(tx, kind, unitCode, id);
        else if (kind === 'commune_committee' && unitCode === null) checkUnit(tx, kind, unitCode, id);
        const after = tx
          .update(agencies)
          .set({ name, kind, unitCode, forwardUrl, receivesCallerNumber })
          .where(eq(agencies.id, id))
          .returning()
          .get()!;
        audit(
          tx,
          {
            actorId: by.id,
            action: 'agency.update',
            entity: 'agency',
            entityId: id,
            before: audited(before),
            after: audited(after),
          },
          at,
        );
      }, IMMEDIATE);
      return viewOf(db, id);
    },

    rotateSecret(id, by) {
      const secret = randomSecret(32);
      const at = now();
      db.transaction((tx) => {
        findRow(tx, id);
        // Deliveries read the secret when they sign, so the old one stops at once.
        tx.update(agencies).set({ forwardSecret: secret }).where(eq(agencies.id, id)).run();
        audit(tx, { actorId: by.id, action: 'agency.rotate_secret', entity: 'agency', entityId: id }, at);
      }, IMMEDIATE);
      return secret;
    },

    deactivate(id, targetId, by) {
      const at = now();
      const result = db.transaction((tx) => {
        const agency = findRow(tx, id);
        if (!agency.active) {
          throw new AgencyValidationError('AGENCY_INACTIVE', 'Cơ quan này đã ngừng hoạt động.', 409);
        }
        const open = tx
          .select()
          .from(tickets)
          .where(and(eq(tickets.agencyId, id), inArray(tickets.status, [...OPEN_STATUSES])))
          .orderBy(asc(tickets.id))
          .all();
        const defaults = tx
          .select({ key: categories.key, name: categories.name })
          .from(categories)
          .where(eq(categories.defaultAgencyId, id))
          .all();
        const exceptions = tx
          .select({
            category: routingUnits.category,
            categoryName: categories.name,
            unitCode: routingUnits.unitCode,
            unitName: units.name,
          })
          .from(routingUnits)
          .innerJoin(categories, eq(categories.key, routingUnits.category))
          .innerJoin(units, eq(units.code, routingUnits.unitCode))
          .where(eq(routingUnits.agencyId, id))
          .all();
        const rulesMoved: MovedRoutingRule[] = [
          ...defaults.map((c) => ({ category: c.key, categoryName: c.name, unitCode: null, unitName: null })),
          ...exceptions,
        ];
        if (targetId === undefined) {
          if (open.length > 0 || rulesMoved.length > 0)
            throw new TargetRequiredError(open.length, rulesMoved.length);
        }
        let target: AgencyRow | undefined;
        if (targetId !== undefined) {
          target = tx.select().from(agencies).where(eq(agencies.id, targetId)).get();
          if (!target?.active || target.id === id) {
            throw new AgencyValidationError(
              'INVALID_TARGET',
              'Cơ quan nhận chuyển phải là một cơ quan khác đang hoạt động.',
            );
          }
        }
        if (target) {
          const reason = `Cơ quan "${agency.name}" ngừng hoạt động; phiếu chuyển sang "${target.name}".`;
          const resolveDays = new Map(
            tx
              .select({ key: categories.key, days: categories.resolveWorkingDays })
              .from(categories)
              .all()
              .map((c) => [c.key, c.days]),
          );
          for (const ticket of open) {
            const unassigned = UNASSIGNED_STATUSES.includes(ticket.status);
            let after: typeof ticket;
            if (unassigned) {
              // Not yet sent to anyone: only routing's suggestion changes.
              after = updateTicket(tx, ticket.id, { agencyId: target.id });
              appendTicketEvent(tx, {
                ticketId: ticket.id,
                at,
                actorId: by.id,
                action: 'note',
                from: ticket.status,
                to: ticket.status,
                reason,
              });
            } else {
              // A fresh assignment, as `assign` makes one: its own acknowledgement, result and deadlines.
              after = updateTicket(tx, ticket.id, {
                status: 'assigned',
                ackedAt: null,
                resolvedAt: null,
                result: null,
                ...assignmentColumns(
                  target,
                  ticket.priority,
                  at,
                  calendar,
                  resolveDays.get(ticket.category) ?? null,
                ),
              });
              appendTicketEvent(tx, {
                ticketId: ticket.id,
                at,
                actorId: by.id,
                action: 'assign',
                from: ticket.status,
                to: 'assigned',
                reason,
              });
              recordAssignmentIntents(tx, ticket.id, target, at);
            }
            hooks.afterChange(tx, after, ticket.status, at);
          }
          tx.update(categories)
            .set({ defaultAgencyId: target.id })
            .where(eq(categories.defaultAgencyId, id))
            .run();
          tx.update(routingUnits).set({ agencyId: target.id }).where(eq(routingUnits.agencyId, id)).run();
        }
        tx.update(agencies).set({ active: false }).where(eq(agencies.id, id)).run();
        audit(
          tx,
          {
            actorId: by.id,
            action: 'agency.deactivate',
            entity: 'agency',
            entityId: id,
            before: { active: true },
            after: {
              active: false,
              movedTo: target?.id ?? null,
              movedTickets: open.map((t) => t.id),
              rulesMoved,
            },
          },
          at,
        );
        return { moved: target ? open.map((t) => t.id) : [], rulesMoved };
      }, IMMEDIATE);
      for (const ticketId of result.moved) notifier.ticketChanged(ticketId);
      return { data: viewOf(db, id), moved: result.moved.length, rulesMoved: result.rulesMoved };
    },

    activate(id, by) {
      const at = now();
      db.transaction((tx) => {
        const agency = findRow(tx, id);
        if (agency.active)
          throw new AgencyValidationError('AGENCY_ACTIVE', 'Cơ quan này đang hoạt động.', 409);
        checkUnit(tx, agency.kind, agency.unitCode, id);
        tx.update(agencies).set({ active: true }).where(eq(agencies.id, id)).run();
        audit(
          tx,
          {
            actorId: by.id,
            action: 'agency.activate',
            entity: 'agency',
            entityId: id,
            before: { active: false },
            after: { active: true },
          },
          at,
        );
      }, IMMEDIATE);
      return viewOf(db, id);
    },
  };
}
