/**
 * Supervisors on calls in progress, through ARI: the supervisor's softphone is rung into the
 * application (`hotline,coach,<callId>`, the call id also in the INVITE's `X-Hotline-Coaching`
 * header, so their console answers it by itself); listen and whisper put it in a mixing bridge
 * of its own with a snoop channel on the operator's leg; barge moves it into the talk bridge.
 * `coaching-rules.ts` says which steps a change of mode takes.
 *
 * - One supervisor per call, one call per supervisor (their softphone has one line).
 * - A session's requests run one after another (a serial chain), like a call's inputs.
 * - The supervisor leaves without disturbing the call: only their leg, its snoop channels and its
 *   bridge go. The talk ending (either side hangs up, the operator drops) ends the session, and so
 *   does the supervisor's softphone hanging up.
 * - After a (re)connect, coaching resources no session owns are removed: every one of them has
 *   `-coach-` in its id (`stasis-names.ts`), which the controller's reconcile leaves alone.
 */
import type { Logger } from 'pino';
import type { CoachingMode, CoachingView } from '../common/api.ts';
import {
  type CoachingChange,
  type CoachingEnd,
  CoachingError,
  type CoachRequest,
  type IvrEvents,
} from './api.ts';
import { type CoachingStep, coachingSteps } from './coaching-rules.ts';
import { COACHING_CALL_HEADER, STASIS_APP, STASIS_ROLE } from './constants.ts';
import { type AriEvent, type AriPort, AriRequestError, GoneError } from './port.ts';
import { bestEffort } from './stasis-call.ts';
import { coachLegId, isCoachingResource } from './stasis-names.ts';

/** How long the supervisor's softphone may ring; their console answers at once. */
export const COACH_RING_SECONDS = 15;
/** A snoop channel enters the application within milliseconds; one that takes longer never will. */
export const SNOOP_START_MS = 5000;

/** The talk a supervisor joins. */
export interface Talk {
  operatorId: number;
  /** The operator's leg, which the snoop channels listen to. */
  agentChannelId: string;
  bridgeId: string;
}

/** What coaching asks of the controller: the talk of a call, if it is being talked. */
export interface CoachingHost {
  talkOf(callId: string): Talk | null;
}

interface Session {
  callId: string;
  operatorId: number;
  supervisorId: number;
  /** Null until the supervisor's leg has answered and its first mode is wired. */
  mode: CoachingMode | null;
  legId: string;
  /** The coaching bridge of listen and whisper; null while barging. */
  bridgeId: string | null;
  /** Bridges and snoop channels made so far, to name the next (a destroyed bridge's id can linger). */
  made: number;
  /** Snoop channels up, the newest last. */
  snoops: string[];
  chain: Promise<unknown>;
  /** Why the session is over; null while it lasts. */
  endedBy: CoachingEnd | null;
  log: Logger;
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

const NOT_IN_TALK = () => new CoachingError('CALL_NOT_IN_TALK', 'the call is not being talked');

export class CoachingController {
  /** By call id. */
  private readonly sessions = new Map<string, Session>();
  /** Supervisor legs and snoop channels → their session. */
  private readonly channels = new Map<string, Session>();
  /** Channels whose StasisStart a session awaits. */
  private readonly waiters = new Map<string, Waiter>();

  constructor(
    private readonly deps: { ari: AriPort; events: IvrEvents; logger: Logger; now: () => Date },
    private readonly host: CoachingHost,
  ) {}

