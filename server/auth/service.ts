/** Logins and sessions. A session is a random 32-byte token in a cookie; only its hash is stored. */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNotNull, isNull, lt, ne, sql } from 'drizzle-orm';
import { hasSoftphone } from '../../common/domain.ts';
import { audit } from '../audit/service.ts';
import type { Db } from '../db/index.ts';
import { preparedOnce } from '../db/prepared.ts';
import { sessions, users } from '../db/schema.ts';
import { AppError, UnauthenticatedError } from '../errors.ts';
import { WeakPasswordError, WrongCurrentPasswordError } from '../users/errors.ts';
import { passwordProblem } from '../users/password-policy.ts';
import { hashPassword, randomSecret, verifyPassword } from './password.ts';
import type { UserRow } from './schema.ts';

export const SESSION_COOKIE = 'hotline_session';
/** Readable by the console's script, which echoes it in `CSRF_HEADER` on every change request. */
export const CSRF_COOKIE = 'hotline_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** A shift runs into the evening; one login lasts the working day. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export type AuthUser = Omit<UserRow, 'passwordHash'>;

export class InvalidCredentialsError extends AppError {
  constructor() {
    super('INVALID_CREDENTIALS', 401, 'Tên đăng nhập hoặc mật khẩu không đúng.');
  }
}

export interface AuthService {
  /**
   * Throws `InvalidCredentialsError`; the same error for an unknown user and a wrong password. An
   * operator's or supervisor's new session gets a SIP secret of its own and takes the softphone
   * over from the user's older sessions.
   */
  login(username: string, password: string): Promise<{ token: string; user: AuthUser; expiresAt: Date }>;
  /**
   * The session's softphone: its SIP secret and when it stops working (the session's expiry). Null
   * for an unknown or ended session, or one without the softphone (taken over by a newer login).
   */
  softphoneOf(token: string): SessionSoftphone | null;
  /** Ends the session; returns its user's id, or null when there was no such session. */
  logout(token: string): number | null;
  /** The session's user, or null for an unknown or expired token or a disabled account. */
  userForToken(token: string | undefined): AuthUser | null;
  /**
   * The session's user replaces their password: the current one must match and the new one pass
   * `passwordProblem`. Clears `mustChangePassword` and ends the user's other sessions; an operator's
   * or supervisor's session keeps its SIP secret, or gets one (the login that held it is over). Throws
   * `WrongCurrentPasswordError`, `WeakPasswordError`, or `UnauthenticatedError` for an unknown session.
   */
  changePassword(token: string, currentPassword: string, newPassword: string): Promise<AuthUser>;
}

