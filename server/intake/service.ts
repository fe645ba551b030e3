/**
 * Taking a written request in, whatever the channel: one transaction stores it (or joins it to
 * the same citizen's open request of the day), its photos, its first event, the sender's retry key
 * and whatever the channel adds (`inTransaction`, e.g. the SMS with the tracking code), flushed to
 * disk before the citizen is given the code.
 */
import { createHash } from 'node:crypto';
import { and, desc, eq, gte, isNull, lt, or, sql } from 'drizzle-orm';
import type { Category } from '../../common/domain.ts';
import { durably, type GroupCommitter } from '../db/group-commit.ts';
import type { Db } from '../db/index.ts';
import { definedValues, preparedOnce, preparedPerColumns } from '../db/prepared.ts';
import type { Tx } from '../outbox/outbox.ts';
import { tickets } from '../tickets/schema.ts';
import { newTrackingCode } from '../tickets/tracking-code.ts';
import { IntakeKeyReusedError } from './errors.ts';
import {
  intakeIdempotencyKeys,
  type NewWrittenRequest,
  type WrittenChannel,
  type WrittenRequestRow,
  writtenRequestEvents,
  writtenRequestPhotos,
  writtenRequests,
} from './schema.ts';

/** A request sent again by the same citizen within this time joins their open one. */
export const JOIN_WINDOW_MS = 24 * 60 * 60_000;
/** How long a sender's retry key is kept at least. */
export const INTAKE_KEY_TTL_MS = 24 * 60 * 60_000;
export const MAX_PHOTOS = 3;

/** A photo already checked and re-encoded by the channel (see the web form's photo rules). */
export interface IntakePhoto {
  mime: string;
  width: number;
  height: number;
  data: Buffer;
}

export interface IntakeInput {
  channel: WrittenChannel;
  category?: Category | null;
  description: string;
  unitCode?: string | null;
  address?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  citizenName?: string | null;
  phone?: string | null;
  phoneVerified?: boolean;
  zaloUserId?: string | null;
  clientId?: number | null;
  consentVersion?: string | null;
  photos?: readonly IntakePhoto[];
}

/** The sender's retry key: `scope` is `web` or `app:<client id>`; `requestHash` from `intakeHash`. */
export interface IntakeKey {
  scope: string;
  key: string;
  requestHash: string;
}

export interface IntakeResult {
  request: WrittenRequestRow;
  /** `created`: a new request; `joined`: added to the citizen's open one; `repeated`: a retry. */
  outcome: 'created' | 'joined' | 'repeated';
}