  /** Takes the event if it concerns a coaching channel (then true). Never throws. */
  handle(event: AriEvent): boolean {
    switch (event.type) {
      case 'StasisStart': {
        const role = event.args[0];
        if (role !== STASIS_ROLE.coach && role !== STASIS_ROLE.snoop) return false;
        const waiter = this.waiters.get(event.channelId);
        if (waiter) {
          this.waiters.delete(event.channelId);
          waiter.resolve();
        } else if (!this.channels.has(event.channelId)) {
          // A leg or snoop whose session is over (or unknown after a restart).
          this.deps.logger.warn({ channelId: event.channelId }, 'stray coaching channel; hanging up');
          bestEffort(
            this.deps.logger,
            this.deps.ari.hangup(event.channelId),
            'hangup stray coaching channel',
          );
        }
        return true;
      }
      case 'StasisEnd':
      case 'ChannelDestroyed': {
        const waiter = this.waiters.get(event.channelId);
        if (waiter) {
          this.waiters.delete(event.channelId);
          // A snoop ends with the operator's leg it listens to; the supervisor's leg, by not answering.
          waiter.reject(
            this.channels.get(event.channelId)?.legId === event.channelId
              ? new CoachingError('SOFTPHONE_NO_ANSWER', 'the coaching leg ended before it answered')
              : NOT_IN_TALK(),
          );
        }
        const session = this.channels.get(event.channelId);
        if (!session) return waiter !== undefined || isCoachingResource(event.channelId);
        this.channels.delete(event.channelId);
        if (event.channelId === session.legId && !session.endedBy) {
          session.log.info('supervisor hung up');
          void this.end(session, 'supervisor_hung_up');
        } else {
          // A snoop goes with the operator's leg; the talk's end follows and ends the session.
          session.snoops = session.snoops.filter((id) => id !== event.channelId);
        }
        return true;
      }
      default:
        return false;
    }
  }

  /** See `Ivr.coach`. */
  async coach(request: CoachRequest): Promise<CoachingView> {
    const { callId, supervisor } = request;
    const talk = this.host.talkOf(callId);
    if (!talk) throw NOT_IN_TALK();
    let session = this.sessions.get(callId);
    if (session && session.supervisorId !== supervisor.id)
      throw new CoachingError('COACHING_TAKEN', 'another supervisor is on the call');
    if (!session) {
      for (const other of this.sessions.values()) {
        if (other.supervisorId === supervisor.id)
          throw new CoachingError('ALREADY_COACHING', 'the supervisor is on another call');
      }
      session = this.open(request, talk);
    }
    const s = session;
    return this.serial(s, async () => {
      if (s.endedBy) throw NOT_IN_TALK();
      try {
        if (s.mode === null) await this.ring(s, request);
        await this.switchTo(s, request.mode);
      } catch (err) {
        s.log.warn({ err, mode: request.mode }, 'coaching could not be set up');
        await this.end(s, 'failed');
        // The talk ended meanwhile, or a leg of it went as the step ran.
        throw s.endedBy === 'talk_ended' || err instanceof GoneError ? NOT_IN_TALK() : err;
      }
      return { callId, operatorId: s.operatorId, supervisorId: s.supervisorId, mode: request.mode };
    });
  }

  /** See `Ivr.leaveCoaching`. */
  async leave(callId: string, supervisorId: number): Promise<void> {
    const session = this.sessions.get(callId);
    if (!session || session.supervisorId !== supervisorId)
      throw new CoachingError('NOT_COACHING', 'the supervisor is not on the call');
    session.log.info('supervisor leaves the call');
    await this.end(session, 'left');
  }

  /** The call is no longer talked (its flow left `connected`, or it finished): its supervisor goes. */
  talkEnded(callId: string): void {
    const session = this.sessions.get(callId);
    if (session) void this.end(session, 'talk_ended');
  }

