/**
 * Zalo Official Account end to end on the server side: the real API listening on loopback, real
 * SQLite, a real Redis with the outbox relay and the Zalo worker, and the fake OA server (Zalo is
 * another company's service) sending signed events and receiving the hotline's messages.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TicketView } from '../../common/api.ts';
import type { ZaloConversationView, ZaloReplyResponse, ZaloThreadView } from '../../common/zalo.ts';
import { loadConfig } from '../../server/config.ts';
import { writtenRequestPhotos, writtenRequests } from '../../server/intake/schema.ts';
import { combineHooks, createNotificationHooks } from '../../server/notifications/hooks.ts';
import {
  createJobQueues,
  DEADLINE_QUEUE,
  FORWARD_QUEUE,
  type JobQueues,
  SMS_QUEUE,
  ZALO_QUEUE,
} from '../../server/outbox/queues.ts';
import { createOutboxRelay, type OutboxRelay } from '../../server/outbox/relay.ts';
import { outbox } from '../../server/outbox/schema.ts';
import { configProblems } from '../../server/production.ts';
import { smsMessages } from '../../server/sms/schema.ts';
import { createOaClient } from '../../server/zalo/oa-client.ts';
import { reconcileZalo } from '../../server/zalo/reconcile.ts';
import { zaloConversations, zaloInboundEvents, zaloMessages } from '../../server/zalo/schema.ts';
import { startZaloWorker } from '../../server/zalo/worker.ts';
import {
  FakeZaloOa,
  followEvent,
  imageEvent,
  locationEvent,
  sendWebhook,
  signatureFor,
  textEvent,
  zaloConfigFor,
  zaloEvent,
} from '../support/fake-zalo-oa.ts';
import { sleep, waitFor } from '../support/jobs.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { type AuthHeaders, buildFixture, type Fixture, logger } from './server-fixture.ts';

interface Rig {
  fx: Fixture;
  fake: FakeZaloOa;
  url: string;
  operator: AuthHeaders;
  queues: JobQueues;
  /** Starts the Zalo worker (when the rig was started without it). */
  startWorker(): void;
  close(): Promise<void>;
}

let redis: TestRedis | undefined;
let rig: Rig | undefined;
beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});
afterAll(async () => {
  await redis?.stop();
});

async function startRig(opts: { worker?: boolean } = {}): Promise<Rig> {
  const fake = new FakeZaloOa();
  await fake.start();
  const prefix = `test-${randomUUID()}`;
  const redisOpts = { redisUrl: redis!.url, prefix, logger };
  const queues: JobQueues = createJobQueues(redisOpts);
  const zalo = zaloConfigFor(fake);
  let relay!: OutboxRelay;
  const fx = await buildFixture({
    config: { zalo },
    ticketHooks: combineHooks(createNotificationHooks(), { afterChange: () => relay.nudge() }),
  });
  const policy = { attempts: 3, backoffMs: 20 };
  relay = createOutboxRelay({
    db: fx.db,
    queues,
    policies: { forward: policy, sms: policy, deadline: policy, zalo: policy },
    deadlineJob: () => null,
    logger,
    pollMs: 20,
    maxBackoffMs: 200,
  });
  let worker: { close(): Promise<void> } | undefined;
  const startWorker = () => {
    worker ??= startZaloWorker({
      ...redisOpts,
      db: fx.db,
      client: createOaClient({
        db: fx.db,
        appId: zalo.appId,
        appSecret: zalo.appSecret,
        initialRefreshToken: zalo.refreshToken,
        apiUrl: zalo.apiUrl,
        oauthUrl: zalo.oauthUrl,
        timeoutMs: zalo.timeoutMs,
        logger,
      }),
      timeoutMs: zalo.timeoutMs,
    });
  };
  if (opts.worker !== false) startWorker();
  relay.start();
  const url = await fx.app.listen({ host: '127.0.0.1', port: 0 });
  const operator = await fx.session('tdv01');
  return {
    fx,
    fake,
    url,
    operator,
    queues,
    startWorker,
    async close() {
      await relay.close();
      await worker?.close();
      await queues.close();
      for (const name of [FORWARD_QUEUE, SMS_QUEUE, DEADLINE_QUEUE, ZALO_QUEUE]) {
        const admin = new Queue(name, { connection: { url: redis!.url }, prefix });
        await admin.obliterate({ force: true }).catch(() => undefined);
        await admin.close();
      }
      await fake.close();
      await fx.close();
    },
  };
}

