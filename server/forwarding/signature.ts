/**
 * Signing of forwarded tickets. The agency recomputes
 * `HMAC-SHA256(secret, "<X-Hotline-Timestamp>.<raw body>")` and compares it with
 * `X-Hotline-Signature: sha256=<hex>`; the timestamp bounds replays.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-hotline-timestamp';
export const SIGNATURE_HEADER = 'x-hotline-signature';

/** Hex HMAC-SHA256 of `${timestamp}.${body}`; `timestamp` in Unix seconds. */
export function signBody(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? undefined : value;
}

/**
 * True when the request carries a valid signature of `body` made within `toleranceSeconds` of now.
 * `body` must be the raw bytes as received, not re-serialised JSON.
 */
export function verifySignature(
  secret: string,
  headers: HeaderBag,
  body: string | Buffer,
  toleranceSeconds: number,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): boolean {
  const timestampText = header(headers, TIMESTAMP_HEADER);
  const signature = header(headers, SIGNATURE_HEADER);
  if (!timestampText || !signature || !/^\d{1,12}$/.test(timestampText)) return false;
  const timestamp = Number(timestampText);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(signature);
  if (!match) return false;
  const expected = Buffer.from(signBody(secret, timestamp, body), 'hex');
  const given = Buffer.from(match[1]!, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
