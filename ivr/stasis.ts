/**
 * The adapter between Asterisk and the call flow: routes ARI events to their call as flow
 * inputs and runs each call's inputs in order; its parts live in `stasis-*.ts` (commands,
 * call records, wait estimates, operator timers, reconcile and adoption).
 *
 * - One call's inputs run strictly one after another (a serial promise chain per call), so an
 *   event never overtakes the commands of the one before it.
 * - Every failure ends in a defined place: the error is logged and the flow gets an `error`
 *   input, which puts a caller who reached the queue back at its head and hangs up one who had
 *   not. If that fails too, the caller is hung up. While ARI is down, recovery waits for the
 *   reconnect.
 */
import type { Logger } from 'pino';
import type { CoachingView } from '../common/api.ts';
import { type EndReason, isDialableNumber, QUEUE_NAMES } from '../common/domain.ts';
import { type AgentStateView, NO_CALL_FIGURES, type QueueStats } from '../common/events.ts';
import type { AgentRequest, CallInfo, CoachRequest, OperatorEndpoint, RecordedCall } from './api.ts';
import { STASIS_ROLE } from './constants.ts';
import {
  agentChannelIdFor,
  type CallInput,
  type CallState,
  callingBackState,
  DEFAULT_WAITING,
  initialState,
  step,
  waitingFor,
} from './flow.ts';
import { AriDisconnectedError, type AriEvent, GoneError, SOFTHANGUP_SHUTDOWN } from './port.ts';
import { DEFAULT_QUEUE_CALLBACK } from './queue-callback.ts';
import { bestEffort, type Call, type StasisDeps } from './stasis-call.ts';
import { QueueCallbacks } from './stasis-callbacks.ts';
import { CoachingController } from './stasis-coaching.ts';
import { CommandRunner } from './stasis-commands.ts';
import { OperatorTimers } from './stasis-operator-timers.ts';
import { ensureQueueBridges, Reconciler } from './stasis-reconcile.ts';
import { CallRecords } from './stasis-records.ts';
import { WaitEstimates } from './stasis-waits.ts';

/** A returning-caller lookup slower than this counts as "not returning"; the call never waits for it. */
export const RETURNING_LOOKUP_TIMEOUT_MS = 1_000;

export class StasisController {
  private readonly calls = new Map<string, Call>();
  /** Agent leg channel id → call id. */
  private readonly agentLegs = new Map<string, string>();
  /** Playback id → call id and the flow's token for it. */
  private readonly playbacks = new Map<string, { callId: string; token: number }>();
  /** Stored-recording name of a caller's message being recorded → call id. */
  private readonly messages = new Map<string, string>();
  private readonly log: Logger;
  /** The one timer that dispatches again when the next waiting call becomes due for overflow. */
  private overflowTimer: NodeJS.Timeout | null = null;
  private readonly waits: WaitEstimates;
  private readonly records: CallRecords;
  private readonly timers: OperatorTimers;
  private readonly reconciler: Reconciler;
  private readonly commands: CommandRunner;
  private readonly coaching: CoachingController;
  private readonly queueCallbacks: QueueCallbacks;

  constructor(private readonly deps: StasisDeps) {
    this.log = deps.logger;
    this.waits = new WaitEstimates(deps, this.log);
    this.records = new CallRecords(deps, this.log);
    this.timers = new OperatorTimers(deps, this.log, {
      agentStateChanged: (operatorId) => this.agentStateChanged(operatorId),
      dispatch: () => this.dispatch(),
    });
    this.reconciler = new Reconciler(deps, this.log, this.records, this.timers, {
      calls: this.calls,
      agentLegs: this.agentLegs,
      newCall: (id, callerNumber, state, recorded, lastLeg) =>
        this.newCall(id, callerNumber, state, recorded, lastLeg),
      push: (call, input) => this.push(call, input),
      agentLegEnded: (call, agentChannelId) => this.agentLegEnded(call, agentChannelId),
      agentStateChanged: (operatorId) => this.agentStateChanged(operatorId),
      info: (call) => this.info(call),
    });
    this.commands = new CommandRunner(deps, this.waits, this.records, this.timers, {
      agentLegs: this.agentLegs,
      playbacks: this.playbacks,
      messages: this.messages,
      push: (call, input) => this.push(call, input),
      clearTimer: (call) => this.clearTimer(call),
      dispatch: () => this.dispatch(),
      scheduleOverflow: (now) => this.scheduleOverflow(now),
      agentStateChanged: (operatorId) => this.agentStateChanged(operatorId),
      info: (call) => this.info(call),
      finish: (call, reason) => this.finish(call, reason),
      offerReserved: (call, operatorId) => this.offerReserved(call, operatorId),
      takeOverPlace: (call) => (call.callback ? null : this.queueCallbacks.takeOver(call.callerNumber)),
    });
    this.queueCallbacks = new QueueCallbacks(
      {
        ...deps,
        store: deps.queueCallbacks,
        policy: deps.queueCallbackPolicy ?? DEFAULT_QUEUE_CALLBACK,
      },
      this.log.child({ component: 'queue-callbacks' }),
      {
        agentStateChanged: (operatorId) => this.agentStateChanged(operatorId),
        dispatch: () => this.dispatch(),
        hasLiveCall: (callerNumber) =>
          [...this.calls.values()].some((c) => !c.finished && c.callerNumber === callerNumber),
      },
    );
    this.coaching = new CoachingController(deps, { talkOf: (callId) => this.talkOf(callId) });
    this.waits.rememberWaits();
  }

