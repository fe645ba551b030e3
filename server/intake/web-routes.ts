/**
 * The public web form's and status page's API, without a login (so without the CSRF cookie):
 * every field is checked here, with a Vietnamese message per refusal, and the abuse limits of
 * `limits.ts` apply per client address and per number.
 *
 * - `GET /api/public/form`: categories, the consent text and its version, the map's tiles.
 * - `GET /api/public/units?q=`: communes and wards, typed with or without diacritics.
 * - `POST /api/public/phone-codes` `{ phone }`: texts a 6-digit code (202).
 * - `POST /api/public/phone-codes/verify` `{ phone, code }`: a token that proves the number.
 * - `POST /api/public/requests` (`Idempotency-Key` optional): takes the request in, texts the
 *   tracking code in the same transaction and answers with it (201; 200 when it joined the
 *   citizen's open request of the day).
 * - `POST /api/public/status` `{ code, phoneLast4 }`: where it stands (`status.ts`).
 */
import { createHash } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import { and, eq, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IDEMPOTENCY_KEY_HEADER } from '../../common/api.ts';
import type { Category } from '../../common/domain.ts';
import type {
  PhoneCodeSent,
  PhoneConfirmed,
  PublicFormInfo,
  PublicRequestAccepted,
  PublicStatusView,
  PublicUnit,
} from '../../common/written-requests.ts';
import { categories } from '../categories/schema.ts';
import { listCategories } from '../categories/service.ts';
import type { Config } from '../config.ts';
import { createGroupCommitter } from '../db/group-commit.ts';
import type { Db } from '../db/index.ts';
import { preparedOnce } from '../db/prepared.ts';
import { recordSms } from '../sms/service.ts';
import { smsTexts } from '../sms/texts.ts';
import { parseIdempotencyKey } from '../tickets/idempotency.ts';
import { units } from '../units/schema.ts';
import { searchUnits } from '../units/service.ts';
import { CONSENT } from './consent.ts';
import { IntakeValidationError, TooManyRequestsError } from './errors.ts';
import { createPublicLimiters } from './limits.ts';
import { checkPhoneToken, confirmCode, issueCode, parseMobile } from './otp.ts';
import { cleanPhoto, MAX_PHOTO_BYTES } from './photos.ts';
import { intakeIdempotencyKeys } from './schema.ts';
import { type IntakeInput, intakeHash, MAX_PHOTOS, takeInGrouped } from './service.ts';
import { lookUpStatus } from './status.ts';

export const DESCRIPTION_MIN = 10;
export const DESCRIPTION_MAX = 4000;
/** Room for 3 photos at the size limit in base64, and the text. */
const REQUEST_BODY_LIMIT = Math.ceil((MAX_PHOTOS * MAX_PHOTO_BYTES * 4) / 3) + 64 * 1024;

// Types only: the messages a citizen reads come from the checks below, not from the schema.
const CodeBody = Type.Object({ phone: Type.String({ maxLength: 40 }) });
const VerifyBody = Type.Object({
  phone: Type.String({ maxLength: 40 }),
  code: Type.String({ maxLength: 20 }),
});
const RequestBody = Type.Object({
  category: Type.String({ maxLength: 64 }),
  description: Type.String({ maxLength: 20_000 }),
  unitCode: Type.Optional(Type.String({ maxLength: 32 })),
  address: Type.Optional(Type.String({ maxLength: 2000 })),
  latitude: Type.Optional(Type.Number()),
  longitude: Type.Optional(Type.Number()),
  name: Type.Optional(Type.String({ maxLength: 1000 })),
  phone: Type.String({ maxLength: 40 }),
  phoneToken: Type.String({ maxLength: 200 }),
  consentVersion: Type.String({ maxLength: 64 }),
  photos: Type.Optional(Type.Array(Type.String(), { maxItems: 10 })),
});
type RequestBodyT = Static<typeof RequestBody>;
const StatusBody = Type.Object({
  code: Type.String({ maxLength: 40 }),
  phoneLast4: Type.String({ maxLength: 10 }),
});
const UnitQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) });

export interface WebIntakeDeps {
  db: Db;
  config: Pick<Config, 'publicForm'>;
  now: () => Date;
}

// Read on every submission: built and prepared once.
const categoryStatement = preparedOnce((db: Db) =>
  db
    .select({ key: categories.key, active: categories.active })
    .from(categories)
    .where(eq(categories.key, sql.placeholder('key')))
    .prepare(),
);
const unitStatement = preparedOnce((db: Db) =>
  db
    .select({ code: units.code, active: units.active })
    .from(units)
    .where(eq(units.code, sql.placeholder('code')))
    .prepare(),
);
const keyStatement = preparedOnce((db: Db) =>
  db
    .select({ id: intakeIdempotencyKeys.id })
    .from(intakeIdempotencyKeys)
    .where(and(eq(intakeIdempotencyKeys.scope, 'web'), eq(intakeIdempotencyKeys.key, sql.placeholder('key'))))
    .prepare(),
);

