/**
 * A citizen's call placed with sipp: dials the hotline over the trunk, presses keys (RFC 2833),
 * then either streams a voice recording and hangs up (`hangup: 'caller'`), or waits in silence
 * for the hotline to hang up and answers its BYE (`hangup: 'hotline'`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PCAP_DIR = '/usr/share/sip-tester';
const VOICE_PCAP = `${PCAP_DIR}/g711a.pcap`;
const VOICE_MS = 7000;

export interface CitizenCall {
  /** Address of Asterisk's SIP UDP transport, e.g. `127.0.0.1:5060`. */
  target: string;
  callerNumber: string;
  /**
   * Keys to press, in order (digits, `*`, `#`); each waits `keyDelayMs` before it and lasts
   * `KEY_PRESS_MS`, during which nothing else is sent.
   */
  keys: string;
  keyDelayMs: number;
  /** Wait before the first key instead of `keyDelayMs`, e.g. to press it during the menu prompt. */
  firstKeyDelayMs?: number;
  /**
   * `caller` (default): the caller stays `holdMs` after the last key, talking, then hangs up.
   * `hotline`: the caller waits up to `holdMs` after the last key for the hotline's BYE and
   * answers it; the call fails if no BYE comes.
   */
  hangup?: 'caller' | 'hotline';
  holdMs: number;
  localPort?: number;
  mediaPort?: number;
  number?: string;
  /**
   * What the caller says instead of the shipped voice recording (or the silence while waiting for
   * the hotline's BYE), played once from the last key on: a pcap of RTP (PCMA) at least `holdMs`
   * long, e.g. a tone a test listens for.
   */
  voicePcap?: string;
}

/** The shipped pcap of a key's RFC 4733 event. */
export function dtmfPcap(key: string): string {
  const name = key === '#' ? 'pound' : key === '*' ? 'star' : key;
  if (!/^([0-9]|pound|star)$/.test(name)) throw new Error(`Not a phone key: "${key}"`);
  return `${PCAP_DIR}/dtmf_2833_${name}.pcap`;
}

/** Link-layer header length by pcap link type: Ethernet, BSD loopback, raw IP, Linux cooked. */
const LINK_HEADER: Record<number, number> = { 1: 14, 0: 4, 101: 0, 113: 16 };
/** RTP packets per key press we leave room for, and RTP clock ticks (8 kHz) between presses. */
const SEQ_STEP = 32;
const TIMESTAMP_STEP = 16_000;

/**
 * A copy of a key's DTMF pcap for the `press`-th key of a call. sipp replays a pcap's RTP headers
 * as they are, and the shipped pcaps come from one capture (1…9, *, # in that order, 0 from
 * another), so a key with lower sequence numbers than the key before it looks like an old
 * retransmission to Asterisk and is dropped: keying `91` would arrive as `9`. Each press gets
 * sequence numbers and timestamps after the previous one (UDP checksums zeroed, as IPv4 allows).
 */
