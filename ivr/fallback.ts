/**
 * Follows the dialplan's fallback queue (Asterisk's own `Queue()`, used while the call controller
 * is not connected) through AMI, so the wallboard can show it in a degraded mode and its calls
 * still leave call records (and callback tasks for those who hang up waiting).
 *
 * From app_queue's events: `QueueCallerJoin` (waiting), `AgentCalled` / `AgentRingNoAnswer`
 * (offers), `AgentConnect` (answered), `QueueCallerAbandon` (hung up waiting), `AgentComplete`
 * (the talk ended, by `reason` caller or agent), `QueueCallerLeave` (off the waiting list). On
 * every (re)connect, since events were missed, the waiting list is rebuilt from `QueueStatus`
 * and calls whose channels are gone (`CoreShowChannels`) are ended (see `resync`), once
 * Asterisk says it is fully booted. The queue's members follow the operators added and removed
 * while Asterisk runs (`memberActions`), and are paused unless their operator is ready
 * (`fallback-pause.ts`), then and on every change. Each call is recorded in the queue its caller
 * chose in the fallback dialplan's menu (`fallback-choice.ts`).
 *
 * app_queue reports `AgentComplete` from the channels' latest snapshots: when the caller's channel
 * is already gone by then (it hung up, and Asterisk was quick to destroy it or slow to report),
 * the event comes without the caller's fields (`Uniqueid` …), and possibly without the operator
 * leg's (`DestUniqueid` …) too. Such an event is matched to its call by the operator leg, else by
 * the operator (one answered fallback call per operator at a time).
 */
import type { Logger } from 'pino';
import type { AgentStateView, FallbackQueueStats, TelephonyMode } from '../common/events.ts';
import { type AmiConnection, type AmiMessage, createAmiConnection } from './ami.ts';
import {
  type CallRecordEvent,
  type CallRecorder,
  type OperatorEndpoint,
  recallSafely,
  recordSafely,
} from './api.ts';
import { endpointOf, FALLBACK_QUEUE_NAME } from './constants.ts';
import { choiceOf, queueOfChoice } from './fallback-choice.ts';
import { type JournalCall, journalFamilies, missingEvents, readJournal } from './fallback-journal.ts';
import { type MemberPause, pauseActions, pauseOf, samePause } from './fallback-pause.ts';
import type { IvrConfig } from './menu.ts';

/** How often the fallback journal is read while AMI is up (besides on every reconnect). */
const JOURNAL_EVERY_MS = 60_000;

/** `normal` while the controller is connected; else `fallback` if Asterisk still answers AMI; else `down`. */
export function telephonyMode(controllerUp: boolean, amiUp: boolean): TelephonyMode {
  if (controllerUp) return 'normal';
  return amiUp ? 'fallback' : 'down';
}

export interface FallbackQueueDeps {
  operators: readonly OperatorEndpoint[];
  records: CallRecorder;
  /** The menu now: a caller's key in the fallback menu is recorded as the queue it leads to. */
  menu: () => IvrConfig;
  /** Told whenever the figures or the connection change. */
  changed(): void;
  logger: Logger;
  now: () => Date;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The fallback queue's state, fed with AMI messages; no I/O of its own. */
export class FallbackQueue {
  /** Waiting callers by channel unique id, with when they joined. */
  private readonly waiting = new Map<string, Date>();
  /** Calls being followed (joined while we watched), with the operator ringing or talking. */
  private readonly calls = new Map<
    string,
    { operatorId: number | null; answered: boolean; agentUniqueid: string | null }
  >();
  /** Calls of the journal whose records have their end: not read again at the next pass. */
  private readonly journalSettled = new Set<string>();
  private answered = 0;
  private abandoned = 0;
  private endpoints: Map<string, number>;

  constructor(private readonly deps: FallbackQueueDeps) {
    this.endpoints = new Map(deps.operators.map((op) => [op.sipEndpoint, op.operatorId]));
  }

  /** The operators from now on (calls already followed keep the operator they had). */
  setOperators(operators: readonly OperatorEndpoint[]): void {
    this.endpoints = new Map(operators.map((op) => [op.sipEndpoint, op.operatorId]));
  }

  /** The PJSIP endpoints the queue should ring. */
  memberEndpoints(): string[] {
    return [...this.endpoints.keys()];
  }

  /** The queue's wanted members: PJSIP endpoint → operator. */
  members(): ReadonlyMap<string, number> {
    return this.endpoints;
  }

