/**
 * The monitoring team's scheduled summaries by email: one row per (kind, period), written before
 * sending, so the summary of a period goes out once even across restarts and with two server
 * processes (the unique index decides who writes it; a lease decides who sends it).
 */
import { blob, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { ReportMailView } from '../../common/api.ts';

export type ReportMailKind = ReportMailView['kind'];
/** `pending` until the relay accepted it (or the outbox driver stored it), `failed` after the last try. */
export type ReportMailStatus = ReportMailView['status'];

export const reportMails = sqliteTable(
  'report_mails',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind').$type<ReportMailKind>().notNull(),
    /** Local days (`YYYY-MM-DD`), both included. */
    periodFrom: text('period_from').notNull(),
    periodTo: text('period_to').notNull(),
    recipients: text('recipients', { mode: 'json' }).$type<string[]>().notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    fileName: text('file_name').notNull(),
    /** The summary workbook, as attached. */
    file: blob('file', { mode: 'buffer' }).$type<Buffer>().notNull(),
    status: text('status').$type<ReportMailStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** The relay's Message-ID, once accepted; `outbox:<id>` from the development driver. */
    providerMessageId: text('provider_message_id'),
    /** After a failed try, not tried again before this. */
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }),
    /** A process sending it now holds it until then (so a second process waits). */
    claimedUntil: integer('claimed_until', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('report_mails_kind_period_idx').on(t.kind, t.periodFrom),
    index('report_mails_status_idx').on(t.status, t.nextAttemptAt),
  ],
);

export type ReportMailRow = typeof reportMails.$inferSelect;
