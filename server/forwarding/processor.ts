/**
 * Delivers one ticket to its agency's webhook. Safe to run twice: a delivered ticket is skipped,
 * and the `Idempotency-Key` lets the agency drop a repeat that raced with a lost acknowledgement.
 * The key names the assignment, not just the ticket: a ticket returned and assigned again to the
 * same agency is a new delivery the agency must not drop as a repeat.
 * The last failed attempt leaves the delivery `dead`, for a supervisor to retry.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import type { GroupCommitter } from '../db/group-commit.ts';
import type { Db } from '../db/index.ts';
import {
  findTicket,
  markDelivered,
  markDeliveryFailed,
  type TicketWithAgency,
} from '../tickets/repository.ts';
import { AgencyBusyError, type AgencySlots } from './agency-slots.ts';
import { currentAssignmentEventId, markNoWebhook } from './repository.ts';
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
  /** The category's key, stable across renames, and its Vietnamese name. */
  category: string;
  categoryName: string;
  /** The commune-level unit concerned; null: not determined (chưa xác định). */
  unit: { code: string; name: string } | null;
  address: string | null;
  /** Only on tickets from before the 2025 reform. */
  legacyDistrict: string | null;
  description: string;
  /** Only for an agency set to receive it (`agencies.receives_caller_number`); absent otherwise. */
  callerNumber?: string;
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
  /** How the signed body is POSTed; `postJson` (keep-alive connections) by default. */
  post?: PostJson;
  /** Commits the delivered mark with the other writes of the same turn; on its own otherwise. */
  committer?: GroupCommitter;
  /** Deliveries in flight per agency; unlimited without. */
  slots?: AgencySlots;
}

/** POSTs `body` and resolves with the answer's status; rejects on a network error or timeout. */
export type PostJson = (
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
) => Promise<number>;

// Connections to agencies stay open between deliveries: a new TCP (and TLS) handshake per ticket
// costs more than the delivery itself. An idle one is closed after 4 s, before the agency's
// server would (Node's default is 5 s), so a delivery never goes out on a connection being shut.
const KEEP_ALIVE = { keepAlive: true, maxSockets: 64, timeout: 4000 };
const httpAgent = new HttpAgent(KEEP_ALIVE);
const httpsAgent = new HttpsAgent(KEEP_ALIVE);

/**
 * `timeoutMs` bounds the whole exchange, from connecting to the answer's last byte: a socket
 * timeout alone restarts with every byte, so an agency trickling its answer would hold a worker.
 */
export const postJson: PostJson = (url, headers, body, timeoutMs) =>
  new Promise((resolve, reject) => {
    const https = url.startsWith('https:');
    const deadline = setTimeout(
      () => req.destroy(new Error(`no complete answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const settle = (fn: () => void) => {
      clearTimeout(deadline);
      fn();
    };
    const req = (https ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        agent: https ? httpsAgent : httpAgent,
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        timeout: timeoutMs,
      },
      (res) => {
        // The body is not needed; drain it so the connection can be reused.
        res.resume();
        res.once('end', () => settle(() => resolve(res.statusCode ?? 0)));
        res.once('error', (err) => settle(() => reject(err)));
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', (err) => settle(() => reject(err)));
    req.end(body);
  });

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

/** `assignmentEventId`: the `ticket_events` row of the assignment being delivered. */
export function idempotencyKey(ticketId: number, assignmentEventId: number | null): string {
  return assignmentEventId === null ? `ticket-${ticketId}` : `ticket-${ticketId}-a${assignmentEventId}`;
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
  const doPost = deps.post ?? postJson;

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

  if (deps.slots && !deps.slots.tryAcquire(agency.code)) throw new AgencyBusyError(agency.code);
  try {
    const key = idempotencyKey(ticket.id, currentAssignmentEventId(db, ticket.id));
    await post(
      agency.forwardUrl,
      agency.forwardSecret,
      agency.code,
      key,
      toForwarded(row),
      doPost,
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
  } finally {
    deps.slots?.release(agency.code);
  }
  const at = now();
  const changed = deps.committer
    ? await deps.committer.run(() => markDelivered(db, ticket.id, at))
    : markDelivered(db, ticket.id, at);
  logger.info({ ticketId: ticket.id, agency: agency.code }, 'ticket delivered');
  return changed ? 'delivered' : 'already_delivered';
}

/** The payload; the citizen's number goes only to an agency configured to receive it. */
export function toForwarded({ ticket, agency, labels }: TicketWithAgency): ForwardedTicket {
  return {
    ticketId: ticket.id,
    trackingCode: ticket.trackingCode,
    category: ticket.category,
    categoryName: labels.categoryName,
    unit:
      ticket.unitCode === null ? null : { code: ticket.unitCode, name: labels.unitName ?? ticket.unitCode },
    address: ticket.address,
    legacyDistrict: ticket.legacyDistrict,
    description: ticket.description,
    ...(agency.receivesCallerNumber ? { callerNumber: ticket.callerNumber } : {}),
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
  key: string,
  payload: ForwardedTicket,
  doPost: PostJson,
  deps: ForwardDeps,
  now: Date,
): Promise<void> {
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(now.getTime() / 1000);
  let status: number;
  try {
    status = await doPost(
      url,
      {
        'Content-Type': 'application/json',
        'Idempotency-Key': key,
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: `sha256=${signBody(secret, timestamp, body)}`,
      },
      body,
      deps.timeoutMs,
    );
  } catch (err) {
    throw new AgencyUnavailableError(`agency ${agencyCode} unreachable`, { cause: err });
  }
  if (status >= 200 && status < 300) return;
  if (isRetryableStatus(status)) {
    throw new AgencyUnavailableError(`agency ${agencyCode} answered ${status}`);
  }
  throw new UnrecoverableError(`agency ${agencyCode} rejected ticket ${payload.ticketId} with ${status}`);
}
