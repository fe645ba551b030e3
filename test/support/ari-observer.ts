/**
 * Watches Asterisk's ARI events on a socket of its own (`subscribeAll`), independent of the
 * controller under test, to time what Asterisk did: when each channel was created and when it
 * was answered (Asterisk's own event timestamps). StasisStart goes only to the application that
 * owns the channel, so created → answered is the observable bound on StasisStart → answered.
 */
import WebSocket from 'ws';

interface ChannelTimes {
  id: string;
  /** e.g. `PJSIP/tdv01-00000003` */
  name?: string;
  caller?: { number?: string };
  createdAt?: number;
  upAt?: number;
  /** When Asterisk destroyed the channel, with its hangup cause. */
  destroyedAt?: number;
  cause?: number;
  /** Media URIs played to the channel, in order, e.g. `sound:hotline/vi/menu-main`. */
  media: string[];
  /** The channel's playbacks that have started and not yet finished. */
  playing: Set<string>;
  /** DTMF digits Asterisk received from the channel, in order. */
  digits: string;
  /** Each key press Asterisk received, in order: how long it lasted (from its end) and when it ended. */
  keyPresses: KeyPress[];
}

/** A key press as Asterisk reports it (ChannelDtmfReceived, at the key's end). */
export interface KeyPress {
  digit: string;
  /** The press's length; 0 when Asterisk never got its end and ended it itself. */
  durationMs: number;
  /** Epoch ms (Asterisk's clock) Asterisk reported it. */
  at: number;
}

export interface ObservedChannel {
  id: string;
  name: string;
  /** Epoch ms (Asterisk's clock, the test machine's) the channel was created. */
  createdAt: number | null;
  answeredMs: number | null;
  media: string[];
  /** A playback (prompt or announcement) to the channel is under way. */
  playing: boolean;
  digits: string;
  keyPresses: KeyPress[];
  /** Epoch ms (Asterisk's clock, the test machine's) the channel was destroyed, if it was. */
  destroyedAt: number | null;
  cause: number | null;
}

export interface AriObserver {
  channel(match: (c: ChannelTimes) => boolean): ObservedChannel;
  /** Every matching channel, in the order Asterisk created them. */
  channels(match: (c: ChannelTimes) => boolean): ObservedChannel[];
  close(): void;
}

interface AriEvent {
  type: string;
  timestamp: string;
  channel?: { id: string; name?: string; state: string; caller?: { number?: string } };
  digit?: string;
  duration_ms?: number;
  cause?: number;
  playback?: { id: string; media_uri: string; target_uri: string };
}

const newChannel = (id: string): ChannelTimes => ({
  id,
  media: [],
  playing: new Set(),
  digits: '',
  keyPresses: [],
});

export async function observeAri(
  ariUrl: string,
  creds: { username: string; password: string },
): Promise<AriObserver> {
  const url = new URL('/ari/events', ariUrl.replace(/^http/, 'ws'));
  url.searchParams.set('app', 'e2e-observer');
  url.searchParams.set('subscribeAll', 'true');
  url.searchParams.set('api_key', `${creds.username}:${creds.password}`);
  const ws = new WebSocket(url);
  const channels = new Map<string, ChannelTimes>();
  /** Playback id → the sound last counted for it. */
  const lastMedia = new Map<string, string>();
  ws.on('message', (data) => {
    const event = JSON.parse(String(data)) as AriEvent;
    const target = event.playback?.target_uri.match(/^channel:(.+)$/)?.[1];
    if (event.playback && target && event.type === 'PlaybackFinished') {
      channels.get(target)?.playing.delete(event.playback.id);
      return;
    }
    // A playback of several sounds starts with the first and continues with each next one.
    if (
      event.playback &&
      target &&
      (event.type === 'PlaybackStarted' || event.type === 'PlaybackContinuing')
    ) {
      const played = channels.get(target) ?? newChannel(target);
      channels.set(target, played);
      played.playing.add(event.playback.id);
      // Asterisk may report a sound again as the playback continues: count each sound once.
      const last = lastMedia.get(event.playback.id);
      if (last !== event.playback.media_uri) played.media.push(event.playback.media_uri);
      lastMedia.set(event.playback.id, event.playback.media_uri);
      return;
    }
    if (!event.channel) return;
    const at = Date.parse(event.timestamp);
    const times = channels.get(event.channel.id) ?? newChannel(event.channel.id);
    times.caller ??= event.channel.caller;
    times.name ??= event.channel.name;
    if (event.type === 'ChannelDestroyed') {
      times.destroyedAt = at;
      times.cause = event.cause;
    }
    channels.set(event.channel.id, times);
    if (event.type === 'ChannelCreated') times.createdAt ??= at;
    if (event.channel.state === 'Up') times.upAt ??= at;
    if (event.type === 'ChannelDtmfReceived' && event.digit) {
      times.digits += event.digit;
      times.keyPresses.push({ digit: event.digit, durationMs: event.duration_ms ?? 0, at });
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const diff = (a?: number, b?: number) => (a === undefined || b === undefined ? null : b - a);
  const observed = (found: ChannelTimes): ObservedChannel => ({
    id: found.id,
    name: found.name ?? '',
    createdAt: found.createdAt ?? null,
    answeredMs: diff(found.createdAt, found.upAt),
    media: [...found.media],
    playing: found.playing.size > 0,
    digits: found.digits,
    keyPresses: [...found.keyPresses],
    destroyedAt: found.destroyedAt ?? null,
    cause: found.cause ?? null,
  });
  return {
    channel(match) {
      const found = [...channels.values()].find(match);
      if (!found) throw new Error('No such channel was observed');
      return observed(found);
    },
    channels: (match) => [...channels.values()].filter(match).map(observed),
    close: () => ws.close(),
  };
}
