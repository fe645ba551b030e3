/**
 * Account management for admins: create, edit, disable and enable accounts, and reset their
 * passwords. Every change and its audit entry commit in one transaction; a new or reset account
 * gets a one-time password (shown once, stored only as its hash) that it must replace at its first
 * login. Listeners are told each changed account's id after the commit (sockets, softphone accounts).
 */
import { randomInt } from 'node:crypto';
import { and, asc, eq, like, or, type SQL } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { AccountView, CreateAccountRequest, UpdateAccountRequest } from '../../common/api.ts';
import { hasSoftphone, type QueueName, type Role } from '../../common/domain.ts';
import { audit } from '../audit/service.ts';
import { hashPassword } from '../auth/password.ts';
import type { UserRow } from '../auth/schema.ts';
import { endSessionsOf } from '../auth/service.ts';
import type { Db } from '../db/index.ts';
import { agencies, users } from '../db/schema.ts';
import {
  AccountNotFoundError,
  CannotDisableSelfError,
  InvalidAccountError,
  UsernameTakenError,
} from './errors.ts';

export const USERNAME_PATTERN = '^[a-z0-9][a-z0-9._-]{1,31}$';

/** Told the id of an account after a change to it commits. */
export type AccountListener = (userId: number) => void;

/** Letters and digits that cannot be mistaken for one another when read aloud or off paper. */
const ONE_TIME_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** e.g. `k7pm-3xqa-hn4w-t9cd`: 16 random characters (≈79 bits), in groups of 4 to dictate. */
export function oneTimePassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let group = '';
    for (let i = 0; i < 4; i++) group += ONE_TIME_ALPHABET[randomInt(ONE_TIME_ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

export interface AccountFilter {
  role?: Role;
  /** Part of the username or display name. */
  q?: string;
}

export interface AccountService {
  list(filter?: AccountFilter): AccountView[];
  create(
    actorId: number | null,
    request: CreateAccountRequest,
  ): Promise<{ account: AccountView; oneTimePassword: string }>;
  update(actorId: number, id: number, request: UpdateAccountRequest): AccountView;
  disable(actorId: number, id: number): AccountView;
  enable(actorId: number, id: number): AccountView;
  resetPassword(actorId: number, id: number): Promise<{ account: AccountView; oneTimePassword: string }>;
}

/** What the audit log keeps of an account: never its password hash nor its SIP password. */
function auditView(row: UserRow) {
  return {
    username: row.username,
    displayName: row.displayName,
    role: row.role,
    skills: row.skills,
    agencyId: row.agencyId,
    disabled: row.disabledAt !== null,
    mustChangePassword: row.mustChangePassword,
  };
}

function toAccountView(row: UserRow, agencyName: string | null): AccountView {
  return { id: row.id, ...auditView(row), createdAt: row.createdAt.toISOString(), agencyName };
}

type Handle = Pick<Db, 'select'>;

function accountRows(handle: Handle, where: SQL | undefined): AccountView[] {
  return handle
    .select({ user: users, agencyName: agencies.name })
    .from(users)
    .leftJoin(agencies, eq(agencies.id, users.agencyId))
    .where(where)
    .orderBy(asc(users.username))
    .all()
    .map(({ user, agencyName }) => toAccountView(user, agencyName));
}

function accountView(handle: Handle, id: number): AccountView {
  const [view] = accountRows(handle, eq(users.id, id));
  if (!view) throw new AccountNotFoundError();
  return view;
}

function findRow(handle: Handle, id: number): UserRow {
  const row = handle.select().from(users).where(eq(users.id, id)).get();
  if (!row) throw new AccountNotFoundError();
  return row;
}

interface Assignment {
  role: Role;
  skills: QueueName[];
  agencyId: number | null;
}

/** Checks that role, skills and agency fit together; the agency must exist and be active. */
function checkAssignment(handle: Handle, a: Assignment): Assignment {
  if (a.role === 'agency') {
    if (a.agencyId === null) throw new InvalidAccountError('Tài khoản cơ quan phải thuộc một cơ quan.');
    const agency = handle
      .select({ active: agencies.active })
      .from(agencies)
      .where(eq(agencies.id, a.agencyId))
      .get();
    if (!agency) throw new InvalidAccountError('Không tìm thấy cơ quan đã chọn.');
    if (!agency.active) throw new InvalidAccountError('Cơ quan đã chọn đã ngừng hoạt động.');
  } else if (a.agencyId !== null) {
    throw new InvalidAccountError('Chỉ tài khoản cơ quan mới gắn với một cơ quan.');
  }
  if (!hasSoftphone(a.role) && a.skills.length > 0) {
    throw new InvalidAccountError('Chỉ tổng đài viên và giám sát viên mới có hàng chờ phục vụ.');
  }
  return { ...a, skills: [...new Set(a.skills)] };
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function createAccountService(deps: {
  db: Db;
  logger: Logger;
  listeners?: readonly AccountListener[];
  now?: () => Date;
}): AccountService {
  const { db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const listeners = deps.listeners ?? [];

  const changed = (userId: number) => {
    for (const listener of listeners) {
      try {
        listener(userId);
      } catch (err) {
        logger.error({ err, userId }, 'an account listener failed');
      }
    }
  };

  /** Disables or enables the account, audited; no change (and no entry) when it already is. */
  const setDisabled = (actorId: number, id: number, disabled: boolean) => {
    const at = now();
    db.transaction((tx) => {
      const before = findRow(tx, id);
      if ((before.disabledAt !== null) === disabled) return;
      const after = tx
        .update(users)
        .set({ disabledAt: disabled ? at : null })
        .where(eq(users.id, id))
        .returning()
        .get();
      audit(
        tx,
        {
          actorId,
          action: disabled ? 'user.disable' : 'user.enable',
          entity: 'user',
          entityId: id,
          before: auditView(before),
          after: auditView(after),
        },
        at,
      );
    });
  };

  return {
    list(filter = {}) {
      const where: SQL[] = [];
      if (filter.role) where.push(eq(users.role, filter.role));
      const q = filter.q?.trim();
      if (q) {
        const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        const match = or(like(users.username, pattern), like(users.displayName, pattern));
        if (match) where.push(match);
      }
      return accountRows(db, where.length > 0 ? and(...where) : undefined);
    },

    async create(actorId, request) {
      const username = request.username;
      const displayName = request.displayName.trim();
      if (displayName === '') throw new InvalidAccountError('Vui lòng nhập họ tên.');
      const assignment = checkAssignment(db, {
        role: request.role,
        skills: request.skills ?? [],
        agencyId: request.agencyId ?? null,
      });
      if (db.select({ id: users.id }).from(users).where(eq(users.username, username)).get()) {
        throw new UsernameTakenError(username);
      }
      const password = oneTimePassword();
      const passwordHash = await hashPassword(password);
      const at = now();
      let id: number;
      try {
        id = db.transaction((tx) => {
          const row = tx
            .insert(users)
            .values({
              username,
              displayName,
              ...assignment,
              passwordHash,
              createdAt: at,
              mustChangePassword: true,
            })
            .returning()
            .get();
          audit(
            tx,
            {
              actorId,
              action: 'user.create',
              entity: 'user',
              entityId: row.id,
              before: null,
              after: auditView(row),
            },
            at,
          );
          return row.id;
        });
      } catch (err) {
        // Another request took the name between the check and the insert.
        if (isUniqueViolation(err)) throw new UsernameTakenError(username);
        throw err;
      }
      changed(id);
      return { account: accountView(db, id), oneTimePassword: password };
    },

    update(actorId, id, request) {
      const at = now();
      const { roleOrAgencyChanged } = db.transaction((tx) => {
        const before = findRow(tx, id);
        const role = request.role ?? before.role;
        if (id === actorId && role !== 'admin') {
          throw new InvalidAccountError('Không thể tự bỏ quyền quản trị của chính mình.');
        }
        const assignment = checkAssignment(tx, {
          role,
          // A role that has no skills or agency drops the old ones unless the request sets them.
          skills: request.skills ?? (hasSoftphone(role) ? before.skills : []),
          agencyId:
            request.agencyId !== undefined ? request.agencyId : role === 'agency' ? before.agencyId : null,
        });
        const displayName = request.displayName?.trim() ?? before.displayName;
        if (displayName === '') throw new InvalidAccountError('Vui lòng nhập họ tên.');
        const after = tx
          .update(users)
          .set({ displayName, ...assignment })
          .where(eq(users.id, id))
          .returning()
          .get();
        audit(
          tx,
          {
            actorId,
            action: 'user.update',
            entity: 'user',
            entityId: id,
            before: auditView(before),
            after: auditView(after),
          },
          at,
        );
        return { roleOrAgencyChanged: before.role !== after.role || before.agencyId !== after.agencyId };
      });
      // Sessions and sockets were set up for the old role (pages, rooms): the user logs in again.
      if (roleOrAgencyChanged) endSessionsOf(db, id);
      changed(id);
      return accountView(db, id);
    },

    disable(actorId, id) {
      if (id === actorId) throw new CannotDisableSelfError();
      setDisabled(actorId, id, true);
      endSessionsOf(db, id);
      changed(id);
      return accountView(db, id);
    },

    enable(actorId, id) {
      setDisabled(actorId, id, false);
      changed(id);
      return accountView(db, id);
    },

    async resetPassword(actorId, id) {
      findRow(db, id);
      const password = oneTimePassword();
      const passwordHash = await hashPassword(password);
      const at = now();
      db.transaction((tx) => {
        const before = findRow(tx, id);
        const after = tx
          .update(users)
          .set({ passwordHash, mustChangePassword: true })
          .where(eq(users.id, id))
          .returning()
          .get();
        audit(
          tx,
          {
            actorId,
            action: 'user.reset_password',
            entity: 'user',
            entityId: id,
            before: auditView(before),
            after: auditView(after),
          },
          at,
        );
      });
      endSessionsOf(db, id);
      changed(id);
      return { account: accountView(db, id), oneTimePassword: password };
    },
  };
}
