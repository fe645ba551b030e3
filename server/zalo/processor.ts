/**
 * The Zalo jobs, apart from their BullMQ wiring. Both are safe to run twice:
 * - `processInbound`: an event stored by the webhook becomes a message of its citizen's
 *   conversation and, through `takeIn`, a new written request (the citizen is told its tracking
 *   code on Zalo) or part of their open one; the event is marked processed in that same
 *   transaction, so a second run finds it done.
 * - `sendMessage`: a stored message goes to Zalo's OA API; a sent or failed one is left alone.
 */
import { UnrecoverableError } from 'bullmq';
import { and, eq, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import { durably } from '../db/group-commit.ts';
import type { Db } from '../db/index.ts';
import { writtenRequestPhotos, writtenRequests } from '../intake/schema.ts';
import { type IntakeInput, type IntakePhoto, takeIn } from '../intake/service.ts';
import type { Tx } from '../outbox/outbox.ts';
import { readEvent, vietnamesePhone, type ZaloEvent } from './events.ts';
import { ImageFetchError } from './images.ts';
import { type OaClient, ZaloApiError } from './oa-client.ts';
import { recordOutbound, touchConversation } from './repository.ts';
import { zaloInboundEvents, zaloMessages } from './schema.ts';
import { zaloTexts } from './texts.ts';

export interface InboundDeps {
  db: Db;
  /** Fetches and re-encodes an image (`images.ts`); throws `ImageFetchError`. */
  fetchImage(url: string): Promise<IntakePhoto>;
  logger: Logger;
  now?: () => Date;
}

export type InboundOutcome = 'stored' | 'ignored' | 'already_processed';

/** Another run processed the event between our read and our transaction. */
class AlreadyProcessedError extends Error {}

function markProcessed(
  tx: Tx,
  eventId: number,
  outcome: string,
  now: Date,
  error: string | null = null,
): void {
  const done = tx
    .update(zaloInboundEvents)
    .set({ processedAt: now, outcome, error })
    .where(and(eq(zaloInboundEvents.id, eventId), isNull(zaloInboundEvents.processedAt)))
    .returning({ id: zaloInboundEvents.id })
    .get();
  if (!done) throw new AlreadyProcessedError();
}

export async function processInbound(
  eventId: number,
  deps: InboundDeps,
  attempt: { lastAttempt: boolean },
): Promise<InboundOutcome> {
  const { db } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const row = db.select().from(zaloInboundEvents).where(eq(zaloInboundEvents.id, eventId)).get();
  if (!row || row.processedAt) return 'already_processed';
  const event = readEvent(row.body);
  try {
    if (event.kind === 'ignored') {
      db.transaction((tx) => markProcessed(tx, eventId, 'ignored', now), { behavior: 'immediate' });
      return 'ignored';
    }
    if (event.kind === 'follow') {
      db.transaction(
        (tx) => {
          markProcessed(tx, eventId, 'stored', now);
          touchConversation(tx, event.userId, now, { followedAt: event.at });
        },
        { behavior: 'immediate' },
      );
      return 'stored';
    }
    let photo: IntakePhoto | null = null;
    let imageError: string | null = null;
    if (event.kind === 'image') {
      try {
        photo = await deps.fetchImage(event.url);
      } catch (err) {
        // A passing network fault is retried; the last attempt keeps the message without its photo.
        if (!(err instanceof ImageFetchError) || (err.retryable && !attempt.lastAttempt)) throw err;
        imageError = err.message;
        deps.logger.warn({ eventId, err: err.message }, 'Zalo image not kept');
      }
    }
    storeMessage(db, eventId, event, photo, imageError, now);
    return 'stored';
  } catch (err) {
    if (err instanceof AlreadyProcessedError) return 'already_processed';
    throw err;
  }
}

type MessageEvent = Extract<ZaloEvent, { kind: 'text' | 'image' | 'location' }>;

function storeMessage(
  db: Db,
  eventId: number,
  event: MessageEvent,
  photo: IntakePhoto | null,
  imageError: string | null,
  now: Date,
): void {
  const phone = event.kind === 'text' ? vietnamesePhone(event.text) : null;
  const message = {
    zaloUserId: event.userId,
    direction: 'in' as const,
    msgId: event.msgId,
    eventId,
    kind: event.kind,
    text: event.kind === 'text' ? event.text : event.kind === 'image' ? event.caption : null,
    latitude: event.kind === 'location' ? event.latitude : null,
    longitude: event.kind === 'location' ? event.longitude : null,
    status: 'received' as const,
    error: imageError,
    at: event.at,
  };
  if (phone) {
    // A number on its own is the citizen's contact, not a new matter.
    db.transaction(
      (tx) => {
        markProcessed(tx, eventId, 'stored', now);
        const conversation = touchConversation(tx, event.userId, now, { phone, lastCitizenAt: event.at });
        if (conversation.requestId) {
          tx.update(writtenRequests)
            .set({ phone, updatedAt: now })
            .where(and(eq(writtenRequests.id, conversation.requestId), isNull(writtenRequests.phone)))
            .run();
        }
        tx.insert(zaloMessages)
          .values({ ...message, requestId: conversation.requestId })
          .run();
      },
      { behavior: 'immediate' },
    );
    return;
  }
  const input: IntakeInput = {
    channel: 'zalo',
    zaloUserId: event.userId,
    description:
      event.kind === 'text'
        ? event.text
        : event.kind === 'image'
          ? zaloTexts.imageDescription(event.caption)
          : zaloTexts.locationDescription,
    ...(event.kind === 'location' ? { latitude: event.latitude, longitude: event.longitude } : {}),
    photos: photo ? [photo] : [],
  };
  takeIn(db, input, {
    now,
    // The citizen learns the code from a reply whose send makes everything before it durable.
    durable: false,
    inTransaction(tx, { request, outcome }) {
      markProcessed(tx, eventId, 'stored', now);
      const conversation = touchConversation(tx, event.userId, now, {
        lastCitizenAt: event.at,
        requestId: request.id,
      });
      if (conversation.phone && !request.phone) {
        tx.update(writtenRequests)
          .set({ phone: conversation.phone })
          .where(eq(writtenRequests.id, request.id))
          .run();
      }
      const photoId = photo
        ? (tx
            .select({ id: writtenRequestPhotos.id, data: writtenRequestPhotos.data })
            .from(writtenRequestPhotos)
            .where(eq(writtenRequestPhotos.requestId, request.id))
            .all()
            .find((p) => p.data.equals(photo.data))?.id ?? null)
        : null;
      tx.insert(zaloMessages)
        .values({
          ...message,
          requestId: request.id,
          photoId,
          error:
            photo && photoId === null ? 'Yêu cầu đã đủ 3 ảnh, ảnh này không được đính kèm.' : message.error,
        })
        .run();
      if (outcome === 'created') {
        recordOutbound(
          tx,
          {
            zaloUserId: event.userId,
            text: zaloTexts.trackingCode(request.trackingCode),
            purpose: 'tracking_code',
            requestId: request.id,
          },
          now,
        );
      }
    },
  });
}

export interface SendDeps {
  db: Db;
  client: OaClient;
  logger: Logger;
  now?: () => Date;
}

export type SendOutcome = 'sent' | 'already_done';

export async function sendMessage(
  messageId: number,
  deps: SendDeps,
  attempt: { lastAttempt: boolean },
): Promise<SendOutcome> {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const message = db.select().from(zaloMessages).where(eq(zaloMessages.id, messageId)).get();
  if (message?.direction !== 'out' || message.status !== 'pending') return 'already_done';
  // What the message tells (a tracking code) was committed with synchronous = NORMAL: a durable
  // write flushes the log, and all before it, to disk before the citizen reads the code.
  durably(db.$client, () =>
    db.update(zaloMessages).set({ attempts: message.attempts }).where(eq(zaloMessages.id, messageId)).run(),
  );
  try {
    const msgId = await deps.client.sendText(message.zaloUserId, message.text ?? '');
    db.update(zaloMessages)
      .set({ status: 'sent', msgId, sentAt: now(), attempts: message.attempts + 1, error: null })
      .where(and(eq(zaloMessages.id, messageId), eq(zaloMessages.status, 'pending')))
      .run();
    return 'sent';
  } catch (err) {
    const retryable = err instanceof ZaloApiError ? err.retryable : true;
    const text = err instanceof Error ? err.message : String(err);
    const final = !retryable || attempt.lastAttempt;
    db.update(zaloMessages)
      .set({ attempts: message.attempts + 1, error: text, ...(final ? { status: 'failed' as const } : {}) })
      .where(and(eq(zaloMessages.id, messageId), eq(zaloMessages.status, 'pending')))
      .run();
    deps.logger.warn({ messageId, err: text, final }, 'Zalo message not sent');
    if (final) throw new UnrecoverableError(text);
    throw err;
  }
}