  /** Entry point for every ARI event. Never throws. */
  handle(event: AriEvent): void {
    try {
      this.route(event);
    } catch (err) {
      this.log.error({ err, event: event.type }, 'could not route ARI event');
    }
  }

  /** After every (re)connect: make sure the queue bridges exist and catch up with what happened meanwhile. */
  async onConnected(): Promise<void> {
    try {
      await ensureQueueBridges(this.deps.ari);
      await this.reconciler.reconcile();
      await this.coaching.reconcile();
      this.queueCallbacks.rebuild();
    } catch (err) {
      this.log.error({ err }, 'start-up reconciliation with Asterisk failed');
    }
    this.deps.events.wallboardChanged();
    this.dispatch();
  }

  onDisconnected(): void {
    this.deps.events.wallboardChanged();
  }

  /** Waiting callers per queue (ringing ones still wait), for the wallboard. */
  queueStats(now: Date): QueueStats[] {
    return QUEUE_NAMES.map((queue) => {
      let waiting = 0;
      let oldest: Date | null = null;
      for (const call of this.calls.values()) {
        const s = call.state;
        if ((s.name === 'queued' || s.name === 'offering') && s.queue === queue) {
          waiting++;
          if (!oldest || s.queuedAt < oldest) oldest = s.queuedAt;
        }
      }
      const longestWaitSeconds = oldest
        ? Math.max(0, Math.floor((now.getTime() - oldest.getTime()) / 1000))
        : 0;
      // Answered, abandoned and the service level come from the call records, which the server keeps.
      return {
        queue,
        waiting,
        longestWaitSeconds,
        ...NO_CALL_FIGURES,
      };
    });
  }

  /** The call ringing or talking to an operator. */
  currentCall(operatorId: number): { call: CallInfo; answered: boolean } | null {
    for (const call of this.calls.values()) {
      const s = call.state;
      if ((s.name === 'offering' || s.name === 'connected') && s.operatorId === operatorId)
        return { call: this.info(call), answered: s.name === 'connected' };
    }
    return null;
  }

  /** Offers waiting calls to free operators. Call after anything that may free an operator or add a call. */
  dispatch(): void {
    if (!this.deps.isUp()) return;
    const now = this.deps.now();
    for (const { call: waiting, operator } of this.deps.acd.assign(now)) {
      this.agentStateChanged(operator.operatorId);
      if (this.queueCallbacks.owns(waiting.callId)) {
        this.queueCallbacks.dial(waiting.callId, operator.operatorId);
        continue;
      }
      const call = this.calls.get(waiting.callId);
      if (!call || call.finished) {
        this.deps.acd.release(operator.operatorId, { to: 'ready' }, now);
        this.agentStateChanged(operator.operatorId);
        continue;
      }
      call.legs += 1;
      const agentChannelId = agentChannelIdFor(call.id, call.legs);
      this.push(call, {
        type: 'offer',
        operatorId: operator.operatorId,
        agentChannelId,
        ringSeconds: this.deps.ringSeconds,
      });
    }
    this.scheduleOverflow(now);
  }

