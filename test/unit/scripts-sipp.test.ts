import { describe, expect, it } from 'vitest';
import {
  type CitizenCall,
  citizenScenario,
  KEY_PRESS_MS,
  keyPressDurationMs,
  keyPressPcap,
  pcapSpanMs,
} from '../../scripts/lib/sipp.ts';

/** One RFC 4733 packet of key `event` over raw IPv4 (link type 101), `at` ms into the capture. */
function dtmfRecord(at: number, seq: number, end: boolean, duration: number): Buffer {
  const rtp = Buffer.alloc(16);
  rtp[0] = 0x80;
  rtp[1] = 101;
  rtp.writeUInt16BE(seq, 2);
  rtp.writeUInt32BE(8000, 4);
  rtp[12] = 1;
  rtp[13] = end ? 0x80 | 10 : 10;
  rtp.writeUInt16BE(duration, 14);
  const ip = Buffer.alloc(20 + 8);
  ip[0] = 0x45;
  ip[9] = 17;
  ip.writeUInt16BE(8 + rtp.length, 20 + 4);
  const packet = Buffer.concat([ip, rtp]);
  const header = Buffer.alloc(16);
  header.writeUInt32LE(1_700_000_000 + Math.floor(at / 1000), 0);
  header.writeUInt32LE((at % 1000) * 1000, 4);
  header.writeUInt32LE(packet.length, 8);
  header.writeUInt32LE(packet.length, 12);
  return Buffer.concat([header, packet]);
}

/** A key press lasting 120 ms on the wire: begin, continuations, and its end sent three times. */
function keyPcap(): Buffer {
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(101, 20);
  const records = [0, 20, 40, 60, 80, 100].map((at, i) => dtmfRecord(at, 50 + i, false, i * 160));
  for (let i = 0; i < 3; i++) records.push(dtmfRecord(120, 56, true, 960));
  return Buffer.concat([global, ...records]);
}

const call = (over: Partial<CitizenCall> = {}): CitizenCall => ({
  target: '127.0.0.1:5060',
  callerNumber: '0911000001',
  keys: '1',
  keyDelayMs: 1500,
  holdMs: 3000,
  ...over,
});

/** The scenario's pauses and pcap plays, in order: `pause 500`, `play dtmf_2833_1.pcap`. */
const media = (xml: string) =>
  [...xml.matchAll(/<pause milliseconds="(\d+)"\/>|play_pcap_audio="[^"]*\/([^"/]+)"/g)].map((m) =>
    m[1] ? `pause ${m[1]}` : `play ${m[2]}`,
  );

describe('sipp citizen: a key press is sent whole', () => {
  it.each([
    ['talking after the last key', call({ keys: '1' })],
    ['two keys, then talking', call({ keys: '12', keyDelayMs: 100 })],
    [
      'waiting for the hotline, saying a tone',
      call({ keys: '9', hangup: 'hotline', voicePcap: '/tmp/tone.pcap' }),
    ],
  ])('%s: after each key nothing plays for a whole press', (_name, citizen) => {
    const steps = media(citizenScenario(citizen));
    const keys = steps.flatMap((s, i) => (/^play dtmf_2833_/.test(s) ? [i] : []));
    expect(keys).toHaveLength(citizen.keys.length);
    for (const i of keys) expect(steps[i + 1]).toBe(`pause ${KEY_PRESS_MS}`);
    // The voice (sipp stops a playing pcap when the next one starts) only after the last press.
    const voice = steps.findIndex((s) => !/^play dtmf_2833_/.test(s) && s.startsWith('play '));
    expect(voice).toBeGreaterThan(keys.at(-1)! + 1);
  });

  it('keys at the given delays, each pressed for KEY_PRESS_MS', () => {
    expect(media(citizenScenario(call({ keys: '12', firstKeyDelayMs: 2500, keyDelayMs: 700 })))).toEqual([
      'pause 2500',
      'play dtmf_2833_1.pcap',
      `pause ${KEY_PRESS_MS}`,
      'pause 700',
      'play dtmf_2833_2.pcap',
      `pause ${KEY_PRESS_MS}`,
      'play g711a.pcap',
      'pause 3000',
    ]);
  });

  it("reads a key pcap's length on the wire and the press's length its end packets carry", () => {
    const pcap = keyPcap();
    expect(pcapSpanMs(pcap)).toBe(120);
    expect(pcapSpanMs(pcap)).toBeLessThan(KEY_PRESS_MS);
    expect(keyPressDurationMs(pcap)).toBe(120);
    // Renumbering a later press keeps both.
    const third = keyPressPcap(pcap, 2);
    expect(pcapSpanMs(third)).toBe(120);
    expect(keyPressDurationMs(third)).toBe(120);
  });
});
