/**
 * Simulated operators for the calls benchmark: JsSIP softphones in Node with real WebRTC media
 * (`@roamhq/wrtc`: ICE, DTLS, SRTP, Opus), registered to the same WebRTC endpoints the browser
 * console uses. Against the hotline each one is driven like the console: it logs in over the HTTP
 * API, reads its SIP account from `/api/me`, connects socket.io with the session cookie and says
 * Ready; against the app_queue baseline it only registers (queue members are static).
 * Every incoming call is answered at once, talks for a while and is hung up by the operator.
 */
import wrtc from '@roamhq/wrtc';
import JsSIP from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import type { RTCSessionEvent } from 'jssip/lib/UA.js';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { MeResponse, SipCredentials } from '../common/api.ts';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../common/events.ts';
import type { OperatorTimeline } from './calls-stats.ts';
import { talkTimes } from './calls-talks.ts';

/** JsSIP looks for the browser's WebSocket, WebRTC and `window`; wrtc provides WebRTC. */
const browserish = globalThis as Record<string, unknown>;
browserish.window ??= globalThis;
browserish.WebSocket ??= WebSocket;
browserish.RTCPeerConnection ??= wrtc.RTCPeerConnection;
browserish.RTCSessionDescription ??= wrtc.RTCSessionDescription;
browserish.RTCIceCandidate ??= wrtc.RTCIceCandidate;
browserish.MediaStream ??= wrtc.MediaStream;

/** Wall-clock time in ms with sub-millisecond resolution, comparable with Asterisk's timestamps. */
export const wallClock = () => performance.timeOrigin + performance.now();

const SAMPLE_RATE = 48_000;
const FRAME_MS = 10;

/**
 * One microphone for every softphone: a quiet 440 Hz tone in 10 ms frames. Without a source
 * feeding it, a wrtc track sends nothing.
 */
class Microphone {
  private readonly source = new wrtc.nonstandard.RTCAudioSource();
  private readonly timer: NodeJS.Timeout;
  private phase = 0;

  constructor() {
    const frames = (SAMPLE_RATE * FRAME_MS) / 1000;
    const samples = new Int16Array(frames);
    this.timer = setInterval(() => {
      for (let i = 0; i < frames; i++) {
        samples[i] = Math.round(2000 * Math.sin((2 * Math.PI * 440 * this.phase++) / SAMPLE_RATE));
      }
      this.source.onData({
        samples,
        sampleRate: SAMPLE_RATE,
        bitsPerSample: 16,
        channelCount: 1,
        numberOfFrames: frames,
      });
    }, FRAME_MS);
  }

  stream(): MediaStream {
    return new wrtc.MediaStream([this.source.createTrack()]) as unknown as MediaStream;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** A hotline call the console never reports as answered is hung up after this. */
const CONNECT_BACKSTOP_MS = 10_000;

export interface OperatorOptions {
  /** Mean talk time, and how far each talk may be from it, as a share of it (see `talkTimes`). */
  talkMs: number;
  talkSpread: number;
  /** Talk from the SIP answer (app_queue bridges at once) rather than from the console's `call:answered`. */
  talkStartsAtAnswer: boolean;
  /** Called with a message for anything that went wrong on this softphone. */
  onProblem(message: string): void;
}

export interface SimulatedOperator extends OperatorTimeline {
  name: string;
  answered: number;
  /**
   * The call on the softphone now; `talk()` starts the conversation's timer. `announce` tells the
   * hotline the operator hangs up (as the console does before its BYE; without it the hotline
   * takes the end of the call for a dropped operator and queues the caller again).
   */
  current: { talk(announce?: () => Promise<unknown>): void } | null;
  /** Ends the softphone (and the console session, if any). */
  stop(): Promise<void>;
}

function startSoftphone(
  sip: SipCredentials,
  mic: Microphone,
  opts: OperatorOptions,
  timeline: SimulatedOperator,
): Promise<() => void> {
  const ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(sip.wsUrl)],
    uri: sip.uri,
    authorization_user: sip.authorizationUser,
    password: sip.password,
    register: true,
    session_timers: false,
    user_agent: 'hotline-bench',
  });
  const sessions = new Set<RTCSession>();
  const nextTalk = talkTimes(timeline.name, opts.talkMs, opts.talkSpread);
  ua.on('newRTCSession', (event: RTCSessionEvent) => {
    if (event.originator !== 'remote') return;
    const session = event.session;
    timeline.rings.push({ at: wallClock(), callerNumber: session.remote_identity.uri.user ?? '' });
    sessions.add(session);
    let talk: NodeJS.Timeout | undefined;
    let talking = false;
    const hangUpLater = (afterMs: number, announce?: () => Promise<unknown>) => {
      clearTimeout(talk);
      talk = setTimeout(() => {
        if (session.isEnded()) return;
        timeline.freeAt.push(wallClock());
        const told = announce ? announce().catch(() => undefined) : Promise.resolve();
        void told.finally(() => {
          if (!session.isEnded()) session.terminate();
        });
      }, afterMs);
    };
    timeline.current = {
      talk: (announce) => {
        talking = true;
        hangUpLater(nextTalk(), announce);
      },
    };
    session.on('confirmed', () => {
      timeline.answered++;
      // Talking starts when the caller is on the line: at once with app_queue; with the hotline
      // when the console is told the call is answered (`talk()`); this is only the backstop.
      if (opts.talkStartsAtAnswer) timeline.current?.talk();
      else if (!talking) hangUpLater(CONNECT_BACKSTOP_MS);
    });
    // Each call gets its own track of the shared microphone, stopped when the call ends (JsSIP
    // leaves a stream it was given alone): otherwise every frame goes to every track ever made.
    const stream = mic.stream();
    const ended = (e: { cause?: string }, how: string) => {
      clearTimeout(talk);
      sessions.delete(session);
      for (const track of stream.getTracks()) track.stop();
      if (how === 'failed' && e.cause !== JsSIP.C.causes.CANCELED)
        opts.onProblem(`${timeline.name}: call failed (${e.cause})`);
    };
    session.on('ended', (e) => ended(e, 'ended'));
    session.on('failed', (e) => ended(e, 'failed'));
    session.answer({ mediaStream: stream, pcConfig: { iceServers: [] } });
  });
  return new Promise((resolve, reject) => {
    ua.once('registered', () =>
      resolve(() => {
        for (const s of sessions) if (!s.isEnded()) s.terminate();
        ua.stop();
      }),
    );
    ua.once('registrationFailed', (e: { cause?: string }) =>
      reject(new Error(`${timeline.name}: registration failed (${e.cause})`)),
    );
    ua.start();
  });
}

