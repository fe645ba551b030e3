/**
 * Sends one stored text message. Safe to run twice: a sent message is skipped, and the gateway
 * gets the same idempotency key on every attempt.
 */
import { UnrecoverableError } from 'bullmq';
import { and, eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { GroupCommitter } from '../db/group-commit.ts';
import type { Db } from '../db/index.ts';
import { preparedOnce } from '../db/prepared.ts';
import type { SmsGateway } from './gateway.ts';
import { smsMessages } from './schema.ts';

/** Job payload: ids only; the number and text stay in the database. */
export interface SmsJobData {
  smsId: number;
}

export type SmsOutcome = 'sent' | 'already_sent' | 'already_failed';

export interface SmsDeps {
  db: Db;
  gateway: SmsGateway;
  logger: Logger;
  now?: () => Date;
  /** Commits the sent mark with the other writes of the same turn; on its own otherwise. */
  committer?: GroupCommitter;
}

export function smsIdempotencyKey(smsId: number): string {
  return `sms-${smsId}`;
}

// Built once per database: each message runs them, and building a query costs more than running it.
const findSms = preparedOnce((db: Db) =>
  db
    .select()
    .from(smsMessages)
    .where(eq(smsMessages.id, sql.placeholder('id')))
    .prepare(),
);

const markSent = preparedOnce((db: Db) =>
  db
    .update(smsMessages)
    .set({
      status: 'sent',
      providerId: sql.placeholder('providerId') as unknown as string,
      sentAt: sql.placeholder('sentAt') as unknown as Date,
      attempts: sql`${smsMessages.attempts} + 1`,
      lastError: null,
    })
    .where(and(eq(smsMessages.id, sql.placeholder('id')), eq(smsMessages.status, 'pending')))
    .prepare(),
);

export async function sendSms(
  smsId: number,
  deps: SmsDeps,
  attempt: { lastAttempt: boolean },
): Promise<SmsOutcome> {
  const { db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const sms = findSms(db).get({ id: smsId });
  if (!sms) throw new UnrecoverableError(`SMS ${smsId} does not exist`);
  if (sms.status === 'sent') return 'already_sent';
  if (sms.status === 'failed') return 'already_failed';

  let providerId: string;
  try {
    ({ providerId } = await deps.gateway.send(sms.to, sms.body, smsIdempotencyKey(sms.id)));
  } catch (err) {
    const failed = err instanceof UnrecoverableError || attempt.lastAttempt;
    const message = err instanceof Error ? err.message : String(err);
    db.update(smsMessages)
      .set({
        attempts: sql`${smsMessages.attempts} + 1`,
        lastError: message.slice(0, 500),
        ...(failed ? { status: 'failed' as const } : {}),
      })
      .where(and(eq(smsMessages.id, sms.id), eq(smsMessages.status, 'pending')))
      .run();
    const fields = { smsId: sms.id, event: sms.event, err: message };
    if (failed) logger.error(fields, 'SMS gave up');
    else logger.warn(fields, 'SMS failed, will retry');
    throw err;
  }
  const sent = { id: sms.id, providerId, sentAt: now() };
  const changed = deps.committer
    ? await deps.committer.run(() => markSent(db).run(sent).changes)
    : markSent(db).run(sent).changes;
  logger.info({ smsId: sms.id, event: sms.event, ticketId: sms.ticketId }, 'SMS sent');
  return changed > 0 ? 'sent' : 'already_sent';
}