  /**
   * After a (re)connect: sessions whose leg or talk is gone end, and coaching channels and bridges
   * no session owns (left by a previous controller) are removed.
   */
  async reconcile(): Promise<void> {
    const { ari } = this.deps;
    const [channels, bridges] = await Promise.all([ari.listChannels(), ari.listBridges()]);
    const alive = new Set(channels.map((c) => c.id));
    for (const session of [...this.sessions.values()]) {
      if (!alive.has(session.legId) || !this.host.talkOf(session.callId))
        await this.end(session, 'reconnected');
    }
    for (const channel of channels) {
      if (isCoachingResource(channel.id) && !this.channels.has(channel.id) && !this.waiters.has(channel.id))
        bestEffort(this.deps.logger, ari.hangup(channel.id), 'hangup orphaned coaching channel');
    }
    const owned = new Set([...this.sessions.values()].map((s) => s.bridgeId));
    for (const bridge of bridges) {
      if (isCoachingResource(bridge.id) && !owned.has(bridge.id))
        bestEffort(this.deps.logger, ari.destroyBridge(bridge.id), 'destroy orphaned coaching bridge');
    }
  }

  private open(request: CoachRequest, talk: Talk): Session {
    const legId = coachLegId(request.callId, this.deps.now().getTime().toString(36));
    const session: Session = {
      callId: request.callId,
      operatorId: talk.operatorId,
      supervisorId: request.supervisor.id,
      mode: null,
      legId,
      bridgeId: null,
      made: 0,
      snoops: [],
      chain: Promise.resolve(),
      endedBy: null,
      log: this.deps.logger.child({
        callId: request.callId,
        supervisorId: request.supervisor.id,
        operatorId: talk.operatorId,
      }),
    };
    this.sessions.set(request.callId, session);
    this.channels.set(legId, session);
    return session;
  }

  private serial<T>(session: Session, work: () => Promise<T>): Promise<T> {
    const run = session.chain.then(work);
    session.chain = run.catch(() => undefined);
    return run;
  }

  /** Rings the supervisor's softphone into the application and waits for it to answer. */
  private async ring(session: Session, request: CoachRequest): Promise<void> {
    const answered = this.awaitStart(session.legId, (COACH_RING_SECONDS + 2) * 1000, 'SOFTPHONE_NO_ANSWER');
    try {
      await this.deps.ari.originate({
        endpoint: `PJSIP/${request.supervisor.endpoint}`,
        channelId: session.legId,
        app: STASIS_APP,
        appArgs: `${STASIS_ROLE.coach},${session.callId}`,
        callerId: `"Giám sát" <${request.supervisor.endpoint}>`,
        timeout: COACH_RING_SECONDS,
        originator: session.callId,
        variables: { [`PJSIP_HEADER(add,${COACHING_CALL_HEADER})`]: session.callId },
      });
    } catch (err) {
      this.waiters.delete(session.legId);
      answered.catch(() => undefined);
      // Asterisk refused the leg (e.g. "Allocation failed": the softphone is not registered).
      if (err instanceof AriRequestError)
        throw new CoachingError(
          'SOFTPHONE_UNREACHABLE',
          `the supervisor's softphone cannot be rung: ${err.message}`,
        );
      throw err;
    }
    session.log.info('ringing the supervisor softphone');
    await answered;
    session.log.info('supervisor softphone answered');
  }

  private async switchTo(session: Session, mode: CoachingMode): Promise<void> {
    const from = session.mode;
    const talk = this.host.talkOf(session.callId);
    if (!talk || session.endedBy) throw NOT_IN_TALK();
    let kept: string | null = null;
    for (const step of coachingSteps(from, mode)) kept = (await this.run(session, step, talk, kept)) ?? kept;
    session.mode = mode;
    session.log.info({ from, mode }, 'coaching mode');
    this.tell(session);
  }

