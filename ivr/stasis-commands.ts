/**
 * The command executor: runs each command the call flow decides against ARI, the ACD and the
 * server's events.
 */
import type { EndReason, QueueName } from '../common/domain.ts';
import type { CallInfo, StatusLookup } from './api.ts';
import { STASIS_APP, STASIS_ROLE } from './constants.ts';
import { type CallCommand, type CallInput, offerOfAgentChannel, type SoundName } from './flow.ts';
import { AriRequestError, GoneError } from './port.ts';
import { soundUri } from './prompts.ts';
import type { Call, StasisDeps } from './stasis-call.ts';
import {
  conversationRecordingName,
  messageRecordingName,
  queueBridgeId,
  talkBridgeId,
} from './stasis-names.ts';
import type { OperatorTimers } from './stasis-operator-timers.ts';
import { createQueueBridge } from './stasis-reconcile.ts';
import type { CallRecords } from './stasis-records.ts';
import type { WaitEstimates } from './stasis-waits.ts';

/** What the executor uses of the controller: the ids it keeps per call, and how it runs a call. */
export interface CommandHost {
  /** Agent leg channel id → call id. */
  readonly agentLegs: Map<string, string>;
  /** Playback id → call id and the flow's token for it. */
  readonly playbacks: Map<string, { callId: string; token: number }>;
  /** Stored-recording name of a caller's message being recorded → call id. */
  readonly messages: Map<string, string>;
  push(call: Call, input: CallInput | (() => CallInput)): void;
  clearTimer(call: Call): void;
  dispatch(): void;
  scheduleOverflow(now: Date): void;
  agentStateChanged(operatorId: number): void;
  info(call: Call): CallInfo;
  finish(call: Call, reason: EndReason): Promise<void>;
  /** The reserved operator of a citizen called back may ring now (an `offer` input follows). */
  offerReserved(call: Call, operatorId: number): void;
  /** A place a queue callback keeps for this caller, taken over by their new call (its joining time). */
  takeOverPlace(call: Call): Date | null;
}

export class CommandRunner {
  constructor(
    private readonly deps: Pick<
      StasisDeps,
      'ari' | 'acd' | 'events' | 'statusLine' | 'recordCalls' | 'now' | 'ringSeconds'
    >,
    private readonly waits: WaitEstimates,
    private readonly records: CallRecords,
    private readonly timers: OperatorTimers,
    private readonly host: CommandHost,
  ) {}

