/**
 * A citizen's call placed with sipp: dials the hotline over the trunk, streams a voice recording,
 * presses a menu key (RFC 2833) while the menu plays, stays on the line, then hangs up.
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
  /** Menu keys to press, in order; each waits `keyDelayMs` before it. */
  keys: string;
  keyDelayMs: number;
  /** How long the caller stays on the line after the last key before hanging up. */
  holdMs: number;
  localPort?: number;
  mediaPort?: number;
  number?: string;
}

function dtmfPcap(key: string): string {
  const name = key === '#' ? 'pound' : key === '*' ? 'star' : key;
  if (!/^([0-9]|pound|star)$/.test(name)) throw new Error(`Not a phone key: "${key}"`);
  return `${PCAP_DIR}/dtmf_2833_${name}.pcap`;
}

const play = (pcap: string) => `<nop><action><exec play_pcap_audio="${pcap}"/></action></nop>`;

export function citizenScenario(call: CitizenCall): string {
  if (!/^\+?[0-9]{3,20}$/.test(call.callerNumber))
    throw new Error(`Not a phone number: ${call.callerNumber}`);
  const keys = [...call.keys]
    .map((key) => `<pause milliseconds="${call.keyDelayMs}"/>\n${play(dtmfPcap(key))}`)
    .join('\n');
  const voice: string[] = [];
  for (let left = call.holdMs; left > 0; left -= VOICE_MS) {
    voice.push(play(VOICE_PCAP), `<pause milliseconds="${Math.min(left, VOICE_MS)}"/>`);
  }
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
${voice.join('\n')}
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
<recv response="200" crlf="true"/>
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
  writeFileSync(scenario, citizenScenario(call));
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
    `${Math.ceil((call.keys.length * call.keyDelayMs + call.holdMs) / 1000) + 60}s`,
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
      resolve({ exitCode: code ?? -1, errors: errors.trim() });
    });
  });
}