  /** The citizen called back heard the greeting: the operator reserved for them rings. */
  private offerReserved(call: Call, operatorId: number): void {
    call.legs += 1;
    this.push(call, {
      type: 'offer',
      operatorId,
      agentChannelId: agentChannelIdFor(call.id, call.legs),
      ringSeconds: this.deps.ringSeconds,
    });
  }

  /** Places kept for callers who asked to be called back (see `stasis-callbacks.ts`). */
  keptPlaces() {
    return this.queueCallbacks.list();
  }

  /** Arms the dispatch for the next moment a waiting call may overflow to any operator. */
  private scheduleOverflow(now: Date): void {
    if (this.overflowTimer) clearTimeout(this.overflowTimer);
    this.overflowTimer = null;
    const next = this.deps.acd.nextOverflowAt(now);
    if (!next) return;
    this.overflowTimer = setTimeout(() => {
      this.overflowTimer = null;
      this.dispatch();
    }, next.getTime() - now.getTime());
  }

  /** What an operator asked for (see `Ivr.setAgentState`). */
  requestState(operatorId: number, request: AgentRequest): AgentStateView {
    const { acd } = this.deps;
    const before = acd.status(operatorId);
    acd.request(operatorId, request, this.deps.now());
    const after = acd.status(operatorId);
    if (after.state !== before.state || after.reason !== before.reason) this.agentStateChanged(operatorId);
    this.dispatch();
    return after;
  }

  /** More time for the operator's wrap-up; throws `NotInWrapUpError` outside wrap-up. */
  extendWrapUp(operatorId: number): AgentStateView {
    this.deps.acd.extendWrapUp(operatorId);
    this.agentStateChanged(operatorId);
    return this.deps.acd.status(operatorId);
  }

  /** The operator's console dropped: not ready, and their call (ringing or talking) back to the queue. */
  operatorLost(operatorId: number): void {
    const { acd } = this.deps;
    const before = acd.status(operatorId);
    const callId = acd.lost(operatorId, this.deps.now());
    const after = acd.status(operatorId);
    if (after.state !== before.state || after.reason !== before.reason) this.agentStateChanged(operatorId);
    const call = callId ? this.calls.get(callId) : undefined;
    if (!call) return;
    call.log.warn({ operatorId }, 'operator console lost during the call');
    this.pushAgentLost(call, operatorId);
  }

  /**
   * The operator is lost to the call: evaluated in its turn, so an offer still queued for them is
   * made and then withdrawn; an input for an operator the call has left changes nothing.
   */
  private pushAgentLost(call: Call, operatorId: number): void {
    this.push(call, (): CallInput => {
      const s = call.state;
      return (s.name === 'offering' || s.name === 'connected') && s.operatorId === operatorId
        ? { type: 'agentLost', agentChannelId: s.agentChannelId }
        : { type: 'agentLost', agentChannelId: '' };
    });
  }

  /**
   * The operators from now on (see `Ivr.setOperators`): a removed operator's ringing offer is
   * withdrawn and their talk ended, the caller going back to the head of the queue as when an
   * operator's console drops.
   */
  setOperators(operators: readonly OperatorEndpoint[]): void {
    const { acd } = this.deps;
    const changes = acd.setOperators(operators, this.deps.now());
    for (const { operatorId, callId } of changes.removed) {
      this.agentStateChanged(operatorId);
      const call = callId ? this.calls.get(callId) : undefined;
      if (!call) continue;
      call.log.warn({ operatorId }, 'operator removed during the call');
      this.pushAgentLost(call, operatorId);
    }
    this.timers.forgetRetired();
    if (changes.added.length + changes.updated.length + changes.removed.length > 0) {
      this.log.info(
        { added: changes.added, updated: changes.updated, removed: changes.removed.map((r) => r.operatorId) },
        'operators changed',
      );
      this.deps.events.wallboardChanged();
      this.dispatch();
    }
  }

  /** The operator pressed hang-up; false when the call is not theirs (any more). */
  operatorHangsUp(operatorId: number, callId: string): boolean {
    const call = this.calls.get(callId);
    if (!call || this.deps.acd.callOf(operatorId) !== callId) return false;
    this.push(call, { type: 'agentHangsUp', operatorId });
    return true;
  }

  /** A supervisor joins the call or changes mode (see `Ivr.coach`). */
  coach(request: CoachRequest): Promise<CoachingView> {
    return this.coaching.coach(request);
  }

  /** A supervisor leaves the call (see `Ivr.leaveCoaching`). */
  leaveCoaching(callId: string, supervisorId: number): Promise<void> {
    return this.coaching.leave(callId, supervisorId);
  }

