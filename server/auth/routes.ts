import type {} from '@fastify/cookie';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MeResponse, SipCredentials, UserView } from '../../common/api.ts';
import { hasSoftphone } from '../../common/domain.ts';
import type { Config } from '../config.ts';
import { UnauthenticatedError } from '../errors.ts';
import { iceServersFor } from '../operators/turn-credentials.ts';
import { WeakPasswordError, WrongCurrentPasswordError } from '../users/errors.ts';
import { currentUser, requireRole } from './guard.ts';
import { type LoginAttempt, type LoginLimiter, RateLimitedError } from './rate-limit.ts';
import {
  type AuthService,
  type AuthUser,
  CSRF_COOKIE,
  csrfTokenFor,
  InvalidCredentialsError,
  SESSION_COOKIE,
  type SessionSoftphone,
} from './service.ts';

const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export function toUserView(user: AuthUser): UserView {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    skills: user.skills,
    agencyId: user.agencyId,
  };
}

const ChangePasswordBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 256 }),
    newPassword: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

type SipConfig = Pick<Config, 'sipDomain' | 'sipWsUrl' | 'turn'>;

function sipCredentials(
  user: AuthUser,
  softphone: SessionSoftphone | null,
  config: SipConfig,
  now: Date,
): SipCredentials | null {
  if (!hasSoftphone(user.role) || softphone === null) return null;
  // The softphone waits for the user's own password: a one-time password handed over on paper
  // must not be enough to take calls.
  if (user.mustChangePassword) return null;
  return {
    uri: `sip:${user.username}@${config.sipDomain}`,
    authorizationUser: user.username,
    password: softphone.sipSecret,
    wsUrl: config.sipWsUrl,
    iceServers: iceServersFor(config.turn, user.username, now, softphone.expiresAt),
  };
}

export interface AuthRouteDeps {
  auth: AuthService;
  limiter: LoginLimiter;
  config: SipConfig;
  now: () => Date;
  /**
   * Told after a login, a logout or a password change: resolves once the user's sockets and
   * softphone account follow their sessions. Never rejects.
   */
  sessionsChanged: (userId: number) => Promise<void>;
}

export async function authRoutes(app: FastifyInstance, deps: AuthRouteDeps): Promise<void> {
  const { auth, limiter, config, now, sessionsChanged } = deps;
  const meResponse = (user: AuthUser, token: string): MeResponse => ({
    user: toUserView(user),
    sip: sipCredentials(user, auth.softphoneOf(token), config, now()),
    mustChangePassword: user.mustChangePassword,
  });
  /** Counts the attempt first; a refused one answers 429 with Retry-After. */
  const countAttempt = (username: string, request: FastifyRequest, reply: FastifyReply): LoginAttempt => {
    try {
      return limiter.attempt(username, request.ip);
    } catch (err) {
      if (err instanceof RateLimitedError) {
        reply.header('retry-after', String(err.retryAfterSeconds));
        request.log.warn(
          { username, address: request.ip, retryAfterSeconds: err.retryAfterSeconds },
          'login attempt refused: too many failures',
        );
      }
      throw err;
    }
  };

  app.post<{ Body: Static<typeof LoginBody> }>(
    '/api/auth/login',
    { schema: { body: LoginBody } },
    async (request, reply): Promise<MeResponse> => {
      const { username, password } = request.body;
      const attempt = countAttempt(username, request, reply);
      let session: Awaited<ReturnType<AuthService['login']>>;
      try {
        session = await auth.login(username, password);
      } catch (err) {
        if (err instanceof InvalidCredentialsError) {
          const count = attempt.failed();
          request.log.warn({ username, address: request.ip, count }, 'login failed');
        }
        throw err;
      }
      attempt.succeeded();
      const { token, user, expiresAt } = session;
      // Asterisk has the new secret (and the older login's is gone) before the console can register.
      await sessionsChanged(user.id);
      const cookie = { sameSite: 'strict', path: '/', secure: 'auto', expires: expiresAt } as const;
      reply.setCookie(SESSION_COOKIE, token, { ...cookie, httpOnly: true });
      reply.setCookie(CSRF_COOKIE, csrfTokenFor(token), { ...cookie, httpOnly: false });
      request.log.info({ userId: user.id, role: user.role, address: request.ip }, 'logged in');
      return meResponse(user, token);
    },
  );

  app.post('/api/auth/logout', { onRequest: requireRole() }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    const userId = token ? auth.logout(token) : null;
    // The session's SIP secret and sockets end now, not at their next check.
    if (userId !== null) await sessionsChanged(userId);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    reply.clearCookie(CSRF_COOKIE, { path: '/' });
    request.log.info({ userId }, 'logged out');
    return reply.status(204).send();
  });

  app.get('/api/me', { onRequest: requireRole() }, async (request): Promise<MeResponse> => {
    const token = request.cookies[SESSION_COOKIE];
    if (!token) throw new UnauthenticatedError();
    return meResponse(currentUser(request), token);
  });

  app.post<{ Body: Static<typeof ChangePasswordBody> }>(
    '/api/auth/password',
    { schema: { body: ChangePasswordBody }, onRequest: requireRole() },
    async (request, reply): Promise<MeResponse> => {
      const user = currentUser(request);
      const token = request.cookies[SESSION_COOKIE];
      if (!token) throw new UnauthenticatedError();
      const { currentPassword, newPassword } = request.body;
      // A stolen session must not become a way to guess the password: the login throttle counts here too.
      const attempt = countAttempt(user.username, request, reply);
      let updated: AuthUser;
      try {
        updated = await auth.changePassword(token, currentPassword, newPassword);
      } catch (err) {
        if (err instanceof WrongCurrentPasswordError) {
          const count = attempt.failed();
          request.log.warn(
            { username: user.username, address: request.ip, count },
            'password change: wrong current password',
          );
        } else if (err instanceof WeakPasswordError) {
          attempt.succeeded();
        }
        throw err;
      }
      attempt.succeeded();
      // The user's other sessions are over, and this one may just have been given the softphone.
      await sessionsChanged(user.id);
      request.log.info({ userId: user.id }, 'password changed');
      return meResponse(updated, token);
    },
  );
}
