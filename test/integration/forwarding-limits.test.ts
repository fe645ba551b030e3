/**
 * Forwarding against agencies that misbehave, on a real Redis and real HTTP servers: a webhook
 * that trickles its answer cannot hold a worker past the deadline, and a slow agency gets at most
 * its share of deliveries in flight while another agency's tickets go through.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { TicketView } from '../../common/api.ts';
import { postJson } from '../../server/forwarding/processor.ts';
import { findTicket } from '../../server/tickets/repository.ts';
import { pipelinesOnRedis, waitFor } from '../support/jobs.ts';

const pipelines = pipelinesOnRedis();

let trickler: Server | undefined;
afterEach(async () => {
  trickler?.closeAllConnections();
  await new Promise<void>((resolve) => (trickler ? trickler.close(() => resolve()) : resolve()));
  trickler = undefined;
});

describe('forwarding limits', () => {
  it('gives up on an answer that trickles in, at the deadline for the whole exchange', async () => {
    const timers: NodeJS.Timeout[] = [];
    trickler = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        // One byte every 50 ms: a socket idle timeout of 300 ms never fires.
        timers.push(setInterval(() => res.write('.'), 50));
      });
    });
    await new Promise<void>((resolve) => trickler!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(trickler.address() as AddressInfo).port}/`;
    const started = Date.now();
    await expect(postJson(url, {}, '{}', 300)).rejects.toThrow(/no complete answer within 300 ms/);
    const took = Date.now() - started;
    for (const t of timers) clearInterval(t);
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1500);
  });

  it('keeps a slow agency to its share of deliveries, spends no attempt on waiting, and lets other agencies through', async () => {
    const p = await pipelines.start({ agencyConcurrency: 2, forwardAttempts: 2 });
    p.webhook.delays.set('/agencies/syt', 300);
    const slow: TicketView[] = [];
    for (let i = 0; i < 8; i++) slow.push(await p.createTicket({ category: 'health' }));
    const other = await p.createTicket({ category: 'goods' });

    await waitFor(
      'the other agency’s ticket delivered',
      () => findTicket(p.fx.db, other.id)!.ticket.deliveryStatus === 'delivered',
      5000,
    );
    // At most two of the slow agency's eight were answered before the other agency's ticket.
    const otherAt = p.webhook.received.findIndex((r) => JSON.parse(r.raw.toString()).ticketId === other.id);
    expect(otherAt).toBeGreaterThanOrEqual(0);
    expect(p.webhook.received[otherAt]!.url).not.toBe('/agencies/syt');
    expect(
      p.webhook.received.slice(0, otherAt).filter((r) => r.url === '/agencies/syt').length,
    ).toBeLessThanOrEqual(2);

    await waitFor(
      'all eight delivered',
      () => slow.every((t) => findTicket(p.fx.db, t.id)!.ticket.deliveryStatus === 'delivered'),
      15_000,
    );
    expect(p.webhook.mostInFlight.get('/agencies/syt')).toBe(2);
    // Each delivered once, and waiting for a slot cost none of the two attempts (no failure recorded).
    for (const t of slow) {
      expect(p.webhook.deliveredTimes(t.id)).toBe(1);
      expect(findTicket(p.fx.db, t.id)!.ticket).toMatchObject({
        deliveryAttempts: 0,
        deliveryLastError: null,
      });
    }
  });
});
