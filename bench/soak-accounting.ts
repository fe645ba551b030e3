/**
 * The soak's closing account, from the database (SQLite is the truth) and what the outside parties
 * received: every call answered, called back and reached, or closed with a reason; every ticket
 * delivered to its agency exactly once; every SMS sent once. `account` is pure; `readLedger`
 * reads the rows it needs.
 */
import type { CallbackGiveUpReason, CallbackSource, EndReason } from '../common/domain.ts';
import type { Db } from '../server/db/index.ts';
import {
  agencies,
  callbackAttempts,
  callbacks,
  callOffers,
  calls,
  smsMessages,
  tickets,
} from '../server/db/schema.ts';
import type { PlacedCall } from './soak-citizens.ts';
import type { AgencyDelivery, SmsPost } from './soak-hotline.ts';

export interface Ledger {
  calls: {
    id: string;
    callerNumber: string;
    answeredAt: Date | null;
    endReason: EndReason | null;
    queuedAt: Date | null;
    waitSeconds: number | null;
  }[];
  tasks: {
    callerNumber: string;
    status: 'open' | 'reached' | 'given_up';
    source: CallbackSource;
    recording: string | null;
    givenUpReason: CallbackGiveUpReason | null;
  }[];
  tickets: { id: number; trackingCode: string; forwarded: boolean }[];
  sms: { id: number; to: string; status: string }[];
  /** Offers that ended unanswered: all, and those over within a second (the softphone never rang). */
  ringOuts: number;
  instantNoAnswers: number;
  /** Call-back attempts by outcome (operators' and the hotline's own). */
  attempts: Record<string, number>;
}

export function readLedger(db: Db): Ledger {
  const forwardsTo = new Map(
    db
      .select({ id: agencies.id, url: agencies.forwardUrl })
      .from(agencies)
      .all()
      .map((a) => [a.id, a.url !== null]),
  );
  return {
    calls: db
      .select({
        id: calls.id,
        callerNumber: calls.callerNumber,
        answeredAt: calls.answeredAt,
        endReason: calls.endReason,
        queuedAt: calls.queuedAt,
        waitSeconds: calls.waitSeconds,
      })
      .from(calls)
      .all(),
    tasks: db
      .select({
        callerNumber: callbacks.callerNumber,
        status: callbacks.status,
        source: callbacks.source,
        recording: callbacks.recording,
        givenUpReason: callbacks.givenUpReason,
      })
      .from(callbacks)
      .all(),
    tickets: db
      .select({ id: tickets.id, trackingCode: tickets.trackingCode, agencyId: tickets.agencyId })
      .from(tickets)
      .all()
      .map((t) => ({
        id: t.id,
        trackingCode: t.trackingCode,
        forwarded: t.agencyId !== null && forwardsTo.get(t.agencyId) === true,
      })),
    sms: db
      .select({ id: smsMessages.id, to: smsMessages.to, status: smsMessages.status })
      .from(smsMessages)
      .all(),
    ...offersOf(db),
    attempts: attemptsOf(db),
  };
}

function attemptsOf(db: Db): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { outcome } of db.select({ outcome: callbackAttempts.outcome }).from(callbackAttempts).all())
    counts[outcome ?? 'dialling'] = (counts[outcome ?? 'dialling'] ?? 0) + 1;
  return counts;
}

function offersOf(db: Db): { ringOuts: number; instantNoAnswers: number } {
  const unanswered = db
    .select({ offeredAt: callOffers.offeredAt, endedAt: callOffers.endedAt, outcome: callOffers.outcome })
    .from(callOffers)
    .all()
    .filter((o) => o.outcome === 'no_answer');
  return {
    ringOuts: unanswered.length,
    instantNoAnswers: unanswered.filter(
      (o) => o.endedAt !== null && o.endedAt.getTime() - o.offeredAt.getTime() < 1000,
    ).length,
  };
}

/** End reasons after which the hotline owes the caller nothing: the call ended as they chose. */
const NOTHING_OWED: readonly EndReason[] = [
  'status_given',
  'no_input',
  'code_not_accepted',
  'after_hours_no_message',
  'caller_hung_up_in_menu',
  'caller_hung_up_in_lookup',
];

export type CallOutcome =
  | 'answered'
  | 'called_back'
  | 'given_up_with_reason'
  | 'after_hours_message'
  | 'nothing_owed'
  /** Refused by Asterisk with 503 before it answered (it was restarting): the carrier knows. */
  | 'refused'
  | 'unaccounted';

