/**
 * Tells an operator a call is ringing when they may not be looking: a ringtone made with Web
 * Audio (no sound file to serve), and a browser notification while the tab is in the background.
 */
import { t } from './i18n.ts';

/** A double ring every `CYCLE_S` seconds: two short tones, as a desk phone rings. */
const CYCLE_S = 3;
const TONES: readonly (readonly [start: number, length: number])[] = [
  [0, 0.4],
  [0.6, 0.4],
];
const FREQUENCIES = [440, 480];
const VOLUME = 0.15;

export interface RingAlert {
  /**
   * Called from a click (the operator going ready): browsers start audio and ask for notification
   * permission only after a user gesture.
   */
  prepare(): void;
  /** Rings for `caller`; `onNotificationClick` when the operator clicks the notification. */
  start(caller: string, onNotificationClick: () => void): void;
  stop(): void;
  /** `playing`, `blocked` (the browser holds audio back until a click) or `off`. */
  state(): 'playing' | 'blocked' | 'off';
}

export function createRingAlert(): RingAlert {
  let audio: AudioContext | null = null;
  let cycle: ReturnType<typeof setInterval> | undefined;
  let output: GainNode | null = null;
  let notification: Notification | null = null;

  const context = () => {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume().catch(() => {});
    return audio;
  };

  const ringOnce = (ctx: AudioContext, out: GainNode) => {
    const now = ctx.currentTime + 0.05;
    for (const [start, length] of TONES) {
      const gain = ctx.createGain();
      gain.gain.setValueAtTime(0, now + start);
      gain.gain.linearRampToValueAtTime(VOLUME, now + start + 0.02);
      gain.gain.setValueAtTime(VOLUME, now + start + length - 0.02);
      gain.gain.linearRampToValueAtTime(0, now + start + length);
      gain.connect(out);
      for (const frequency of FREQUENCIES) {
        const tone = ctx.createOscillator();
        tone.frequency.value = frequency;
        tone.connect(gain);
        tone.start(now + start);
        tone.stop(now + start + length);
      }
    }
  };

  const stop = () => {
    clearInterval(cycle);
    cycle = undefined;
    output?.disconnect();
    output = null;
    notification?.close();
    notification = null;
  };

  return {
    prepare() {
      context();
      if ('Notification' in window && Notification.permission === 'default') {
        Notification.requestPermission().catch((err: unknown) =>
          console.warn('notification permission', err),
        );
      }
    },

    start(caller, onNotificationClick) {
      stop();
      const ctx = context();
      const out = ctx.createGain();
      out.connect(ctx.destination);
      output = out;
      ringOnce(ctx, out);
      cycle = setInterval(() => ringOnce(ctx, out), CYCLE_S * 1000);
      if (document.hidden && 'Notification' in window && Notification.permission === 'granted') {
        const shown = new Notification(t('notify.title'), {
          body: t('notify.body', { caller }),
          tag: 'hotline-incoming-call',
          requireInteraction: true,
        });
        shown.addEventListener('click', () => {
          window.focus();
          shown.close();
          onNotificationClick();
        });
        notification = shown;
      }
    },

    stop,

    state: () => (cycle === undefined ? 'off' : audio?.state === 'running' ? 'playing' : 'blocked'),
  };
}
