/**
 * Catching up with Asterisk after every (re)connect: the queue bridges are made sure of, calls
 * whose channels vanished end, and what a previous controller left in Asterisk is adopted.
 */
import type { Logger } from 'pino';
import { QUEUE_NAMES, QUEUES, type QueueName } from '../common/domain.ts';
import type { CallInfo, RecordedCall } from './api.ts';
import { endpointOf, STASIS_APP, STASIS_ROLE } from './constants.ts';
import {
  type CallInput,
  type CallState,
  callOfAgentChannel,
  FALLBACK_QUEUE,
  initialState,
  offerOfAgentChannel,
} from './flow.ts';
import type { AriBridge, AriChannel, AriPort } from './port.ts';
import { bestEffort, type Call, type StasisDeps } from './stasis-call.ts';
import { callOfTalkBridge, isCoachingResource, queueBridgeId } from './stasis-names.ts';
import type { OperatorTimers } from './stasis-operator-timers.ts';
import type { CallRecords } from './stasis-records.ts';

const MOH_CLASS = 'default';

/** Creates a queue's holding bridge with music on hold. */
export async function createQueueBridge(ari: AriPort, queue: QueueName): Promise<void> {
  const bridgeId = queueBridgeId(queue);
  await ari.createBridge(bridgeId, 'holding', `Hàng chờ ${QUEUES[queue].label}`);
  await ari.startMoh({ bridgeId }, MOH_CLASS);
}

/** Creates the queue bridges Asterisk does not have (after a start or a restart of Asterisk). */
export async function ensureQueueBridges(ari: AriPort): Promise<void> {
  const existing = new Set((await ari.listBridges()).map((b) => b.id));
  for (const queue of QUEUE_NAMES) {
    if (!existing.has(queueBridgeId(queue))) await createQueueBridge(ari, queue);
  }
}

/** What reconciliation uses of the controller: its calls and agent legs, and how it runs a call. */
export interface ReconcileHost {
  readonly calls: Map<string, Call>;
  /** Agent leg channel id → call id. */
  readonly agentLegs: Map<string, string>;
  newCall(
    id: string,
    callerNumber: string,
    state: CallState,
    recorded?: RecordedCall | null,
    lastLeg?: number,
  ): Call;
  push(call: Call, input: CallInput | (() => CallInput)): void;
  agentLegEnded(call: Call, agentChannelId: string): CallInput;
  agentStateChanged(operatorId: number): void;
  info(call: Call): CallInfo;
}

export class Reconciler {
  /** When Asterisk had started, as the last reconcile found it ('' before the first). */
  private asteriskStartedAt = '';

  constructor(
    private readonly deps: Pick<StasisDeps, 'ari' | 'acd' | 'events' | 'menu' | 'now'>,
    private readonly log: Logger,
    private readonly records: CallRecords,
    private readonly timers: OperatorTimers,
    private readonly host: ReconcileHost,
  ) {}

