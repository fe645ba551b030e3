/**
 * When Asterisk rang each operator: the initial INVITEs it sent to operators' softphones, read
 * from the pcap file its SIP logger writes (`pjsip set logger pcap`), stamped by Asterisk as it
 * sends them. The simulated softphones all share the benchmark's one Node process, so the moment
 * one of them sees an INVITE also holds that process's own delays; a softphone on an operator's
 * own computer sees it as it arrives.
 */
import type { SentInvite } from './calls-stats.ts';

/** The part of Asterisk's CLI the capture needs. */
interface AsteriskCli {
  cli(command: string): Promise<string>;
}

/**
 * Starts logging SIP INVITEs (requests and their answers) to `file`, a path as Asterisk sees it,
 * in pcap format and nowhere else.
 */
export async function captureInvites(asterisk: AsteriskCli, file: string): Promise<void> {
  for (const command of [
    'pjsip set logger method INVITE',
    'pjsip set logger verbose off',
    `pjsip set logger pcap ${file}`,
  ]) {
    await asterisk.cli(command);
  }
}

/** Stops the logging `captureInvites` started. */
export async function stopCapture(asterisk: AsteriskCli): Promise<void> {
  await asterisk.cli('pjsip set logger off');
}

const PCAP_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
/** A record's sub-second field per millisecond, by the file's magic number. */
const FRACTION_PER_MS: Record<number, number> = { 2712847316: 1e3, 2712812621: 1e6 };

/**
 * The initial INVITEs sent over the WebSocket transport (operators' softphones; callers come in
 * over UDP) in a pcap file's contents, with the caller's number from their From header.
 * Re-INVITEs (a To tag) are left out. A file cut short ends the list.
 */
export function sentInvites(pcap: Buffer): SentInvite[] {
  if (pcap.length < PCAP_HEADER_BYTES) return [];
  const littleEndian = pcap.readUInt32LE(0) in FRACTION_PER_MS;
  const perMs = FRACTION_PER_MS[littleEndian ? pcap.readUInt32LE(0) : pcap.readUInt32BE(0)];
  if (perMs === undefined) throw new Error('not a pcap file');
  const u32 = (at: number) => (littleEndian ? pcap.readUInt32LE(at) : pcap.readUInt32BE(at));
  const invites: SentInvite[] = [];
  let at = PCAP_HEADER_BYTES;
  while (at + RECORD_HEADER_BYTES <= pcap.length) {
    const seconds = u32(at);
    const fraction = u32(at + 4);
    const length = u32(at + 8);
    const start = at + RECORD_HEADER_BYTES;
    if (start + length > pcap.length) break;
    const text = pcap.toString('latin1', start, start + length);
    at = start + length;
    const request = text.indexOf('INVITE sip:');
    if (request < 0) continue;
    const message = text.slice(request);
    const header = (name: string) => new RegExp(`^${name}:[^\\r\\n]*`, 'im').exec(message)?.[0] ?? '';
    if (!/SIP\/2\.0\/WSS?\b/i.test(header('Via')) || /;\s*tag=/i.test(header('To'))) continue;
    const callerNumber = /<?sips?:([^@;>]+)@/i.exec(header('From'))?.[1];
    if (!callerNumber) continue;
    invites.push({ at: seconds * 1000 + fraction / perMs, callerNumber });
  }
  return invites;
}
