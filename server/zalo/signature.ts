/**
 * Zalo's webhook signature: header `X-ZEvent-Signature: mac=<hex>`, where hex is the SHA-256 of
 * the app id, the raw body, the event's `timestamp` (as written in the body) and the OA secret
 * key, concatenated. Checked on the raw bytes, before the body is parsed, in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-zevent-signature';

/** The `mac=` value Zalo sends for this body. */
export function zaloSignature(appId: string, rawBody: string, timestamp: string, secretKey: string): string {
  return createHash('sha256').update(`${appId}${rawBody}${timestamp}${secretKey}`).digest('hex');
}

/**
 * The body's `timestamp` exactly as Zalo wrote it (a string or a number in milliseconds), which
 * the signature covers; null when the body is not a JSON object with one.
 */
export function bodyTimestamp(rawBody: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const value = (parsed as { timestamp?: unknown }).timestamp;
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return null;
}

/** True when `header` is the signature of `rawBody` under this app id and OA secret key. */
export function isValidSignature(
  header: string | undefined,
  rawBody: string,
  keys: { appId: string; secretKey: string },
): boolean {
  if (!header || !keys.appId || !keys.secretKey) return false;
  const match = /^mac=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match) return false;
  const timestamp = bodyTimestamp(rawBody);
  if (timestamp === null) return false;
  const expected = Buffer.from(zaloSignature(keys.appId, rawBody, timestamp, keys.secretKey), 'hex');
  return timingSafeEqual(expected, Buffer.from(match[1]!, 'hex'));
}
