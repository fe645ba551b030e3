/**
 * Zalo over HTTP:
 * - POST /api/zalo/webhook (public, Zalo's servers): checks `X-ZEvent-Signature` on the raw body
 *   (401 `ZALO_SIGNATURE_INVALID`, nothing stored), stores the event durably once per `msg_id`
 *   and queues its processing, and answers 200 at once (Zalo gives it 2 seconds); 503
 *   `ZALO_DISABLED` while Zalo is not configured.
 * - GET /api/zalo/conversations (operators, supervisors): latest first, with each reply window
 * - GET /api/zalo/conversations/:userId/messages (same): the thread
 * - POST /api/zalo/conversations/:userId/messages {text} (same; CSRF): stores the reply and queues
 *   it (202); 409 `ZALO_WINDOW_CLOSED` after Zalo's 7 days, and the answer says whether it is
 *   free (48 h) or paid.
 */
import { type Static, Type } from '@sinclair/typebox';
import { and, eq, isNull } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ListResponse } from '../../common/api.ts';
import type { ZaloConversationView, ZaloReplyResponse, ZaloThreadView } from '../../common/zalo.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import type { Config } from '../config.ts';
import { createGroupCommitter } from '../db/group-commit.ts';
import type { Db } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { writtenRequestEvents, writtenRequests } from '../intake/schema.ts';
import {
  ZaloConversationNotFoundError,
  ZaloDisabledError,
  ZaloSignatureError,
  ZaloWindowClosedError,
} from './errors.ts';
import { eventHead } from './events.ts';
import {
  conversationView,
  findConversation,
  listConversations,
  messageView,
  recordOutbound,
  storeInboundEvent,
  threadMessages,
  windowView,
} from './repository.ts';
import { isValidSignature, SIGNATURE_HEADER } from './signature.ts';
import { replyWindow } from './window.ts';

/** Largest webhook body accepted (Zalo's events are a few hundred bytes). */
const WEBHOOK_BODY_LIMIT = 64 * 1024;

class ZaloEventInvalidError extends AppError {
  constructor() {
    super('ZALO_EVENT_INVALID', 400, 'Sự kiện Zalo không đọc được (thiếu event_name).');
  }
}

const UserParams = Type.Object({ userId: Type.String({ pattern: '^[0-9A-Za-z_-]{1,64}$' }) });
const ListQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) },
  { additionalProperties: false },
);
const ReplyBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' }) },
  { additionalProperties: false },
);

export interface ZaloRouteDeps {
  db: Db;
  zalo: Config['zalo'];
  /** Tells the outbox relay that intents wait (after the commit). */
  nudge(): void;
  now: () => Date;
}

export async function zaloRoutes(app: FastifyInstance, deps: ZaloRouteDeps): Promise<void> {
  const { db, zalo, now } = deps;
  // Events arriving together share one durable commit.
  const committer = createGroupCommitter(db.$client, { durable: true });

  // The signature covers the exact bytes: this route alone reads its body as raw text.
  await app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'string', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );
    raw.post('/api/zalo/webhook', async (request, reply) => {
      if (!zalo?.appId || !zalo.oaSecret) throw new ZaloDisabledError();
      const body = typeof request.body === 'string' ? request.body : '';
      const header = request.headers[SIGNATURE_HEADER];
      if (
        !isValidSignature(typeof header === 'string' ? header : undefined, body, {
          appId: zalo.appId,
          secretKey: zalo.oaSecret,
        })
      ) {
        throw new ZaloSignatureError();
      }
      const head = eventHead(body);
      if (!head) throw new ZaloEventInvalidError();
      const id = await committer.run(() => storeInboundEvent(db, head, body, now()));
      if (id !== null) deps.nudge();
      return reply.status(200).send({ received: true, duplicate: id === null });
    });
  });

  const staff = requireRole('operator', 'supervisor');

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/zalo/conversations',
    { onRequest: staff, schema: { querystring: ListQuery } },
    async (request): Promise<ListResponse<ZaloConversationView>> => ({
      data: listConversations(db, now(), request.query.limit ?? 100),
    }),
  );

  app.get<{ Params: Static<typeof UserParams> }>(
    '/api/zalo/conversations/:userId/messages',
    { onRequest: staff, schema: { params: UserParams } },
    async (request): Promise<ZaloThreadView> => {
      const conversation = findConversation(db, request.params.userId);
      if (!conversation) throw new ZaloConversationNotFoundError();
      return {
        conversation: conversationView(db, conversation, now()),
        messages: threadMessages(db, conversation.zaloUserId, 500),
      };
    },
  );

  app.post<{ Params: Static<typeof UserParams>; Body: Static<typeof ReplyBody> }>(
    '/api/zalo/conversations/:userId/messages',
    { onRequest: staff, schema: { params: UserParams, body: ReplyBody } },
    async (request, reply): Promise<ZaloReplyResponse> => {
      if (!zalo) throw new ZaloDisabledError();
      const user = currentUser(request);
      const at = now();
      const conversation = findConversation(db, request.params.userId);
      if (!conversation) throw new ZaloConversationNotFoundError();
      const window = replyWindow(conversation.lastCitizenAt, at);
      if (window.kind === 'closed') throw new ZaloWindowClosedError(window.kind);
      const text = request.body.text.trim();
      const message = db.transaction(
        (tx) => {
          const row = recordOutbound(
            tx,
            {
              zaloUserId: conversation.zaloUserId,
              text,
              purpose: 'reply',
              requestId: conversation.requestId,
              sentBy: user.id,
            },
            at,
          )!;
          if (conversation.requestId) {
            tx.insert(writtenRequestEvents)
              .values({ requestId: conversation.requestId, at, kind: 'replied', actorId: user.id, text })
              .run();
            tx.update(writtenRequests)
              .set({ firstResponseAt: at })
              .where(
                and(eq(writtenRequests.id, conversation.requestId), isNull(writtenRequests.firstResponseAt)),
              )
              .run();
          }
          return row;
        },
        { behavior: 'immediate' },
      );
      deps.nudge();
      return reply
        .status(202)
        .send({ message: messageView(message), window: windowView(conversation.lastCitizenAt, at) });
    },
  );
}