const invalid = (code: string, message: string) => new IntakeValidationError(code, message);

/** Checks a form's fields (not the number's token, not the photos) and returns them tidied. */
export function checkRequestFields(db: Db, body: RequestBodyT): Omit<IntakeInput, 'photos'> {
  const category = categoryStatement(db).get({ key: body.category.trim() });
  if (!category?.active) throw invalid('INVALID_CATEGORY', 'Vui lòng chọn lĩnh vực phản ánh.');
  const description = body.description.trim();
  if (description.length < DESCRIPTION_MIN) {
    throw invalid('DESCRIPTION_TOO_SHORT', `Nội dung phản ánh cần ít nhất ${DESCRIPTION_MIN} ký tự.`);
  }
  if (description.length > DESCRIPTION_MAX) {
    throw invalid('DESCRIPTION_TOO_LONG', `Nội dung phản ánh tối đa ${DESCRIPTION_MAX} ký tự.`);
  }
  let unitCode: string | null = null;
  if (body.unitCode?.trim()) {
    const unit = unitStatement(db).get({ code: body.unitCode.trim() });
    if (!unit?.active) throw invalid('INVALID_UNIT', 'Xã, phường đã chọn không có trong danh sách.');
    unitCode = unit.code;
  }
  const address = body.address?.trim() || null;
  if (address && address.length > 300) throw invalid('ADDRESS_TOO_LONG', 'Địa chỉ tối đa 300 ký tự.');
  const { latitude, longitude } = body;
  if ((latitude === undefined) !== (longitude === undefined)) {
    throw invalid('INVALID_LOCATION', 'Vị trí trên bản đồ cần có cả vĩ độ và kinh độ.');
  }
  if (
    latitude !== undefined &&
    longitude !== undefined &&
    (!Number.isFinite(latitude) ||
      !Number.isFinite(longitude) ||
      Math.abs(latitude) > 90 ||
      Math.abs(longitude) > 180)
  ) {
    throw invalid('INVALID_LOCATION', 'Vị trí trên bản đồ không hợp lệ.');
  }
  if (!unitCode && !address && latitude === undefined) {
    throw invalid('LOCATION_REQUIRED', 'Vui lòng cho biết xã, phường, địa chỉ hoặc chọn vị trí trên bản đồ.');
  }
  const citizenName = body.name?.trim() || null;
  if (citizenName && citizenName.length > 100) throw invalid('NAME_TOO_LONG', 'Họ tên tối đa 100 ký tự.');
  if (body.consentVersion !== CONSENT.version) {
    throw invalid(
      'CONSENT_REQUIRED',
      'Vui lòng đọc và đồng ý với điều khoản (tải lại trang nếu điều khoản đã đổi).',
    );
  }
  return {
    channel: 'web',
    category: category.key as Category,
    description,
    unitCode,
    address,
    latitude: latitude ?? null,
    longitude: longitude ?? null,
    citizenName,
    phone: parseMobile(body.phone),
    phoneVerified: true,
    consentVersion: CONSENT.version,
  };
}

/** The photos' bytes from base64; at most `MAX_PHOTOS`, each within the size limit. */
export function decodePhotos(photos: readonly string[] | undefined): Buffer[] {
  if (!photos) return [];
  if (photos.length > MAX_PHOTOS) throw invalid('TOO_MANY_PHOTOS', `Gửi tối đa ${MAX_PHOTOS} ảnh.`);
  return photos.map((text, i) => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length === 0) {
      throw invalid('PHOTO_NOT_IMAGE', `Tệp thứ ${i + 1} không đọc được.`);
    }
    if ((text.length * 3) / 4 > MAX_PHOTO_BYTES + 3) {
      throw invalid('PHOTO_TOO_LARGE', `Ảnh thứ ${i + 1} lớn hơn ${MAX_PHOTO_BYTES / 1024 / 1024} MB.`);
    }
    return Buffer.from(text, 'base64');
  });
}

function clientAddress(request: FastifyRequest): string {
  return request.ip || 'unknown';
}