const events = (r: Rig) => r.fx.db.select().from(zaloInboundEvents).all();
const messages = (r: Rig) => r.fx.db.select().from(zaloMessages).all();
const requestsOf = (r: Rig, userId: string) =>
  r.fx.db.select().from(writtenRequests).where(eq(writtenRequests.zaloUserId, userId)).all();
const processed = (r: Rig) => events(r).every((e) => e.processedAt !== null);

async function reply(r: Rig, userId: string, text: string) {
  const res = await r.fx.app.inject({
    method: 'POST',
    url: `/api/zalo/conversations/${userId}/messages`,
    headers: r.operator,
    payload: { text },
  });
  return {
    status: res.statusCode,
    body: res.json<ZaloReplyResponse & { error?: { code: string; message: string } }>(),
  };
}

async function pngPhoto(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } })
    .png()
    .withMetadata({ exif: { IFD0: { Copyright: 'camera serial 42' } } })
    .toBuffer();
}

describe('the Zalo webhook', () => {
  it('stores a signed text and image: one written request with the photo, its code told on Zalo', async () => {
    rig = await startRig();
    const r = rig;
    const text = await sendWebhook(r.url, textEvent('u-100', 'Đèn đường trước nhà số 5 bị hỏng'));
    expect(text.status).toBe(200);
    const image = await sendWebhook(r.url, imageEvent('u-100', r.fake.serveImage(await pngPhoto())));
    expect(image.status).toBe(200);
    await waitFor('both processed', () => events(r).length === 2 && processed(r));

    const [request, ...others] = requestsOf(r, 'u-100');
    expect(others).toHaveLength(0);
    expect(request).toMatchObject({
      channel: 'zalo',
      status: 'open',
      description: 'Đèn đường trước nhà số 5 bị hỏng',
      joinedCount: 1,
    });
    const photos = r.fx.db
      .select()
      .from(writtenRequestPhotos)
      .where(eq(writtenRequestPhotos.requestId, request!.id))
      .all();
    expect(photos).toHaveLength(1);
    expect(photos[0]!.mime).toBe('image/jpeg');
    const meta = await sharp(photos[0]!.data).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['jpeg', 64, 48, undefined]);
    const image_ = messages(r).find((m) => m.kind === 'image')!;
    expect(image_.photoId).toBe(photos[0]!.id);

    // The citizen is told the tracking code once, with the token the refresh gave.
    await waitFor('code sent', () => r.fake.messages.some((m) => m.error === 0));
    expect(r.fake.messages).toEqual([
      {
        accessToken: r.fake.accessToken,
        userId: 'u-100',
        text: expect.stringContaining(`mã tra cứu ${request!.trackingCode}`),
        error: 0,
      },
    ]);
    expect(r.fake.refreshes).toHaveLength(1);
    await waitFor('marked sent', () =>
      messages(r).some((m) => m.purpose === 'tracking_code' && m.status === 'sent'),
    );

    // The console lists the conversation with its request and a free reply window.
    const list = await r.fx.app.inject({
      method: 'GET',
      url: '/api/zalo/conversations',
      headers: r.operator,
    });
    const [conversation] = list.json<{ data: ZaloConversationView[] }>().data;
    expect(conversation).toMatchObject({
      zaloUserId: 'u-100',
      request: { id: request!.id, trackingCode: request!.trackingCode, status: 'open' },
      window: { kind: 'free' },
    });
  });

  it('adds a location to the open request and keeps a number the citizen writes', async () => {
    rig = await startRig();
    const r = rig;
    await sendWebhook(r.url, followEvent('u-300'));
    await sendWebhook(r.url, textEvent('u-300', 'Ngập nước ở chợ'));
    await waitFor('text processed', () => events(r).length === 2 && processed(r));
    await sendWebhook(r.url, locationEvent('u-300', 10.9574, 106.8427));
    await sendWebhook(r.url, textEvent('u-300', '0912 345 678'));
    await waitFor('all processed', () => events(r).length === 4 && processed(r));
    const [request] = requestsOf(r, 'u-300');
    expect(request).toMatchObject({ latitude: 10.9574, longitude: 106.8427, phone: '0912345678' });
    const conversation = r.fx.db
      .select()
      .from(zaloConversations)
      .where(eq(zaloConversations.zaloUserId, 'u-300'))
      .get();
    expect(conversation).toMatchObject({ phone: '0912345678', requestId: request!.id });
    expect(conversation!.followedAt).not.toBeNull();
  });

  it('answers 401 to a bad or missing signature and stores nothing', async () => {
    rig = await startRig();
    const r = rig;
    const bad = await sendWebhook(r.url, textEvent('u-200', 'giả mạo'), { signature: 'bad' });
    const none = await sendWebhook(r.url, textEvent('u-200', 'giả mạo'), { signature: 'none' });
    expect([bad.status, none.status]).toEqual([401, 401]);
    expect(JSON.parse(bad.body).error.code).toBe('ZALO_SIGNATURE_INVALID');
    // A body changed after Zalo signed it.
    const event = JSON.stringify(textEvent('u-200', 'thật'));
    const tampered = await fetch(`${r.url}/api/zalo/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-zevent-signature': signatureFor(event) },
      body: event.replace('thật', 'giả'),
    });
    expect(tampered.status).toBe(401);
    await sleep(200);
    expect(events(r)).toHaveLength(0);
    expect(r.fx.db.select().from(zaloConversations).all()).toHaveLength(0);
  });

  it('stores and processes a retried event once', async () => {
    rig = await startRig();
    const r = rig;
    const event = textEvent('u-400', 'Rác thải chưa được thu gom', 'msg-retried');
    const answers = await Promise.all([sendWebhook(r.url, event), sendWebhook(r.url, event)]);
    const again = await sendWebhook(r.url, event);
    expect([...answers, again].map((a) => a.status)).toEqual([200, 200, 200]);
    expect([...answers, again].filter((a) => JSON.parse(a.body).duplicate)).toHaveLength(2);
    await waitFor('processed', () => processed(r) && r.fake.messages.length === 1);
    await sleep(300);
    expect(events(r)).toHaveLength(1);
    expect(messages(r).filter((m) => m.direction === 'in')).toHaveLength(1);
    expect(requestsOf(r, 'u-400')).toHaveLength(1);
    expect(r.fake.messages).toHaveLength(1);
  });

  it('acknowledges an event it does not handle and ignores it', async () => {
    rig = await startRig();
    const r = rig;
    const sticker = zaloEvent('user_send_sticker', 'u-500', { msg_id: 'st-1', attachments: [] });
    expect((await sendWebhook(r.url, sticker)).status).toBe(200);
    await waitFor('processed', () => processed(r) && events(r).length === 1);
    expect(events(r)[0]!.outcome).toBe('ignored');
    expect(requestsOf(r, 'u-500')).toHaveLength(0);
  });
});

describe('events whose job Redis lost', () => {
  it('queues an unprocessed event again, once, when its job is gone', async () => {
    rig = await startRig({ worker: false });
    const r = rig;
    await sendWebhook(r.url, textEvent('u-950', 'Cây đổ chắn ngang đường'));
    await waitFor(
      'relayed',
      () =>
        events(r).length === 1 &&
        r.fx.db
          .select()
          .from(outbox)
          .all()
          .every((o) => o.relayedAt !== null),
    );
    const reconcile = () =>
      reconcileZalo({ db: r.fx.db, queue: r.queues.zalo, graceMs: 0, now: () => new Date() });
    // The job is in Redis: nothing to do.
    expect(await reconcile()).toEqual({ events: 0, messages: 0 });
    await r.queues.zalo.obliterate({ force: true });
    r.startWorker();
    await sleep(300);
    expect(processed(r)).toBe(false);
    expect(await reconcile()).toEqual({ events: 1, messages: 0 });
    await waitFor('processed', () => processed(r) && r.fake.messages.length === 1);
    expect(requestsOf(r, 'u-950')).toHaveLength(1);
    expect(await reconcile()).toEqual({ events: 0, messages: 0 });
  });
});

describe('operators replying on Zalo', () => {
  it("sends the operator's reply to the citizen with the current access token", async () => {
    rig = await startRig();
    const r = rig;
    await sendWebhook(r.url, textEvent('u-600', 'Cho hỏi thủ tục cấp lại giấy khai sinh'));
    await waitFor('code sent', () => r.fake.messages.length === 1);
    const sent = await reply(r, 'u-600', 'Ông (bà) mang CCCD đến UBND xã để làm thủ tục.');
    expect(sent.status).toBe(202);
    expect(sent.body.window.kind).toBe('free');
    await waitFor('reply sent', () => r.fake.messages.length === 2);
    expect(r.fake.messages[1]).toEqual({
      accessToken: r.fake.accessToken,
      userId: 'u-600',
      text: 'Ông (bà) mang CCCD đến UBND xã để làm thủ tục.',
      error: 0,
    });
    await waitFor(
      'marked sent',
      () => messages(r).find((m) => m.id === sent.body.message.id)?.status === 'sent',
    );
    const thread = await r.fx.app.inject({
      method: 'GET',
      url: '/api/zalo/conversations/u-600/messages',
      headers: r.operator,
    });
    expect(thread.json<ZaloThreadView>().messages.map((m) => [m.direction, m.purpose])).toEqual([
      ['in', null],
      ['out', 'tracking_code'],
      ['out', 'reply'],
    ]);
    const [request] = requestsOf(r, 'u-600');
    expect(request!.firstResponseAt).not.toBeNull();
  });

  it('refreshes an access token Zalo calls invalid once, and sends the replies again with the new one', async () => {
    rig = await startRig();
    const r = rig;
    await sendWebhook(r.url, textEvent('u-700', 'Mất nước sinh hoạt'));
    await waitFor('code sent', () => r.fake.messages.length === 1);
    expect(r.fake.refreshes).toHaveLength(1);
    const before = r.fake.accessToken;
    r.fake.expireAccessToken();
    r.fake.refreshDelayMs = 100;
    const replies = await Promise.all([reply(r, 'u-700', 'Trả lời 1'), reply(r, 'u-700', 'Trả lời 2')]);
    expect(replies.map((x) => x.status)).toEqual([202, 202]);
    await waitFor('both delivered', () => r.fake.messages.filter((m) => m.error === 0).length === 3);
    expect(r.fake.refreshes).toHaveLength(2);
    expect(r.fake.refreshes.every((x) => x.ok)).toBe(true);
    // The second refresh used the refresh token the first one returned.
    expect(r.fake.refreshes[1]!.form.refresh_token).toBe('refresh-1');
    const delivered = r.fake.messages.filter((m) => m.error === 0 && m.text.startsWith('Trả lời'));
    expect(delivered.map((m) => m.accessToken)).toEqual([r.fake.accessToken, r.fake.accessToken]);
    expect(r.fake.accessToken).not.toBe(before);
    expect(r.fake.messages.filter((m) => m.error === -216).length).toBeGreaterThanOrEqual(1);
  });

  it('refuses a reply after 7 days, and says a reply after 48 hours is paid', async () => {
    rig = await startRig();
    const r = rig;
    const day = 24 * 3600_000;
    await sendWebhook(r.url, textEvent('u-800', 'Tin cũ', undefined, new Date(Date.now() - 8 * day)));
    await sendWebhook(
      r.url,
      textEvent('u-801', 'Tin ba ngày trước', undefined, new Date(Date.now() - 3 * day)),
    );
    await waitFor('processed', () => events(r).length === 2 && processed(r));
    const closed = await reply(r, 'u-800', 'Xin chào');
    expect(closed.status).toBe(409);
    expect(closed.body.error).toMatchObject({
      code: 'ZALO_WINDOW_CLOSED',
      message: expect.stringContaining('7 ngày'),
    });
    expect(messages(r).filter((m) => m.zaloUserId === 'u-800' && m.purpose === 'reply')).toHaveLength(0);
    const paid = await reply(r, 'u-801', 'Xin chào');
    expect(paid.status).toBe(202);
    expect(paid.body.window).toMatchObject({ kind: 'paid', notice: expect.stringContaining('tính phí') });
    const unknown = await reply(r, 'u-999', 'Xin chào');
    expect(unknown.status).toBe(404);
  });
});

describe('the result on Zalo', () => {
  it('tells a citizen who came by Zalo that their ticket is resolved on Zalo, not by SMS', async () => {
    rig = await startRig();
    const r = rig;
    await sendWebhook(r.url, textEvent('u-900', 'Ổ gà lớn trên đường Đồng Khởi'));
    await waitFor('code sent', () => r.fake.messages.length === 1);
    const [request] = requestsOf(r, 'u-900');
    const supervisor = await r.fx.session('giamsat');
    const created = await r.fx.app.inject({
      method: 'POST',
      url: '/api/tickets',
      headers: supervisor,
      payload: { callerNumber: '0912345678', category: 'infrastructure', description: request!.description },
    });
    expect(created.statusCode).toBe(201);
    const ticket = created.json<TicketView>();
    // What turning the request into a ticket leaves behind (the desk's conversion).
    r.fx.db
      .update(writtenRequests)
      .set({ status: 'ticketed', ticketId: ticket.id })
      .where(eq(writtenRequests.id, request!.id))
      .run();
    for (const [action, extra] of [
      ['acknowledge', {}],
      ['post_result', { text: 'Đã vá ổ gà.' }],
      ['approve', {}],
    ] as const) {
      const res = await r.fx.app.inject({
        method: 'POST',
        url: `/api/tickets/${ticket.id}/actions`,
        headers: supervisor,
        payload: { action, ...extra },
      });
      expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
    }
    await waitFor('result on Zalo', () => r.fake.messages.length === 2);
    expect(r.fake.messages[1]).toMatchObject({
      userId: 'u-900',
      text: expect.stringContaining('đã được giải quyết'),
      error: 0,
    });
    expect(r.fake.messages[1]!.text).toContain(ticket.trackingCode);
    const sms = r.fx.db.select().from(smsMessages).where(eq(smsMessages.ticketId, ticket.id)).all();
    expect(sms.map((m) => m.event)).toEqual(['ticket_created']);
  });
});

describe('Zalo without its secrets', () => {
  const production = (extra: Record<string, string>) =>
    loadConfig({
      HOTLINE_ENV: 'production',
      HOTLINE_ARI_ENABLED: 'false',
      HOTLINE_DB_PATH: ':memory:',
      HOTLINE_SMS_DRIVER: 'http',
      HOTLINE_SMS_URL: 'https://sms.example.vn/send',
      HOTLINE_SMS_TOKEN: 'b7c1f0e2d9a84e1c9b3f5a7d',
      HOTLINE_ALLOW_OUTBOX_MAIL: 'true',
      ...extra,
    });

  it('production refuses to start with Zalo on and its OA secret key or app secret empty', () => {
    expect(configProblems(production({}))).toEqual([]);
    const problems = configProblems(production({ HOTLINE_ZALO_APP_ID: '1234567890' })).join('\n');
    expect(problems).toContain('HOTLINE_ZALO_OA_SECRET');
    expect(problems).toContain('HOTLINE_ZALO_APP_SECRET');
    expect(
      configProblems(
        production({
          HOTLINE_ZALO_APP_ID: '1234567890',
          HOTLINE_ZALO_OA_SECRET: 'k3Jd81nA0qPz7sLx',
          HOTLINE_ZALO_APP_SECRET: 'Zq90aLmP2c7Vn1Bt',
        }),
      ),
    ).toEqual([]);
  });

  it('the webhook accepts nothing while the OA secret key is missing', async () => {
    const fake = new FakeZaloOa();
    await fake.start();
    const fx = await buildFixture({ config: { zalo: { ...zaloConfigFor(fake), oaSecret: '' } } });
    try {
      const raw = JSON.stringify(textEvent('u-1', 'Xin chào'));
      const res = await fx.app.inject({
        method: 'POST',
        url: '/api/zalo/webhook',
        headers: { 'content-type': 'application/json', 'x-zevent-signature': signatureFor(raw, '') },
        payload: raw,
      });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('ZALO_DISABLED');
      expect(fx.db.select().from(zaloInboundEvents).all()).toHaveLength(0);
    } finally {
      await fx.close();
      await fake.close();
    }
  });
});
