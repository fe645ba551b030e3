/**
 * Recording text messages to citizens. A message is stored, and the intent to send it added to
 * the outbox, inside the caller's transaction; the `sms` worker sends it later.
 */

import { sql } from 'drizzle-orm';
import type { SmsEvent } from '../../common/domain.ts';
import { preparedOnce } from '../db/prepared.ts';
import { addIntent, type Tx } from '../outbox/outbox.ts';
import { smsMessages } from './schema.ts';

export interface SmsToRecord {
  /** The ticket the message is about; null for messages not tied to one. */
  ticketId: number | null;
  event: SmsEvent;
  /** The citizen's number. */
  to: string;
  body: string;
}

const insertSms = preparedOnce((tx: Tx) =>
  tx
    .insert(smsMessages)
    .values({
      ticketId: sql.placeholder('ticketId'),
      event: sql.placeholder('event'),
      to: sql.placeholder('to'),
      body: sql.placeholder('body'),
      createdAt: sql.placeholder('createdAt'),
    })
    .onConflictDoNothing()
    .returning({ id: smsMessages.id })
    .prepare(),
);

/**
 * Stores the message and queues it for sending. Returns its id, or null when this ticket's
 * citizen was already texted about this event (a message per ticket and event at most).
 */
export function recordSms(tx: Tx, msg: SmsToRecord, now: Date): number | null {
  const row = insertSms(tx).get({ ...msg, createdAt: now });
  if (!row) return null;
  addIntent(tx, { kind: 'sms', smsId: row.id }, now);
  return row.id;
}
