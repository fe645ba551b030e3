/**
 * Operators' side of written requests: the open ones in a list, taking one, closing it with a
 * reason, and turning it into a ticket that keeps its tracking code. The ticket service calls
 * `writtenRequestForTicket` before it writes and `linkTicket` inside the ticket's transaction, so
 * the ticket and the request's `ticketed` state commit together or not at all.
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { TicketWrittenRequestView, WrittenRequestView } from '../../common/written-requests.ts';
import { users } from '../auth/schema.ts';
import { categories } from '../categories/schema.ts';
import type { Db } from '../db/index.ts';
import type { Tx } from '../outbox/outbox.ts';
import { maskPhone } from '../tickets/repository.ts';
import { units } from '../units/schema.ts';
import {
  WrittenRequestNotFoundError,
  WrittenRequestNotOpenError,
  WrittenRequestTakenError,
} from './errors.ts';
import {
  type WrittenRequestRow,
  writtenRequestEvents,
  writtenRequestPhotos,
  writtenRequests,
} from './schema.ts';

/** The open request a new ticket is made from; throws 404 or 409 before anything is written. */
export function writtenRequestForTicket(db: Pick<Db, 'select'>, id: number): WrittenRequestRow {
  const row = db.select().from(writtenRequests).where(eq(writtenRequests.id, id)).get();
  if (!row) throw new WrittenRequestNotFoundError();
  if (row.status !== 'open') throw new WrittenRequestNotOpenError();
  return row;
}

/**
 * Inside the ticket's transaction: the request is `ticketed` with its ticket, and answered now if
 * nobody had answered it yet. Throws `WrittenRequestNotOpenError` (rolling the ticket back) when
 * another operator turned or closed it meanwhile.
 */
export function linkTicket(tx: Tx, requestId: number, ticketId: number, actorId: number, at: Date): void {
  const current = tx.select().from(writtenRequests).where(eq(writtenRequests.id, requestId)).get();
  if (current?.status !== 'open') throw new WrittenRequestNotOpenError();
  tx.update(writtenRequests)
    .set({
      status: 'ticketed',
      ticketId,
      firstResponseAt: current.firstResponseAt ?? at,
      takenBy: current.takenBy ?? actorId,
      takenAt: current.takenAt ?? at,
      updatedAt: at,
    })
    .where(eq(writtenRequests.id, requestId))
    .run();
  tx.insert(writtenRequestEvents).values({ requestId, at, kind: 'ticketed', actorId, text: null }).run();
}

/** The operator takes the request (another operator's hold is refused with their name). */
export function takeWrittenRequest(db: Db, id: number, actorId: number, at: Date): WrittenRequestView {
  db.transaction(
    (tx) => {
      const row = writtenRequestForTicket(tx, id);
      if (row.takenBy !== null && row.takenBy !== actorId) {
        const holder = tx
          .select({ name: users.displayName })
          .from(users)
          .where(eq(users.id, row.takenBy))
          .get();
        throw new WrittenRequestTakenError(holder?.name ?? 'tổng đài viên khác');
      }
      tx.update(writtenRequests)
        .set({ takenBy: actorId, takenAt: at, updatedAt: at })
        .where(eq(writtenRequests.id, id))
        .run();
      tx.insert(writtenRequestEvents).values({ requestId: id, at, kind: 'taken', actorId, text: null }).run();
    },
    { behavior: 'immediate' },
  );
  return writtenRequestView(db, id, { fullNumber: false });
}

/** Closes an open request without a ticket (not the hotline's matter, spam, withdrawn). */
export function closeWrittenRequest(
  db: Db,
  id: number,
  actorId: number,
  reason: string,
  at: Date,
): WrittenRequestView {
  db.transaction(
    (tx) => {
      const row = writtenRequestForTicket(tx, id);
      tx.update(writtenRequests)
        .set({
          status: 'closed',
          closedReason: reason,
          firstResponseAt: row.firstResponseAt ?? at,
          takenBy: row.takenBy ?? actorId,
          takenAt: row.takenAt ?? at,
          updatedAt: at,
        })
        .where(eq(writtenRequests.id, id))
        .run();
      tx.insert(writtenRequestEvents)
        .values({ requestId: id, at, kind: 'closed', actorId, text: reason })
        .run();
    },
    { behavior: 'immediate' },
  );
  return writtenRequestView(db, id, { fullNumber: false });
}