  /** The talk of a call being talked: what a supervisor joins. */
  private talkOf(callId: string) {
    const call = this.calls.get(callId);
    const s = call?.state;
    if (!call || call.finished || s?.name !== 'connected' || !call.talkBridge) return null;
    return { operatorId: s.operatorId, agentChannelId: s.agentChannelId, bridgeId: call.talkBridge };
  }

  /** Resolves when every call's queued inputs have run (for tests and shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const chains = [...this.calls.values()].map((c) => c.chain);
      await Promise.all(chains);
      const after = [...this.calls.values()].map((c) => c.chain);
      if (after.length === chains.length && after.every((c, i) => c === chains[i])) return;
    }
  }

  /** Stops every timer; Asterisk keeps the calls. */
  close(): void {
    for (const call of this.calls.values()) this.clearTimer(call);
    if (this.overflowTimer) clearTimeout(this.overflowTimer);
    this.overflowTimer = null;
    this.timers.close();
    this.queueCallbacks.close();
  }

  private route(event: AriEvent): void {
    // Supervisors' legs and snoop channels are no citizen's call.
    if (this.coaching.handle(event)) return;
    switch (event.type) {
      case 'StasisStart': {
        const [role, callId] = event.args;
        if (role === STASIS_ROLE.citizen) {
          if (this.calls.has(event.channelId)) return;
          const call = this.newCall(event.channelId, event.callerNumber, initialState(this.deps.menu()));
          call.log.info('call entered the IVR');
          this.push(call, { type: 'started' });
          return;
        }
        if (role === STASIS_ROLE.callback) {
          const answered = this.queueCallbacks.answered(event.channelId);
          if (answered) {
            const { callerNumber, place, operatorId } = answered;
            const state = callingBackState(this.deps.menu(), place, operatorId, this.deps.now());
            const call = this.newCall(event.channelId, callerNumber, state);
            call.callback = true;
            // Reserved for this call: released with it whatever happens.
            call.offeredTo.add(operatorId);
            call.log.info({ operatorId }, 'the citizen answered the callback');
            this.push(call, { type: 'started' });
            return;
          }
        }
        if (role === STASIS_ROLE.agent && callId) {
          const call = this.calls.get(callId);
          if (call) {
            this.push(call, { type: 'agentAnswered', agentChannelId: event.channelId });
            return;
          }
        }
        this.log.warn(
          { channelId: event.channelId, args: event.args },
          'unexpected channel in Stasis; hanging up',
        );
        bestEffort(this.log, this.deps.ari.hangup(event.channelId), 'hangup unexpected channel');
        return;
      }
      case 'StasisEnd':
      case 'ChannelDestroyed': {
        const caller = this.calls.get(event.channelId);
        if (caller) {
          this.push(caller, { type: 'callerHungUp', byAsterisk: caller.cutOffByAsterisk });
          return;
        }
        const callId = this.agentLegs.get(event.channelId);
        const call = callId ? this.calls.get(callId) : undefined;
        if (call) this.push(call, () => this.agentLegEnded(call, event.channelId));
        if (event.type === 'ChannelDestroyed') {
          this.agentLegs.delete(event.channelId);
          this.timers.legGone(event.channelId);
          // The citizen's phone never answered the callback: busy, no answer or failed.
          this.queueCallbacks.ended(event.channelId, event.cause);
        }
        return;
      }
      case 'ChannelDtmfReceived': {
        const call = this.calls.get(event.channelId);
        if (call) this.push(call, { type: 'dtmf', digit: event.digit });
        return;
      }
      case 'PlaybackFinished': {
        const playback = this.playbacks.get(event.playbackId);
        if (!playback) return;
        this.playbacks.delete(event.playbackId);
        const call = this.calls.get(playback.callId);
        if (call) this.push(call, { type: 'playbackFinished', playback: playback.token });
        return;
      }
      case 'RecordingFinished':
      case 'RecordingFailed': {
        const callId = this.messages.get(event.name);
        const call = callId ? this.calls.get(callId) : undefined;
        if (!call) return;
        this.messages.delete(event.name);
        this.push(
          call,
          event.type === 'RecordingFinished'
            ? { type: 'recordingFinished', name: event.name, durationSeconds: event.durationSeconds }
            : { type: 'recordingFailed' },
        );
        if (event.type === 'RecordingFailed')
          call.log.warn({ cause: event.cause }, 'message recording failed');
        return;
      }
      case 'ChannelHangupRequest': {
        // StasisEnd / ChannelDestroyed follow for a real hangup; a soft request may not end the call.
        const caller = this.calls.get(event.channelId);
        if (caller && event.soft && event.cause === SOFTHANGUP_SHUTDOWN && !caller.cutOffByAsterisk) {
          caller.cutOffByAsterisk = true;
          caller.log.warn('Asterisk is shutting down and hangs up the caller');
        }
        return;
      }
    }
  }

