/**
 * Delivers one ticket to its agency's webhook. Safe to run twice: a delivered ticket is skipped,
 * and the `Idempotency-Key` lets the agency drop a repeat that raced with a lost acknowledgement.
 * The last failed attempt leaves the delivery `dead`, for a supervisor to retry.
 */
import { UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import type { Db } from '../db/index.ts';
import { findTicket, markDelivered, markDeliveryFailed } from '../tickets/repository.ts';
import type { TicketRow } from '../tickets/schema.ts';
import { markNoWebhook } from './repository.ts';
import { SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER } from './signature.ts';

/** Job payload: ids only, never personal data. */
export interface ForwardJobData {
  ticketId: number;
}

export type ForwardOutcome = 'delivered' | 'already_delivered' | 'not_pending' | 'no_webhook';

/** What the agency receives. */
export interface ForwardedTicket {
  ticketId: number;
  trackingCode: string;
  category: string;
  district: string;
  description: string;
  callerNumber: string;
  callerName: string | null;
  priority: string;
  createdAt: string;
  ackDueAt: string | null;
  resolveDueAt: string | null;
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

export function idempotencyKey(ticketId: number): string {
  return `ticket-${ticketId}`;
}

/**
 * `lastAttempt`: no retry follows a failure of this attempt, so it leaves the delivery dead.
 */
export async function forwardTicket(
  ticketId: number,
  deps: ForwardDeps,
  attempt: { lastAttempt: boolean },
): Promise<ForwardOutcome> {
  const { db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const doFetch = deps.fetch ?? fetch;

  const row = findTicket(db, ticketId);
  if (!row) throw new UnrecoverableError(`ticket ${ticketId} does not exist`);
  const { ticket, agency } = row;
  if (ticket.deliveryStatus === 'delivered') return 'already_delivered';
  // A dead delivery waits for a supervisor, whose retry queues a fresh job.
  if (ticket.deliveryStatus !== 'pending') return 'not_pending';
  if (!agency.forwardUrl) {
    markNoWebhook(db, ticket.id);
    return 'no_webhook';
  }

  try {
    await post(
      agency.forwardUrl,
      agency.forwardSecret,
      agency.code,
      toForwarded(ticket),
      doFetch,
      deps,
      now(),
    );
  } catch (err) {
    const unrecoverable = err instanceof UnrecoverableError;
    const dead = unrecoverable || attempt.lastAttempt;
    const message = err instanceof Error ? err.message : String(err);
    markDeliveryFailed(db, ticket.id, message, dead);
    const fields = { ticketId: ticket.id, agency: agency.code, err: message };
    if (dead) logger.error(fields, 'ticket delivery gave up; waiting for a supervisor to retry');
    else logger.warn(fields, 'ticket delivery failed, will retry');
    throw err;
  }
  const changed = markDelivered(db, ticket.id, now());
  logger.info({ ticketId: ticket.id, agency: agency.code }, 'ticket delivered');
  return changed ? 'delivered' : 'already_delivered';
}

function toForwarded(ticket: TicketRow): ForwardedTicket {
  return {
    ticketId: ticket.id,
    trackingCode: ticket.trackingCode,
    category: ticket.category,
    district: ticket.district,
    description: ticket.description,
    callerNumber: ticket.callerNumber,
    callerName: ticket.callerName,
    priority: ticket.priority,
    createdAt: ticket.createdAt.toISOString(),
    ackDueAt: ticket.ackDueAt?.toISOString() ?? null,
    resolveDueAt: ticket.resolveDueAt?.toISOString() ?? null,
  };
}

async function post(
  url: string,
  secret: string,
  agencyCode: string,
  payload: ForwardedTicket,
  doFetch: typeof fetch,
  deps: ForwardDeps,
  now: Date,
): Promise<void> {
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(now.getTime() / 1000);
  let response: Response;
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Idempotency-Key': idempotencyKey(payload.ticketId),
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: `sha256=${signBody(secret, timestamp, body)}`,
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
  } catch (err) {
    throw new AgencyUnavailableError(`agency ${agencyCode} unreachable`, { cause: err });
  }
  // The body is not needed; drain it so the connection can be reused.
  await response.arrayBuffer().catch(() => undefined);
  if (response.status >= 200 && response.status < 300) return;
  if (isRetryableStatus(response.status)) {
    throw new AgencyUnavailableError(`agency ${agencyCode} answered ${response.status}`);
  }
  throw new UnrecoverableError(
    `agency ${agencyCode} rejected ticket ${payload.ticketId} with ${response.status}`,
  );
}
