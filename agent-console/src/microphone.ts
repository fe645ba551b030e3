/**
 * The microphone check before an operator goes ready: the browser must hand over a live audio
 * track, or a call would be answered in silence. The level meter then shows the operator their
 * voice for a few seconds, and the microphone is released (the softphone opens its own per call).
 */
import type { MessageKey } from './i18n.ts';

/** How long the level meter runs after a successful check. */
const METER_MS = 4000;

export type MicrophoneCheck = { ok: true } | { ok: false; problem: MessageKey };

/** Why getUserMedia refused, as the operator can act on it. */
function problemOf(err: unknown): MessageKey {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'mic.denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'mic.notFound';
    default:
      return 'mic.busy';
  }
}

export async function checkMicrophone(
  meter: HTMLMeterElement,
  onMeterDone: () => void,
): Promise<MicrophoneCheck> {
  if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia)
    return { ok: false, problem: 'mic.insecure' };
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
  } catch (err) {
    console.warn('microphone refused', err);
    return { ok: false, problem: problemOf(err) };
  }
  const track = stream.getAudioTracks()[0];
  if (track?.readyState !== 'live') {
    for (const t of stream.getTracks()) t.stop();
    return { ok: false, problem: 'mic.dead' };
  }
  showLevel(stream, meter, onMeterDone);
  return { ok: true };
}

/** Runs the meter on the stream's loudness for `METER_MS`, then releases the microphone. */
function showLevel(stream: MediaStream, meter: HTMLMeterElement, done: () => void): void {
  const release = () => {
    for (const t of stream.getTracks()) t.stop();
    done();
  };
  let audio: AudioContext;
  try {
    audio = new AudioContext();
  } catch {
    release();
    return;
  }
  const analyser = audio.createAnalyser();
  analyser.fftSize = 1024;
  audio.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    meter.value = Math.min(1, Math.sqrt(sum / samples.length) * 4);
  }, 100);
  setTimeout(() => {
    clearInterval(timer);
    meter.value = 0;
    void audio.close().catch(() => {});
    release();
  }, METER_MS);
}
