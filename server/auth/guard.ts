/** Who is calling the API, and whether their role may. Every route but login and health uses this. */
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Role } from '../../common/domain.ts';
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';
import { type AuthService, type AuthUser, SESSION_COOKIE } from './service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set from the session cookie before handlers run; null when not logged in. */
    user: AuthUser | null;
  }
}

export function registerSessionLookup(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (request) => {
    request.user = auth.userForToken(request.cookies[SESSION_COOKIE]);
  });
}

/** 401 without a session, 403 for a role not listed; no roles listed means any logged-in user. */
export function requireRole(...roles: Role[]): onRequestHookHandler {
  return async (request: FastifyRequest) => {
    if (!request.user) throw new UnauthenticatedError();
    if (roles.length > 0 && !roles.includes(request.user.role)) throw new ForbiddenError();
  };
}

/** The logged-in user in a handler guarded by `requireRole`. */
export function currentUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw new UnauthenticatedError();
  return request.user;
}
