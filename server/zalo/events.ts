/**
 * What a Zalo webhook event says, read from its stored body: the handled events
 * (`user_send_text`, `user_send_image`, `user_send_location`, `follow`) as data, anything else as
 * `ignored`. Pure: no database, no network.
 */
import { createHash } from 'node:crypto';

export type ZaloEvent =
  | { kind: 'text'; userId: string; msgId: string; text: string; at: Date }
  | { kind: 'image'; userId: string; msgId: string; url: string; caption: string | null; at: Date }
  | { kind: 'location'; userId: string; msgId: string; latitude: number; longitude: number; at: Date }
  | { kind: 'follow'; userId: string; at: Date }
  | { kind: 'ignored'; eventName: string };

/** The fields the webhook needs before the event is stored: its name, sender and retry key. */
export interface EventHead {
  eventName: string;
  userId: string | null;
  /** `msg_id`, or a hash of the body for events without one (Zalo retries the same body). */
  dedupeKey: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;

/** Null when the body is not a JSON object with an `event_name`. */
export function eventHead(rawBody: string): EventHead | null {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return null;
  }
  if (!isObject(body)) return null;
  const eventName = str(body.event_name);
  if (!eventName) return null;
  const msgId = isObject(body.message) ? str(body.message.msg_id) : null;
  const userId = isObject(body.sender)
    ? str(body.sender.id)
    : isObject(body.follower)
      ? str(body.follower.id)
      : null;
  return {
    eventName,
    userId,
    dedupeKey: msgId ? `msg:${msgId}` : `sha256:${createHash('sha256').update(rawBody).digest('hex')}`,
  };
}

function coordinate(v: unknown, limit: number): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) && Math.abs(n) <= limit ? n : null;
}

/** The event a stored body describes. */
export function readEvent(rawBody: string): ZaloEvent {
  const body = JSON.parse(rawBody) as Json;
  const eventName = str(body.event_name) ?? '';
  const ms = Number(body.timestamp);
  const at = new Date(Number.isFinite(ms) && ms > 0 ? ms : Date.now());
  const userId = isObject(body.sender)
    ? str(body.sender.id)
    : isObject(body.follower)
      ? str(body.follower.id)
      : null;
  const message = isObject(body.message) ? body.message : {};
  const msgId = str(message.msg_id);
  const attachments = Array.isArray(message.attachments) ? message.attachments.filter(isObject) : [];
  const ignored = { kind: 'ignored' as const, eventName };
  if (!userId) return ignored;
  switch (eventName) {
    case 'follow':
      return { kind: 'follow', userId, at };
    case 'user_send_text': {
      const text = str(message.text)?.trim();
      return msgId && text ? { kind: 'text', userId, msgId, text, at } : ignored;
    }
    case 'user_send_image': {
      const payload = attachments.find((a) => a.type === 'image')?.payload;
      const url = isObject(payload) ? str(payload.url) : null;
      if (!msgId || !url || !/^https?:\/\//i.test(url)) return ignored;
      return { kind: 'image', userId, msgId, url, caption: str(message.text)?.trim() || null, at };
    }
    case 'user_send_location': {
      const payload = attachments.find((a) => a.type === 'location')?.payload;
      const c = isObject(payload) && isObject(payload.coordinates) ? payload.coordinates : {};
      const latitude = coordinate(c.latitude ?? c.lat, 90);
      const longitude = coordinate(c.longitude ?? c.long, 180);
      if (!msgId || latitude === null || longitude === null) return ignored;
      return { kind: 'location', userId, msgId, latitude, longitude, at };
    }
    default:
      return ignored;
  }
}

/**
 * A Vietnamese mobile or landline number when that is all the text says (spaces, dots and dashes
 * allowed, +84 or 84 for the leading 0): `0912345678`; null otherwise.
 */
export function vietnamesePhone(text: string): string | null {
  const compact = text.trim().replace(/[\s.\-()]/g, '');
  const national = compact.replace(/^(?:\+84|84)(?=[1-9]\d{8,9}$)/, '0');
  return /^0[1-9]\d{8,9}$/.test(national) ? national : null;
}