export function keyPressPcap(pcap: Buffer, press: number): Buffer {
  const out = Buffer.from(pcap);
  const link = LINK_HEADER[out.readUInt32LE(20)];
  if (link === undefined || out.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('unsupported pcap');
  let first: { seq: number; ts: number } | null = null;
  for (let record = 24; record + 16 <= out.length; ) {
    const length = out.readUInt32LE(record + 8);
    const ip = record + 16 + link;
    record += 16 + length;
    if (out[ip]! >> 4 !== 4 || out[ip + 9] !== 17) continue;
    const udp = ip + (out[ip]! & 0x0f) * 4;
    const rtp = udp + 8;
    const seq = out.readUInt16BE(rtp + 2);
    const ts = out.readUInt32BE(rtp + 4);
    first ??= { seq, ts };
    out.writeUInt16BE(0, udp + 6);
    out.writeUInt16BE((1000 + press * SEQ_STEP + seq - first.seq) & 0xffff, rtp + 2);
    out.writeUInt32BE((TIMESTAMP_STEP * (press + 1) + ts - first.ts) >>> 0, rtp + 4);
  }
  return out;
}

/**
 * How long one key press holds the line. sipp plays one pcap at a time per call and stops the
 * one playing when the next starts (`pthread_cancel` in its `play_pcap_audio`), so a key's RFC 4733
 * event (its begin, continuations and three end packets, 140 ms in the shipped pcaps) must be
 * sent in full before the voice or the next key plays. Without this pause the voice right after
 * the last key cut it after its first packet, and Asterisk ended the digit only when the voice's
 * RTP timestamps passed it, 2 s later; on a busy machine (as right after the hotline starts)
 * sipp's player thread was often stopped before it had sent anything, and the key was lost: 6 of
 * 36 calls, first calls of a fresh Asterisk and later ones alike. The rest of the press leaves
 * that thread time to start.
 */
export const KEY_PRESS_MS = 500;

/** The time from a pcap's first packet to its last, in ms. */
export function pcapSpanMs(pcap: Buffer): number {
  if (pcap.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('unsupported pcap');
  let first: number | null = null;
  let last = 0;
  for (let record = 24; record + 16 <= pcap.length; ) {
    const at = pcap.readUInt32LE(record) * 1000 + pcap.readUInt32LE(record + 4) / 1000;
    first ??= at;
    last = at;
    record += 16 + pcap.readUInt32LE(record + 8);
  }
  return first === null ? 0 : last - first;
}

/** The length a key's pcap gives its press: the duration its RFC 4733 end packets carry, in ms at 8 kHz. */
export function keyPressDurationMs(pcap: Buffer): number {
  const link = LINK_HEADER[pcap.readUInt32LE(20)];
  if (link === undefined || pcap.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('unsupported pcap');
  let samples = 0;
  for (let record = 24; record + 16 <= pcap.length; ) {
    const ip = record + 16 + link;
    record += 16 + pcap.readUInt32LE(record + 8);
    if (pcap[ip]! >> 4 !== 4 || pcap[ip + 9] !== 17) continue;
    const event = ip + (pcap[ip]! & 0x0f) * 4 + 8 + 12;
    if (pcap[event + 1]! & 0x80) samples = pcap.readUInt16BE(event + 2);
  }
  return samples / 8;
}

const play = (pcap: string) => `<nop><action><exec play_pcap_audio="${pcap}"/></action></nop>`;

function callerHangsUp(call: CitizenCall): string {
  const voice: string[] = [];
  if (call.voicePcap) voice.push(play(call.voicePcap), `<pause milliseconds="${call.holdMs}"/>`);
  for (let left = call.voicePcap ? 0 : call.holdMs; left > 0; left -= VOICE_MS) {
    voice.push(play(VOICE_PCAP), `<pause milliseconds="${Math.min(left, VOICE_MS)}"/>`);
  }
  return `${voice.join('\n')}
<send retrans="500"><![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:${call.callerNumber}@[local_ip]:[local_port]>;tag=[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Contact: <sip:${call.callerNumber}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0
]]></send>
<recv response="200" crlf="true"/>`;
}

/** Silence (or `voicePcap`) until the hotline's BYE (within `holdMs`), answered with 200 OK. */
function hotlineHangsUp(call: CitizenCall): string {
  return `${call.voicePcap ? play(call.voicePcap) : ''}
<recv request="BYE" timeout="${call.holdMs}"/>
<send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:${call.callerNumber}@[local_ip]:[local_port]>
Content-Length: 0
]]></send>`;
}

/**
 * The sipp scenario of the call. `keyPcap` names the pcap of the i-th key press; by default the
 * shipped one (fine for a single key, see `keyPressPcap`).
 */
export function citizenScenario(
  call: CitizenCall,
  keyPcap: (key: string, press: number) => string = dtmfPcap,
): string {
  if (!/^\+?[0-9]{3,20}$/.test(call.callerNumber))
    throw new Error(`Not a phone number: ${call.callerNumber}`);
  const keys = [...call.keys]
    .map((key, i) => {
      const delay = i === 0 ? (call.firstKeyDelayMs ?? call.keyDelayMs) : call.keyDelayMs;
      return `<pause milliseconds="${delay}"/>\n${play(keyPcap(key, i))}\n<pause milliseconds="${KEY_PRESS_MS}"/>`;
    })
    .join('\n');
  const ending = call.hangup === 'hotline' ? hotlineHangsUp(call) : callerHangsUp(call);
  return `<?xml version="1.0" encoding="UTF-8"?>
<scenario name="Citizen calls the hotline">
<send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:${call.callerNumber}@[local_ip]:[local_port]>;tag=[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:${call.callerNumber}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=citizen 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8 101
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
]]></send>
<recv response="100" optional="true"/>
<recv response="180" optional="true"/>
<recv response="183" optional="true"/>
<recv response="200" rtd="true"/>
<send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:${call.callerNumber}@[local_ip]:[local_port]>;tag=[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: <sip:${call.callerNumber}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0
]]></send>
${keys}
${ending}
</scenario>
`;
}

export interface SippResult {
  exitCode: number;
  /** sipp's error log; empty when the call went as scripted. */
  errors: string;
}

/** Places one call and resolves when sipp exits. `exitCode` 0 means the whole scenario succeeded. */
export function placeCitizenCall(call: CitizenCall): Promise<SippResult> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-sipp-'));
  const scenario = join(dir, 'citizen.xml');
  const errorFile = join(dir, 'errors.log');
  const keyPcap = (key: string, press: number) => {
    const file = join(dir, `key-${press}.pcap`);
    const pcap = readFileSync(dtmfPcap(key));
    if (pcapSpanMs(pcap) >= KEY_PRESS_MS) throw new Error(`${dtmfPcap(key)} is longer than a key press`);
    writeFileSync(file, keyPressPcap(pcap, press));
    return file;
  };
  writeFileSync(scenario, citizenScenario(call, keyPcap));
  const args = [
    call.target,
    '-sf',
    scenario,
    '-s',
    call.number ?? '1022',
    '-m',
    '1',
    '-l',
    '1',
    '-i',
    '127.0.0.1',
    '-mi',
    '127.0.0.1',
    ...(call.localPort ? ['-p', String(call.localPort)] : []),
    '-mp',
    String(call.mediaPort ?? 16000),
    '-timeout',
    `${Math.ceil(((call.firstKeyDelayMs ?? 0) + call.keys.length * (call.keyDelayMs + KEY_PRESS_MS) + call.holdMs) / 1000) + 60}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_err',
    '-error_file',
    errorFile,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('sipp', args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      let errors = stderr;
      try {
        errors += readFileSync(errorFile, 'utf8');
      } catch {
        // no error file: no errors
      }
      // sipp reports every pcap it loads on stderr; that is not an error.
      const noise = /^(In pcap .*|max pkt length \d+|base port \d+)$/;
      const lines = errors.split('\n').filter((line) => !noise.test(line.trim()));
      resolve({ exitCode: code ?? -1, errors: lines.join('\n').trim() });
    });
  });
}

/** How the citizen's phone answers a callback call that reaches it through the trunk. */
export type CitizenAnswer = 'answer' | 'busy';

export interface CitizenPhone {
  /** UDP port sipp listens on: the trunk's address in Asterisk's configuration. */
  port: number;
  answer: CitizenAnswer;
  /** `answer`: rings this long before answering. */
  ringMs?: number;
  /** `answer`: waits up to this long for the hotline's BYE after answering. */
  holdMs?: number;
  mediaPort?: number;
}

const sipResponse = (status: string, extra = '') => `<send><![CDATA[
SIP/2.0 ${status}
[last_Via:]
[last_From:]
[last_To:];tag=[pid]citizen[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:citizen@[local_ip]:[local_port]>
${extra}]]></send>`;

/**
 * The sipp scenario of a citizen's phone behind the trunk: answers (ringing first, then voice,
 * until the hotline hangs up) or refuses with 486 Busy Here.
 */
export function citizenPhoneScenario(phone: CitizenPhone): string {
  const body =
    phone.answer === 'busy'
      ? `${sipResponse('486 Busy Here', 'Content-Length: 0\n')}
<recv request="ACK"/>`
      : `${sipResponse('180 Ringing', 'Content-Length: 0\n')}
<pause milliseconds="${phone.ringMs ?? 500}"/>
${sipResponse(
  '200 OK',
  `Content-Type: application/sdp
Content-Length: [len]

v=0
o=citizen 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8
a=rtpmap:8 PCMA/8000
a=sendrecv
`,
)}
<recv request="ACK"/>
${play(VOICE_PCAP)}
<recv request="BYE" timeout="${phone.holdMs ?? 30_000}"/>
${sipResponse('200 OK', 'Content-Length: 0\n')}`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<scenario name="Citizen's phone">
<recv request="INVITE"/>
${body}
</scenario>
`;
}

export interface RunningCitizenPhone {
  /** Resolves when the one call is over (or sipp gave up waiting for it). */
  done: Promise<SippResult>;
  stop(): void;
}

/** Listens on `127.0.0.1:<port>` for one call, answered as `phone.answer` says. */
export function startCitizenPhone(phone: CitizenPhone): RunningCitizenPhone {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-sipp-uas-'));
  const scenario = join(dir, 'citizen-phone.xml');
  const errorFile = join(dir, 'errors.log');
  writeFileSync(scenario, citizenPhoneScenario(phone));
  const args = [
    '-sf',
    scenario,
    '-m',
    '1',
    '-i',
    '127.0.0.1',
    '-mi',
    '127.0.0.1',
    '-p',
    String(phone.port),
    '-mp',
    String(phone.mediaPort ?? 16200),
    '-timeout',
    `${Math.ceil((phone.holdMs ?? 30_000) / 1000) + 60}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_err',
    '-error_file',
    errorFile,
  ];
  const child = spawn('sipp', args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<SippResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      let errors = stderr;
      try {
        errors += readFileSync(errorFile, 'utf8');
      } catch {
        // no error file: no errors
      }
      const noise = /^(In pcap .*|max pkt length \d+|base port \d+)$/;
      const lines = errors.split('\n').filter((line) => !noise.test(line.trim()));
      resolve({ exitCode: code ?? -1, errors: lines.join('\n').trim() });
    });
  });
  return { done, stop: () => void child.kill('SIGTERM') };
}
