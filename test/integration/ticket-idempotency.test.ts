/** `Idempotency-Key` on POST /api/tickets, through fastify inject on a real SQLite database. */
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiError, TicketView } from '../../common/api.ts';
import { outbox, smsMessages, ticketIdempotencyKeys, tickets } from '../../server/db/schema.ts';
import { createNotificationHooks } from '../../server/notifications/hooks.ts';
import { type AuthHeaders, buildFixture, type Fixture } from './server-fixture.ts';

let fx: Fixture;
afterEach(async () => {
  await fx?.close();
});

const NEW_TICKET = {
  callerNumber: '0912345678',
  callerName: 'Nguyễn Văn An',
  category: 'health',
  unitCode: '26068',
  description: 'Trạm y tế phường đóng cửa giờ hành chính.',
};

async function start(): Promise<AuthHeaders> {
  fx = await buildFixture({
    agencyUrl: 'http://127.0.0.1:9/agencies',
    ticketHooks: createNotificationHooks(),
  });
  return fx.session('tdv01');
}

function create(headers: AuthHeaders, key: string | undefined, body: object = {}) {
  return fx.app.inject({
    method: 'POST',
    url: '/api/tickets',
    headers: key === undefined ? headers : { ...headers, 'idempotency-key': key },
    payload: { ...NEW_TICKET, ...body },
  });
}

const count = {
  tickets: () => fx.db.select().from(tickets).all().length,
  forwards: () =>
    fx.db
      .select()
      .from(outbox)
      .all()
      .filter((r) => r.kind === 'forward').length,
  sms: () => fx.db.select().from(smsMessages).all().length,
};

describe('Idempotency-Key on ticket creation', () => {
  it('answers a retry with the same ticket and status, creating no second ticket, forward or SMS', async () => {
    const operator = await start();
    const first = await create(operator, 'form-7f3a');
    expect(first.statusCode, first.body).toBe(201);
    // The same fields in another order are the same request.
    const { description, ...rest } = NEW_TICKET;
    const retry = await fx.app.inject({
      method: 'POST',
      url: '/api/tickets',
      headers: { ...operator, 'idempotency-key': 'form-7f3a' },
      payload: { description, ...rest },
    });
    expect(retry.statusCode, retry.body).toBe(201);
    const ticket = first.json<TicketView>();
    expect(retry.json<TicketView>()).toMatchObject({ id: ticket.id, trackingCode: ticket.trackingCode });
    expect(count.tickets()).toBe(1);
    expect(count.forwards()).toBe(1);
    expect(count.sms()).toBe(1);
    expect(fx.db.select().from(ticketIdempotencyKeys).all()).toMatchObject([
      { key: 'form-7f3a', ticketId: ticket.id },
    ]);
  });

  it('refuses the same key with a different body, in Vietnamese', async () => {
    const operator = await start();
    expect((await create(operator, 'form-1')).statusCode).toBe(201);
    const other = await create(operator, 'form-1', { description: 'Đèn đường hỏng cả tuần.' });
    expect(other.statusCode).toBe(422);
    expect(other.json<ApiError>().error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(other.json<ApiError>().error.message).toContain('đã tạo phiếu với nội dung khác');
    expect(count.tickets()).toBe(1);
  });

  it('keeps keys per user: another operator’s same key is a new ticket', async () => {
    const operator = await start();
    const colleague = await fx.session('tdv02');
    const a = await create(operator, 'same-key');
    const b = await create(colleague, 'same-key');
    expect(b.statusCode).toBe(201);
    expect(b.json<TicketView>().id).not.toBe(a.json<TicketView>().id);
    expect(count.tickets()).toBe(2);
  });

  it('makes one ticket of two concurrent requests with the same key, both answered with it', async () => {
    const operator = await start();
    const [a, b] = await Promise.all([create(operator, 'double-click'), create(operator, 'double-click')]);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(b.json<TicketView>().id).toBe(a.json<TicketView>().id);
    expect(count.tickets()).toBe(1);
    expect(count.forwards()).toBe(1);
    expect(count.sms()).toBe(1);
  });

  it('rejects a key that is empty, too long or not printable ASCII with 400', async () => {
    const operator = await start();
    for (const key of ['', 'x'.repeat(129), 'khóa-tiếng-việt', 'tab\there']) {
      const res = await create(operator, key);
      expect(res.statusCode, JSON.stringify(key)).toBe(400);
      expect(res.json<ApiError>().error.code).toBe('INVALID_IDEMPOTENCY_KEY');
    }
    expect((await create(operator, 'x'.repeat(128))).statusCode).toBe(201);
    expect(count.tickets()).toBe(1);
  });

  it('leaves requests without a key as they were: each one a ticket, nothing remembered', async () => {
    const operator = await start();
    expect((await create(operator, undefined)).statusCode).toBe(201);
    expect((await create(operator, undefined)).statusCode).toBe(201);
    expect(count.tickets()).toBe(2);
    expect(count.sms()).toBe(2);
    expect(fx.db.select().from(ticketIdempotencyKeys).all()).toEqual([]);
  });

  it('prunes keys older than a day when a new key is stored', async () => {
    const operator = await start();
    expect((await create(operator, 'old')).statusCode).toBe(201);
    fx.db
      .update(ticketIdempotencyKeys)
      .set({ createdAt: new Date(Date.now() - 25 * 3600_000) })
      .run();
    // A fresh service instance prunes on its first keyed creation.
    await fx.close();
    const fresh = await start();
    expect((await create(fresh, 'new')).statusCode).toBe(201);
    expect(
      fx.db
        .select()
        .from(ticketIdempotencyKeys)
        .all()
        .map((r) => r.key),
    ).toEqual(['new']);
  });
});