  /** Runs one step; a `snoop` step answers the id of the snoop channel it made. */
  private async run(
    session: Session,
    step: CoachingStep,
    talk: Talk,
    kept: string | null,
  ): Promise<string | null> {
    const { ari } = this.deps;
    switch (step.type) {
      case 'createCoachBridge': {
        session.made += 1;
        const bridgeId = `${session.legId}-bridge-${session.made}`;
        await ari.createBridge(bridgeId, 'mixing', bridgeId);
        session.bridgeId = bridgeId;
        return null;
      }
      case 'snoop': {
        session.made += 1;
        const snoopId = `${session.legId}-snoop-${session.made}`;
        const started = this.awaitStart(snoopId, SNOOP_START_MS, 'CALL_NOT_IN_TALK');
        this.channels.set(snoopId, session);
        session.snoops.push(snoopId);
        try {
          await ari.snoop(talk.agentChannelId, {
            snoopId,
            spy: step.spy,
            whisper: step.whisper,
            app: STASIS_APP,
            appArgs: `${STASIS_ROLE.snoop},${session.callId}`,
          });
        } catch (err) {
          this.waiters.delete(snoopId);
          started.catch(() => undefined);
          throw err;
        }
        await started;
        await ari.addChannel(this.coachBridge(session), [snoopId]);
        return snoopId;
      }
      case 'joinCoachBridge':
        await ari.addChannel(this.coachBridge(session), [session.legId]);
        return null;
      case 'joinTalk':
        await ari.addChannel(talk.bridgeId, [session.legId]);
        return null;
      case 'dropSnoop': {
        const old = session.snoops.filter((id) => id !== kept);
        session.snoops = kept ? [kept] : [];
        for (const id of old) {
          this.channels.delete(id);
          await ari.hangup(id).catch(ignoreGone);
        }
        return null;
      }
      case 'destroyCoachBridge': {
        const bridgeId = session.bridgeId;
        session.bridgeId = null;
        if (bridgeId) await ari.destroyBridge(bridgeId).catch(ignoreGone);
        return null;
      }
    }
  }

  private coachBridge(session: Session): string {
    if (!session.bridgeId) throw new Error('no coaching bridge');
    return session.bridgeId;
  }

  /** Resolves when the channel enters the application; rejects after `ms`, or if it ends first. */
  private awaitStart(channelId: string, ms: number, code: 'SOFTPHONE_NO_ANSWER' | 'CALL_NOT_IN_TALK') {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(channelId);
        reject(new CoachingError(code, `${channelId} did not enter the application within ${ms} ms`));
      }, ms);
      this.waiters.set(channelId, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
    });
  }

  /**
   * Takes the supervisor off the call: their leg, snoop channels and bridge go; the talk is not
   * touched. Never throws.
   */
  private async end(session: Session, why: CoachingEnd): Promise<void> {
    if (session.endedBy) return;
    session.endedBy = why;
    if (this.sessions.get(session.callId) === session) this.sessions.delete(session.callId);
    const { ari } = this.deps;
    const channels = [session.legId, ...session.snoops];
    session.snoops = [];
    for (const id of channels) this.channels.delete(id);
    this.waiters.get(session.legId)?.reject(new CoachingError('SOFTPHONE_NO_ANSWER', 'coaching ended'));
    this.waiters.delete(session.legId);
    await Promise.all(
      channels.map((id) =>
        ari.hangup(id).catch((err: unknown) => {
          if (!(err instanceof GoneError)) session.log.warn({ err, channelId: id }, 'could not hang up');
        }),
      ),
    );
    if (session.bridgeId) {
      const bridgeId = session.bridgeId;
      session.bridgeId = null;
      await ari.destroyBridge(bridgeId).catch((err: unknown) => {
        if (!(err instanceof GoneError)) session.log.warn({ err }, 'could not destroy the coaching bridge');
      });
    }
    session.log.info({ why }, 'supervisor off the call');
    if (session.mode !== null) this.tell(session, why);
  }

  private tell(session: Session, ended?: CoachingEnd): void {
    const change: CoachingChange = {
      callId: session.callId,
      operatorId: session.operatorId,
      supervisorId: session.supervisorId,
      mode: ended ? null : session.mode,
      ...(ended ? { ended } : {}),
    };
    try {
      this.deps.events.coachingChanged?.(change);
    } catch (err) {
      session.log.error({ err }, 'could not report a coaching change');
    }
  }
}

function ignoreGone(err: unknown): void {
  if (!(err instanceof GoneError)) throw err;
}