export interface Account {
  placed: number;
  byKind: Record<string, number>;
  recorded: number;
  outcomes: Record<CallOutcome, number>;
  /** The end reasons of the calls after which nothing was owed. */
  nothingOwed: Record<string, number>;
  /** Calls with none of the outcomes, each with why: the target is none. */
  unaccounted: { number: string; why: string }[];
  abandoned: number;
  callbackRequested: number;
  tasks: { reached: number; givenUp: number; open: number };
  ringOuts: number;
  instantNoAnswers: number;
  attempts: Record<string, number>;
  waits: { p50: number | null; p95: number | null; max: number | null };
  tickets: { created: number; forwarded: number; deliveredOnce: number; problems: string[] };
  sms: { rows: number; sentOnce: number; posts: number; problems: string[] };
}

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export function account(
  ledger: Ledger,
  placed: PlacedCall[],
  deliveries: AgencyDelivery[],
  smsPosts: SmsPost[],
): Account {
  const taskOf = new Map(ledger.tasks.map((t) => [t.callerNumber, t]));
  const outcomes: Record<CallOutcome, number> = {
    answered: 0,
    called_back: 0,
    given_up_with_reason: 0,
    after_hours_message: 0,
    nothing_owed: 0,
    refused: 0,
    unaccounted: 0,
  };
  const unaccounted: Account['unaccounted'] = [];
  const nothingOwed: Record<string, number> = {};
  const kindOf = new Map(placed.map((p) => [p.number, p.kind]));
  const outcomeOf = (call: Ledger['calls'][number]): { outcome: CallOutcome; why?: string } => {
    if (call.answeredAt) return { outcome: 'answered' };
    const task = taskOf.get(call.callerNumber);
    if (task?.status === 'reached') return { outcome: 'called_back' };
    if (task?.status === 'given_up' && task.givenUpReason) return { outcome: 'given_up_with_reason' };
    if (task?.status === 'open' && task.source === 'after_hours' && task.recording)
      return { outcome: 'after_hours_message' };
    // An after-hours caller must meet the after-hours service, not the menu.
    const misrouted =
      kindOf.get(call.callerNumber) === 'after_hours' && !call.endReason?.startsWith('after_hours');
    if (call.endReason && NOTHING_OWED.includes(call.endReason) && !misrouted) {
      nothingOwed[call.endReason] = (nothingOwed[call.endReason] ?? 0) + 1;
      return { outcome: 'nothing_owed' };
    }
    const why = task
      ? `callback task ${task.status} (${task.source})`
      : call.endReason
        ? `ended ${call.endReason}, no callback task`
        : 'never ended';
    return { outcome: 'unaccounted', why };
  };
  for (const call of ledger.calls) {
    const { outcome, why } = outcomeOf(call);
    outcomes[outcome]++;
    const kind = kindOf.get(call.callerNumber) ?? 'not the soak';
    if (why) unaccounted.push({ number: call.callerNumber, why: `${kind} caller: ${why}` });
  }
  const recordedNumbers = new Set(ledger.calls.map((c) => c.callerNumber));
  for (const call of placed) {
    if (recordedNumbers.has(call.number)) continue;
    // Never taken in: Asterisk said at once that it could not (503 while it restarts), so the
    // carrier knows the call did not get through. Any other way to have no record is a loss.
    if (call.refusedWith === '503') {
      outcomes.refused++;
      continue;
    }
    outcomes.unaccounted++;
    const how = call.refusedWith ? `refused with ${call.refusedWith}` : 'no call record';
    unaccounted.push({ number: call.number, why: `${call.kind} call placed, ${how}` });
  }

  const waits = ledger.calls
    .filter((c) => c.answeredAt && c.waitSeconds !== null)
    .map((c) => c.waitSeconds!)
    .sort((a, b) => a - b);

  const ticketProblems: string[] = [];
  let deliveredOnce = 0;
  const forwarded = ledger.tickets.filter((t) => t.forwarded);
  for (const ticket of forwarded) {
    const received = deliveries.filter((d) => d.trackingCode === ticket.trackingCode);
    const valid = received.filter((d) => d.signatureValid).length;
    if (valid === 1 && received.length === 1) deliveredOnce++;
    else
      ticketProblems.push(
        `ticket ${ticket.trackingCode}: ${received.length} deliveries, ${valid} signed right`,
      );
  }

  const smsProblems: string[] = [];
  let sentOnce = 0;
  for (const row of ledger.sms) {
    const posts = smsPosts.filter((p) => p.idempotencyKey === `sms-${row.id}`).length;
    if (row.status === 'sent' && posts === 1) sentOnce++;
    else smsProblems.push(`SMS ${row.id}: ${row.status}, posted ${posts} times`);
  }

  const byKind: Record<string, number> = {};
  for (const call of placed) byKind[call.kind] = (byKind[call.kind] ?? 0) + 1;
  return {
    placed: placed.length,
    byKind,
    recorded: ledger.calls.length,
    outcomes,
    nothingOwed,
    unaccounted,
    abandoned: ledger.calls.filter((c) => c.endReason === 'abandoned_in_queue').length,
    callbackRequested: ledger.calls.filter((c) => c.endReason === 'callback_requested').length,
    tasks: {
      reached: ledger.tasks.filter((t) => t.status === 'reached').length,
      givenUp: ledger.tasks.filter((t) => t.status === 'given_up').length,
      open: ledger.tasks.filter((t) => t.status === 'open').length,
    },
    ringOuts: ledger.ringOuts,
    instantNoAnswers: ledger.instantNoAnswers,
    attempts: ledger.attempts,
    waits: { p50: quantile(waits, 0.5), p95: quantile(waits, 0.95), max: waits.at(-1) ?? null },
    tickets: {
      created: ledger.tickets.length,
      forwarded: forwarded.length,
      deliveredOnce,
      problems: ticketProblems,
    },
    sms: { rows: ledger.sms.length, sentOnce, posts: smsPosts.length, problems: smsProblems },
  };
}

/** The targets a run must meet; each missed one named. */
export function missedTargets(a: Account): string[] {
  const missed: string[] = [];
  if (a.unaccounted.length > 0)
    missed.push(`${a.unaccounted.length} calls neither answered, called back nor closed`);
  if (a.tickets.deliveredOnce !== a.tickets.forwarded)
    missed.push(`${a.tickets.forwarded - a.tickets.deliveredOnce} tickets not delivered exactly once`);
  if (a.sms.sentOnce !== a.sms.rows) missed.push(`${a.sms.rows - a.sms.sentOnce} SMS not sent exactly once`);
  return missed;
}