function newTimeline(name: string): SimulatedOperator {
  return { name, answered: 0, current: null, freeAt: [], rings: [], stop: async () => {} };
}

/** Logs in to the hotline like the console, registers the softphone and says Ready. */
async function consoleOperator(
  url: string,
  username: string,
  password: string,
  mic: Microphone,
  opts: OperatorOptions,
): Promise<SimulatedOperator> {
  const op = newTimeline(username);
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`${username}: login answered ${res.status}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
  const me = (await (await fetch(`${url}/api/me`, { headers: { cookie } })).json()) as MeResponse;
  if (!me.sip) throw new Error(`${username}: no softphone account`);
  const stopPhone = await startSoftphone(me.sip, mic, opts, op);
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, {
    transports: ['websocket'],
    extraHeaders: { cookie },
  });
  socket.on('call:answered', (pop) =>
    op.current?.talk(() => socket.timeout(2000).emitWithAck('call:hangup', { callId: pop.callId })),
  );
  socket.on('agent:state', (e) => {
    if (e.state === 'not_ready') opts.onProblem(`${username}: put Not ready by the hotline`);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const ready = () =>
    new Promise<void>((resolve, reject) => {
      socket.emit('agent:setState', { state: 'ready' }, (r: Ack<{ state: string }>) => {
        if ('error' in r) reject(new Error(`${username}: Ready refused: ${r.error.message}`));
        else resolve();
      });
    });
  await ready();
  op.freeAt.push(wallClock());
  op.stop = async () => {
    stopPhone();
    socket.disconnect();
  };
  return op;
}

export interface OperatorTeam {
  operators: SimulatedOperator[];
  stop(): Promise<void>;
}

/** Operators that log in to the hotline's console API (same password for all). */
export async function startConsoleOperators(
  url: string,
  usernames: string[],
  password: string,
  opts: OperatorOptions,
): Promise<OperatorTeam> {
  const mic = new Microphone();
  const operators: SimulatedOperator[] = [];
  const team = {
    operators,
    stop: async () => {
      for (const op of operators) await op.stop();
      mic.stop();
    },
  };
  try {
    // A few at a time: each login checks a password hash, which is slow by design.
    for (let i = 0; i < usernames.length; i += 4) {
      const batch = usernames.slice(i, i + 4);
      operators.push(...(await Promise.all(batch.map((u) => consoleOperator(url, u, password, mic, opts)))));
    }
  } catch (err) {
    await team.stop();
    throw err;
  }
  return team;
}

/** Operators that only register their softphones (app_queue's members need nothing else). */
export async function startPhoneOperators(
  accounts: SipCredentials[],
  opts: OperatorOptions,
): Promise<OperatorTeam> {
  const mic = new Microphone();
  const operators: SimulatedOperator[] = [];
  const stops: (() => void)[] = [];
  const team = {
    operators,
    stop: async () => {
      for (const stop of stops) stop();
      mic.stop();
    },
  };
  try {
    for (const sip of accounts) {
      const op = newTimeline(sip.authorizationUser);
      stops.push(await startSoftphone(sip, mic, opts, op));
      op.freeAt.push(wallClock());
      operators.push(op);
    }
  } catch (err) {
    await team.stop();
    throw err;
  }
  return team;
}