  /**
   * Catches up after a (re)connect: calls whose channels vanished meanwhile end (as cut off by
   * Asterisk if it started again meanwhile, so a caller cut off in the menu is owed a call); calls whose
   * recovery waited for ARI recover; what a previous controller left in Asterisk is adopted:
   * - callers waiting in a queue bridge keep their place (when they joined, from the call
   *   records, else from the channel's creation time) and are served in that order;
   * - a caller talking to an operator in `<callId>-talk` is left as it is and followed as a
   *   connected call (the operator from the agent leg's endpoint), so its end is recorded;
   *   a caller whose operator left meanwhile goes back to the head of the queue;
   * - a caller elsewhere in the IVR hears the menu again;
   * orphaned agent legs are hung up and empty talk bridges destroyed.
   */
  async reconcile(): Promise<void> {
    const [channels, bridges, startedAt] = await Promise.all([
      this.deps.ari.listChannels(),
      this.deps.ari.listBridges(),
      this.deps.ari.asteriskStartedAt().catch(() => ''),
    ]);
    // Asterisk started again meanwhile (a crash, a kill): the calls it no longer has were cut off
    // by it, not ended by their callers.
    const restarted =
      this.asteriskStartedAt !== '' && startedAt !== '' && startedAt !== this.asteriskStartedAt;
    if (startedAt !== '') this.asteriskStartedAt = startedAt;
    const alive = new Set(channels.map((c) => c.id));
    for (const operatorId of this.deps.acd.operatorIds()) {
      const leg = this.deps.acd.legOf(operatorId);
      if (leg && !alive.has(leg)) this.timers.legGone(leg);
    }
    for (const call of this.host.calls.values()) {
      if (!alive.has(call.id)) {
        this.host.push(call, { type: 'callerHungUp', byAsterisk: restarted || call.cutOffByAsterisk });
        continue;
      }
      const s = call.state;
      if ((s.name === 'offering' || s.name === 'connected') && !alive.has(s.agentChannelId)) {
        const agentChannelId = s.agentChannelId;
        this.host.push(call, () => this.host.agentLegEnded(call, agentChannelId));
      }
      if (call.needsRecovery) {
        call.needsRecovery = false;
        this.host.push(call, { type: 'error' });
      }
    }

    const bridgeOf = new Map<string, AriBridge>();
    for (const bridge of bridges) for (const id of bridge.channelIds) bridgeOf.set(id, bridge);
    const byId = new Map(channels.map((c) => [c.id, c]));
    const now = this.deps.now();
    const waiting: {
      channel: AriChannel;
      queue: QueueName;
      queuedAt: Date;
      recorded: RecordedCall | null;
    }[] = [];
    for (const channel of channels) {
      if (this.host.calls.has(channel.id) || this.host.agentLegs.has(channel.id)) continue;
      const role = stasisRole(channel);
      if (!role) continue;
      const bridge = bridgeOf.get(channel.id);
      const queue = QUEUE_NAMES.find((q) => bridge?.id === queueBridgeId(q));
      if (role === STASIS_ROLE.citizen && queue) {
        const recorded = this.records.recall(channel.id);
        waiting.push({ channel, queue, recorded, queuedAt: recorded?.queuedAt ?? createdAt(channel, now) });
      } else if (role === STASIS_ROLE.citizen && bridge && callOfTalkBridge(bridge.id) === channel.id) {
        // A barging supervisor's leg shares the talk bridge; it is not the operator.
        const agent = bridge.channelIds
          .map((id) => byId.get(id))
          .find((c) => c && c.id !== channel.id && !isCoachingResource(c.id));
        this.adoptTalk(channel, bridge.id, agent, now);
      } else if (role === STASIS_ROLE.citizen && !bridge) {
        const call = this.host.newCall(
          channel.id,
          channel.callerNumber,
          initialState(this.deps.menu()),
          this.records.recall(channel.id),
        );
        call.log.info('adopted a caller in the IVR; replaying the menu');
        this.host.push(call, { type: 'started' });
      } else if (role === STASIS_ROLE.agent) {
        const talkOf = channel.appData.split(',')[2] ?? '';
        const citizenThere = callOfTalkBridge(bridge?.id) === talkOf && bridge?.channelIds.includes(talkOf);
        if (!citizenThere) this.hangupOrphanedLeg(channel, 'hangup orphaned agent leg');
      }
    }
    // An agent leg a previous controller left ringing (not in Stasis until answered): hung up, so
    // the operator's softphone is free for the new controller's offer.
    for (const channel of channels) {
      if (this.host.agentLegs.has(channel.id) || stasisRole(channel) !== undefined) continue;
      if (callOfAgentChannel(channel.id) !== null)
        this.hangupOrphanedLeg(channel, 'hangup ringing agent leg');
    }
    // Oldest first, each at the tail: the queue's order is the order in which callers joined.
    waiting.sort((a, b) => a.queuedAt.getTime() - b.queuedAt.getTime());
    for (const { channel, queue, queuedAt, recorded } of waiting) {
      const call = this.host.newCall(
        channel.id,
        channel.callerNumber,
        this.adoptedInQueue(queue, menuChoiceOf(recorded), queuedAt, now),
        recorded,
      );
      this.deps.acd.enqueue({ callId: call.id, queue, queuedAt }, 'tail');
      call.log.info({ queuedAt: queuedAt.toISOString() }, 'adopted a caller waiting in the queue');
    }
    if (waiting.length > 0) this.deps.events.wallboardChanged();
    this.numberPastLiveLegs(channels);
    for (const bridge of bridges) {
      if (callOfTalkBridge(bridge.id) !== null && bridge.channelIds.length === 0) {
        bestEffort(this.log, this.deps.ari.destroyBridge(bridge.id), 'destroy orphaned talk bridge');
      }
    }
  }