function photosOf(db: Pick<Db, 'select'>, requestIds: number[]) {
  if (requestIds.length === 0) return new Map<number, WrittenRequestView['photos']>();
  const rows = db
    .select({
      id: writtenRequestPhotos.id,
      requestId: writtenRequestPhotos.requestId,
      width: writtenRequestPhotos.width,
      height: writtenRequestPhotos.height,
    })
    .from(writtenRequestPhotos)
    .where(inArray(writtenRequestPhotos.requestId, requestIds))
    .orderBy(writtenRequestPhotos.requestId, writtenRequestPhotos.position)
    .all();
  const byRequest = new Map<number, WrittenRequestView['photos']>();
  for (const { requestId, ...photo } of rows) {
    byRequest.set(requestId, [...(byRequest.get(requestId) ?? []), photo]);
  }
  return byRequest;
}

function selectViews(db: Pick<Db, 'select'>) {
  return db
    .select({
      request: writtenRequests,
      categoryName: categories.name,
      unitName: units.name,
      takenByName: users.displayName,
    })
    .from(writtenRequests)
    .leftJoin(categories, eq(categories.key, writtenRequests.category))
    .leftJoin(units, eq(units.code, writtenRequests.unitCode))
    .leftJoin(users, eq(users.id, writtenRequests.takenBy));
}

type ViewRow = {
  request: WrittenRequestRow;
  categoryName: string | null;
  unitName: string | null;
  takenByName: string | null;
};

function toView(row: ViewRow, photos: WrittenRequestView['photos'], fullNumber: boolean): WrittenRequestView {
  const r = row.request;
  return {
    id: r.id,
    trackingCode: r.trackingCode,
    channel: r.channel,
    status: r.status,
    category: r.category,
    categoryName: row.categoryName,
    description: r.description,
    unitCode: r.unitCode,
    unitName: row.unitName,
    address: r.address,
    latitude: r.latitude,
    longitude: r.longitude,
    citizenName: r.citizenName,
    phone: r.phone === null ? null : fullNumber ? r.phone : maskPhone(r.phone),
    phoneVerified: r.phoneVerified,
    joinedCount: r.joinedCount,
    takenBy: r.takenBy !== null ? { id: r.takenBy, name: row.takenByName ?? '' } : null,
    takenAt: r.takenAt?.toISOString() ?? null,
    ticketId: r.ticketId,
    createdAt: r.createdAt.toISOString(),
    photos,
  };
}

/** Open requests, newest first; numbers masked. */
export function listOpenWrittenRequests(db: Db, limit = 50): WrittenRequestView[] {
  const rows = selectViews(db)
    .where(eq(writtenRequests.status, 'open'))
    .orderBy(desc(writtenRequests.createdAt), desc(writtenRequests.id))
    .limit(limit)
    .all();
  const photos = photosOf(
    db,
    rows.map((r) => r.request.id),
  );
  return rows.map((row) => toView(row, photos.get(row.request.id) ?? [], false));
}

export function writtenRequestView(db: Db, id: number, opts: { fullNumber: boolean }): WrittenRequestView {
  const row = selectViews(db).where(eq(writtenRequests.id, id)).get();
  if (!row) throw new WrittenRequestNotFoundError();
  return toView(row, photosOf(db, [id]).get(id) ?? [], opts.fullNumber);
}

/** What the citizen sent with a ticket made from writing; null for a ticket from a call. */
export function ticketWrittenRequest(db: Db, ticketId: number): TicketWrittenRequestView | null {
  const row = db.select().from(writtenRequests).where(eq(writtenRequests.ticketId, ticketId)).get();
  if (!row) return null;
  return {
    trackingCode: row.trackingCode,
    channel: row.channel,
    address: row.address,
    latitude: row.latitude,
    longitude: row.longitude,
    photos: photosOf(db, [row.id]).get(row.id) ?? [],
  };
}

/** A photo's bytes with the request and ticket it belongs to (for the access check). */
export function photoData(
  db: Db,
  photoId: number,
): { data: Buffer; mime: string; ticketId: number | null } | undefined {
  return db
    .select({
      data: writtenRequestPhotos.data,
      mime: writtenRequestPhotos.mime,
      ticketId: writtenRequests.ticketId,
    })
    .from(writtenRequestPhotos)
    .innerJoin(writtenRequests, and(eq(writtenRequests.id, writtenRequestPhotos.requestId)))
    .where(eq(writtenRequestPhotos.id, photoId))
    .get();
}
