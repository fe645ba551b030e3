/**
 * The one client of Zalo's OA API: sends consultation messages (`POST /v3.0/oa/message/cs` with
 * the `access_token` header) and keeps the access token, which it refreshes before it expires or
 * when Zalo calls it invalid, one refresh at a time (`POST /v4/oa/access_token` on the OAuth host
 * with the app's `secret_key`). Zalo hands out a new refresh token with each refresh and the old
 * one dies, so both live in the database (`zalo_tokens`); the configured one only starts it.
 */
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/index.ts';
import { zaloTokens } from './schema.ts';

/** Zalo's codes for an access token that is invalid or has expired. */
export const TOKEN_ERROR_CODES = new Set([-216, -124]);
/** An access token this close to its expiry is refreshed before use. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** Shortest wait for Zalo's answer to a token refresh. */
export const REFRESH_TIMEOUT_MS = 30_000;

export interface OaClientOptions {
  db: Db;
  appId: string;
  appSecret: string;
  /** The refresh token to start from while the database holds none. */
  initialRefreshToken: string | null;
  /** e.g. `https://openapi.zalo.me`. */
  apiUrl: string;
  /** e.g. `https://oauth.zaloapp.com`. */
  oauthUrl: string;
  timeoutMs: number;
  logger: Logger;
  now?: () => Date;
}

/** Zalo refused or could not be reached; `retryable` when trying again later may succeed. */
export class ZaloApiError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code: number | null = null,
  ) {
    super(message);
    this.name = 'ZaloApiError';
  }
}

export interface OaClient {
  /** Sends a text to a Zalo user; resolves with Zalo's message id. */
  sendText(userId: string, text: string): Promise<string>;
}

type TokenRow = Omit<typeof zaloTokens.$inferSelect, 'id'>;

interface ZaloAnswer {
  error?: number;
  message?: string;
  data?: { message_id?: string };
  access_token?: string;
  refresh_token?: string;
  expires_in?: string | number;
  error_name?: string;
  error_description?: string;
}

export function createOaClient(opts: OaClientOptions): OaClient {
  const { db, logger } = opts;
  const now = opts.now ?? (() => new Date());
  let refreshing: Promise<string> | null = null;
  /**
   * The latest tokens Zalo gave, kept in memory too: once Zalo has answered a refresh the old
   * refresh token is dead, so a failed save (the database busy) must not lose the new one.
   */
  let latest: TokenRow | null = null;
  let unsaved = false;

  function save(row: TokenRow): void {
    try {
      db.insert(zaloTokens)
        .values({ id: 1, ...row })
        .onConflictDoUpdate({ target: zaloTokens.id, set: row })
        .run();
      unsaved = false;
    } catch (err) {
      unsaved = true;
      logger.error({ err }, 'could not save the Zalo tokens; keeping them in memory and trying again');
    }
  }

  const stored = (): TokenRow | null => {
    if (latest && unsaved) save(latest);
    return latest ?? db.select().from(zaloTokens).where(eq(zaloTokens.id, 1)).get() ?? null;
  };

  async function post(url: string, init: RequestInit, timeoutMs = opts.timeoutMs): Promise<ZaloAnswer> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new ZaloApiError(`Zalo unreachable: ${err instanceof Error ? err.message : String(err)}`, true);
    }
    if (res.status >= 500 || res.status === 429)
      throw new ZaloApiError(`Zalo answered HTTP ${res.status}`, true);
    try {
      return (await res.json()) as ZaloAnswer;
    } catch {
      throw new ZaloApiError(`Zalo answered HTTP ${res.status} without JSON`, res.status >= 400);
    }
  }

  async function refresh(): Promise<string> {
    const refreshToken = stored()?.refreshToken ?? opts.initialRefreshToken;
    if (!refreshToken)
      throw new ZaloApiError('no Zalo refresh token configured (HOTLINE_ZALO_REFRESH_TOKEN)', false);
    const answer = await post(
      `${opts.oauthUrl}/v4/oa/access_token`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: opts.appSecret },
        body: new URLSearchParams({
          app_id: opts.appId,
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
        }),
      },
      // An answer given up on may still have used the refresh token up: wait for it longer.
      Math.max(opts.timeoutMs, REFRESH_TIMEOUT_MS),
    );
    const seconds = Number(answer.expires_in);
    if (!answer.access_token || !answer.refresh_token || !Number.isFinite(seconds) || seconds <= 0) {
      throw new ZaloApiError(
        `Zalo refused the token refresh: ${answer.error_name ?? answer.error ?? ''} ${answer.error_description ?? answer.message ?? ''}`.trim(),
        false,
        typeof answer.error === 'number' ? answer.error : null,
      );
    }
    const at = now();
    const row: TokenRow = {
      accessToken: answer.access_token,
      accessExpiresAt: new Date(at.getTime() + seconds * 1000),
      refreshToken: answer.refresh_token,
      updatedAt: at,
    };
    latest = row;
    save(row);
    logger.info({ expiresAt: row.accessExpiresAt }, 'Zalo access token refreshed');
    return answer.access_token;
  }

  /** One refresh at a time: callers that need one while it runs share its result. */
  function refreshOnce(): Promise<string> {
    refreshing ??= refresh().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  async function accessToken(): Promise<string> {
    if (refreshing) return refreshing;
    const row = stored();
    if (
      row?.accessToken &&
      row.accessExpiresAt &&
      row.accessExpiresAt.getTime() - REFRESH_MARGIN_MS > now().getTime()
    ) {
      return row.accessToken;
    }
    return refreshOnce();
  }

  /** After Zalo called `bad` invalid: a token refreshed meanwhile by someone else, or a new one. */
  async function replacing(bad: string): Promise<string> {
    if (refreshing) return refreshing;
    const row = stored();
    if (row?.accessToken && row.accessToken !== bad) return row.accessToken;
    return refreshOnce();
  }

  async function send(token: string, userId: string, text: string): Promise<ZaloAnswer> {
    return post(`${opts.apiUrl}/v3.0/oa/message/cs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', access_token: token },
      body: JSON.stringify({ recipient: { user_id: userId }, message: { text } }),
    });
  }

  return {
    async sendText(userId, text) {
      const token = await accessToken();
      let answer = await send(token, userId, text);
      if (typeof answer.error === 'number' && TOKEN_ERROR_CODES.has(answer.error)) {
        logger.warn({ code: answer.error }, 'Zalo called the access token invalid; refreshing it');
        answer = await send(await replacing(token), userId, text);
      }
      if (answer.error !== 0 || !answer.data?.message_id) {
        const code = typeof answer.error === 'number' ? answer.error : null;
        throw new ZaloApiError(
          `Zalo refused the message: ${code ?? '?'} ${answer.message ?? ''}`.trim(),
          code !== null && TOKEN_ERROR_CODES.has(code),
          code,
        );
      }
      return answer.data.message_id;
    },
  };
}
