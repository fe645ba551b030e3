/**
 * The fallback dialplan's journal (dialplan/extensions.conf, `[fallback-journal]`): Asterisk
 * itself writes into astdb when a caller reaches the fallback, joins its queue, is answered and
 * hangs up. The server follows the fallback queue through AMI events, but an event sent while
 * the server was down (or AMI was) is lost; the journal is not. On every AMI (re)connect, and
 * every minute, the server reads it (`DBGetTree`, one family per day) and completes the call
 * records of calls that ended unseen: the whole record for a call that came and went while the
 * server was down, the end of a call the controller recorded before the watchdog moved it to
 * the fallback. Calls still alive, or followed now, are left to the AMI events.
 */
import type { QueueName } from '../common/domain.ts';
import type { CallRecordEvent, RecordedCall } from './api.ts';
import { FALLBACK_JOURNAL_DAYS, FALLBACK_JOURNAL_FAMILY } from './constants.ts';

/** What the journal says of one caller (by their channel's unique id). */
export interface JournalCall {
  callId: string;
  arrivedAt: Date | null;
  callerNumber: string;
  queuedAt: Date | null;
  /** The fallback menu key, '' for none. */
  choice: string;
  answeredAt: Date | null;
  /** The operator's PJSIP endpoint that answered. */
  endpoint: string | null;
  endedAt: Date | null;
}

/** The journal's families to read at `now`: today's and the days it keeps, in UTC. */
export function journalFamilies(now: Date, days = FALLBACK_JOURNAL_DAYS): string[] {
  return Array.from({ length: days + 1 }, (_, i) => {
    const day = new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
    return `${FALLBACK_JOURNAL_FAMILY}-${day}`;
  });
}

/** `DBGetTreeResponse` entries (`key` as `/family/<id>-<r|q|a|e>`, `val`) grouped by call. */
export function readJournal(entries: readonly { key?: string; val?: string }[]): JournalCall[] {
  const calls = new Map<string, JournalCall>();
  const epoch = (s: string | undefined) => {
    const n = Number(s);
    return Number.isFinite(n) && n > 0 ? new Date(n * 1000) : null;
  };
  for (const entry of entries) {
    const m = /([^/]+)-([rqae])$/.exec(entry.key ?? '');
    if (!m) continue;
    const [, callId, kind] = m as unknown as [string, string, string];
    const call = calls.get(callId) ?? {
      callId,
      arrivedAt: null,
      callerNumber: '',
      queuedAt: null,
      choice: '',
      answeredAt: null,
      endpoint: null,
      endedAt: null,
    };
    calls.set(callId, call);
    const [at, value = ''] = (entry.val ?? '').split(',');
    if (kind === 'r') {
      call.arrivedAt = epoch(at);
      call.callerNumber = value;
    } else if (kind === 'q') {
      call.queuedAt = epoch(at);
      call.choice = /^[0-9]$/.test(value) ? value : '';
    } else if (kind === 'a') {
      call.answeredAt = epoch(at);
      call.endpoint = value || null;
    } else {
      call.endedAt = epoch(at);
    }
  }
  return [...calls.values()];
}

/**
 * The events that complete the record of a call the journal saw end: none if it has not ended
 * (by the journal) or its record has its end already. `known` is its record now (null: none),
 * `operatorOf` the operator of a PJSIP endpoint, `queueOf` the queue a fallback key leads to.
 */
export function missingEvents(
  call: JournalCall,
  known: RecordedCall | null,
  operatorOf: (endpoint: string) => number | null,
  queueOf: (choice: string | null) => QueueName,
): CallRecordEvent[] {
  if (!call.endedAt || known?.ended) return [];
  const events: CallRecordEvent[] = [];
  const id = call.callId;
  const arrivedAt = call.arrivedAt ?? call.queuedAt ?? call.endedAt;
  if (!known) {
    events.push({ type: 'arrived', callId: id, at: arrivedAt, callerNumber: call.callerNumber });
    if (call.choice)
      events.push({ type: 'digit', callId: id, at: call.queuedAt ?? arrivedAt, digit: call.choice });
  }
  if (call.queuedAt && !known?.queuedAt) {
    events.push({ type: 'queued', callId: id, at: call.queuedAt, queue: queueOf(call.choice || null) });
  }
  const operatorId = call.endpoint ? operatorOf(call.endpoint) : null;
  const answered = call.answeredAt !== null && operatorId !== null;
  if (answered && !known?.answeredAt) {
    const at = call.answeredAt!;
    events.push({ type: 'offered', callId: id, at, operatorId });
    events.push({ type: 'offerEnded', callId: id, at, operatorId, outcome: 'answered' });
    events.push({ type: 'answered', callId: id, at, operatorId });
  }
  const reason =
    answered || known?.answeredAt
      ? 'caller_hung_up'
      : call.queuedAt || known?.queuedAt
        ? 'abandoned_in_queue'
        : 'caller_hung_up_in_menu';
  events.push({ type: 'ended', callId: id, at: call.endedAt, reason });
  return events;
}