  /** Whether a leg's end means "did not answer" or "hung up" depends on the state when it is handled. */
  private agentLegEnded(call: Call, agentChannelId: string): CallInput {
    return call.state.name === 'offering' && call.state.agentChannelId === agentChannelId
      ? { type: 'agentFailed', agentChannelId }
      : { type: 'agentHungUp', agentChannelId };
  }

  /**
   * `recorded`: what the call records hold of a call a restarted controller adopts; its arrival is
   * not reported again, and its agent legs are numbered after the recorded offers and `lastLeg`
   * (the agent leg found with it), so no leg id or recording name is used twice.
   */
  private newCall(
    id: string,
    callerNumber: string,
    state: CallState,
    recorded: RecordedCall | null = null,
    lastLeg = 0,
  ): Call {
    const call: Call = {
      id,
      callerNumber,
      state,
      log: this.log.child({ callId: id }),
      chain: Promise.resolve(),
      timer: null,
      legs: Math.max(lastLeg, recorded?.offers ?? 0),
      talkBridge: null,
      offeredTo: new Set(),
      unreachableLegs: new Set(),
      needsRecovery: false,
      cutOffByAsterisk: false,
      finished: false,
      returning: false,
      callback: false,
      keptPlace: null,
    };
    this.calls.set(id, call);
    if (!recorded) this.records.record(call, { type: 'arrived', callerNumber });
    this.checkReturning(call);
    return call;
  }

