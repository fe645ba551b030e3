/**
 * `POST requests`: checks a client app's post as the spec lists its arguments and takes it in
 * through the intake (`takeIn`), answering at once with the tracking code as `service_request_id`
 * and a token. A location is required: `lat` & `long` (inside Vietnam; mapped to the nearest
 * commune), `address_string`, or `address_id` (a commune's code). The client's `Idempotency-Key`
 * makes a retry answer with the first request; without one, the same post sent again within a day
 * is the same request too.
 */
import { randomBytes } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type { GroupCommitter } from '../db/group-commit.ts';
import type { Db } from '../db/index.ts';
import { IntakeKeyReusedError } from '../intake/errors.ts';
import { type Open311ClientRow, open311Clients, writtenRequestEvents } from '../intake/schema.ts';
import { type IntakeInput, intakeHash, takeInGrouped } from '../intake/service.ts';
import type { Tx } from '../outbox/outbox.ts';
import { unitAt } from '../units/nearest.ts';
import { units } from '../units/schema.ts';
import { badRequest } from './errors.ts';
import { MEDIA_URL_EVENT } from './requests.ts';
import { open311Tokens } from './schema.ts';
import { activeService } from './services.ts';

/** Vietnam with its islands (the national map's extent), in WGS84 degrees. */
export const VIETNAM_BOUNDS = { minLat: 7.18, maxLat: 23.4, minLong: 102.14, maxLong: 117.83 } as const;

export const MAX_DESCRIPTION = 4000;
/** What the app sent besides the request itself (who, from which device), kept for the operator. */
export const APP_DETAILS_EVENT = 'open311_details';

export interface PostAnswer {
  service_request_id: string;
  token: string;
  service_notice: string;
  account_id: string | null;
}

type Body = Record<string, unknown>;

/** A single text argument: a string or number, trimmed; absent when empty. */
function arg(body: Body, name: string, max = 500): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw badRequest(`${name} phải là một giá trị đơn`, `${name} must be a single value`);
  }
  const text = String(value).trim();
  if (text.length > max)
    throw badRequest(`${name} dài quá ${max} ký tự`, `${name} longer than ${max} characters`);
  return text === '' ? undefined : text;
}

function degrees(name: string, text: string): number {
  const value = /^-?\d{1,3}(?:\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(value))
    throw badRequest(`${name} phải là số thập phân`, `${name} must be a decimal number`);
  return value;
}

/** Digits of a Vietnamese number, `+84`/`84` written as `0`; null when it is not one. */
export function appPhone(text: string): string | null {
  const digits = text.replace(/[\s.()-]/g, '');
  const local = digits.replace(/^\+?84(?=\d{9,10}$)/, '0');
  return /^0\d{9,10}$/.test(local) ? local : null;
}

export interface CheckedPost {
  serviceCode: string;
  input: IntakeInput;
  mediaUrl: string | null;
  details: { email?: string; device_id?: string; account_id?: string };
  accountId: string | null;
}

/** Pure apart from looking up the service and the commune: the post's arguments, or a 400/404. */
export function checkPost(db: Db, body: Body, client: Open311ClientRow, unitMaxKm: number): CheckedPost {
  const serviceCode = arg(body, 'service_code', 100);
  if (!serviceCode) throw badRequest('Thiếu service_code', 'service_code was not provided');
  const service = activeService(db, serviceCode);

  const latText = arg(body, 'lat', 30);
  const longText = arg(body, 'long', 30);
  const addressString = arg(body, 'address_string', 500);
  const addressId = arg(body, 'address_id', 20);
  if ((latText === undefined) !== (longText === undefined)) {
    throw badRequest('Cần gửi cả lat và long', 'lat and long both need to be sent');
  }
  if (latText === undefined && !addressString && !addressId) {
    throw badRequest(
      'Thiếu vị trí: cần lat/long, address_string hoặc address_id',
      'lat/long, address_string or address_id required',
    );
  }
  let latitude: number | null = null;
  let longitude: number | null = null;
  if (latText !== undefined && longText !== undefined) {
    latitude = degrees('lat', latText);
    longitude = degrees('long', longText);
    const b = VIETNAM_BOUNDS;
    if (latitude < b.minLat || latitude > b.maxLat || longitude < b.minLong || longitude > b.maxLong) {
      throw badRequest('Vị trí lat/long nằm ngoài lãnh thổ Việt Nam', 'lat/long outside Vietnam');
    }
  }
  let unitCode: string | null = null;
  if (addressId) {
    const unit = db
      .select({ code: units.code })
      .from(units)
      .where(and(eq(units.code, addressId), eq(units.active, true)))
      .get();
    if (!unit) {
      throw badRequest(
        `address_id "${addressId}" không phải mã xã, phường đang dùng`,
        'address_id is not an active commune code',
      );
    }
    unitCode = unit.code;
  } else if (latitude !== null && longitude !== null) {
    unitCode = unitAt(db, { latitude, longitude }, unitMaxKm);
  }

  const description = arg(body, 'description', MAX_DESCRIPTION);
  if (!description) throw badRequest('Thiếu nội dung phản ánh (description)', 'description required');

  const mediaUrl = arg(body, 'media_url', 2000) ?? null;
  if (mediaUrl !== null && !/^https?:\/\/[^\s]+$/i.test(mediaUrl)) {
    throw badRequest('media_url phải là địa chỉ http(s)', 'media_url must be an http(s) URL');
  }
  const phoneText = arg(body, 'phone', 30);
  const phone = phoneText === undefined ? null : appPhone(phoneText);
  if (phoneText !== undefined && phone === null) {
    throw badRequest('Số điện thoại (phone) không hợp lệ', 'phone is not a valid Vietnamese number');
  }
  const email = arg(body, 'email', 254);
  if (email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw badRequest('Địa chỉ email không hợp lệ', 'email is not valid');
  }
  // Vietnamese order: family name, then given name.
  const name = [arg(body, 'last_name', 100), arg(body, 'first_name', 100)].filter(Boolean).join(' ');
  const deviceId = arg(body, 'device_id', 200);
  const accountId = arg(body, 'account_id', 200) ?? null;

  return {
    serviceCode: service.key,
    input: {
      channel: 'app',
      category: service.key,
      description,
      unitCode,
      address: addressString ?? null,
      latitude,
      longitude,
      citizenName: name || null,
      phone,
      phoneVerified: false,
      clientId: client.id,
    },
    mediaUrl,
    details: {
      ...(email ? { email } : {}),
      ...(deviceId ? { device_id: deviceId } : {}),
      ...(accountId ? { account_id: accountId } : {}),
    },
    accountId,
  };
}