  /** Waiting now; answered and abandoned since the server started. */
  stats(now: Date): FallbackQueueStats {
    let oldest: Date | null = null;
    for (const since of this.waiting.values()) if (!oldest || since < oldest) oldest = since;
    return {
      waiting: this.waiting.size,
      longestWaitSeconds: oldest ? Math.max(0, Math.floor((now.getTime() - oldest.getTime()) / 1000)) : 0,
      answered: this.answered,
      abandoned: this.abandoned,
    };
  }

  /** The calls followed now: after a reconnect, only these may have ended unseen. */
  followedCalls(): ReadonlySet<string> {
    return new Set(this.calls.keys());
  }

  /**
   * Catches up after a reconnect, from `QueueStatus`'s `QueueEntry` events and the channels alive
   * afterwards (`CoreShowChannels`' `CoreShowChannel` events):
   * - the waiting list is rebuilt; a caller who joined while AMI was away gets a call record from
   *   the time they joined, and is followed from now on;
   * - a talk the queue connected while this server was not watching (it was restarting) is
   *   followed from now on, so its end is recorded; it is recorded from its start if no call
   *   record has its answer yet (see `followTalks`);
   * - a call of `followedBefore` whose channel is gone ended unseen; it is recorded as the
   *   controller records a call that vanished: a talk as ended by the caller, a wait as abandoned
   *   (so the caller gets a callback task).
   */
  resync(
    entries: readonly AmiMessage[],
    channels: readonly AmiMessage[],
    followedBefore: ReadonlySet<string>,
  ): void {
    const now = this.deps.now();
    const alive = new Set(channels.flatMap((c) => (c.uniqueid ? [c.uniqueid] : [])));
    this.waiting.clear();
    for (const entry of entries) {
      const id = entry.uniqueid;
      if (entry.event !== 'QueueEntry' || entry.queue !== FALLBACK_QUEUE_NAME || !id) continue;
      const waited = Number(entry.wait ?? 0);
      const joined = new Date(now.getTime() - (Number.isFinite(waited) ? waited : 0) * 1000);
      this.waiting.set(id, joined);
      if (this.calls.has(id)) continue;
      this.calls.set(id, { operatorId: null, answered: false, agentUniqueid: null });
      // Recorded already by this server before it restarted: followed again, not recorded twice.
      if (this.recorded(id)) continue;
      // `QueueEntry` carries no channel variables; the caller's channel in the list does.
      const channel = channels.find((c) => c.uniqueid === id);
      this.recordArrival(id, entry.calleridnum ?? '', channel ? choiceOf(channel) : null, joined);
    }
    this.followTalks(channels, now);
    for (const id of followedBefore) {
      const call = this.calls.get(id);
      if (!call || alive.has(id)) continue;
      this.calls.delete(id);
      if (!call.answered) this.abandoned++;
      this.record(id, { type: 'ended', reason: call.answered ? 'caller_hung_up' : 'abandoned_in_queue' });
      this.deps.logger.info({ callId: id }, 'a fallback call ended while AMI was away');
    }
    this.deps.changed();
  }

  /**
   * Completes the records of calls the journal saw end that are not followed now (see
   * `fallback-journal.ts`); returns how many records it completed.
   */
  completeFromJournal(journal: readonly JournalCall[]): number {
    let completed = 0;
    for (const call of journal) {
      if (this.calls.has(call.callId) || this.journalSettled.has(call.callId) || !call.endedAt) continue;
      const known = recallSafely(this.deps.records, call.callId, this.deps.logger);
      if (known?.ended) {
        this.journalSettled.add(call.callId);
        continue;
      }
      const events = missingEvents(
        call,
        known,
        (endpoint) => this.endpoints.get(endpoint) ?? null,
        (choice) => queueOfChoice(this.deps.menu().menu, choice),
      );
      if (events.length === 0) continue;
      for (const event of events) recordSafely(this.deps.records, event, this.deps.logger);
      this.journalSettled.add(call.callId);
      completed++;
      this.deps.logger.info(
        { callId: call.callId, recordedBefore: known !== null },
        'a fallback call that ended unseen is recorded from the journal',
      );
    }
    return completed;
  }

