/**
 * Forwards one ticket to its agency. Safe to run twice: a forwarded ticket is skipped, and the
 * `Idempotency-Key` lets the agency drop a repeat that raced with a lost acknowledgement.
 */
import { UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import type { Db } from '../db/index.ts';
import { findTicket, markForwarded } from '../tickets/repository.ts';
import { SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER } from './signature.ts';

/** Job payload: ids only, never personal data. */
export interface ForwardJobData {
  ticketId: number;
}

export type ForwardOutcome = 'forwarded' | 'already_forwarded';

/** What the agency receives. */
export interface ForwardedTicket {
  ticketId: number;
  trackingCode: string;
  category: string;
  district: string;
  description: string;
  callerNumber: string;
  callerName: string | null;
  createdAt: string;
}

export interface ForwardDeps {
  db: Db;
  timeoutMs: number;
  logger: Logger;
  now?: () => Date;
  fetch?: typeof fetch;
}

/** Worth retrying: the agency is down, slow or busy. */
export class AgencyUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AgencyUnavailableError';
  }
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export async function forwardTicket(ticketId: number, deps: ForwardDeps): Promise<ForwardOutcome> {
  const { db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const doFetch = deps.fetch ?? fetch;

  const row = findTicket(db, ticketId);
  if (!row) throw new UnrecoverableError(`ticket ${ticketId} does not exist`);
  const { ticket, agency } = row;
  if (ticket.status === 'forwarded') return 'already_forwarded';
  if (!agency.forwardUrl) throw new UnrecoverableError(`agency ${agency.code} has no forward URL`);

  const payload: ForwardedTicket = {
    trackingCode: ticket.trackingCode,
    category: ticket.category,
    district: ticket.district,
    description: ticket.description,
    callerNumber: ticket.callerNumber,
    callerName: ticket.callerName,
    createdAt: ticket.createdAt.toISOString(),
    ticketId: ticket.id,
  };
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(now().getTime() / 1000);

  let response: Response;
  try {
    response = await doFetch(agency.forwardUrl, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Idempotency-Key': `ticket-${ticket.id}`,
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: `sha256=${signBody(agency.forwardSecret, timestamp, body)}`,
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
  } catch (err) {
    throw new AgencyUnavailableError(`agency ${agency.code} unreachable`, { cause: err });
  }
  // The body is not needed; drain it so the connection can be reused.
  await response.arrayBuffer().catch(() => undefined);

  if (response.status >= 200 && response.status < 300) {
    const changed = markForwarded(db, ticket.id, now());
    logger.info({ ticketId: ticket.id, agency: agency.code }, 'ticket forwarded');
    return changed ? 'forwarded' : 'already_forwarded';
  }
  if (isRetryableStatus(response.status)) {
    throw new AgencyUnavailableError(`agency ${agency.code} answered ${response.status}`);
  }
  throw new UnrecoverableError(`agency ${agency.code} rejected ticket ${ticket.id} with ${response.status}`);
}
