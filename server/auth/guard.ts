/** Who is calling the API, and whether their role may. Every route but login and health uses this. */
import { timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Role } from '../../common/domain.ts';
import { AppError, ForbiddenError, UnauthenticatedError } from '../errors.ts';
import {
  type AuthService,
  type AuthUser,
  CSRF_COOKIE,
  CSRF_HEADER,
  csrfTokenFor,
  SESSION_COOKIE,
} from './service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set from the session cookie before handlers run; null when not logged in. */
    user: AuthUser | null;
  }
}

export class CsrfError extends AppError {
  constructor() {
    super('CSRF', 403, 'Phiên làm việc không hợp lệ, vui lòng tải lại trang.');
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Requests that change nothing a session owns; login has no session yet. */
const CSRF_EXEMPT = new Set(['/api/auth/login']);

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Looks up the session, then refuses a logged-in change request (POST, PUT, PATCH, DELETE) whose
 * `x-csrf-token` header does not match the `hotline_csrf` cookie set at login. Requests without
 * a session are left to `requireRole` (401).
 */
export function registerSessionLookup(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request) => {
    const token = request.cookies[SESSION_COOKIE];
    request.user = auth.userForToken(token);
    if (!request.user || !token || SAFE_METHODS.has(request.method)) return;
    if (CSRF_EXEMPT.has(request.url.split('?')[0] ?? '')) return;
    const header = request.headers[CSRF_HEADER];
    const cookie = request.cookies[CSRF_COOKIE];
    const expected = csrfTokenFor(token);
    if (typeof header !== 'string' || !cookie || !sameText(header, cookie) || !sameText(cookie, expected)) {
      throw new CsrfError();
    }
  });
}

export class PasswordChangeRequiredError extends AppError {
  constructor() {
    super('PASSWORD_CHANGE_REQUIRED', 403, 'Vui lòng đổi mật khẩu trước khi tiếp tục làm việc.');
  }
}

/** What a session holding a one-time password may do: see itself, choose its password, leave. */
const BEFORE_PASSWORD_CHANGE = new Set(['GET /api/me', 'POST /api/auth/password', 'POST /api/auth/logout']);

/**
 * 401 without a session, 403 for a role not listed; no roles listed means any logged-in user.
 * A user who must change their password gets 403 `PASSWORD_CHANGE_REQUIRED` everywhere else.
 */
export function requireRole(...roles: Role[]): onRequestHookHandler {
  return async (request: FastifyRequest) => {
    if (!request.user) throw new UnauthenticatedError();
    if (
      request.user.mustChangePassword &&
      !BEFORE_PASSWORD_CHANGE.has(`${request.method} ${request.routeOptions.url ?? ''}`)
    ) {
      throw new PasswordChangeRequiredError();
    }
    if (roles.length > 0 && !roles.includes(request.user.role)) throw new ForbiddenError();
  };
}

/** The logged-in user in a handler guarded by `requireRole`. */
export function currentUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw new UnauthenticatedError();
  return request.user;
}