  handle(event: AmiMessage): void {
    if (event.queue !== FALLBACK_QUEUE_NAME) return;
    const id = event.event === 'AgentComplete' ? this.completedCall(event) : event.uniqueid;
    if (!id) {
      if (event.event === 'AgentComplete')
        this.deps.logger.warn(
          { agentLeg: event.destuniqueid },
          'a fallback call ended that matches no call followed',
        );
      return;
    }
    const call = this.calls.get(id);
    const operatorId = this.operatorOf(event.interface ?? event.membername ?? '');
    switch (event.event) {
      case 'QueueCallerJoin':
        this.waiting.set(id, this.deps.now());
        this.calls.set(id, { operatorId: null, answered: false, agentUniqueid: null });
        this.recordArrival(id, event.calleridnum ?? '', choiceOf(event), this.deps.now());
        this.deps.logger.info({ callId: id }, 'caller joined the fallback queue');
        break;
      case 'QueueCallerLeave':
        this.waiting.delete(id);
        break;
      case 'AgentCalled':
        if (!call || operatorId === null) return;
        call.operatorId = operatorId;
        this.record(id, { type: 'offered', operatorId });
        return;
      case 'AgentRingNoAnswer':
      case 'AgentDump':
        if (!call || operatorId === null) return;
        this.record(id, { type: 'offerEnded', operatorId, outcome: 'no_answer' });
        return;
      case 'AgentConnect':
        this.waiting.delete(id);
        this.answered++;
        if (call && operatorId !== null) {
          call.operatorId = operatorId;
          call.answered = true;
          call.agentUniqueid = event.destuniqueid ?? null;
          this.record(id, { type: 'offerEnded', operatorId, outcome: 'answered' });
          this.record(id, { type: 'answered', operatorId });
        }
        this.deps.logger.info({ callId: id, operatorId }, 'fallback call answered');
        break;
      case 'QueueCallerAbandon':
        this.waiting.delete(id);
        this.abandoned++;
        if (call) {
          this.calls.delete(id);
          this.record(id, { type: 'ended', reason: 'abandoned_in_queue' });
        }
        break;
      case 'AgentComplete':
        if (!call) return;
        this.calls.delete(id);
        this.record(id, {
          type: 'ended',
          reason: event.reason === 'agent' ? 'agent_hung_up' : 'caller_hung_up',
        });
        return;
      default:
        return;
    }
    this.deps.changed();
  }

  /**
   * Talks in progress that this server does not follow: a caller's channel still in the fallback
   * queue's `Queue()`, in a bridge with an operator's leg. The records get what they miss of the
   * call, at the times the channels' ages give: arrival and queueing when the caller's channel was
   * created, the offer and answer when the operator's leg was.
   */
  private followTalks(channels: readonly AmiMessage[], now: Date): void {
    const ago = (c: AmiMessage) => new Date(now.getTime() - durationSeconds(c.duration) * 1000);
    for (const caller of channels) {
      const id = caller.uniqueid;
      const inQueue =
        caller.application === 'Queue' && caller.applicationdata?.split(',')[0] === FALLBACK_QUEUE_NAME;
      if (!id || !inQueue || !caller.bridgeid || this.calls.has(id)) continue;
      const leg = channels.find((c) => c.bridgeid === caller.bridgeid && c.uniqueid !== id);
      const operatorId = leg ? this.operatorOf(endpointOf(leg.channel ?? '')) : null;
      if (!leg || operatorId === null) continue;
      this.calls.set(id, { operatorId, answered: true, agentUniqueid: leg.uniqueid ?? null });
      this.deps.logger.info({ callId: id, operatorId }, 'following a fallback talk already in progress');
      const known = recallSafely(this.deps.records, id, this.deps.logger);
      if (known?.answeredAt) continue;
      if (!known) this.recordArrival(id, caller.calleridnum ?? '', choiceOf(caller), ago(caller));
      // An offer the previous process recorded is still open: it is the one answered.
      if (!known?.offers) this.record(id, { type: 'offered', operatorId }, ago(leg));
      this.record(id, { type: 'offerEnded', operatorId, outcome: 'answered' }, ago(leg));
      this.record(id, { type: 'answered', operatorId }, ago(leg));
    }
  }

