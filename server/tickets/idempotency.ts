/**
 * `Idempotency-Key` on ticket creation: the key, per user, remembers the request's hash and the
 * ticket it created, in the ticket's own transaction, so a retry answers with that ticket.
 */
import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import type { CreateTicketRequest } from '../../common/api.ts';
import type { Db } from '../db/index.ts';
import type { Tx } from '../outbox/outbox.ts';
import { InvalidIdempotencyKeyError } from './errors.ts';
import { ticketIdempotencyKeys } from './schema.ts';

/** How long a key is kept at least; a retry after that creates a new ticket. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/** 1–128 printable ASCII characters (RFC 9110 field values, no control characters). */
const KEY_PATTERN = /^[\x20-\x7e]{1,128}$/;

/** A creation request's key and what it asks for. */
export interface IdempotentRequest {
  key: string;
  requestHash: string;
}

/**
 * The header's value, or undefined without one. Throws `InvalidIdempotencyKeyError` for a bad
 * value, or for the header sent twice.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !KEY_PATTERN.test(header)) throw new InvalidIdempotencyKeyError();
  return header;
}

/**
 * Independent of the order of the body's fields. The fields are sorted as entries, not through a
 * key-list replacer, which would also filter the keys of any nested value out of the hash.
 */
export function requestHash(input: CreateTicketRequest): string {
  const entries = Object.entries(input).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}

export function findIdempotencyKey(
  db: Db,
  userId: number,
  key: string,
): { requestHash: string; ticketId: number } | undefined {
  return db
    .select({ requestHash: ticketIdempotencyKeys.requestHash, ticketId: ticketIdempotencyKeys.ticketId })
    .from(ticketIdempotencyKeys)
    .where(and(eq(ticketIdempotencyKeys.userId, userId), eq(ticketIdempotencyKeys.key, key)))
    .get();
}

/** Throws on a key the user already holds: the unique index decides between concurrent requests. */
export function insertIdempotencyKey(
  tx: Tx,
  row: { userId: number; request: IdempotentRequest; ticketId: number; at: Date },
): void {
  tx.insert(ticketIdempotencyKeys)
    .values({
      userId: row.userId,
      key: row.request.key,
      requestHash: row.request.requestHash,
      ticketId: row.ticketId,
      createdAt: row.at,
    })
    .run();
}

export function pruneIdempotencyKeys(tx: Tx, now: Date): void {
  const before = new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS);
  tx.delete(ticketIdempotencyKeys).where(lt(ticketIdempotencyKeys.createdAt, before)).run();
}
