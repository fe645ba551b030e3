/**
 * The retention period of personal data (`HOTLINE_RETENTION_MONTHS`, 12 by default). Each run:
 * 1. deletes from Asterisk the stored recording of every call that arrived before the cut-off
 *    (through the call controller's ARI client), then forgets its name on the call and on any
 *    callback task that carries it; a recording Asterisk no longer has counts as deleted, one it
 *    could not delete (Asterisk down, no telephony) stays named for the next run;
 * 2. masks citizens' numbers (`0912***678`, as lists show them) on calls that arrived, callback
 *    tasks and tickets created, and SMS created before the cut-off — a ticket or callback only once
 *    it is done, and an SMS once it is no longer waiting to be sent, so no open work loses the number
 *    it needs;
 * 3. deletes the scheduled report summaries (`report_mails`: recipients' addresses and operators'
 *    names in the attached workbook) written before the cut-off;
 * 4. writes one `retention.run` entry in the audit log with what it did.
 * Writes go in short transactions of at most `BATCH` rows.
 * Runs are idempotent: a masked number or a forgotten recording is not touched again.
 */
import { setImmediate } from 'node:timers/promises';
import { and, asc, count, eq, inArray, isNotNull, lt, ne, notLike } from 'drizzle-orm';
import type { Logger } from 'pino';
import { audit } from '../audit/service.ts';
import { callbacks } from '../callbacks/schema.ts';
import { calls } from '../calls/schema.ts';
import type { Db } from '../db/index.ts';
import type { Tx } from '../outbox/outbox.ts';
import { reportMails } from '../reports/schema.ts';
import { smsMessages } from '../sms/schema.ts';
import { DONE_STATUSES } from '../tickets/lifecycle.ts';
import { maskPhone } from '../tickets/repository.ts';
import { tickets } from '../tickets/schema.ts';

/** Deletes stored recordings: the call controller's `deleteStoredRecording`. */
export interface RecordingPort {
  /** True once the recording is gone (also when there was none); false when it cannot be asked. */
  deleteStoredRecording(name: string): Promise<boolean>;
}

export interface RetentionDeps {
  db: Db;
  recordings: RecordingPort;
  months: number;
  logger: Logger;
  now?: () => Date;
}

export interface RetentionSummary {
  /** Records from before this instant were handled. */
  cutoff: string;
  months: number;
  recordings: { deleted: number; kept: number };
  masked: { calls: number; tickets: number; callbacks: number; sms: number };
  deleted: { reportMails: number };
}

export const RETENTION_ACTION = 'retention.run';
/** Rows read (recordings to delete, numbers to mask) per query and masked per transaction. */
const BATCH = 500;
/** `maskPhone` always leaves this in a number it masked. */
const MASK_MARK = '%***%';

/** `months` calendar months before `now` (UTC), the day clamped to the shorter month's end. */
export function retentionCutoff(now: Date, months: number): Date {
  const cutoff = new Date(now.getTime());
  const day = cutoff.getUTCDate();
  cutoff.setUTCDate(1);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - months);
  const lastDay = new Date(Date.UTC(cutoff.getUTCFullYear(), cutoff.getUTCMonth() + 1, 0)).getUTCDate();
  cutoff.setUTCDate(Math.min(day, lastDay));
  return cutoff;
}

export async function runRetention(deps: RetentionDeps): Promise<RetentionSummary> {
  const { db, logger } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const cutoff = retentionCutoff(now, deps.months);
  const recordings = await deleteOldRecordings(deps, cutoff);
  const masked = await maskOldNumbers(db, cutoff);
  const deleted = { reportMails: await deleteOldReportMails(db, cutoff) };
  const summary: RetentionSummary = {
    cutoff: cutoff.toISOString(),
    months: deps.months,
    recordings,
    masked,
    deleted,
  };
  audit(db, { actorId: null, action: RETENTION_ACTION, entity: 'retention', after: summary }, now);
  logger.info(summary, 'retention run done');
  return summary;
}

