/**
 * A stand-in for Zalo's Official Account platform, built from its published contract (Zalo is
 * another company's service; nothing else is faked): the consultation message endpoint
 * (`POST /v3.0/oa/message/cs`, `access_token` header, Zalo's `{error: -216}` for an invalid or
 * expired token), the token refresh (`POST /v4/oa/access_token`, form body, `secret_key` header;
 * each refresh rotates both tokens, as Zalo's do), image URLs, and a sender of signed webhook
 * events (and badly signed ones) to the hotline.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { zaloSignature } from '../../server/zalo/signature.ts';

export const FAKE_APP_ID = '1234567890123456789';
export const FAKE_OA_ID = '987654321';
export const FAKE_OA_SECRET = 'oa-secret-key-for-tests-only';
export const FAKE_APP_SECRET = 'app-secret-key-for-tests-only';
export const FAKE_FIRST_REFRESH_TOKEN = 'refresh-0';

export interface SentMessage {
  accessToken: string | undefined;
  userId: string;
  text: string;
  /** What the fake answered: 0, or Zalo's error code. */
  error: number;
}

export interface RefreshRequest {
  secretKey: string | undefined;
  form: Record<string, string>;
  ok: boolean;
}

export class FakeZaloOa {
  url = '';
  readonly messages: SentMessage[] = [];
  readonly refreshes: RefreshRequest[] = [];
  /** The access token Zalo accepts now; null until the first refresh. */
  accessToken: string | null = null;
  refreshToken = FAKE_FIRST_REFRESH_TOKEN;
  /** How long new access tokens last, in seconds (Zalo: 25 hours). */
  expiresIn = 90_000;
  /** Images served at `/images/<name>`. */
  readonly images = new Map<string, { type: string; data: Buffer }>();
  /** Delay before answering a refresh, to let concurrent sends meet it. */
  refreshDelayMs = 0;
  private server: Server | undefined;
  private counter = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const path = (req.url ?? '').split('?')[0] ?? '';
        const json = (status: number, value: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        };
        if (req.method === 'POST' && path === '/v3.0/oa/message/cs') {
          json(200, this.message(req.headers, body));
        } else if (req.method === 'POST' && path === '/v4/oa/access_token') {
          setTimeout(() => json(200, this.refresh(req.headers, body)), this.refreshDelayMs);
        } else if (req.method === 'GET' && path.startsWith('/images/')) {
          const image = this.images.get(path.slice('/images/'.length));
          if (!image) return json(404, { error: 'not found' });
          res
            .writeHead(200, { 'content-type': image.type, 'content-length': image.data.length })
            .end(image.data);
        } else {
          json(404, { error: -1, message: 'unknown endpoint' });
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Zalo stops accepting the current access token (as when it expires early or is revoked). */
  expireAccessToken(): void {
    this.accessToken = `expired-${this.accessToken}`;
  }

  /** A URL the fake serves this image at. */
  serveImage(data: Buffer, type = 'image/png'): string {
    const name = `${randomUUID()}.img`;
    this.images.set(name, { type, data });
    return `${this.url}/images/${name}`;
  }

  private message(headers: IncomingHttpHeaders, body: string) {
    const token = typeof headers.access_token === 'string' ? headers.access_token : undefined;
    let parsed: { recipient?: { user_id?: string }; message?: { text?: string } } = {};
    try {
      parsed = JSON.parse(body);
    } catch {
      return { error: -201, message: 'Parameters are invalid' };
    }
    const userId = parsed.recipient?.user_id ?? '';
    const text = parsed.message?.text ?? '';
    const valid = token !== undefined && token === this.accessToken;
    this.messages.push({ accessToken: token, userId, text, error: valid ? 0 : -216 });
    if (!valid) return { error: -216, message: 'Access token is invalid' };
    if (!userId || !text) return { error: -201, message: 'Parameters are invalid' };
    return { data: { message_id: `m-${++this.counter}`, user_id: userId }, error: 0, message: 'Success' };
  }

  private refresh(headers: IncomingHttpHeaders, body: string) {
    const form = Object.fromEntries(new URLSearchParams(body));
    const secretKey = typeof headers.secret_key === 'string' ? headers.secret_key : undefined;
    const ok =
      secretKey === FAKE_APP_SECRET &&
      form.app_id === FAKE_APP_ID &&
      form.grant_type === 'refresh_token' &&
      form.refresh_token === this.refreshToken;
    this.refreshes.push({ secretKey, form, ok });
    if (!ok) {
      return {
        error: -14014,
        error_name: 'Invalid refresh token',
        error_description: 'Refresh token is invalid',
      };
    }
    this.counter++;
    this.accessToken = `access-${this.counter}`;
    this.refreshToken = `refresh-${this.counter}`;
    return {
      access_token: this.accessToken,
      refresh_token: this.refreshToken,
      expires_in: String(this.expiresIn),
    };
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

let msgCounter = 0;
const nextMsgId = () => `msg-${Date.now().toString(36)}-${++msgCounter}`;

/** The body of a webhook event, as Zalo posts it (timestamp in milliseconds, as a string). */
export function zaloEvent(
  eventName: string,
  userId: string,
  message: Record<string, unknown> | null,
  at = new Date(),
): Record<string, unknown> {
  return {
    app_id: FAKE_APP_ID,
    user_id_by_app: `app-${userId}`,
    event_name: eventName,
    timestamp: String(at.getTime()),
    sender: { id: userId },
    recipient: { id: FAKE_OA_ID },
    ...(message ? { message } : {}),
  };
}

export const textEvent = (userId: string, text: string, msgId = nextMsgId(), at?: Date) =>
  zaloEvent('user_send_text', userId, { msg_id: msgId, text }, at);

export const imageEvent = (userId: string, url: string, msgId = nextMsgId(), at?: Date) =>
  zaloEvent(
    'user_send_image',
    userId,
    { msg_id: msgId, text: '', attachments: [{ type: 'image', payload: { thumbnail: url, url } }] },
    at,
  );

export const locationEvent = (
  userId: string,
  latitude: number,
  longitude: number,
  msgId = nextMsgId(),
  at?: Date,
) =>
  zaloEvent(
    'user_send_location',
    userId,
    {
      msg_id: msgId,
      attachments: [
        {
          type: 'location',
          payload: { coordinates: { latitude: String(latitude), longitude: String(longitude) } },
        },
      ],
    },
    at,
  );

export const followEvent = (userId: string, at = new Date()) => ({
  app_id: FAKE_APP_ID,
  oa_id: FAKE_OA_ID,
  event_name: 'follow',
  timestamp: String(at.getTime()),
  source: 'oa_profile',
  follower: { id: userId },
  user_id_by_app: `app-${userId}`,
});

/** The `X-ZEvent-Signature` header Zalo would send with this raw body. */
export function signatureFor(raw: string, secret = FAKE_OA_SECRET): string {
  const timestamp = String((JSON.parse(raw) as { timestamp: string | number }).timestamp);
  return `mac=${zaloSignature(FAKE_APP_ID, raw, timestamp, secret)}`;
}

/**
 * Posts an event to the hotline's webhook as Zalo does; `signature: 'bad'` signs with another
 * secret, `'none'` sends no header. Resolves with the status and how long the answer took.
 */
export async function sendWebhook(
  hotlineUrl: string,
  event: Record<string, unknown> | string,
  opts: { signature?: 'good' | 'bad' | 'none' } = {},
): Promise<{ status: number; body: string; ms: number }> {
  const raw = typeof event === 'string' ? event : JSON.stringify(event);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const signature = opts.signature ?? 'good';
  if (signature !== 'none')
    headers['x-zevent-signature'] = signatureFor(raw, signature === 'bad' ? 'wrong' : FAKE_OA_SECRET);
  const started = performance.now();
  const res = await fetch(`${hotlineUrl}/api/zalo/webhook`, { method: 'POST', headers, body: raw });
  const body = await res.text();
  return { status: res.status, body, ms: performance.now() - started };
}

/** The hotline's Zalo configuration pointing at this fake. */
export function zaloConfigFor(fake: FakeZaloOa) {
  return {
    appId: FAKE_APP_ID,
    oaSecret: FAKE_OA_SECRET,
    appSecret: FAKE_APP_SECRET,
    refreshToken: FAKE_FIRST_REFRESH_TOKEN,
    apiUrl: fake.url,
    oauthUrl: fake.url,
    attempts: 3,
    backoffMs: 20,
    timeoutMs: 2000,
  };
}