  /** Runs one command of the call's flow step; errors go back to the call's queue, which recovers. */
  async run(call: Call, command: CallCommand): Promise<void> {
    const { ari, acd, events } = this.deps;
    switch (command.type) {
      case 'answer':
        return ari.answer(call.id);
      case 'play': {
        const playbackId = `${call.id}-pb-${command.playback}`;
        this.host.playbacks.set(playbackId, { callId: call.id, token: command.playback });
        return ari.play(call.id, command.sounds.map(soundUri), playbackId);
      }
      case 'announce': {
        const sounds: SoundName[] = [
          ...command.before,
          ...this.waits.announcement(call),
          ...(command.callbackOffer ? (['callbackOffer'] as const) : []),
        ];
        if (sounds.length === 0) {
          // Nothing to say (the call is being offered right now): the announcement is over.
          this.host.push(call, { type: 'playbackFinished', playback: command.playback });
          return;
        }
        const playbackId = `${call.id}-pb-${command.playback}`;
        this.host.playbacks.set(playbackId, { callId: call.id, token: command.playback });
        return ari.play(call.id, sounds.map(soundUri), playbackId);
      }
      case 'stopPlayback': {
        const playbackId = `${call.id}-pb-${command.playback}`;
        this.host.playbacks.delete(playbackId);
        return ari.stopPlayback(playbackId);
      }
      case 'startTimer': {
        this.host.clearTimer(call);
        const { timer, ms } = command;
        call.timer = setTimeout(() => {
          call.timer = null;
          this.host.push(call, { type: 'timeout', timer });
        }, ms);
        return;
      }
      case 'cancelTimer':
        this.host.clearTimer(call);
        return;
      case 'hold':
        return this.hold(call, command.queue);
      case 'enqueue': {
        const state = call.state;
        if (!('queuedAt' in state)) throw new Error(`enqueue in state ${state.name}`);
        // A citizen whose callback keeps a place and who calls again gets one place: the earlier.
        const kept = command.position === 'tail' ? this.host.takeOverPlace(call) : null;
        const queuedAt = kept && kept < state.queuedAt ? kept : state.queuedAt;
        acd.enqueue(
          { callId: call.id, queue: command.queue, queuedAt, priority: call.returning || kept !== null },
          command.position,
        );
        call.log.info({ position: command.position }, 'call queued');
        events.wallboardChanged();
        this.host.dispatch();
        return;
      }
      case 'leaveQueue':
        acd.remove(call.id);
        this.host.scheduleOverflow(this.deps.now());
        events.wallboardChanged();
        return;
      case 'ring': {
        const operator = acd.operator(command.operatorId);
        // Known before originate: the leg's StasisStart can arrive before originate returns.
        this.host.agentLegs.set(command.agentChannelId, call.id);
        acd.legUp(command.operatorId, command.agentChannelId);
        call.offeredTo.add(command.operatorId);
        const { agentChannelId } = command;
        const originated = ari.originate({
          endpoint: `PJSIP/${operator.sipEndpoint}`,
          channelId: agentChannelId,
          app: STASIS_APP,
          appArgs: `${STASIS_ROLE.agent},${call.id}`,
          callerId: call.callerNumber,
          timeout: command.ringSeconds,
          originator: call.id,
        });
        void originated.catch(() => undefined); // awaited below; handled even if the pop throws
        // The screen-pop (with the caller's history) is built while Asterisk dials, not before.
        events.callOffered(command.operatorId, this.host.info(call));
        call.log.info({ operatorId: command.operatorId }, 'ringing operator');
        try {
          await originated;
        } catch (err) {
          // Asterisk refused the leg (e.g. "Allocation failed": softphone not registered): an
          // ordinary failed offer. Timeouts and lost connections stay errors: the leg may exist.
          if (!(err instanceof AriRequestError)) throw err;
          // The flow's release of the operator logs it at warn.
          call.log.info({ operatorId: command.operatorId, reason: err.message }, 'agent leg refused');
          call.unreachableLegs.add(agentChannelId);
          acd.legGone(agentChannelId);
          this.host.push(call, { type: 'agentFailed', agentChannelId, unreachable: true });
        }
        return;
      }
      case 'offerReserved':
        this.host.offerReserved(call, command.operatorId);
        return;
      case 'cancelRing':
      case 'hangupAgent':
        return ari.hangup(command.agentChannelId);
      case 'bridge': {
        const bridgeId = talkBridgeId(call.id, offerOfAgentChannel(command.agentChannelId));
        if (call.talkBridge !== bridgeId) {
          // A bridge made for an earlier offer whose leg left as the talk began goes now.
          if (call.talkBridge) await this.dropTalkBridge(call);
          await ari.createBridge(bridgeId, 'mixing', bridgeId);
          call.talkBridge = bridgeId;
        }
        await ari.addChannel(bridgeId, [call.id, command.agentChannelId]).catch((err: unknown) => {
          // Not ignorable here: one side left as the talk began; recovery decides who stays.
          throw err instanceof GoneError
            ? new Error(`a leg left before the bridge was made: ${err.message}`)
            : err;
        });
        acd.answered(command.operatorId, this.deps.now());
        this.waits.recordWait(call);
        this.host.agentStateChanged(command.operatorId);
        events.callAnswered(command.operatorId, this.host.info(call));
        call.log.info({ operatorId: command.operatorId }, 'operator answered');
        if (this.deps.recordCalls) await this.recordConversation(call, bridgeId);
        return;
      }
      case 'hangupCaller':
        return ari.hangup(call.id);
      case 'lookup':
        // Not awaited: the answer comes back as an input, so the call's other events keep flowing
        // and the flow's guard timer covers a lookup that never answers.
        this.lookup(call, command.trackingCode, command.lookup);
        return;
      case 'releaseOperator': {
        const { type: _type, operatorId: _operatorId, lineFree, unreachable, ...release } = command;
        const now = this.deps.now();
        acd.release(command.operatorId, release, now);
        if (unreachable) {
          // Not offered again at once, even if they press ready: the caller goes to the next operator.
          acd.unreachable(command.operatorId, now);
          call.log.warn(
            { operatorId: command.operatorId, until: acd.unreachableUntil(command.operatorId, now) },
            'operator’s softphone unreachable (the offer could not ring); passed over for a while',
          );
        }
        if (lineFree) {
          const leg = acd.legOf(command.operatorId);
          if (leg) acd.legGone(leg);
        }
        if (call.offeredTo.delete(command.operatorId)) events.callEnded(command.operatorId, call.id);
        this.host.agentStateChanged(command.operatorId);
        this.timers.guardLeg(command.operatorId);
        this.timers.forgetRetired();
        this.host.dispatch();
        return;
      }
      case 'recordMessage': {
        const name = messageRecordingName(call.id);
        this.host.messages.set(name, call.id);
        call.log.info('recording an after-hours message');
        return ari.recordChannel(call.id, {
          name,
          maxDurationSeconds: command.maxDurationSeconds,
          maxSilenceSeconds: command.maxSilenceSeconds,
          beep: true,
          terminateOn: '#',
        });
      }
      case 'recorded':
        this.records.record(call, { type: 'recorded', kind: command.kind, name: command.name });
        return;
      case 'finish':
        return this.host.finish(call, command.reason);
    }
  }

