/**
 * Who hears whom, measured: each party of an end-to-end call sends a tone of its own, and what a
 * party receives is analysed for each tone with a Goertzel filter.
 * - `toneWav`: a pulsed tone for Chromium's fake microphone (`--use-file-for-fake-audio-capture`);
 *   pulsed, so the browser's noise suppression does not take it for steady noise;
 * - `tonePcap`: the same as RTP (PCMA, 20 ms packets) for a sipp caller's `voicePcap`;
 * - `channelHears`: what Asterisk sends to a channel, recorded through a snoop channel (`spy: out`)
 *   of the test's own ARI application;
 * - `pageHears`: what a page receives on an `<audio>` element's stream (the softphone's remote
 *   audio), analysed in the browser with Web Audio. Needed where Asterisk cannot record it: a
 *   whisper is mixed into an operator's audio after any snoop on that channel has heard it.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/** On 250 ms, off 250 ms. */
const PULSE_MS = 250;

/** A pulsed sine at `hz`, 48 kHz 16-bit mono, `seconds` long (Chromium loops the file). */
export function toneWav(path: string, hz: number, seconds = 10): void {
  const pulses = Math.ceil((seconds * 1000) / (2 * PULSE_MS));
  execFileSync('sox', [
    '-n',
    '-r',
    '48000',
    '-c',
    '1',
    '-b',
    '16',
    path,
    'synth',
    String(PULSE_MS / 1000),
    'sine',
    String(hz),
    'vol',
    '0.5',
    'pad',
    '0',
    String(PULSE_MS / 1000),
    'repeat',
    String(pulses - 1),
  ]);
}

/** ITU-T G.711 A-law of a 16-bit sample. */
function alaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 3;
  let mask = 0xd5;
  if (s < 0) {
    mask = 0x55;
    s = -s - 1;
  }
  const ends = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
  let seg = ends.findIndex((end) => s <= end);
  if (seg < 0) seg = 8;
  if (seg >= 8) return 0x7f ^ mask;
  const value = (seg << 4) | (seg < 2 ? (s >> 1) & 0x0f : (s >> seg) & 0x0f);
  return value ^ mask;
}

