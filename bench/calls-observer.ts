/**
 * Watches one Asterisk's ARI events on a socket of its own (`subscribeAll`), apart from the
 * system under test, and keeps Asterisk's own timestamps for each caller: when the call reached
 * the application that answers it (the `Stasis()` or `Answer()` dialplan step), when it was
 * answered, and when it joined a queue (the hotline's holding bridge, or app_queue's `Queue()`).
 * StasisStart itself goes only to the owning application; the dialplan step that starts it is
 * reported just before it, so entered → answered bounds StasisStart → answer from above.
 */
import WebSocket from 'ws';
import type { CallerTimes } from './calls-stats.ts';

interface AriEvent {
  type: string;
  timestamp: string;
  channel?: { id: string; name: string; state: string; caller?: { number?: string } };
  bridge?: { id: string };
  dialplan_app?: string;
}

export interface CallerObserver {
  callers(): CallerTimes[];
  /** When a caller with this number joined a queue (epoch ms). */
  queuedAt(callerNumber: string): number | undefined;
  /** When Asterisk created each channel to this operator endpoint (epoch ms). */
  legsOf(endpoint: string): readonly number[];
  /** The most callers' channels that existed at once. */
  peakCallers(): number;
  close(): void;
}

const APP = 'bench-observer';

/** The events read below; a channel's `Up` shows first in its ChannelStateChange. */
const OBSERVED_EVENTS = [
  'ChannelCreated',
  'ChannelStateChange',
  'ChannelDialplan',
  'ChannelEnteredBridge',
  'ChannelDestroyed',
];

/** Callers arrive over the trunk endpoint; operators' legs are named after their endpoints. */
const isCaller = (channelName: string) => channelName.startsWith('PJSIP/trunk-');

export async function observeCallers(
  ariUrl: string,
  creds: { username: string; password: string },
  queueBridgePrefix: string,
): Promise<CallerObserver> {
  const url = new URL('/ari/events', ariUrl.replace(/^http/, 'ws'));
  url.searchParams.set('app', APP);
  url.searchParams.set('subscribeAll', 'true');
  url.searchParams.set('api_key', `${creds.username}:${creds.password}`);
  const ws = new WebSocket(url);
  const byChannel = new Map<string, CallerTimes>();
  const byNumber = new Map<string, CallerTimes>();
  const live = new Set<string>();
  const legs = new Map<string, number[]>();
  let peak = 0;
  ws.on('message', (data) => {
    const event = JSON.parse(String(data)) as AriEvent;
    const channel = event.channel;
    if (!channel) return;
    const at = Date.parse(event.timestamp);
    if (!isCaller(channel.name)) {
      // `PJSIP/<endpoint>-<sequence>`: a leg to an operator's softphone.
      const endpoint = /^PJSIP\/(.+)-[0-9a-f]+$/.exec(channel.name)?.[1];
      if (event.type === 'ChannelCreated' && endpoint)
        legs.set(endpoint, [...(legs.get(endpoint) ?? []), at]);
      return;
    }
    let times = byChannel.get(channel.id);
    if (!times) {
      times = { channelId: channel.id, callerNumber: channel.caller?.number ?? '' };
      byChannel.set(channel.id, times);
      if (times.callerNumber) byNumber.set(times.callerNumber, times);
    }
    if (event.type === 'ChannelDestroyed') {
      live.delete(channel.id);
      return;
    }
    live.add(channel.id);
    peak = Math.max(peak, live.size);
    if (event.type === 'ChannelDialplan') {
      if (event.dialplan_app === 'Stasis' || event.dialplan_app === 'Answer') times.enteredAt ??= at;
      if (event.dialplan_app === 'Queue') times.queuedAt ??= at;
    }
    if (event.type === 'ChannelEnteredBridge' && event.bridge?.id.startsWith(queueBridgePrefix)) {
      times.queuedAt ??= at;
    }
    if (channel.state === 'Up') times.upAt ??= at;
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  // Only what is read above: the rest of subscribeAll's events would load the measured Asterisk.
  const filter = await fetch(new URL(`/ari/applications/${APP}/eventFilter`, ariUrl), {
    method: 'PUT',
    headers: {
      authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ allowed: OBSERVED_EVENTS.map((type) => ({ type })) }),
  });
  if (!filter.ok) throw new Error(`ARI refused the observer's event filter: HTTP ${filter.status}`);
  return {
    callers: () => [...byChannel.values()],
    queuedAt: (callerNumber) => byNumber.get(callerNumber)?.queuedAt,
    legsOf: (endpoint) => legs.get(endpoint) ?? [],
    peakCallers: () => peak,
    close: () => ws.close(),
  };
}