  /** Records the talk bridge; a recording that cannot start is logged and the talk goes on. */
  async recordConversation(call: Call, bridgeId: string): Promise<void> {
    const name = conversationRecordingName(call.id, call.legs);
    try {
      await this.deps.ari.recordBridge(bridgeId, {
        name,
        maxDurationSeconds: 0,
        maxSilenceSeconds: 0,
        beep: false,
        terminateOn: 'none',
      });
    } catch (err) {
      call.log.warn({ err }, 'could not record the conversation');
      return;
    }
    this.records.record(call, { type: 'recorded', kind: 'conversation', name });
  }

  /** Starts a status lookup; its answer comes back to the call as an input. */
  lookup(call: Call, trackingCode: string, lookup: number): void {
    let answer: Promise<StatusLookup>;
    try {
      answer = this.deps.statusLine.lookup(trackingCode, call.callerNumber);
    } catch (err) {
      answer = Promise.reject(err);
    }
    answer.then(
      (result) => {
        call.log.info(
          result.kind === 'found'
            ? { lookup: result.kind, group: result.group, smsSent: result.smsSent }
            : { lookup: result.kind },
          'status looked up',
        );
        this.host.push(call, { type: 'lookupResult', lookup, result });
      },
      (err: unknown) => {
        call.log.error({ err }, 'status lookup failed');
        this.host.push(call, { type: 'lookupFailed', lookup });
      },
    );
  }

  /**
   * Puts the caller into the queue's holding bridge, re-creating the bridge if it went missing. A
   * caller back from a lost talk leaves its talk bridge behind: it goes, so the next answer can
   * make it afresh.
   */
  async hold(call: Call, queue: QueueName): Promise<void> {
    const bridgeId = queueBridgeId(queue);
    try {
      await this.deps.ari.addChannel(bridgeId, [call.id]);
    } catch (err) {
      if (!(err instanceof GoneError && err.resource !== 'channel')) throw err;
      call.log.warn({ bridgeId }, 'queue bridge missing; re-creating it');
      await createQueueBridge(this.deps.ari, queue);
      await this.deps.ari.addChannel(bridgeId, [call.id]);
    }
    await this.dropTalkBridge(call);
  }

  /** Destroys the call's talk bridge, if it has one. Never throws. */
  async dropTalkBridge(call: Call): Promise<void> {
    const talk = call.talkBridge;
    if (!talk) return;
    call.talkBridge = null;
    await this.deps.ari.destroyBridge(talk).catch((err: unknown) => {
      if (!(err instanceof GoneError)) call.log.warn({ err }, 'could not destroy the talk bridge');
    });
  }
}
