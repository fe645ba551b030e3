/** The operator's browser softphone: one JsSIP user agent registered to Asterisk over WebSocket. */
import { UA, WebSocketInterface } from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import type { RTCSessionEvent } from 'jssip/lib/UA.js';
import type { SipCredentials } from '../../common/api.ts';
import { FALLBACK_CALL_HEADER } from '../../common/domain.ts';
import { type AudioPackets, type RtpStatsLike, readAudioPackets } from './format.ts';

export type { RTCSession };

export type Registration = 'connecting' | 'registered' | 'unregistered' | 'failed';

export interface SoftphoneHandlers {
  onRegistration(state: Registration): void;
  /** A call is ringing on this softphone; `fallback`: Asterisk's fallback queue sent it (no screen-pop). */
  onIncoming(session: RTCSession, fallback: boolean): void;
}

export interface Softphone {
  /** Dials `number` (a callback to a citizen, through the trunk). */
  call(number: string): RTCSession;
  stop(): void;
}

export const ANSWER_OPTIONS = { mediaConstraints: { audio: true, video: false } } as const;

/**
 * How long a connected softphone waits for its registration to be answered. A starting Asterisk
 * accepts the WebSocket but ignores SIP until it has fully booted, and JsSIP does not resend a
 * REGISTER over WebSocket: it waits 32 s and then gives up for good. Past this time, the user
 * agent is replaced by a new one, which connects and registers again.
 */
export const REGISTER_GRACE_MS = 5000;

export function startSoftphone(
  sip: SipCredentials,
  handlers: SoftphoneHandlers,
  registerGraceMs = REGISTER_GRACE_MS,
): Softphone {
  let ua: UA;
  let stopped = false;
  let grace: ReturnType<typeof setTimeout> | undefined;
  /** Calls up on the current user agent, ringing or talking, either way. */
  const calls = new Set<RTCSession>();
  const start = () => {
    const agent = new UA({
      sockets: [new WebSocketInterface(sip.wsUrl)],
      uri: sip.uri,
      authorization_user: sip.authorizationUser,
      password: sip.password,
      register: true,
      session_timers: false,
      // After a telephony restart the softphone is back within seconds (JsSIP waits up to 30 s).
      connection_recovery_min_interval: 1,
      connection_recovery_max_interval: 5,
    });
    agent.on('connecting', () => handlers.onRegistration('connecting'));
    agent.on('connected', () => {
      clearTimeout(grace);
      grace = setTimeout(() => {
        // Never while a call (a callback the operator placed) is up on it.
        if (stopped || agent !== ua || agent.isRegistered() || calls.size > 0) return;
        agent.removeAllListeners();
        agent.stop();
        start();
      }, registerGraceMs);
    });
    agent.on('registered', () => {
      clearTimeout(grace);
      handlers.onRegistration('registered');
    });
    agent.on('unregistered', () => handlers.onRegistration('unregistered'));
    agent.on('disconnected', () => handlers.onRegistration('unregistered'));
    agent.on('registrationFailed', () => handlers.onRegistration('failed'));
    agent.on('newRTCSession', (event: RTCSessionEvent) => {
      const session = event.session;
      calls.add(session);
      session.on('ended', () => calls.delete(session));
      session.on('failed', () => calls.delete(session));
      if (event.originator === 'remote')
        handlers.onIncoming(session, event.request.hasHeader(FALLBACK_CALL_HEADER));
    });
    ua = agent;
    agent.start();
  };
  start();
  const domain = sip.uri.slice(sip.uri.indexOf('@') + 1);
  return {
    call: (number) => ua.call(`sip:${number}@${domain}`, ANSWER_OPTIONS),
    stop: () => {
      stopped = true;
      clearTimeout(grace);
      ua.stop();
    },
  };
}

/** The caller as SIP names them, for calls whose screen-pop has not (or will not) come. */
export function sipCaller(session: RTCSession): string {
  const identity = session.remote_identity;
  return identity.uri.user || identity.display_name || '';
}

/** Plays the caller's audio in `audio` as soon as the peer connection carries it. */
export function playRemoteAudio(session: RTCSession, audio: HTMLAudioElement): void {
  const attach = (pc: RTCPeerConnection) => {
    pc.addEventListener('track', (event) => {
      audio.srcObject = event.streams[0] ?? new MediaStream([event.track]);
    });
  };
  if (session.connection) attach(session.connection);
  session.on('peerconnection', ({ peerconnection }) => attach(peerconnection));
  // A track that arrived before we listened still has its receiver.
  session.on('confirmed', () => {
    if (audio.srcObject || !session.connection) return;
    const tracks = session.connection
      .getReceivers()
      .flatMap((r) => (r.track.kind === 'audio' ? [r.track] : []));
    if (tracks.length > 0) audio.srcObject = new MediaStream(tracks);
  });
}

/** Audio packets sent and received so far on the call's peer connection. */
export async function audioPackets(session: RTCSession): Promise<AudioPackets> {
  const pc = session.connection;
  if (!pc) return { sent: 0, received: 0 };
  const report = await pc.getStats();
  return readAudioPackets(report.values() as Iterable<RtpStatsLike>);
}
