/**
 * One-time SMS codes that confirm a citizen's phone number on the web form. A code is 6 digits,
 * kept only as a hash, dies after `CODE_TTL_MS`, after `MAX_TRIES` wrong tries or once used; a
 * newer code replaces the older ones. A confirmed code becomes a token the form sends with the
 * request: the row then keeps the token's hash in place of the code's (the code is spent), and
 * the token proves the number for `TOKEN_TTL_MS`. Rows are deleted a day after they were made.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { desc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/index.ts';
import { preparedOnce } from '../db/prepared.ts';
import { recordSms } from '../sms/service.ts';
import { smsTexts } from '../sms/texts.ts';
import { nationalNumber } from '../status-line/service.ts';
import { IntakeValidationError, PhoneNotVerifiedError, TooManyRequestsError } from './errors.ts';
import { phoneVerifications } from './schema.ts';

export const CODE_LENGTH = 6;
export const CODE_TTL_MS = 10 * 60_000;
export const MAX_TRIES = 5;
/** How long a confirmed number may be used to send requests. */
export const TOKEN_TTL_MS = 60 * 60_000;
/** Codes and tokens are deleted this long after they were made (numbers are personal data). */
export const VERIFICATION_KEEP_MS = 24 * 60 * 60_000;
/** Old codes are swept by a new code's transaction, at most this often. */
const PRUNE_EVERY_MS = 10 * 60_000;
let prunedAt = 0;

type VerificationRow = typeof phoneVerifications.$inferSelect;

/** A Vietnamese mobile number: `0` and 9 digits once `+84`, spaces and dots are taken out. */
export function parseMobile(raw: string): string {
  const national = nationalNumber(raw);
  if (!/^0[35789]\d{8}$/.test(national)) {
    throw new IntakeValidationError(
      'INVALID_PHONE',
      'Số điện thoại di động không hợp lệ (10 chữ số, ví dụ 0912345678).',
    );
  }
  return national;
}

export function newCode(): string {
  return String(randomInt(0, 10 ** CODE_LENGTH)).padStart(CODE_LENGTH, '0');
}

/** Salted with the number, so one hash table does not serve every number. */
export function codeHash(phone: string, code: string): string {
  return createHash('sha256').update(`code:${phone}:${code}`).digest('hex');
}