export async function webIntakeRoutes(app: FastifyInstance, deps: WebIntakeDeps): Promise<void> {
  const { db, config, now } = deps;
  const limiters = createPublicLimiters(config.publicForm.limits);
  // The tracking code is told at once: each group of requests reaches the disk before the answers.
  const committer = createGroupCommitter(db.$client, { durable: true });

  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof TooManyRequestsError) reply.header('retry-after', String(err.retryAfterSeconds));
    // The app's own handler answers (code and Vietnamese message).
    throw err;
  });

  app.get('/api/public/form', async (): Promise<PublicFormInfo> => {
    return {
      categories: listCategories(db).map((c) => ({ key: c.key, name: c.name })),
      consent: { version: CONSENT.version, text: CONSENT.text },
      mapTileUrl: config.publicForm.mapTileUrl,
      mapAttribution: config.publicForm.mapAttribution,
      maxPhotos: MAX_PHOTOS,
      maxPhotoBytes: MAX_PHOTO_BYTES,
    };
  });

  app.get<{ Querystring: Static<typeof UnitQuery> }>(
    '/api/public/units',
    { schema: { querystring: UnitQuery } },
    async (request): Promise<{ data: PublicUnit[] }> => {
      const q = request.query.q?.trim() ?? '';
      if (q.length < 2) return { data: [] };
      return {
        data: searchUnits(db, q, 8).map((u) => ({
          code: u.code,
          name: u.name,
          ...(u.matchedFormerName ? { matchedFormerName: u.matchedFormerName } : {}),
        })),
      };
    },
  );

  app.post<{ Body: Static<typeof CodeBody> }>(
    '/api/public/phone-codes',
    { schema: { body: CodeBody } },
    async (request, reply): Promise<PhoneCodeSent> => {
      const phone = parseMobile(request.body.phone);
      const at = now();
      limiters.code(phone, clientAddress(request), at);
      const { expiresAt } = issueCode(db, { phone, address: clientAddress(request), now: at });
      request.log.info('public form: a phone code was texted');
      reply.status(202);
      return { expiresAt: expiresAt.toISOString() };
    },
  );

  app.post<{ Body: Static<typeof VerifyBody> }>(
    '/api/public/phone-codes/verify',
    { schema: { body: VerifyBody } },
    async (request): Promise<PhoneConfirmed> => {
      const phone = parseMobile(request.body.phone);
      const code = request.body.code.trim();
      if (!/^\d{6}$/.test(code)) throw invalid('INVALID_CODE', 'Mã xác nhận gồm 6 chữ số.');
      const { token, expiresAt } = confirmCode(db, { phone, code, now: now() });
      return { token, expiresAt: expiresAt.toISOString() };
    },
  );

  app.post<{ Body: RequestBodyT }>(
    '/api/public/requests',
    { schema: { body: RequestBody }, bodyLimit: REQUEST_BODY_LIMIT },
    async (request, reply): Promise<PublicRequestAccepted> => {
      const at = now();
      const key = parseIdempotencyKey(request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()]);
      const fields = checkRequestFields(db, request.body);
      const phone = fields.phone!;
      checkPhoneToken(db, request.body.phoneToken, phone, at);
      const raw = decodePhotos(request.body.photos);
      const { phoneToken: _token, photos: _photos, ...asked } = request.body;
      const requestHash = intakeHash({
        ...asked,
        photos: raw.map((p) => createHash('sha256').update(p).digest('hex')),
      });
      // A retry of a request already taken in does not count against the limits again.
      const retried = key !== undefined && keyStatement(db).get({ key }) !== undefined;
      if (!retried) limiters.submission(phone, clientAddress(request), at);
      const photos = [];
      for (const [i, data] of raw.entries()) photos.push(await cleanPhoto(data, i + 1));
      const result = await takeInGrouped(
        db,
        committer,
        { ...fields, photos },
        {
          now: at,
          ...(key !== undefined ? { key: { scope: 'web', key, requestHash } } : {}),
          inTransaction(tx, { request: taken, outcome }) {
            if (outcome !== 'created') return;
            recordSms(
              tx,
              {
                ticketId: null,
                event: 'written_received',
                to: phone,
                body: smsTexts.created(taken.trackingCode),
              },
              at,
            );
          },
        },
      );
      request.log.info(
        { writtenRequestId: result.request.id, outcome: result.outcome, photos: photos.length },
        'public form: request taken in',
      );
      reply.status(result.outcome === 'joined' ? 200 : 201);
      return { trackingCode: result.request.trackingCode, joined: result.outcome === 'joined' };
    },
  );

  app.post<{ Body: Static<typeof StatusBody> }>(
    '/api/public/status',
    { schema: { body: StatusBody } },
    async (request): Promise<PublicStatusView> => {
      limiters.lookup(clientAddress(request), now());
      return lookUpStatus(db, request.body.code.trim(), request.body.phoneLast4.trim());
    },
  );
}