  /**
   * Each call's next agent leg is numbered past every agent leg of it Asterisk still holds: the
   * call records a previous controller wrote may lag what it originated, and ARI refuses a channel
   * id in use ("Channel with given unique ID already exists").
   */
  private numberPastLiveLegs(channels: readonly AriChannel[]): void {
    for (const channel of channels) {
      const callId = callOfAgentChannel(channel.id);
      const call = callId === null ? undefined : this.host.calls.get(callId);
      if (call) call.legs = Math.max(call.legs, offerOfAgentChannel(channel.id));
    }
  }

  /** The state of a caller a restarted controller finds waiting, or puts back in the queue. */
  private adoptedInQueue(queue: QueueName, menuChoice: string, queuedAt: Date, now: Date): CallState {
    return {
      name: 'queued',
      seq: 0,
      playing: null,
      config: this.deps.menu(),
      timer: null,
      queue,
      menuChoice,
      queuedAt,
      offers: 0,
      announceAt: now,
      callbackOffered: false,
    };
  }

  /** A caller found in their talk bridge: followed as connected, or back to the queue if the operator left. */
  private adoptTalk(channel: AriChannel, bridgeId: string, agent: AriChannel | undefined, now: Date): void {
    const recorded = this.records.recall(channel.id);
    const queue = recorded?.queue ?? FALLBACK_QUEUE;
    const queuedAt = recorded?.queuedAt ?? createdAt(channel, now);
    const menuChoice = menuChoiceOf(recorded);
    const operatorId = agent ? this.deps.acd.operatorIdOf(endpointOf(agent.name)) : undefined;
    const leg = agent ? offerOfAgentChannel(agent.id) : 0;
    if (!agent || operatorId === undefined || leg === 0) {
      const call = this.host.newCall(
        channel.id,
        channel.callerNumber,
        this.adoptedInQueue(queue, menuChoice, queuedAt, now),
        recorded,
        leg,
      );
      call.talkBridge = bridgeId;
      if (agent) this.hangupOrphanedLeg(agent, 'hangup unknown agent leg');
      call.log.warn('adopted a caller whose operator is gone; back to the head of the queue');
      this.host.push(call, { type: 'error' });
      return;
    }
    const call = this.host.newCall(
      channel.id,
      channel.callerNumber,
      {
        name: 'connected',
        seq: 0,
        playing: null,
        config: this.deps.menu(),
        queue,
        menuChoice,
        announceAt: now,
        callbackOffered: false,
        queuedAt,
        offers: leg,
        operatorId,
        agentChannelId: agent.id,
        answeredAt: recorded?.answeredAt ?? now,
      },
      recorded,
      leg,
    );
    call.talkBridge = bridgeId;
    call.offeredTo.add(operatorId);
    this.host.agentLegs.set(agent.id, call.id);
    this.deps.acd.legUp(operatorId, agent.id);
    this.deps.acd.resume(operatorId, call.id, now);
    this.host.agentStateChanged(operatorId);
    this.deps.events.callAnswered(operatorId, this.host.info(call));
    call.log.info({ operatorId }, 'adopted a call in progress');
  }

  /** Hangs up an agent leg no call owns; its operator is not offered a call until it is gone. */
  private hangupOrphanedLeg(leg: AriChannel, what: string): void {
    const operatorId = this.deps.acd.operatorIdOf(endpointOf(leg.name));
    if (operatorId !== undefined && this.deps.acd.callOf(operatorId) === null) {
      this.deps.acd.legUp(operatorId, leg.id);
      this.timers.guardLeg(operatorId);
    }
    bestEffort(this.log, this.deps.ari.hangup(leg.id), what);
  }
}

/** `citizen` (also for a citizen called back) or `agent` for a channel in this Stasis application, else undefined. */
function stasisRole(channel: AriChannel): string | undefined {
  if (channel.appName !== 'Stasis' || !channel.appData.startsWith(`${STASIS_APP},`)) return undefined;
  const role = channel.appData.split(',')[1];
  // A citizen the hotline called back is adopted as any citizen (its kept place is rebuilt apart).
  return role === STASIS_ROLE.callback ? STASIS_ROLE.citizen : role;
}

function createdAt(channel: AriChannel, fallback: Date): Date {
  const created = new Date(channel.creationTime);
  return Number.isNaN(created.getTime()) ? fallback : created;
}

/** The key that chose the queue: the last one of the menu path, if the caller pressed any. */
function menuChoiceOf(recorded: RecordedCall | null): string {
  return recorded?.menuPath.slice(-1) ?? '';
}
