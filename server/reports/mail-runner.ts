/**
 * Sends the monitoring team's scheduled summaries: at start and every minute it asks
 * `schedule.ts` what is due under the admin's settings, writes each due summary once into
 * `report_mails` (the unique (kind, period) index decides between processes and restarts), then
 * sends what is pending through the mail transport, retrying failures with a doubling delay up
 * to the configured attempts.
 *
 * A mail is sent by whoever claims it: a conditional update gives one process a lease for the
 * length of a try, so two server processes never send it both. If a process dies after the relay
 * accepted a mail but before marking it sent, the mail goes again once the lease lapses: SMTP
 * offers nothing better, and a repeat beats a loss.
 */
import { and, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/index.ts';
import { reportMails } from '../db/schema.ts';
import { withTimeout } from '../outbox/redis.ts';
import { settingsStore } from '../settings/service.ts';
import type { ReportOptions } from './build.ts';
import { mailBody, mailSubject } from './mail-texts.ts';
import type { MailTransport } from './mail-transport.ts';
import { localPeriod } from './period.ts';
import { type DueSummary, dueSummaries } from './schedule.ts';
import { buildSummary, summaryXlsx } from './summary.ts';
import { reportFileName } from './tables.ts';
import { XLSX_TYPE } from './xlsx.ts';

export interface MailPolicy {
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
}

export interface ReportMailDeps {
  db: Db;
  logger: Logger;
  now: () => Date;
  transport: MailTransport;
  from: string;
  policy: MailPolicy;
  reportOptions: ReportOptions;
}

export interface ReportMailRunner {
  /** One pass: write what is due, send what is pending. Waits for a pass in progress instead. */
  runNow(): Promise<void>;
  /** No more passes; resolves once a pass in progress has finished (before the database closes). */
  stop(): Promise<void>;
}

/** Writes the summary of `due` unless it exists; true when this call wrote it. */
export async function writeSummaryMail(
  deps: ReportMailDeps,
  due: DueSummary,
  recipients: string[],
): Promise<boolean> {
  const { db } = deps;
  const exists = db
    .select({ id: reportMails.id })
    .from(reportMails)
    .where(and(eq(reportMails.kind, due.kind), eq(reportMails.periodFrom, due.from)))
    .get();
  if (exists) return false;
  const at = deps.now();
  const summary = await buildSummary(db, localPeriod(due.from, due.to), { ...deps.reportOptions, now: at });
  const fileName = reportFileName('summary', summary.period, 'xlsx');
  const file = await summaryXlsx(summary, at);
  const written = db
    .insert(reportMails)
    .values({
      kind: due.kind,
      periodFrom: due.from,
      periodTo: due.to,
      recipients,
      subject: mailSubject(due.kind, due.from, due.to, summary.headline),
      body: mailBody(due.kind, due.from, due.to, summary.headline, {
        fileName,
        serviceLevelSeconds: deps.reportOptions.serviceLevelSeconds,
      }),
      fileName,
      file,
      createdAt: at,
    })
    .onConflictDoNothing()
    .run();
  return written.changes === 1;
}

/** Claims one pending mail for a try; false when another process holds it or it is not due. */
function claim(db: Db, id: number, at: Date, leaseMs: number): boolean {
  return (
    db
      .update(reportMails)
      .set({ claimedUntil: new Date(at.getTime() + leaseMs) })
      .where(
        and(
          eq(reportMails.id, id),
          eq(reportMails.status, 'pending'),
          or(isNull(reportMails.nextAttemptAt), lte(reportMails.nextAttemptAt, at)),
          or(isNull(reportMails.claimedUntil), lte(reportMails.claimedUntil, at)),
        ),
      )
      .run().changes === 1
  );
}

/** Tries each pending mail that is due and not held by another process. */
export async function sendPendingMails(deps: ReportMailDeps): Promise<void> {
  const { db, policy } = deps;
  const at = deps.now();
  const pending = db
    .select({ id: reportMails.id })
    .from(reportMails)
    .where(
      and(
        eq(reportMails.status, 'pending'),
        or(isNull(reportMails.nextAttemptAt), lte(reportMails.nextAttemptAt, at)),
      ),
    )
    .all();
  // The lease outlasts a try that runs into its timeout.
  const leaseMs = policy.timeoutMs * 2 + 60_000;
  for (const { id } of pending) {
    if (!claim(db, id, deps.now(), leaseMs)) continue;
    const mail = db.select().from(reportMails).where(eq(reportMails.id, id)).get();
    if (!mail) continue;
    const log = deps.logger.child({ reportMailId: id, kind: mail.kind, periodFrom: mail.periodFrom });
    try {
      const { messageId } = await withTimeout(
        deps.transport.send(
          {
            from: deps.from,
            to: mail.recipients,
            subject: mail.subject,
            text: mail.body,
            attachment: { fileName: mail.fileName, content: mail.file, contentType: XLSX_TYPE },
          },
          id,
        ),
        policy.timeoutMs,
        'sending a report mail',
      );
      db.update(reportMails)
        .set({
          status: 'sent',
          attempts: sql`${reportMails.attempts} + 1`,
          providerMessageId: messageId,
          sentAt: deps.now(),
          lastError: null,
          claimedUntil: null,
        })
        .where(eq(reportMails.id, id))
        .run();
      log.info({ driver: deps.transport.driver, recipients: mail.recipients.length }, 'report mail sent');
    } catch (err) {
      const attempts = mail.attempts + 1;
      const final = attempts >= policy.attempts;
      const failedAt = deps.now();
      db.update(reportMails)
        .set({
          status: final ? 'failed' : 'pending',
          attempts,
          lastError: err instanceof Error ? err.message.slice(0, 500) : String(err).slice(0, 500),
          nextAttemptAt: final ? null : new Date(failedAt.getTime() + policy.backoffMs * 2 ** (attempts - 1)),
          claimedUntil: null,
        })
        .where(eq(reportMails.id, id))
        .run();
      if (final) log.error({ err, attempts }, 'report mail failed for good');
      else log.warn({ err, attempts }, 'report mail failed; it will be tried again');
    }
  }
}

/** One pass of the runner. */
export async function runReportMails(deps: ReportMailDeps): Promise<void> {
  const schedule = settingsStore(deps.db).get('reportSchedule');
  for (const due of dueSummaries(schedule, deps.now())) {
    if (await writeSummaryMail(deps, due, schedule.recipients)) {
      deps.logger.info({ kind: due.kind, from: due.from, to: due.to }, 'report summary written');
    }
  }
  await sendPendingMails(deps);
}

export function startReportMailRunner(
  deps: ReportMailDeps & { everyMs?: number; firstRunAfterMs?: number },
): ReportMailRunner {
  let running: Promise<void> | null = null;
  let stopped = false;
  const runNow = () => {
    if (stopped) return Promise.resolve();
    running ??= runReportMails(deps)
      .catch((err: unknown) => {
        deps.logger.error({ err }, 'report mail pass failed; the next one tries again');
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const first = setTimeout(() => void runNow(), deps.firstRunAfterMs ?? 0);
  const every = setInterval(() => void runNow(), deps.everyMs ?? 60_000);
  first.unref();
  every.unref();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}
