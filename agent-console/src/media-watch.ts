/**
 * Watches an answered call's audio path: reports it (`media-path.ts`) every second and says when
 * the audio is lost for good, so the console can end the call instead of leaving the operator and
 * the caller in silence.
 */
import { type MediaPath, type PathStatsLike, readMediaPath } from './media-path.ts';
import type { RTCSession } from './softphone.ts';

const CHECK_MS = 1000;

/**
 * How long the audio may go without a working ICE pair (still checking after the answer, or
 * disconnected) before it counts as lost. Chromium takes about 30 s to call a pair `failed` on its
 * own; a caller should not wait that long in silence. A Wi-Fi blip shorter than this recovers.
 */
export const MEDIA_LOSS_MS = 10_000;

export interface MediaWatch {
  stop(): void;
}

export function watchMedia(
  session: RTCSession,
  onPath: (path: MediaPath) => void,
  onLost: () => void,
): MediaWatch {
  let lastGood = Date.now();
  let done = false;
  let timer: ReturnType<typeof setInterval> | undefined;

  const stop = () => {
    done = true;
    clearInterval(timer);
  };
  const lost = () => {
    if (done) return;
    stop();
    onPath('failed');
    onLost();
  };
  const check = async () => {
    const pc = session.connection;
    if (done || !pc) return;
    const state = pc.iceConnectionState;
    if (state === 'failed') return lost();
    if (state === 'connected' || state === 'completed') lastGood = Date.now();
    else if (Date.now() - lastGood > MEDIA_LOSS_MS) return lost();
    const report = await pc.getStats();
    if (done) return;
    const path = readMediaPath(pc.iceConnectionState, report.values() as Iterable<PathStatsLike>);
    // Before ICE has chosen a pair there is nothing to show yet, unless it is already lost.
    if (path !== 'none' || state === 'disconnected') onPath(path);
  };
  const run = () => {
    check().catch((err: unknown) => console.warn('media check failed', err));
  };

  const start = () => {
    if (done || timer !== undefined) return;
    lastGood = Date.now();
    session.connection?.addEventListener('iceconnectionstatechange', run);
    timer = setInterval(run, CHECK_MS);
    run();
  };
  session.on('accepted', start);
  session.on('ended', stop);
  session.on('failed', stop);
  if (session.isEstablished()) start();
  return { stop };
}