/** A pcap (Ethernet, IPv4, UDP) of a pulsed tone as PCMA RTP, one packet per 20 ms, `ms` long. */
export function tonePcap(path: string, hz: number, ms: number): void {
  const packets = Math.ceil(ms / 20);
  const frame = 14 + 20 + 8 + 12 + 160;
  const out = Buffer.alloc(24 + packets * (16 + frame));
  out.writeUInt32LE(0xa1b2c3d4, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeUInt32LE(65535, 16);
  out.writeUInt32LE(1, 20);
  const start = 1_700_000_000;
  for (let n = 0; n < packets; n++) {
    const at = 24 + n * (16 + frame);
    const usec = n * 20_000;
    out.writeUInt32LE(start + Math.floor(usec / 1e6), at);
    out.writeUInt32LE(usec % 1e6, at + 4);
    out.writeUInt32LE(frame, at + 8);
    out.writeUInt32LE(frame, at + 12);
    const eth = at + 16;
    out.writeUInt16BE(0x0800, eth + 12);
    const ip = eth + 14;
    out[ip] = 0x45;
    out.writeUInt16BE(20 + 8 + 12 + 160, ip + 2);
    out[ip + 8] = 64;
    out[ip + 9] = 17;
    out.writeUInt32BE(0x7f000001, ip + 12);
    out.writeUInt32BE(0x7f000001, ip + 16);
    const udp = ip + 20;
    out.writeUInt16BE(6000, udp);
    out.writeUInt16BE(6002, udp + 2);
    out.writeUInt16BE(8 + 12 + 160, udp + 4);
    const rtp = udp + 8;
    out[rtp] = 0x80;
    out[rtp + 1] = 8;
    out.writeUInt16BE((20_000 + n) & 0xffff, rtp + 2);
    out.writeUInt32BE((1_000_000 + n * 160) >>> 0, rtp + 4);
    out.writeUInt32BE(0x0c0ac41, rtp + 8);
    for (let i = 0; i < 160; i++) {
      const t = (n * 160 + i) / 8000;
      const on = Math.floor((t * 1000) / PULSE_MS) % 2 === 0;
      out[rtp + 12 + i] = alaw(on ? 16000 * Math.sin(2 * Math.PI * hz * t) : 0);
    }
  }
  writeFileSync(path, out);
}

/**
 * Each tone's share of the signal's energy (0–1): the Goertzel power at the tone's frequency, in
 * Hann-windowed blocks of 100 ms, over the total energy of the same blocks.
 */
export function toneShares(samples: Float64Array, rate: number, tones: readonly number[]): number[] {
  const block = Math.round(rate / 10);
  const window = Float64Array.from(
    { length: block },
    (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / block),
  );
  const powers = tones.map(() => 0);
  let total = 0;
  for (let start = 0; start + block <= samples.length; start += block) {
    for (let i = 0; i < block; i++) total += samples[start + i]! ** 2;
    tones.forEach((hz, k) => {
      const coeff = 2 * Math.cos((2 * Math.PI * hz) / rate);
      let s1 = 0;
      let s2 = 0;
      for (let i = 0; i < block; i++) {
        const s0 = samples[start + i]! * window[i]! + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      const magnitude2 = s1 * s1 + s2 * s2 - coeff * s1 * s2;
      // A sine of amplitude A gives |X| = A·N/4 under a Hann window; its energy over the block is A²·N/2.
      const amplitude = (4 * Math.sqrt(magnitude2)) / block;
      powers[k]! += (amplitude * amplitude * block) / 2;
    });
  }
  return powers.map((p) => (total > 0 ? p / total : 0));
}

/** The 16-bit mono samples of a WAV file (Asterisk's stored recordings are 8 kHz). */
export function wavSamples(wav: Buffer): { samples: Float64Array; rate: number } {
  let at = 12;
  let rate = 8000;
  while (at + 8 <= wav.length) {
    const id = wav.toString('ascii', at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    if (id === 'fmt ') rate = wav.readUInt32LE(at + 12);
    if (id === 'data') {
      const end = Math.min(wav.length, at + 8 + size);
      const samples = new Float64Array(Math.floor((end - at - 8) / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = wav.readInt16LE(at + 8 + 2 * i);
      return { samples, rate };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error('no data chunk in the WAV file');
}

export interface AriAccess {
  url: string;
  username: string;
  password: string;
  /** A connected application of the test's own (the ARI observer's), which holds the snoop channels. */
  app: string;
}

async function ari(access: AriAccess, method: string, path: string): Promise<Response> {
  const auth = `Basic ${Buffer.from(`${access.username}:${access.password}`).toString('base64')}`;
  return fetch(`${access.url}/ari${path}`, { method, headers: { authorization: auth } });
}

/**
 * What Asterisk sends to `channelId` for `ms`: each tone's share, from a recording of a snoop
 * channel spying on the channel's outgoing audio.
 */
export async function channelHears(
  access: AriAccess,
  channelId: string,
  tones: readonly number[],
  ms = 3000,
): Promise<number[]> {
  const tag = `probe-${channelId.replace(/[^\w]/g, '')}-${Date.now()}`;
  const snoop = await ari(
    access,
    'POST',
    `/channels/${encodeURIComponent(channelId)}/snoop/${tag}?spy=out&app=${encodeURIComponent(access.app)}`,
  );
  if (!snoop.ok) throw new Error(`snoop on ${channelId}: ${snoop.status} ${await snoop.text()}`);
  try {
    let recording: Response | null = null;
    for (let attempt = 0; attempt < 20; attempt++) {
      recording = await ari(
        access,
        'POST',
        `/channels/${tag}/record?name=${tag}&format=wav&maxDurationSeconds=${Math.ceil(ms / 1000)}&ifExists=overwrite`,
      );
      // 409 until the snoop channel is in the application.
      if (recording.status !== 409) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!recording?.ok) throw new Error(`record ${tag}: ${recording?.status} ${await recording?.text()}`);
    for (let waited = 0; ; waited += 200) {
      await new Promise((r) => setTimeout(r, 200));
      const live = await ari(access, 'GET', `/recordings/live/${tag}`);
      if (live.status === 404 || waited > ms + 5000) break;
    }
    const file = await ari(access, 'GET', `/recordings/stored/${tag}/file`);
    if (!file.ok) throw new Error(`recording ${tag}: ${file.status}`);
    const { samples, rate } = wavSamples(Buffer.from(await file.arrayBuffer()));
    await ari(access, 'DELETE', `/recordings/stored/${tag}`);
    return toneShares(samples, rate, tones);
  } finally {
    await ari(access, 'DELETE', `/channels/${tag}`);
  }
}

/**
 * What the page receives on the stream of the `<audio>` element `audioId` for `ms`: each tone's
 * share, from samples taken in the browser (Web Audio) and analysed here.
 */
export async function pageHears(
  page: Page,
  audioId: string,
  tones: readonly number[],
  ms = 3000,
): Promise<number[]> {
  const { samples, rate } = await page.evaluate(
    async ({ audioId, ms }) => {
      const audio = document.getElementById(audioId) as HTMLAudioElement | null;
      const stream = audio?.srcObject;
      if (!(stream instanceof MediaStream)) throw new Error(`no stream on #${audioId}`);
      const context = new AudioContext();
      await context.resume();
      const source = context.createMediaStreamSource(stream);
      const recorder = context.createScriptProcessor(4096, 1, 1);
      const chunks: number[][] = [];
      recorder.onaudioprocess = (e) => chunks.push(Array.from(e.inputBuffer.getChannelData(0)));
      source.connect(recorder);
      const silent = context.createGain();
      silent.gain.value = 0;
      recorder.connect(silent);
      silent.connect(context.destination);
      await new Promise((r) => setTimeout(r, ms));
      source.disconnect();
      recorder.disconnect();
      await context.close();
      return { samples: chunks.flat(), rate: context.sampleRate };
    },
    { audioId, ms },
  );
  return toneShares(
    Float64Array.from(samples, (s) => s * 32768),
    rate,
    tones,
  );
}