async function deleteOldRecordings(
  deps: RetentionDeps,
  cutoff: Date,
): Promise<RetentionSummary['recordings']> {
  const { db, logger } = deps;
  const recorded = and(lt(calls.arrivedAt, cutoff), isNotNull(calls.recording));
  const expired = () =>
    db
      .select({ id: calls.id, recording: calls.recording })
      .from(calls)
      .where(recorded)
      .orderBy(asc(calls.arrivedAt))
      .limit(BATCH)
      .all();
  let deleted = 0;
  // A deleted recording leaves the query; a failure ends the loop: it always ends.
  for (let batch = expired(), failed = false; batch.length > 0 && !failed; batch = expired()) {
    for (const call of batch) {
      const name = call.recording!;
      let gone: boolean;
      try {
        gone = await deps.recordings.deleteStoredRecording(name);
      } catch (err) {
        logger.warn(
          { err, callId: call.id },
          'could not delete an expired recording; the next run tries again',
        );
        gone = false;
      }
      // Asterisk is down or absent: the rest waits for the next run rather than failing one by one.
      if (!gone) {
        failed = true;
        break;
      }
      db.transaction((tx) => {
        tx.update(calls).set({ recording: null, recordingKind: null }).where(eq(calls.id, call.id)).run();
        tx.update(callbacks)
          .set({ recording: null, recordingCallId: null })
          .where(and(eq(callbacks.recordingCallId, call.id), eq(callbacks.recording, name)))
          .run();
      });
      deleted++;
    }
  }
  const kept = db.select({ n: count() }).from(calls).where(recorded).get()?.n ?? 0;
  return { deleted, kept };
}

/**
 * Masks in transactions of `BATCH` rows, yielding to the event loop between them: a first run over
 * a year of records neither holds the write lock nor stalls the call controller (same process)
 * for long. Masked rows leave each query.
 */
/** Report summaries written before the cut-off, in batches (each row holds a workbook). */
async function deleteOldReportMails(db: Db, cutoff: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const old = db
      .select({ id: reportMails.id })
      .from(reportMails)
      .where(lt(reportMails.createdAt, cutoff))
      .limit(BATCH)
      .all()
      .map((r) => r.id);
    if (old.length === 0) return total;
    total += db.delete(reportMails).where(inArray(reportMails.id, old)).run().changes;
    if (old.length < BATCH) return total;
    await setImmediate();
  }
}

async function maskOldNumbers(db: Db, cutoff: Date): Promise<RetentionSummary['masked']> {
  const maskAll = async <K>(
    select: (tx: Tx) => { key: K; number: string }[],
    write: (tx: Tx, key: K, masked: string) => void,
  ): Promise<number> => {
    let total = 0;
    for (;;) {
      const done = db.transaction(
        (tx) => {
          const rows = select(tx);
          for (const row of rows) write(tx, row.key, maskPhone(row.number));
          return rows.length;
        },
        { behavior: 'immediate' },
      );
      total += done;
      if (done < BATCH) return total;
      await setImmediate();
    }
  };
  return {
    calls: await maskAll(
      (tx) =>
        tx
          .select({ key: calls.id, number: calls.callerNumber })
          .from(calls)
          .where(and(lt(calls.arrivedAt, cutoff), notLike(calls.callerNumber, MASK_MARK)))
          .limit(BATCH)
          .all(),
      (tx, id, masked) => tx.update(calls).set({ callerNumber: masked }).where(eq(calls.id, id)).run(),
    ),
    tickets: await maskAll(
      (tx) =>
        tx
          .select({ key: tickets.id, number: tickets.callerNumber })
          .from(tickets)
          .where(
            and(
              lt(tickets.createdAt, cutoff),
              inArray(tickets.status, [...DONE_STATUSES]),
              notLike(tickets.callerNumber, MASK_MARK),
            ),
          )
          .limit(BATCH)
          .all(),
      (tx, id, masked) => tx.update(tickets).set({ callerNumber: masked }).where(eq(tickets.id, id)).run(),
    ),
    callbacks: await maskAll(
      (tx) =>
        tx
          .select({ key: callbacks.id, number: callbacks.callerNumber })
          .from(callbacks)
          .where(
            and(
              lt(callbacks.createdAt, cutoff),
              ne(callbacks.status, 'open'),
              notLike(callbacks.callerNumber, MASK_MARK),
            ),
          )
          .limit(BATCH)
          .all(),
      (tx, id, masked) =>
        tx.update(callbacks).set({ callerNumber: masked }).where(eq(callbacks.id, id)).run(),
    ),
    sms: await maskAll(
      (tx) =>
        tx
          .select({ key: smsMessages.id, number: smsMessages.to })
          .from(smsMessages)
          .where(
            and(
              lt(smsMessages.createdAt, cutoff),
              ne(smsMessages.status, 'pending'),
              notLike(smsMessages.to, MASK_MARK),
            ),
          )
          .limit(BATCH)
          .all(),
      (tx, id, masked) => tx.update(smsMessages).set({ to: masked }).where(eq(smsMessages.id, id)).run(),
    ),
  };
}