  /** The call an `AgentComplete` ends: by the caller, else the operator leg, else the operator. */
  private completedCall(event: AmiMessage): string | undefined {
    if (event.uniqueid) return event.uniqueid;
    const answered = [...this.calls].filter(([, c]) => c.answered);
    const leg = event.destuniqueid;
    const byLeg = leg ? answered.find(([, c]) => c.agentUniqueid === leg) : undefined;
    if (byLeg) return byLeg[0];
    const operatorId = this.operatorOf(event.interface ?? event.membername ?? '');
    const byOperator = answered.filter(([, c]) => c.operatorId !== null && c.operatorId === operatorId);
    return byOperator.length === 1 ? byOperator[0]?.[0] : undefined;
  }

  /** A caller in the queue: arrived, the key they chose (if any), queued where it leads. */
  private recordArrival(callId: string, callerNumber: string, choice: string | null, at: Date): void {
    const queue = queueOfChoice(this.deps.menu().menu, choice);
    this.record(callId, { type: 'arrived', callerNumber }, at);
    if (choice !== null) this.record(callId, { type: 'digit', digit: choice }, at);
    this.record(callId, { type: 'queued', queue }, at);
  }

  private recorded(callId: string): boolean {
    return recallSafely(this.deps.records, callId, this.deps.logger) !== null;
  }

  private operatorOf(member: string): number | null {
    // `PJSIP/tdv01`, as the queue's members are named in queues.conf.
    return this.endpoints.get(member.replace(/^[^/]*\//, '')) ?? null;
  }

  private record(
    callId: string,
    event: DistributiveOmit<CallRecordEvent, 'callId' | 'at'>,
    at = this.deps.now(),
  ): void {
    recordSafely(this.deps.records, { ...event, callId, at } as CallRecordEvent, this.deps.logger);
  }
}

/**
 * The AMI actions that make the fallback queue's members the operators' endpoints: `QueueAdd` for
 * an operator who is not a member (added after Asterisk started, which rendered queues.conf),
 * paused already if `pauses` says so, and `QueueRemove` for a member added so that is no
 * operator's any more. A member from queues.conf cannot be removed at run time: it stays, with no
 * endpoint left to ring, until Asterisk restarts.
 */
export function memberActions(
  entries: readonly AmiMessage[],
  endpoints: readonly string[],
  pauses: ReadonlyMap<string, MemberPause> = new Map(),
): Record<string, string>[] {
  const members = new Map<string, string>();
  for (const e of entries) {
    if (e.event === 'QueueMember' && e.queue === FALLBACK_QUEUE_NAME && e.location)
      members.set(e.location, e.membership ?? '');
  }
  const wanted = new Set(endpoints.map((endpoint) => `PJSIP/${endpoint}`));
  const actions: Record<string, string>[] = [];
  for (const endpoint of endpoints) {
    const iface = `PJSIP/${endpoint}`;
    if (members.has(iface)) continue;
    const pause = pauses.get(endpoint);
    actions.push({
      action: 'QueueAdd',
      queue: FALLBACK_QUEUE_NAME,
      interface: iface,
      membername: endpoint,
      stateinterface: iface,
      penalty: '0',
      ...(pause?.paused ? { paused: 'true', reason: pause.reason } : {}),
    });
  }
  for (const [iface, membership] of members) {
    if (membership === 'dynamic' && !wanted.has(iface))
      actions.push({ action: 'QueueRemove', queue: FALLBACK_QUEUE_NAME, interface: iface });
  }
  return actions;
}

/** A channel's age as AMI gives it (`HH:MM:SS`), in seconds; 0 when unreadable. */
function durationSeconds(duration: string | undefined): number {
  const parts = (duration ?? '').split(':').map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n))) return 0;
  const [h = 0, m = 0, sec = 0] = parts;
  return h * 3600 + m * 60 + sec;
}

export interface FallbackWatch {
  start(): void;
  stop(): Promise<void>;
  /**
   * The operators from now on: the queue's members follow (see `memberActions`), now if AMI is
   * up, else on its reconnect. Rejects when Asterisk refused a change.
   */
  setOperators(operators: readonly OperatorEndpoint[]): Promise<void>;
  /**
   * An operator's state changed (as `IvrEvents.agentStateChanged`, also while the controller is
   * down): their member is paused or unpaused when that changes whether Asterisk may ring them.
   */
  agentStateChanged(operatorId: number, status: AgentStateView): void;
  /** Whether AMI is connected (Asterisk is up). */
  readonly up: boolean;
  stats(now: Date): FallbackQueueStats;
}

