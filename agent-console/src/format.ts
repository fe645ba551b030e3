/** Pure helpers for the console: no DOM, no globals, so unit tests can run them in Node. */
import type { QueueName } from '../../common/domain.ts';
import { foldVietnamese } from '../../common/text.ts';

/** `75` → `"1:15"`. Minutes are not wrapped into hours: a wall screen reads "72:05" fine. */
export function formatMinutesSeconds(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * Seconds elapsed since `sinceIso` as of now, measured on the server's clock: the snapshot says
 * what the server's time was (`serverAtIso`) when it arrived (`receivedAtMs`, local clock), so a
 * browser whose clock is off still counts correctly.
 */
export function secondsSince(
  sinceIso: string,
  serverAtIso: string,
  receivedAtMs: number,
  nowMs: number,
): number {
  const atServer = Date.parse(serverAtIso) - Date.parse(sinceIso);
  const locally = nowMs - receivedAtMs;
  const total = (atServer + locally) / 1000;
  return Number.isFinite(total) ? Math.max(0, Math.floor(total)) : 0;
}

/**
 * The ticket category a call's queue suggests, among the admin's active `categories`: the one
 * with the queue's key, else `other`; `''` (the operator chooses) when neither exists.
 */
export function categoryForQueue(
  queue: QueueName,
  categories: readonly { key: string; active: boolean }[],
): string {
  const has = (key: string) => categories.some((c) => c.key === key && c.active);
  if (queue !== 'general' && has(queue)) return queue;
  return has('other') ? 'other' : '';
}

export interface AudioPackets {
  sent: number;
  received: number;
}

/** The fields of an RTCStats entry this console reads; the rest are ignored. */
export interface RtpStatsLike {
  type: string;
  kind?: string;
  mediaType?: string;
  packetsSent?: number;
  packetsReceived?: number;
}

/** Sums audio packets sent (outbound-rtp) and received (inbound-rtp) from a getStats() report. */
export function readAudioPackets(reports: Iterable<RtpStatsLike>): AudioPackets {
  const packets = { sent: 0, received: 0 };
  for (const report of reports) {
    if ((report.kind ?? report.mediaType) !== 'audio') continue;
    if (report.type === 'outbound-rtp') packets.sent += report.packetsSent ?? 0;
    if (report.type === 'inbound-rtp') packets.received += report.packetsReceived ?? 0;
  }
  return packets;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `"2025-03-04T01:05:00Z"` → `"04/03/2025 08:05"` in the browser's time zone; `""` for a bad date. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A deadline, short: `"04/03 08:05"`, with the year only when it is not the current one. */
export function formatDueTime(iso: string, nowMs: number): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const time = `${pad(d.getDate())}/${pad(d.getMonth() + 1)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.getFullYear() === new Date(nowMs).getFullYear() ? time : formatDateTime(iso);
}

/** The value an `<input type="date">` shows for `date` (local calendar day). */
export function dateInputValue(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The value an `<input type="datetime-local">` shows for `date`, to the minute. */
export function dateTimeInputValue(date: Date): string {
  return `${dateInputValue(date)}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A `datetime-local` value (local time) as an ISO instant; `null` when it is not a time. */
export function isoFromDateTimeInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/**
 * The report period for the date inputs `from`…`to` (local days, both included): from the start
 * of `from` to the start of the day after `to`, as ISO instants. `null` if either is not a date
 * or the period is empty.
 */
export function periodFromDateInputs(from: string, to: string): { from: string; to: string } | null {
  const re = /^(\d{4})-(\d{2})-(\d{2})$/;
  const a = re.exec(from);
  const b = re.exec(to);
  if (!a || !b) return null;
  const start = new Date(Number(a[1]), Number(a[2]) - 1, Number(a[3]));
  const end = new Date(Number(b[1]), Number(b[2]) - 1, Number(b[3]) + 1);
  if (start.getTime() >= end.getTime()) return null;
  return { from: start.toISOString(), to: end.toISOString() };
}

/** The default report period: the last `days` days up to and including today. */
export function lastDays(days: number, now: Date): { from: string; to: string } {
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (days - 1));
  return { from: dateInputValue(start), to: dateInputValue(now) };
}

/** `0.875` → `"87,5%"`; `null` (nothing resolved) → `"—"`. */
export function formatRate(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return '—';
  const percent = Math.round(rate * 1000) / 10;
  return `${String(percent).replace('.', ',')}%`;
}

/**
 * A category key suggested from its Vietnamese name: "Môi trường, rác thải" → `moi_truong_rac_thai`
 * (lower case, no diacritics, `_` between words, at most 32 characters, starting with a letter).
 */
export function categoryKeyFrom(name: string): string {
  return foldVietnamese(name)
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .slice(0, 32)
    .replace(/_+$/, '');
}
