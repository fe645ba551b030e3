import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UnrecoverableError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListResponse, SmsView } from '../../common/api.ts';
import { smsMessages } from '../../server/db/schema.ts';
import { createNotificationHooks } from '../../server/notifications/hooks.ts';
import { createHttpGateway, SmsGatewayUnavailableError } from '../../server/sms/gateway.ts';
import { sendSms } from '../../server/sms/processor.ts';
import { recordSms } from '../../server/sms/service.ts';
import { findTicket } from '../../server/tickets/repository.ts';
import { pipelinesOnRedis, RecordingGateway, waitFor } from '../support/jobs.ts';
import { logger } from './server-fixture.ts';

const RESOLVED = 'Tổng đài 1022 thông báo, kiến nghị của ông (bà) đã được giải quyết. Xin cảm ơn!';

const pipelines = pipelinesOnRedis();

describe('texting citizens', () => {
  it('texts the tracking code on creation and the exact resolution text, each once', async () => {
    const p = await pipelines.start();
    const ticket = await p.createTicket();
    await waitFor('created SMS', () => p!.gateway.sent.length === 1);
    expect(p.gateway.sent[0]).toEqual({
      to: '0912345678',
      body: `Tổng đài 1022 đã tiếp nhận kiến nghị của ông (bà), mã tra cứu ${ticket.trackingCode}. Xin cảm ơn!`,
      idempotencyKey: expect.stringMatching(/^sms-\d+$/),
    });

    await p.act(ticket.id, 'acknowledge');
    await p.act(ticket.id, 'post_result', { text: 'Đã sửa đường ống.' });
    await p.act(ticket.id, 'approve');
    await waitFor('resolved SMS', () => p!.gateway.sent.length === 2);
    expect(p.gateway.sent[1]).toMatchObject({ to: '0912345678', body: RESOLVED });

    // Resolved again (reopened and resolved once more): still one message for the event.
    const row = findTicket(p.fx.db, ticket.id)!.ticket;
    const hooks = createNotificationHooks();
    p.fx.db.transaction((tx) => hooks.afterChange(tx, row, 'pending_review', new Date()));
    expect(
      p.fx.db.transaction((tx) =>
        recordSms(
          tx,
          { ticketId: ticket.id, event: 'ticket_resolved', to: row.callerNumber, body: RESOLVED },
          new Date(),
        ),
      ),
    ).toBeNull();

    // The job running twice sends nothing more.
    const [resolved] = p.fx.db
      .select()
      .from(smsMessages)
      .all()
      .filter((m) => m.event === 'ticket_resolved');
    expect(
      await sendSms(resolved!.id, { db: p.fx.db, gateway: p.gateway, logger }, { lastAttempt: false }),
    ).toBe('already_sent');
    await new Promise((r) => setTimeout(r, 200));
    expect(p.gateway.sent).toHaveLength(2);

    const outbox = await p.fx.app.inject({ url: '/api/sms/outbox', headers: p.supervisor });
    expect(
      outbox.json<ListResponse<SmsView>>().data.map((m) => [m.event, m.status, m.to, m.attempts]),
    ).toEqual([
      ['ticket_resolved', 'sent', '0912***678', 1],
      ['ticket_created', 'sent', '0912***678', 1],
    ]);
    for (const who of ['tdv01', 'syt']) {
      const res = await p.fx.app.inject({ url: '/api/sms/outbox', headers: await p.fx.session(who) });
      expect(res.statusCode).toBe(403);
    }
  });

  it('retries a failing gateway and gives up after the last attempt', async () => {
    const p = await pipelines.start();
    const failing = new RecordingGateway();
    let calls = 0;
    failing.send = async () => {
      calls++;
      throw new SmsGatewayUnavailableError('SMS gateway answered 503');
    };
    const id = p.fx.db.transaction((tx) =>
      recordSms(tx, { ticketId: null, event: 'status_lookup', to: '0912000111', body: 'x' }, new Date()),
    )!;
    for (const lastAttempt of [false, true]) {
      await expect(sendSms(id, { db: p.fx.db, gateway: failing, logger }, { lastAttempt })).rejects.toThrow(
        '503',
      );
    }
    expect(calls).toBe(2);
    const row = p.fx.db
      .select()
      .from(smsMessages)
      .all()
      .find((m) => m.id === id)!;
    expect(row).toMatchObject({ status: 'failed', attempts: 2, lastError: 'SMS gateway answered 503' });
    expect(await sendSms(id, { db: p.fx.db, gateway: failing, logger }, { lastAttempt: true })).toBe(
      'already_failed',
    );
  });
});

describe('the HTTP SMS gateway', () => {
  let server: Server;
  let url: string;
  let answers: number[];
  const requests: { headers: IncomingHttpHeaders; body: unknown }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString()) });
        const status = answers.shift() ?? 200;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'gw-42' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('posts JSON with the bearer token; 5xx is retryable, 4xx final', async () => {
    const gateway = createHttpGateway({ url, token: 's3cret', timeoutMs: 2000 });
    answers = [200];
    expect(await gateway.send('0912345678', 'Xin chào', 'sms-7')).toEqual({ providerId: 'gw-42' });
    expect(requests[0]!.headers.authorization).toBe('Bearer s3cret');
    expect(requests[0]!.headers['content-type']).toBe('application/json');
    expect(requests[0]!.body).toEqual({ to: '0912345678', body: 'Xin chào', idempotencyKey: 'sms-7' });

    answers = [503];
    await expect(gateway.send('0912345678', 'x', 'sms-8')).rejects.toBeInstanceOf(SmsGatewayUnavailableError);
    answers = [400];
    await expect(gateway.send('0912345678', 'x', 'sms-9')).rejects.toBeInstanceOf(UnrecoverableError);
    const down = createHttpGateway({ url: 'http://127.0.0.1:1/send', token: 't', timeoutMs: 500 });
    await expect(down.send('0912345678', 'x', 'sms-10')).rejects.toBeInstanceOf(SmsGatewayUnavailableError);
  });
});