export interface FallbackWatchOptions extends FallbackQueueDeps {
  ami: { host: string; port: number; username: string; password: string };
  /** An operator's state as the hotline knows it now; null for an operator it does not know. */
  agentStatus(operatorId: number): AgentStateView | null;
  /** Replaces the real AMI connection (tests). */
  connection?: AmiConnection;
}

/** Connects to AMI (and keeps reconnecting) and follows the fallback queue. */
export function createFallbackWatch(opts: FallbackWatchOptions): FallbackWatch {
  const { logger } = opts;
  const connection =
    opts.connection ?? createAmiConnection({ ...opts.ami, logger: logger.child({ component: 'ami' }) });
  const queue = new FallbackQueue(opts);
  /** The pause each member was last given (or found with), by endpoint. */
  const paused = new Map<string, MemberPause>();
  const wantedPauses = () => {
    paused.clear();
    for (const [endpoint, operatorId] of queue.members())
      paused.set(endpoint, pauseOf(opts.agentStatus(operatorId)));
    return paused;
  };
  let membersChain: Promise<void> = Promise.resolve();
  /**
   * Members and their pauses as the operators and their states are now. One at a time, so two
   * changes never add the same member twice; each reads the states when its turn comes.
   */
  const syncMembers = (entries?: readonly AmiMessage[]): Promise<void> => {
    const run = membersChain.then(async () => {
      const status =
        entries ?? (await connection.list({ action: 'QueueStatus', queue: FALLBACK_QUEUE_NAME }));
      const pauses = wantedPauses();
      const actions = [
        ...memberActions(status, queue.memberEndpoints(), pauses),
        ...pauseActions(status, pauses),
      ];
      for (const action of actions) {
        await connection.action(action);
        logger.info(
          { action: action.action, member: action.interface, paused: action.paused, reason: action.reason },
          'fallback queue member changed',
        );
      }
    });
    membersChain = run.catch(() => undefined);
    return run;
  };
  let journalTimer: NodeJS.Timeout | null = null;
  const readTheJournal = async () => {
    const entries: AmiMessage[] = [];
    for (const family of journalFamilies(opts.now())) {
      entries.push(...(await connection.list({ action: 'DBGetTree', family })));
    }
    queue.completeFromJournal(readJournal(entries));
  };
  return {
    async setOperators(operators) {
      queue.setOperators(operators);
      if (connection.up) await syncMembers();
    },
    agentStateChanged(operatorId, status) {
      const endpoint = [...queue.members()].find(([, id]) => id === operatorId)?.[0];
      if (endpoint === undefined || !connection.up || samePause(paused.get(endpoint), pauseOf(status)))
        return;
      syncMembers().catch((err: unknown) =>
        logger.warn({ err, operatorId }, 'could not pause or unpause a fallback queue member'),
      );
    },
    start() {
      const catchUp = () => {
        const followedBefore = queue.followedCalls();
        // The channels are listed after the queue: a caller in the queue's list is alive in
        // the channels' unless they have hung up meanwhile.
        (async () => {
          const entries = await connection.list({ action: 'QueueStatus', queue: FALLBACK_QUEUE_NAME });
          const channels = await connection.list({ action: 'CoreShowChannels' });
          queue.resync(entries, channels, followedBefore);
          await syncMembers(entries);
          await readTheJournal();
        })().catch((err: unknown) => logger.warn({ err }, 'could not catch up with the fallback queue'));
      };
      journalTimer = setInterval(() => {
        if (!connection.up) return;
        readTheJournal().catch((err: unknown) => logger.warn({ err }, 'could not read the fallback journal'));
      }, JOURNAL_EVERY_MS);
      journalTimer.unref();
      // Asterisk sends FullyBooted to each session on login (possibly ahead of the login's answer),
      // or once it has loaded its modules (app_queue among them) when it is still starting.
      let booted = false;
      const catchUpWhenReady = () => {
        if (!booted || !connection.up) return;
        booted = false;
        catchUp();
      };
      connection.start({
        event: (event) => {
          if (event.event !== 'FullyBooted') return queue.handle(event);
          booted = true;
          catchUpWhenReady();
        },
        connected: () => {
          opts.changed();
          catchUpWhenReady();
        },
        disconnected: () => {
          booted = false;
          opts.changed();
        },
      });
    },
    stop: () => {
      if (journalTimer) clearInterval(journalTimer);
      return connection.stop();
    },
    get up() {
      return connection.up;
    },
    stats: (now) => queue.stats(now),
  };
}
