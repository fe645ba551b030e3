/** Reading and writing Zalo's events, conversations and messages. */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { ZaloConversationView, ZaloMessageView } from '../../common/zalo.ts';
import type { Db } from '../db/index.ts';
import { preparedOnce } from '../db/prepared.ts';
import { writtenRequests } from '../intake/schema.ts';
import { addIntent, type Tx } from '../outbox/outbox.ts';
import { maskPhone } from '../tickets/repository.ts';
import type { EventHead } from './events.ts';
import {
  type ZaloConversationRow,
  type ZaloMessageRow,
  zaloConversations,
  zaloInboundEvents,
  zaloMessages,
} from './schema.ts';
import { replyWindow, windowNotice } from './window.ts';

/**
 * Stores an event as it came and queues its processing, in the caller's transaction. Returns its
 * id, or null when this event (same `msg_id`, or same body) was stored before: Zalo's retry.
 */
export function storeInboundEvent(tx: Tx, head: EventHead, rawBody: string, now: Date): number | null {
  const row = insertEvent(tx).get({
    dedupeKey: head.dedupeKey,
    eventName: head.eventName,
    zaloUserId: head.userId,
    body: rawBody,
    receivedAt: now,
  });
  if (!row) return null;
  addIntent(tx, { kind: 'zalo_inbound', eventId: row.id }, now);
  return row.id;
}

// Built once per database: the webhook runs it for every event.
const insertEvent = preparedOnce((tx: Tx) =>
  tx
    .insert(zaloInboundEvents)
    .values({
      dedupeKey: sql.placeholder('dedupeKey'),
      eventName: sql.placeholder('eventName'),
      zaloUserId: sql.placeholder('zaloUserId'),
      body: sql.placeholder('body'),
      receivedAt: sql.placeholder('receivedAt'),
    })
    .onConflictDoNothing()
    .returning({ id: zaloInboundEvents.id })
    .prepare(),
);

/** The conversation of a Zalo user, made on first contact. */
export function touchConversation(
  tx: Tx,
  zaloUserId: string,
  now: Date,
  changes: Partial<Pick<ZaloConversationRow, 'followedAt' | 'lastCitizenAt' | 'requestId' | 'phone'>> = {},
): ZaloConversationRow {
  return tx
    .insert(zaloConversations)
    .values({ zaloUserId, lastMessageAt: now, createdAt: now, ...changes })
    .onConflictDoUpdate({
      target: zaloConversations.zaloUserId,
      set: { lastMessageAt: sql`max(${zaloConversations.lastMessageAt}, ${now.getTime()})`, ...changes },
    })
    .returning()
    .get();
}

export interface Outbound {
  zaloUserId: string;
  text: string;
  purpose: 'reply' | 'tracking_code' | 'result';
  requestId?: number | null;
  ticketId?: number | null;
  sentBy?: number | null;
}

/**
 * Stores a message to a citizen and queues its sending, in the caller's transaction. Returns
 * null when a `result` message for this ticket exists already (one per ticket).
 */
export function recordOutbound(tx: Tx, msg: Outbound, now: Date): ZaloMessageRow | null {
  touchConversation(tx, msg.zaloUserId, now);
  const row = tx
    .insert(zaloMessages)
    .values({
      zaloUserId: msg.zaloUserId,
      direction: 'out',
      kind: 'text',
      text: msg.text,
      purpose: msg.purpose,
      requestId: msg.requestId ?? null,
      ticketId: msg.ticketId ?? null,
      sentBy: msg.sentBy ?? null,
      status: 'pending',
      at: now,
    })
    .onConflictDoNothing()
    .returning()
    .get();
  if (!row) return null;
  addIntent(tx, { kind: 'zalo_send', messageId: row.id }, now);
  return row;
}

export function findConversation(db: Db, zaloUserId: string): ZaloConversationRow | undefined {
  return db.select().from(zaloConversations).where(eq(zaloConversations.zaloUserId, zaloUserId)).get();
}

export function messageView(m: ZaloMessageRow): ZaloMessageView {
  return {
    id: m.id,
    direction: m.direction,
    kind: m.kind,
    text: m.text,
    photoId: m.photoId,
    latitude: m.latitude,
    longitude: m.longitude,
    purpose: m.purpose,
    status: m.status,
    error: m.error,
    at: m.at.toISOString(),
  };
}

function describe(m: Pick<ZaloMessageRow, 'kind' | 'text'> | undefined): string | null {
  if (!m) return null;
  if (m.kind === 'image') return m.text ? `[Ảnh] ${m.text}` : '[Ảnh]';
  if (m.kind === 'location') return '[Vị trí]';
  return m.text;
}

export function windowView(lastCitizenAt: Date | null, now: Date) {
  const window = replyWindow(lastCitizenAt, now);
  return { kind: window.kind, until: window.until?.toISOString() ?? null, notice: windowNotice(window) };
}

export function conversationView(db: Db, c: ZaloConversationRow, now: Date): ZaloConversationView {
  const last = db
    .select({ kind: zaloMessages.kind, text: zaloMessages.text })
    .from(zaloMessages)
    .where(eq(zaloMessages.zaloUserId, c.zaloUserId))
    .orderBy(desc(zaloMessages.id))
    .limit(1)
    .get();
  const request = c.requestId
    ? db
        .select({
          id: writtenRequests.id,
          trackingCode: writtenRequests.trackingCode,
          status: writtenRequests.status,
        })
        .from(writtenRequests)
        .where(eq(writtenRequests.id, c.requestId))
        .get()
    : undefined;
  return {
    zaloUserId: c.zaloUserId,
    displayName: c.displayName,
    phone: c.phone ? maskPhone(c.phone) : null,
    lastCitizenAt: c.lastCitizenAt?.toISOString() ?? null,
    lastMessageAt: c.lastMessageAt.toISOString(),
    lastText: describe(last),
    window: windowView(c.lastCitizenAt, now),
    request: request ?? null,
  };
}

/** Conversations with the latest message first. */
export function listConversations(db: Db, now: Date, limit: number): ZaloConversationView[] {
  return db
    .select()
    .from(zaloConversations)
    .orderBy(desc(zaloConversations.lastMessageAt))
    .limit(limit)
    .all()
    .map((c) => conversationView(db, c, now));
}

/** A conversation's messages, oldest first (the last `limit`). */
export function threadMessages(db: Db, zaloUserId: string, limit: number): ZaloMessageView[] {
  return db
    .select()
    .from(zaloMessages)
    .where(and(eq(zaloMessages.zaloUserId, zaloUserId)))
    .orderBy(desc(zaloMessages.id))
    .limit(limit)
    .all()
    .reverse()
    .map(messageView);
}