function tokenHash(secret: string): string {
  return createHash('sha256').update(`token:${secret}`).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export type CodeJudgement = 'confirmed' | 'wrong' | 'expired' | 'locked' | 'used';

/** What a typed code does to a stored one; pure, `now` given. */
export function judgeCode(
  row: Pick<VerificationRow, 'phone' | 'codeHash' | 'expiresAt' | 'tries' | 'usedAt'>,
  code: string,
  now: Date,
): CodeJudgement {
  if (row.usedAt) return 'used';
  if (row.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (row.tries >= MAX_TRIES) return 'locked';
  return sameHex(row.codeHash, codeHash(row.phone, code)) ? 'confirmed' : 'wrong';
}

/** Stores a new code for `phone` and texts it, in one transaction. Returns when it expires. */
export function issueCode(
  db: Db,
  opts: { phone: string; address: string; now: Date; code?: string },
): { expiresAt: Date } {
  const { phone, address, now } = opts;
  const code = opts.code ?? newCode();
  const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
  db.transaction(
    (tx) => {
      if (now.getTime() - prunedAt >= PRUNE_EVERY_MS) {
        tx.delete(phoneVerifications)
          .where(lt(phoneVerifications.createdAt, new Date(now.getTime() - VERIFICATION_KEEP_MS)))
          .run();
        prunedAt = now.getTime();
      }
      tx.insert(phoneVerifications)
        .values({ phone, address, codeHash: codeHash(phone, code), createdAt: now, expiresAt })
        .run();
      recordSms(
        tx,
        {
          ticketId: null,
          event: 'phone_code',
          to: phone,
          body: smsTexts.phoneCode(code, CODE_TTL_MS / 60_000),
        },
        now,
      );
    },
    { behavior: 'immediate' },
  );
  return { expiresAt };
}

/**
 * Checks a typed code against the newest code sent to `phone`. Confirmed: returns a token for the
 * request (valid `TOKEN_TTL_MS`). Only the newest code sent counts. Otherwise throws a 400 (wrong, with the tries left; expired) or
 * a 429 once the tries are used up.
 */
export function confirmCode(
  db: Db,
  opts: { phone: string; code: string; now: Date },
): {
  token: string;
  expiresAt: Date;
} {
  const { phone, code, now } = opts;
  // The outcome is decided and written in one transaction (a wrong try must stay counted), and
  // thrown after it commits.
  const outcome = db.transaction(
    (tx) => {
      const row = tx
        .select()
        .from(phoneVerifications)
        .where(eq(phoneVerifications.phone, phone))
        .orderBy(desc(phoneVerifications.createdAt), desc(phoneVerifications.id))
        .get();
      if (!row) return { judgement: 'expired' as const };
      const judgement = judgeCode(row, code, now);
      if (judgement === 'wrong') {
        const tries = row.tries + 1;
        tx.update(phoneVerifications).set({ tries }).where(eq(phoneVerifications.id, row.id)).run();
        return { judgement, left: MAX_TRIES - tries };
      }
      if (judgement !== 'confirmed') return { judgement };
      const secret = randomBytes(24).toString('base64url');
      tx.update(phoneVerifications)
        .set({ usedAt: now, codeHash: tokenHash(secret) })
        .where(eq(phoneVerifications.id, row.id))
        .run();
      return { judgement, token: `${row.id}.${secret}` };
    },
    { behavior: 'immediate' },
  );
  switch (outcome.judgement) {
    case 'confirmed':
      return { token: outcome.token, expiresAt: new Date(now.getTime() + TOKEN_TTL_MS) };
    case 'wrong':
      throw new IntakeValidationError(
        'CODE_WRONG',
        outcome.left > 0
          ? `Mã xác nhận không đúng. Còn ${outcome.left} lần thử.`
          : 'Mã xác nhận không đúng. Đã hết số lần thử, vui lòng lấy mã mới.',
      );
    case 'locked':
      throw new TooManyRequestsError('Đã nhập sai mã quá số lần cho phép. Vui lòng lấy mã mới.', 60);
    default:
      throw new IntakeValidationError(
        'CODE_EXPIRED',
        'Mã xác nhận đã hết hạn hoặc không còn dùng được. Vui lòng lấy mã mới.',
      );
  }
}

const tokenRowStatement = preparedOnce((db: Pick<Db, 'select'>) =>
  db
    .select()
    .from(phoneVerifications)
    .where(eq(phoneVerifications.id, sql.placeholder('id')))
    .prepare(),
);

/** Throws `PhoneNotVerifiedError` unless `token` confirms `phone` now. */
export function checkPhoneToken(db: Pick<Db, 'select'>, token: string, phone: string, now: Date): void {
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{16,64})$/.exec(token);
  if (!match) throw new PhoneNotVerifiedError();
  const row = tokenRowStatement(db).get({ id: Number(match[1]) });
  if (
    !row?.usedAt ||
    row.phone !== phone ||
    row.usedAt.getTime() + TOKEN_TTL_MS <= now.getTime() ||
    !sameHex(row.codeHash, tokenHash(match[2]!))
  ) {
    throw new PhoneNotVerifiedError();
  }
}

/** A confirmed number's token made without an SMS: for the benchmark and tests that skip the step. */
export function confirmedTokenFor(db: Db, phone: string, address: string, now: Date): string {
  const secret = randomBytes(24).toString('base64url');
  const row = db
    .insert(phoneVerifications)
    .values({ phone, address, codeHash: tokenHash(secret), createdAt: now, expiresAt: now, usedAt: now })
    .returning({ id: phoneVerifications.id })
    .get();
  return `${row.id}.${secret}`;
}
