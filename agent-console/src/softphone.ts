/** The operator's browser softphone: one JsSIP user agent registered to Asterisk over WebSocket. */
import { UA, WebSocketInterface } from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import type { RTCSessionEvent } from 'jssip/lib/UA.js';
import type { IceServer, SipCredentials } from '../../common/api.ts';
import { FALLBACK_CALL_HEADER } from '../../common/domain.ts';
import { type AudioPackets, type RtpStatsLike, readAudioPackets } from './format.ts';

export type { RTCSession };

export type Registration = 'connecting' | 'registered' | 'unregistered' | 'failed';

export interface SoftphoneHandlers {
  onRegistration(state: Registration): void;
  /**
   * A call is ringing on this softphone; `fallback`: Asterisk's fallback queue sent it (no
   * screen-pop); `header` reads the INVITE's headers (a supervisor's coaching leg names its call).
   */
  onIncoming(session: RTCSession, fallback: boolean, header: (name: string) => string): void;
}

export interface Softphone {
  /** Dials `number` (a callback to a citizen, through the trunk). */
  call(number: string): RTCSession;
  /** What to answer a ringing call with: the microphone, and the TURN servers known now. */
  answerOptions(): MediaOptions;
  /** TURN credentials expire: the next call uses these (see `operator.ts`, which renews them). */
  setIceServers(servers: IceServer[]): void;
  /**
   * Starts the user agent afresh (a new WebSocket and REGISTER), unless a call is answered on it
   * (a ringing one is ended). After a network drop the old WebSocket may look open while nothing
   * gets through it.
   */
  restart(): boolean;
  /**
   * Whether Asterisk still answers over the current WebSocket (an OPTIONS request; any SIP
   * answer counts), within `timeoutMs`.
   */
  probe(timeoutMs?: number): Promise<boolean>;
  stop(): void;
}

/** A registrar on a working connection answers within milliseconds; a dead link never does. */
export const PROBE_TIMEOUT_MS = 3000;

/** JsSIP's `UA.sendOptions`, which its type declarations leave out. */
interface OptionsSender {
  sendOptions(
    target: string,
    body: undefined,
    options: { eventHandlers: { succeeded(): void; failed(e: { originator: string }): void } },
  ): unknown;
}

export interface MediaOptions {
  mediaConstraints: { audio: true; video: false };
  pcConfig: RTCConfiguration;
}

/** Audio only; relayed through TURN when the direct path fails (ICE picks the path). */
export function mediaOptions(iceServers: readonly IceServer[]): MediaOptions {
  return {
    mediaConstraints: { audio: true, video: false },
    pcConfig: { iceServers: iceServers.map((s) => ({ ...s })) },
  };
}

/** How long after its first ICE candidate a call's SDP waits for a relay candidate. */
export const ICE_GATHERING_WAIT_MS = 2000;

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
  let iceServers = sip.iceServers;
  let grace: ReturnType<typeof setTimeout> | undefined;
  /** Calls up on the current user agent, ringing or talking, either way. */
  const calls = new Set<RTCSession>();
  /**
   * Ends calls still ringing here when their connection is gone: Asterisk can no longer cancel
   * them, and the controller withdraws an offer to a lost console (the caller keeps their place).
   */
  const dropRinging = () => {
    for (const session of [...calls]) {
      if (session.direction === 'incoming' && !session.isEstablished() && !session.isEnded())
        session.terminate({ status_code: 480, reason_phrase: 'Temporarily Unavailable' });
    }
  };
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
        replace();
      }, registerGraceMs);
    });
    agent.on('registered', () => {
      clearTimeout(grace);
      handlers.onRegistration('registered');
    });
    agent.on('unregistered', () => handlers.onRegistration('unregistered'));
    agent.on('disconnected', () => {
      dropRinging();
      handlers.onRegistration('unregistered');
    });
    agent.on('registrationFailed', () => handlers.onRegistration('failed'));
    agent.on('newRTCSession', (event: RTCSessionEvent) => {
      const session = event.session;
      calls.add(session);
      session.on('ended', () => calls.delete(session));
      session.on('failed', () => calls.delete(session));
      // JsSIP sends its SDP once ICE gathering completes, which an unreachable STUN/TURN address
      // holds up for 40 s; a relay candidate is a path that works, so send it then, and without
      // one send what was gathered a little after the first candidate. With no working path the
      // lost-audio watch then tells the operator and hands the call back.
      let waiting: (() => void) | undefined;
      session.on('icecandidate', ({ candidate, ready }) => {
        if (candidate.type === 'relay') {
          ready();
          return;
        }
        if (waiting === ready) return;
        waiting = ready;
        setTimeout(ready, ICE_GATHERING_WAIT_MS);
      });
      if (event.originator === 'remote')
        handlers.onIncoming(session, event.request.hasHeader(FALLBACK_CALL_HEADER), (name) =>
          event.request.hasHeader(name) ? event.request.getHeader(name) : '',
        );
    });
    ua = agent;
    agent.start();
  };
  /** The current user agent gives way to a new one: a new WebSocket and REGISTER. */
  const replace = () => {
    clearTimeout(grace);
    ua.removeAllListeners();
    ua.stop();
    start();
  };
  start();
  const domain = sip.uri.slice(sip.uri.indexOf('@') + 1);
  return {
    call: (number) => ua.call(`sip:${number}@${domain}`, mediaOptions(iceServers)),
    answerOptions: () => mediaOptions(iceServers),
    setIceServers: (servers) => {
      iceServers = servers;
    },
    restart: () => {
      dropRinging();
      if (stopped || calls.size > 0) return false;
      replace();
      return true;
    },
    probe: (timeoutMs = PROBE_TIMEOUT_MS) =>
      new Promise<boolean>((resolve) => {
        if (stopped || !ua.isConnected()) return resolve(false);
        const timer = setTimeout(() => resolve(false), timeoutMs);
        const answered = (alive: boolean) => {
          clearTimeout(timer);
          resolve(alive);
        };
        try {
          (ua as unknown as OptionsSender).sendOptions(`sip:${domain}`, undefined, {
            eventHandlers: {
              succeeded: () => answered(true),
              failed: (e) => answered(e.originator === 'remote'),
            },
          });
        } catch (err) {
          console.warn('SIP probe not sent', err);
          answered(false);
        }
      }),
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
