/**
 * Short-lived TURN credentials in the shared-secret REST scheme that coturn implements
 * (`use-auth-secret` with `static-auth-secret`): the user name is `<unix expiry>:<username>` and
 * the password the base64 HMAC-SHA1 of that name under the shared secret. coturn checks both
 * without asking the hotline, and refuses the name once its expiry has passed.
 */
import { createHmac } from 'node:crypto';
import type { IceServer } from '../../common/api.ts';
import type { Config } from '../config.ts';

export function turnCredentials(
  secret: string,
  username: string,
  expiresAt: Date,
): { username: string; credential: string } {
  const name = `${Math.floor(expiresAt.getTime() / 1000)}:${username}`;
  return { username: name, credential: createHmac('sha1', secret).update(name).digest('base64') };
}

/**
 * The softphone's ICE servers: none without TURN, otherwise the TURN URLs with credentials that
 * expire after the configured time, and never after the session does (the console asks again
 * before then).
 */
export function iceServersFor(
  turn: Config['turn'],
  username: string,
  now: Date,
  sessionExpiresAt: Date,
): IceServer[] {
  if (turn === null) return [];
  const expiresAt = Math.min(now.getTime() + turn.ttlSeconds * 1000, sessionExpiresAt.getTime());
  return [{ urls: [...turn.urls], ...turnCredentials(turn.secret, username, new Date(expiresAt)) }];
}
