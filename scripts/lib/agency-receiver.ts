/**
 * An agency's webhook endpoint: receives forwarded tickets at `/<agency code>`, checks their
 * signature and keeps them. The demo hotline forwards to it, and the end-to-end test reads it.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import type { Db } from '../../server/db/index.ts';
import { agencies } from '../../server/db/schema.ts';
import { verifySignature } from '../../server/forwarding/signature.ts';

export interface Delivery {
  agencyCode: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  signatureValid: boolean;
  receivedAt: Date;
}

export interface AgencyReceiver {
  url: string;
  deliveries: Delivery[];
  /** Resolves with the first delivery matching `match`, waiting up to `timeoutMs`. */
  waitFor(match: (d: Delivery) => boolean, timeoutMs: number): Promise<Delivery>;
  close(): Promise<void>;
}

/** The agency's signing secret, as the hotline stores it. */
export function agencySecret(db: Db, code: string): string | undefined {
  return db.select({ secret: agencies.forwardSecret }).from(agencies).where(eq(agencies.code, code)).get()
    ?.secret;
}

export async function startAgencyReceiver(opts: {
  secretFor: (agencyCode: string) => string | undefined;
  onDelivery?: (d: Delivery) => void;
  port?: number;
}): Promise<AgencyReceiver> {
  const deliveries: Delivery[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const agencyCode = decodeURIComponent((req.url ?? '/').slice(1));
      const raw = Buffer.concat(chunks).toString('utf8');
      let secret: string | undefined;
      try {
        secret = opts.secretFor(agencyCode);
      } catch (err) {
        // The hotline retries a failed delivery; a receiver that cannot check it says so.
        console.error(`[agency] cannot read ${agencyCode}'s secret:`, err);
        res.writeHead(500).end();
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw);
      } catch {
        res.writeHead(400).end();
        return;
      }
      const signatureValid = secret !== undefined && verifySignature(secret, req.headers, raw, 300);
      const delivery = { agencyCode, headers: req.headers, body, signatureValid, receivedAt: new Date() };
      deliveries.push(delivery);
      opts.onDelivery?.(delivery);
      for (const wake of waiters) wake();
      res.writeHead(signatureValid ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ received: signatureValid }));
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    waitFor(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = deliveries.find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`No matching delivery within ${timeoutMs} ms (${deliveries.length} received)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