export interface SessionSoftphone {
  sipSecret: string;
  expiresAt: Date;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Bounds the per-process caches below; they start over when full. */
const CACHE_ENTRIES = 10_000;

const csrfTokens = new Map<string, string>();

/** The session's CSRF token: derived from the session token, so it needs no storage and dies with it. */
export function csrfTokenFor(sessionToken: string): string {
  let csrf = csrfTokens.get(sessionToken);
  if (csrf === undefined) {
    csrf = createHash('sha256').update(`csrf:${sessionToken}`).digest('base64url');
    if (csrfTokens.size >= CACHE_ENTRIES) csrfTokens.clear();
    csrfTokens.set(sessionToken, csrf);
  }
  return csrf;
}

/**
 * How long a session read from the database is trusted without reading it again: every API
 * request and socket looks its session up. Logging out ends the session at once (the cache is
 * shared by every auth service of the process on that database); its expiry is always checked.
 */
export const SESSION_CACHE_MS = 5000;

interface CachedSession {
  user: AuthUser;
  expiresAt: number;
  readAt: number;
}

const sessionCaches = new WeakMap<Db, Map<string, CachedSession>>();

function sessionCacheOf(db: Db): Map<string, CachedSession> {
  let cache = sessionCaches.get(db);
  if (!cache) {
    cache = new Map();
    sessionCaches.set(db, cache);
  }
  return cache;
}

/**
 * Ends every session of the user at once: deletes them, and drops them from this process's
 * session cache so no request or socket is let through on a cached read. `except` keeps one
 * session (the user's own, after they change their password); its cache entry is dropped too,
 * so its next request sees the account as it is now.
 */
export function endSessionsOf(db: Db, userId: number, opts: { except?: string } = {}): void {
  const cache = sessionCacheOf(db);
  for (const [token, cached] of cache) {
    if (cached.user.id === userId) cache.delete(token);
  }
  const ofUser = eq(sessions.userId, userId);
  db.delete(sessions)
    .where(opts.except === undefined ? ofUser : and(ofUser, ne(sessions.tokenHash, hashToken(opts.except))))
    .run();
}

function withoutHash({ passwordHash: _, ...user }: UserRow): AuthUser {
  return user;
}

/** Runs on every request: prepared once per database. */
const sessionUser = preparedOnce((db: Db) =>
  db
    .select({ user: users, expiresAt: sessions.expiresAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.tokenHash, sql.placeholder('tokenHash')))
    .prepare(),
);

export function createAuthService(deps: { db: Db; now?: () => Date; ttlMs?: number }): AuthService {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const ttlMs = deps.ttlMs ?? SESSION_TTL_MS;
  const cache = sessionCacheOf(db);
  // Verifying against a real hash for unknown users keeps the response time from revealing them.
  let dummyHash: Promise<string> | undefined;
  const unknownUserHash = () => {
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    return dummyHash;
  };

  return {
    async login(username, password) {
      const user = db.select().from(users).where(eq(users.username, username)).get();
      const ok = await verifyPassword(user?.passwordHash ?? (await unknownUserHash()), password);
      if (!user || !ok || user.disabledAt !== null) throw new InvalidCredentialsError();
      const token = randomBytes(32).toString('base64url');
      const createdAt = now();
      const expiresAt = new Date(createdAt.getTime() + ttlMs);
      const sipSecret = hasSoftphone(user.role) ? randomSecret() : null;
      db.transaction((tx) => {
        tx.delete(sessions).where(lt(sessions.expiresAt, createdAt)).run();
        if (sipSecret !== null) {
          tx.update(sessions)
            .set({ sipSecret: null })
            .where(and(eq(sessions.userId, user.id), isNotNull(sessions.sipSecret)))
            .run();
        }
        tx.insert(sessions)
          .values({ tokenHash: hashToken(token), userId: user.id, createdAt, expiresAt, sipSecret })
          .run();
      });
      return { token, user: withoutHash(user), expiresAt };
    },

    logout(token) {
      cache.delete(token);
      const ended = db
        .delete(sessions)
        .where(eq(sessions.tokenHash, hashToken(token)))
        .returning({ userId: sessions.userId })
        .get();
      return ended?.userId ?? null;
    },

    softphoneOf(token) {
      const row = db
        .select({ sipSecret: sessions.sipSecret, expiresAt: sessions.expiresAt })
        .from(sessions)
        .where(eq(sessions.tokenHash, hashToken(token)))
        .get();
      if (!row || row.sipSecret === null || row.expiresAt.getTime() <= now().getTime()) return null;
      return { sipSecret: row.sipSecret, expiresAt: row.expiresAt };
    },

    userForToken(token) {
      if (!token) return null;
      const at = now().getTime();
      const cached = cache.get(token);
      if (cached && at - cached.readAt < SESSION_CACHE_MS && at >= cached.readAt) {
        return cached.expiresAt > at ? cached.user : null;
      }
      const row = sessionUser(db).get({ tokenHash: hashToken(token) });
      if (!row || row.expiresAt.getTime() <= at || row.user.disabledAt !== null) {
        cache.delete(token);
        return null;
      }
      const user = withoutHash(row.user);
      if (cache.size >= CACHE_ENTRIES) cache.clear();
      cache.set(token, { user, expiresAt: row.expiresAt.getTime(), readAt: at });
      return user;
    },

    async changePassword(token, currentPassword, newPassword) {
      const row = sessionUser(db).get({ tokenHash: hashToken(token) });
      if (!row || row.expiresAt.getTime() <= now().getTime() || row.user.disabledAt !== null) {
        throw new UnauthenticatedError();
      }
      const { user } = row;
      if (!(await verifyPassword(user.passwordHash, currentPassword))) throw new WrongCurrentPasswordError();
      const problem = passwordProblem({ username: user.username, password: newPassword, currentPassword });
      if (problem) throw new WeakPasswordError(problem);
      const passwordHash = await hashPassword(newPassword);
      const changedAt = now();
      db.transaction((tx) => {
        tx.update(users)
          .set({ passwordHash, mustChangePassword: false, passwordChangedAt: changedAt })
          .where(eq(users.id, user.id))
          .run();
        if (hasSoftphone(user.role)) {
          tx.update(sessions)
            .set({ sipSecret: randomSecret() })
            .where(and(eq(sessions.tokenHash, hashToken(token)), isNull(sessions.sipSecret)))
            .run();
        }
        audit(
          tx,
          { actorId: user.id, action: 'user.change_password', entity: 'user', entityId: user.id },
          changedAt,
        );
      });
      endSessionsOf(db, user.id, { except: token });
      const updated = db.select().from(users).where(eq(users.id, user.id)).get();
      if (!updated) throw new UnauthenticatedError();
      return withoutHash(updated);
    },
  };
}
