import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { ListResponse, TicketView } from '../../common/api.ts';
import { agencies } from '../../server/db/schema.ts';
import { verifySignature } from '../../server/forwarding/signature.ts';
import { findTicket } from '../../server/tickets/repository.ts';
import { type Pipeline, pipelinesOnRedis, sleep, waitFor } from '../support/jobs.ts';

const pipelines = pipelinesOnRedis();

const delivery = (pl: Pipeline, id: number) => findTicket(pl.fx.db, id)!.ticket;
const secretOf = (pl: Pipeline, code: string) =>
  pl.fx.db.select().from(agencies).where(eq(agencies.code, code)).get()!.forwardSecret;

/** What the admin's agency page sets (`receivesCallerNumber`), straight in the database. */
const receivesCallerNumber = (pl: Pipeline, code: string, value: boolean) =>
  pl.fx.db.update(agencies).set({ receivesCallerNumber: value }).where(eq(agencies.code, code)).run();

describe('delivering tickets to agencies', () => {
  it('posts a signed ticket with an Idempotency-Key promptly, once, and logs the delivery', async () => {
    const p = await pipelines.start();
    receivesCallerNumber(p, 'syt', false);
    const started = Date.now();
    const ticket = await p.createTicket({ unitCode: '26068', address: 'Khu phố 3' });
    expect(ticket.delivery.status).toBe('pending');
    await waitFor('delivered', () => delivery(p, ticket.id).deliveryStatus === 'delivered');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(delivery(p, ticket.id).deliveredAt).not.toBeNull();

    expect(p.webhook.received).toHaveLength(1);
    const [request] = p.webhook.received;
    expect(request!.url).toBe('/agencies/syt');
    expect(request!.headers['idempotency-key']).toMatch(new RegExp(`^ticket-${ticket.id}-a\\d+$`));
    expect(verifySignature(secretOf(p, 'syt'), request!.headers, request!.raw, 60)).toBe(true);
    const body = JSON.parse(request!.raw.toString());
    expect(body).toMatchObject({
      ticketId: ticket.id,
      trackingCode: ticket.trackingCode,
      category: 'health',
      categoryName: 'Y tế, dịch bệnh',
      unit: { code: '26068', name: 'Phường Biên Hòa' },
      address: 'Khu phố 3',
      legacyDistrict: null,
      priority: 'normal',
      resolveDueAt: ticket.resolveDueAt,
    });
    expect(body).not.toHaveProperty('district');
    // The agency is not set to receive the citizen's number: the field is left out, not masked.
    expect(body).not.toHaveProperty('callerNumber');
    expect(request!.raw.toString()).not.toContain('0912');
    const res = await p.fx.app.inject({ url: `/api/tickets/${ticket.id}`, headers: p.supervisor });
    expect(res.json<TicketView>().events?.map((e) => e.action)).toContain('deliver');
    await sleep(200);
    expect(p.webhook.received).toHaveLength(1);
  });

  it('carries the caller’s number to an agency set to receive it, and to no other', async () => {
    const p = await pipelines.start();
    receivesCallerNumber(p, 'syt', true);
    const toHealth = await p.createTicket();
    await waitFor('delivered', () => delivery(p, toHealth.id).deliveryStatus === 'delivered');
    expect(JSON.parse(p.webhook.received[0]!.raw.toString())).toMatchObject({
      ticketId: toHealth.id,
      callerNumber: '0912345678',
    });

    receivesCallerNumber(p, 'syt', false);
    const again = await p.createTicket();
    await waitFor('delivered', () => delivery(p, again.id).deliveryStatus === 'delivered');
    const second = JSON.parse(p.webhook.received[1]!.raw.toString());
    expect(second.ticketId).toBe(again.id);
    expect(second).not.toHaveProperty('callerNumber');
  });

  it('retries 5xx with backoff, then leaves the delivery dead for a supervisor, whose retry delivers it', async () => {
    const p = await pipelines.start({ forwardAttempts: 3 });
    p.webhook.answers = [500];
    const ticket = await p.createTicket();
    await waitFor('dead', () => delivery(p, ticket.id).deliveryStatus === 'dead');
    expect(p.webhook.received.map((r) => r.status)).toEqual([500, 500, 500]);
    expect(delivery(p, ticket.id)).toMatchObject({
      deliveryAttempts: 3,
      deliveryLastError: 'agency syt answered 500',
    });

    const dead = await p.fx.app.inject({ url: '/api/deliveries/dead', headers: p.supervisor });
    expect(dead.statusCode).toBe(200);
    expect(dead.json<ListResponse<TicketView>>().data.map((t) => [t.id, t.delivery.status])).toEqual([
      [ticket.id, 'dead'],
    ]);
    const liaison = await p.fx.session('syt');
    expect((await p.fx.app.inject({ url: '/api/deliveries/dead', headers: liaison })).statusCode).toBe(403);

    p.webhook.answers = [200];
    const retry = await p.fx.app.inject({
      method: 'POST',
      url: `/api/deliveries/${ticket.id}/retry`,
      headers: p.supervisor,
    });
    expect(retry.statusCode).toBe(202);
    await waitFor('delivered', () => delivery(p, ticket.id).deliveryStatus === 'delivered');
    expect(p.webhook.deliveredTimes(ticket.id)).toBe(1);
    const again = await p.fx.app.inject({
      method: 'POST',
      url: `/api/deliveries/${ticket.id}/retry`,
      headers: p.supervisor,
    });
    expect(again.statusCode).toBe(409);
    const missing = await p.fx.app.inject({
      method: 'POST',
      url: '/api/deliveries/999999/retry',
      headers: p.supervisor,
    });
    expect(missing.statusCode).toBe(404);
    const empty = await p.fx.app.inject({ url: '/api/deliveries/dead', headers: p.supervisor });
    expect(empty.json<ListResponse<TicketView>>().data).toEqual([]);
  });

  it('does not retry a 400: the delivery is dead after one attempt', async () => {
    const p = await pipelines.start({ forwardAttempts: 5 });
    p.webhook.answers = [400, 200];
    const ticket = await p.createTicket();
    await waitFor('dead', () => delivery(p, ticket.id).deliveryStatus === 'dead');
    await sleep(200);
    expect(p.webhook.received).toHaveLength(1);
    expect(delivery(p, ticket.id).deliveryLastError).toMatch(/rejected .* with 400/);
  });
  it('keys each assignment: a retry keeps its key, a ticket moved away and back gets a new one', async () => {
    const p = await pipelines.start({ forwardAttempts: 3 });
    p.webhook.answers = [500, 200];
    const ticket = await p.createTicket();
    await waitFor('delivered', () => delivery(p, ticket.id).deliveryStatus === 'delivered');
    const keys = () => p.webhook.received.map((r) => r.headers['idempotency-key']);
    expect(keys()).toHaveLength(2);
    expect(keys()[1]).toBe(keys()[0]);

    const returnAs = async (code: string) => {
      const res = await p.fx.app.inject({
        method: 'POST',
        url: `/api/tickets/${ticket.id}/actions`,
        headers: await p.fx.session(code),
        payload: { action: 'return', reason: 'Không thuộc thẩm quyền của cơ quan.' },
      });
      expect(res.statusCode).toBe(200);
    };
    const idOf = (code: string) => p.fx.db.select().from(agencies).where(eq(agencies.code, code)).get()!.id;
    await returnAs('syt');
    await p.act(ticket.id, 'assign', { agencyId: idOf('snv') });
    await waitFor('to snv', () =>
      p.webhook.received.some((r) => r.url === '/agencies/snv' && r.status < 300),
    );
    await returnAs('snv');
    await p.act(ticket.id, 'assign', { agencyId: idOf('syt') });
    await waitFor('back to syt', () => p.webhook.deliveredTimes(ticket.id) === 3);

    const toSyt = p.webhook.received.filter((r) => r.url === '/agencies/syt' && r.status < 300);
    expect(toSyt).toHaveLength(2);
    const [first, second] = toSyt.map((r) => r.headers['idempotency-key']);
    expect(second).not.toBe(first);
    expect(second).toMatch(new RegExp(`^ticket-${ticket.id}-a\\d+$`));
  });
});
