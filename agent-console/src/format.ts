/** Pure helpers for the console: no DOM, no globals, so unit tests can run them in Node. */
import type { Category, QueueName } from '../../common/domain.ts';

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

/** The ticket category a call's queue suggests. */
export function categoryForQueue(queue: QueueName): Category {
  return queue === 'general' ? 'other' : queue;
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