/** The hash of what a request asks for, independent of the order of its fields. */
export function intakeHash(input: unknown): string {
  const canonical = JSON.stringify(input, (_key, value) =>
    value && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Stores a written request. With `key`, a retry answers with what the first attempt made (and
 * throws `IntakeKeyReusedError` when the key comes with a different request). A request from a
 * citizen (same confirmed phone or same Zalo user) who has an open request of the same category
 * from the last day joins it: its text is added as an event and its photos fill the free places.
 */
export function takeIn(
  db: Db,
  input: IntakeInput,
  opts: {
    now: Date;
    key?: IntakeKey;
    inTransaction?: (tx: Tx, result: IntakeResult) => void;
    /**
     * false: the connection's `synchronous = NORMAL`, for a channel that tells the citizen the code
     * only later, from a job that makes its own commit durable first (Zalo's replies).
     */
    durable?: boolean;
  },
): IntakeResult {
  const commit = () => db.transaction((tx) => takeInWrite(tx, input, opts), { behavior: 'immediate' });
  return opts.durable === false ? commit() : durably(db.$client, commit);
}

/**
 * Like `takeIn`, but the request commits in one durable transaction with the others taken in
 * during the same turn of the event loop (`db/group-commit.ts`): far cheaper under load. Resolves
 * once the request is on disk; a request that fails rejects alone.
 */
export function takeInGrouped(
  db: Db,
  committer: GroupCommitter,
  input: IntakeInput,
  opts: { now: Date; key?: IntakeKey; inTransaction?: (tx: Tx, result: IntakeResult) => void },
): Promise<IntakeResult> {
  // Statements run on `db` inside the group's transaction, in a savepoint of their own.
  return committer.run(() => takeInWrite(db, input, opts));
}

/** The writes of `takeIn`, inside a transaction the caller holds. */
function takeInWrite(
  tx: Tx,
  input: IntakeInput,
  opts: { now: Date; key?: IntakeKey; inTransaction?: (tx: Tx, result: IntakeResult) => void },
): IntakeResult {
  const { now, key } = opts;
  if (key) {
    const seen = seenKeyStatement(tx).get({ scope: key.scope, key: key.key });
    if (seen && seen.createdAt.getTime() > now.getTime() - INTAKE_KEY_TTL_MS) {
      if (seen.requestHash !== key.requestHash) throw new IntakeKeyReusedError();
      const request = tx.select().from(writtenRequests).where(eq(writtenRequests.id, seen.requestId)).get()!;
      return { request, outcome: 'repeated' as const };
    }
    if (seen) tx.delete(intakeIdempotencyKeys).where(eq(intakeIdempotencyKeys.id, seen.id)).run();
  }
  const open = openRequestOf(tx, input, now);
  const result: IntakeResult = open
    ? { request: joinRequest(tx, open, input, now), outcome: 'joined' }
    : { request: insertRequest(tx, input, now), outcome: 'created' };
  if (key) {
    pruneKeysStatement(tx).run({ before: now.getTime() - INTAKE_KEY_TTL_MS });
    insertKeyStatement(tx).run({ ...key, requestId: result.request.id, createdAt: now });
  }
  opts.inTransaction?.(tx, result);
  return result;
}

// The web form's path runs these on every request: built and prepared once per handle.
const seenKeyStatement = preparedOnce((tx: Tx) =>
  tx
    .select()
    .from(intakeIdempotencyKeys)
    .where(
      and(
        eq(intakeIdempotencyKeys.scope, sql.placeholder('scope')),
        eq(intakeIdempotencyKeys.key, sql.placeholder('key')),
      ),
    )
    .prepare(),
);

const openByPhoneStatement = preparedOnce((tx: Tx) =>
  tx
    .select()
    .from(writtenRequests)
    .where(
      and(
        eq(writtenRequests.phone, sql.placeholder('phone')),
        eq(writtenRequests.status, 'open'),
        gte(writtenRequests.createdAt, sql.placeholder('since')),
        or(eq(writtenRequests.category, sql.placeholder('category')), isNull(writtenRequests.category)),
      ),
    )
    .orderBy(desc(writtenRequests.createdAt))
    .prepare(),
);

const ticketCodeStatement = preparedOnce((tx: Tx) =>
  tx
    .select({ id: tickets.id })
    .from(tickets)
    .where(eq(tickets.trackingCode, sql.placeholder('code')))
    .prepare(),
);

const insertRequestStatement = preparedPerColumns((tx: Tx, columns) =>
  tx
    .insert(writtenRequests)
    .values(columns as unknown as NewWrittenRequest)
    .returning()
    .prepare(),
);

const insertEventStatement = preparedOnce((tx: Tx) =>
  tx
    .insert(writtenRequestEvents)
    .values({
      requestId: sql.placeholder('requestId'),
      at: sql.placeholder('at'),
      kind: sql.placeholder('kind'),
      text: sql.placeholder('text'),
    })
    .prepare(),
);

const pruneKeysStatement = preparedOnce((tx: Tx) =>
  tx
    .delete(intakeIdempotencyKeys)
    .where(lt(intakeIdempotencyKeys.createdAt, sql.placeholder('before')))
    .prepare(),
);

const insertKeyStatement = preparedOnce((tx: Tx) =>
  tx
    .insert(intakeIdempotencyKeys)
    .values({
      scope: sql.placeholder('scope'),
      key: sql.placeholder('key'),
      requestHash: sql.placeholder('requestHash'),
      requestId: sql.placeholder('requestId'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare(),
);

/** The same citizen's open request of the same category from the last day, if any. */
function openRequestOf(tx: Tx, input: IntakeInput, now: Date): WrittenRequestRow | undefined {
  if (input.phone && input.phoneVerified && !input.zaloUserId && input.category) {
    return openByPhoneStatement(tx).get({
      phone: input.phone,
      since: now.getTime() - JOIN_WINDOW_MS,
      category: input.category,
    });
  }
  const who = [
    input.phone && input.phoneVerified ? eq(writtenRequests.phone, input.phone) : undefined,
    input.zaloUserId ? eq(writtenRequests.zaloUserId, input.zaloUserId) : undefined,
  ].filter((c) => c !== undefined);
  if (who.length === 0) return undefined;
  return tx
    .select()
    .from(writtenRequests)
    .where(
      and(
        or(...who),
        eq(writtenRequests.status, 'open'),
        gte(writtenRequests.createdAt, new Date(now.getTime() - JOIN_WINDOW_MS)),
        input.category
          ? or(eq(writtenRequests.category, input.category), isNull(writtenRequests.category))
          : undefined,
      ),
    )
    .orderBy(desc(writtenRequests.createdAt))
    .get();
}

function insertRequest(tx: Tx, input: IntakeInput, now: Date): WrittenRequestRow {
  const { photos = [], ...fields } = input;
  for (let attempt = 0; ; attempt++) {
    const trackingCode = newTrackingCode();
    if (ticketCodeStatement(tx).get({ code: trackingCode })) continue;
    try {
      const values = definedValues({
        ...fields,
        phoneVerified: fields.phoneVerified ?? false,
        consentAt: fields.consentVersion ? now : null,
        trackingCode,
        createdAt: now,
        updatedAt: now,
      });
      const request = insertRequestStatement(tx, values).get(values) as WrittenRequestRow;
      insertEventStatement(tx).run({
        requestId: request.id,
        at: now,
        kind: 'submitted',
        text: input.description,
      });
      addPhotos(tx, request.id, 0, photos, now);
      return request;
    } catch (err) {
      if (attempt >= 9 || !String(err).includes('written_requests.tracking_code')) throw err;
    }
  }
}

function joinRequest(tx: Tx, open: WrittenRequestRow, input: IntakeInput, now: Date): WrittenRequestRow {
  tx.insert(writtenRequestEvents)
    .values({ requestId: open.id, at: now, kind: 'joined', text: input.description })
    .run();
  const held = tx
    .select({ position: writtenRequestPhotos.position })
    .from(writtenRequestPhotos)
    .where(eq(writtenRequestPhotos.requestId, open.id))
    .all().length;
  addPhotos(tx, open.id, held, input.photos ?? [], now);
  return tx
    .update(writtenRequests)
    .set({
      joinedCount: open.joinedCount + 1,
      updatedAt: now,
      // What the first message left out, a later one may fill in.
      unitCode: open.unitCode ?? input.unitCode ?? null,
      address: open.address ?? input.address ?? null,
      latitude: open.latitude ?? input.latitude ?? null,
      longitude: open.longitude ?? input.longitude ?? null,
    })
    .where(eq(writtenRequests.id, open.id))
    .returning()
    .get();
}

function addPhotos(tx: Tx, requestId: number, held: number, photos: readonly IntakePhoto[], now: Date): void {
  photos.slice(0, Math.max(0, MAX_PHOTOS - held)).forEach((photo, i) => {
    tx.insert(writtenRequestPhotos)
      .values({ requestId, position: held + i + 1, ...photo, createdAt: now })
      .run();
  });
}

export function findWrittenRequest(db: Db, trackingCode: string): WrittenRequestRow | undefined {
  return db.select().from(writtenRequests).where(eq(writtenRequests.trackingCode, trackingCode)).get();
}
