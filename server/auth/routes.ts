import type {} from '@fastify/cookie';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { MeResponse, SipCredentials, UserView } from '../../common/api.ts';
import { hasSoftphone } from '../../common/domain.ts';
import type { Config } from '../config.ts';
import { UnauthenticatedError } from '../errors.ts';
import { WrongCurrentPasswordError } from '../users/errors.ts';
import { currentUser, requireRole } from './guard.ts';
import { type LoginLimiter, RateLimitedError } from './rate-limit.ts';
import {
  type AuthService,
  type AuthUser,
  CSRF_COOKIE,
  csrfTokenFor,
  InvalidCredentialsError,
  SESSION_COOKIE,
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

type SipConfig = Pick<Config, 'sipDomain' | 'sipWsUrl'>;

function sipCredentials(user: AuthUser, secret: string | null, config: SipConfig): SipCredentials | null {
  if (!hasSoftphone(user.role) || secret === null) return null;
  // The softphone waits for the user's own password: a one-time password handed over on paper
  // must not be enough to take calls.
  if (user.mustChangePassword) return null;
  return {
    uri: `sip:${user.username}@${config.sipDomain}`,
    authorizationUser: user.username,
    password: secret,
    wsUrl: config.sipWsUrl,
    iceServers: [],
  };
}

function meResponse(user: AuthUser, secret: string | null, config: SipConfig): MeResponse {
  return {
    user: toUserView(user),
    sip: sipCredentials(user, secret, config),
    mustChangePassword: user.mustChangePassword,
  };
}

export async function authRoutes(
  app: FastifyInstance,
  deps: { auth: AuthService; limiter: LoginLimiter; config: SipConfig },
): Promise<void> {
  const { auth, limiter, config } = deps;

  app.post<{ Body: Static<typeof LoginBody> }>(
    '/api/auth/login',
    { schema: { body: LoginBody } },
    async (request, reply): Promise<MeResponse> => {
      const { username, password } = request.body;
      try {
        limiter.check(username, request.ip);
      } catch (err) {
        if (err instanceof RateLimitedError) reply.header('retry-after', String(err.retryAfterSeconds));
        throw err;
      }
      let session: Awaited<ReturnType<AuthService['login']>>;
      try {
        session = await auth.login(username, password);
      } catch (err) {
        if (err instanceof InvalidCredentialsError) limiter.recordFailure(username, request.ip);
        throw err;
      }
      limiter.recordSuccess(username);
      const { token, user, expiresAt } = session;
      const cookie = { sameSite: 'strict', path: '/', secure: 'auto', expires: expiresAt } as const;
      reply.setCookie(SESSION_COOKIE, token, { ...cookie, httpOnly: true });
      reply.setCookie(CSRF_COOKIE, csrfTokenFor(token), { ...cookie, httpOnly: false });
      request.log.info({ userId: user.id, role: user.role }, 'logged in');
      return meResponse(user, auth.sipSecretOf(token), config);
    },
  );

  app.post('/api/auth/logout', { onRequest: requireRole() }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) auth.logout(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    reply.clearCookie(CSRF_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.get('/api/me', { onRequest: requireRole() }, async (request): Promise<MeResponse> => {
    const token = request.cookies[SESSION_COOKIE];
    return meResponse(currentUser(request), token ? auth.sipSecretOf(token) : null, config);
  });

  app.post<{ Body: Static<typeof ChangePasswordBody> }>(
    '/api/auth/password',
    { schema: { body: ChangePasswordBody }, onRequest: requireRole() },
    async (request): Promise<MeResponse> => {
      const user = currentUser(request);
      const token = request.cookies[SESSION_COOKIE];
      if (!token) throw new UnauthenticatedError();
      const { currentPassword, newPassword } = request.body;
      // A stolen session must not become a way to guess the password: the login throttle counts here too.
      limiter.check(user.username, request.ip);
      let updated: AuthUser;
      try {
        updated = await auth.changePassword(token, currentPassword, newPassword);
      } catch (err) {
        if (err instanceof WrongCurrentPasswordError) limiter.recordFailure(user.username, request.ip);
        throw err;
      }
      request.log.info({ userId: user.id }, 'password changed');
      return meResponse(updated, auth.sipSecretOf(token), config);
    },
  );
}