  /**
   * Asks the server whether the caller is returning, without holding the call up: the answer
   * usually arrives during the menu; a late "yes" moves a caller already waiting ahead. Slow or
   * failing answers count as "no".
   */
  private checkReturning(call: Call): void {
    const { history } = this.deps;
    if (!history || !call.callerNumber) return;
    let guard: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      guard = setTimeout(() => resolve(false), RETURNING_LOOKUP_TIMEOUT_MS);
    });
    let answer: Promise<boolean>;
    try {
      answer = history.isReturning({ callId: call.id, callerNumber: call.callerNumber }, this.deps.now());
    } catch (err) {
      answer = Promise.reject(err);
    }
    void Promise.race([answer, timedOut])
      .catch((err: unknown) => {
        call.log.warn({ err }, 'returning-caller lookup failed; treated as a new caller');
        return false;
      })
      .then((returning) => {
        clearTimeout(guard);
        if (!returning || call.finished) return;
        call.returning = true;
        call.log.debug('returning caller: ahead of new callers');
        if (this.deps.acd.prioritise(call.id)) this.dispatch();
      });
  }

  /** Appends an input to the call's serial queue. A function input is evaluated when its turn comes. */
  private push(call: Call, input: CallInput | (() => CallInput)): void {
    call.chain = call.chain.then(async () => {
      const resolved = typeof input === 'function' ? input() : input;
      try {
        await this.apply(call, resolved);
      } catch (err) {
        await this.recover(call, resolved, err);
      }
    });
  }

  private async apply(call: Call, input: CallInput): Promise<void> {
    const before = call.state;
    const from = before.name;
    // A caller whose number cannot be dialled back is never offered a callback.
    const waiting = waitingFor(this.deps.waiting ?? DEFAULT_WAITING, isDialableNumber(call.callerNumber));
    const { state, commands } = step(before, input, this.deps.now(), waiting);
    call.state = state;
    if (before.name === 'queued' && state.name === 'goodbye' && state.reason === 'callback_requested') {
      call.keptPlace = { queue: before.queue, menuChoice: before.menuChoice, queuedAt: before.queuedAt };
    }
    if (call.callback && from === 'offering' && state.name === 'connected')
      this.queueCallbacks.connected(call.id);
    // An offer that could not ring ended `failed` in the call record, not `no_answer`.
    if (before.name === 'offering' && commands.some((c) => c.type === 'releaseOperator' && c.unreachable))
      call.unreachableLegs.add(before.agentChannelId);
    this.records.step(call, before, input, state, commands);
    if (from === 'connected' && state.name !== 'connected') this.coaching.talkEnded(call.id);
    if (from !== state.name) {
      if ('queue' in state) call.log = this.log.child({ callId: call.id, queue: state.queue });
      call.log.debug({ from, to: state.name, input: input.type }, 'call state');
    }
    for (const command of commands) {
      try {
        await this.commands.run(call, command);
      } catch (err) {
        if (!(err instanceof GoneError)) throw err;
        call.log.debug({ err: err.message, command: command.type }, 'resource already gone');
      }
    }
  }

  private async recover(call: Call, input: CallInput, err: unknown): Promise<void> {
    call.log.error({ err, input: input.type, state: call.state.name }, 'call step failed');
    if (err instanceof AriDisconnectedError) {
      call.needsRecovery = true;
      return;
    }
    try {
      await this.apply(call, { type: 'error' });
    } catch (again) {
      if (again instanceof AriDisconnectedError) {
        call.needsRecovery = true;
        return;
      }
      call.log.error({ err: again }, 'recovery failed; hanging up the caller');
      await this.deps.ari.hangup(call.id).catch(() => {});
      await this.finish(call, 'error');
    }
  }

  /** Releases what the call holds. Never throws. */
  private async finish(call: Call, reason: EndReason): Promise<void> {
    if (call.finished) return;
    call.finished = true;
    if (call.state.name !== 'ended')
      call.state = {
        name: 'ended',
        seq: call.state.seq,
        playing: null,
        config: call.state.config,
        reason: 'error',
      };
    this.clearTimer(call);
    this.coaching.talkEnded(call.id);
    if (this.deps.acd.remove(call.id)) this.scheduleOverflow(this.deps.now());
    for (const [id, p] of this.playbacks) if (p.callId === call.id) this.playbacks.delete(id);
    for (const [name, callId] of this.messages) if (callId === call.id) this.messages.delete(name);
    for (const [id, callId] of this.agentLegs) if (callId === call.id) this.agentLegs.delete(id);
    // Only after a failed recovery can an operator still be held by this call.
    for (const operatorId of call.offeredTo) {
      if (this.deps.acd.callOf(operatorId) === call.id) {
        this.deps.acd.release(operatorId, { to: 'ready' }, this.deps.now());
        this.agentStateChanged(operatorId);
      }
      this.deps.events.callEnded(operatorId, call.id);
    }
    const released = call.offeredTo.size > 0;
    call.offeredTo.clear();
    if (released) this.timers.forgetRetired();
    await this.commands.dropTalkBridge(call);
    this.calls.delete(call.id);
    call.log.info({ reason }, 'call ended');
    // Recorded before the wallboard push below, so its figures already count this call.
    this.records.record(call, { type: 'ended', reason });
    // After the record, so the server's task (which it reads) exists before the place is served.
    if (reason === 'callback_requested' && call.keptPlace)
      this.queueCallbacks.keep(call.id, call.callerNumber, call.keptPlace);
    if (call.callback) this.queueCallbacks.ended(call.id, null);
    this.deps.events.wallboardChanged();
    if (released) this.dispatch();
  }

  private info(call: Call): CallInfo {
    const s = call.state;
    const queue = 'queue' in s ? s.queue : 'general';
    const menuChoice = 'menuChoice' in s ? s.menuChoice : '';
    const queuedAt = 'queuedAt' in s ? s.queuedAt : this.deps.now();
    const waitedSeconds = Math.max(0, Math.floor((this.deps.now().getTime() - queuedAt.getTime()) / 1000));
    return {
      callId: call.id,
      caller: call.callerNumber,
      queue,
      menuChoice,
      waitedSeconds,
      ...(call.callback ? { callback: true } : {}),
    };
  }

  /** Tells the operator's console and the wallboard, and keeps the operator's wrap-up timer in step. */
  private agentStateChanged(operatorId: number): void {
    this.timers.syncWrapUpTimer(operatorId);
    this.waits.operatorChanged(operatorId);
    this.deps.events.agentStateChanged(operatorId, this.deps.acd.status(operatorId));
    this.deps.events.wallboardChanged();
  }

  private clearTimer(call: Call): void {
    if (call.timer) clearTimeout(call.timer);
    call.timer = null;
  }
}