export function serviceNotice(code: string): string {
  return `Đã tiếp nhận. Mã số theo dõi: ${code}. Tổng đài 1022 chuyển phản ánh đến cơ quan có thẩm quyền và thông báo kết quả.`;
}

function tokenOf(tx: Pick<Db, 'select' | 'insert'>, requestId: number, clientId: number, now: Date): string {
  const held = tx
    .select({ token: open311Tokens.token })
    .from(open311Tokens)
    .where(and(eq(open311Tokens.requestId, requestId), eq(open311Tokens.clientId, clientId)))
    .orderBy(asc(open311Tokens.createdAt))
    .get();
  if (held) return held.token;
  const token = randomBytes(12).toString('base64url');
  tx.insert(open311Tokens).values({ token, requestId, clientId, createdAt: now }).run();
  return token;
}

/**
 * Takes the post in, committed with the other posts of the same turn of the event loop in one
 * durable transaction (`committer`). `idempotencyKey` is the client's `Idempotency-Key` header;
 * without it the post's own hash is the key, so an exact repeat within the intake's key time is
 * not stored twice.
 */
export async function createRequest(
  db: Db,
  committer: GroupCommitter,
  checked: CheckedPost,
  client: Open311ClientRow,
  opts: { now: Date; idempotencyKey?: string | undefined },
): Promise<PostAnswer> {
  const { now } = opts;
  const requestHash = intakeHash({ ...checked.input, mediaUrl: checked.mediaUrl, details: checked.details });
  let token = '';
  try {
    const result = await takeInGrouped(db, committer, checked.input, {
      now,
      key: { scope: `app:${client.id}`, key: opts.idempotencyKey ?? `same:${requestHash}`, requestHash },
      inTransaction: (tx: Tx, taken) => {
        const requestId = taken.request.id;
        if (checked.mediaUrl) {
          tx.insert(writtenRequestEvents)
            .values({ requestId, at: now, kind: MEDIA_URL_EVENT, text: checked.mediaUrl })
            .run();
        }
        if (Object.keys(checked.details).length > 0) {
          tx.insert(writtenRequestEvents)
            .values({ requestId, at: now, kind: APP_DETAILS_EVENT, text: JSON.stringify(checked.details) })
            .run();
        }
        token = tokenOf(tx, requestId, client.id, now);
        tx.update(open311Clients).set({ lastUsedAt: now }).where(eq(open311Clients.id, client.id)).run();
      },
    });
    // A retry is answered by the first attempt's transaction, which made the token.
    if (result.outcome === 'repeated') token = tokenOf(db, result.request.id, client.id, now);
    return {
      service_request_id: result.request.trackingCode,
      token,
      service_notice: serviceNotice(result.request.trackingCode),
      account_id: checked.accountId,
    };
  } catch (err) {
    if (err instanceof IntakeKeyReusedError) {
      throw badRequest(
        'Idempotency-Key này đã được dùng cho một phản ánh khác',
        'Idempotency-Key already used for a different request',
      );
    }
    throw err;
  }
}
