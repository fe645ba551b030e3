/**
 * Automatic call distribution: who is free, who waits, and which call goes to which operator.
 * Plain state with time passed in; no I/O, so the rules are tested table-driven.
 *
 * Rules:
 * - Within a queue: calls put back after a failed offer first (at the very head, latest first),
 *   then priority callers (returning within 30 minutes, or with an open callback task) oldest
 *   first, then everyone else in the order they joined.
 * - Across queues, the queues' next calls are served oldest first (by when they first joined).
 * - A call goes to the longest-idle `ready` operator who serves its queue. Every operator serves
 *   `general`; other queues need the skill. Once a call has waited `overflowAfterMs`, any ready
 *   operator may take it (overflow), still oldest first.
 * - An assignment reserves both sides at once (operator `ringing`, call off the waiting list), so
 *   no call is offered twice and no operator gets two calls.
 * - While ringing or on a call an operator keeps that state; what they ask for meanwhile
 *   (`ready`, `not_ready` with a reason, `offline`) applies when the call is over.
 * - After a talk the operator is in `wrap_up` for `wrapUpMs`, never offered a call, then goes to
 *   what they asked for (`ready` unless they chose otherwise). `ready` ends wrap-up early; an
 *   extension adds `wrapUpExtensionMs`, never past `maxWrapUpMs` from its start. The ACD only
 *   knows when wrap-up ends: the controller calls `endWrapUp` at that time.
 * - An offer that rang out or was declined makes the operator not ready (`missed_call`); a drop
 *   of their console or softphone, `connection_lost`. Either replaces what they asked for, except
 *   `offline`, so an absent operator is not rung again and again.
 * - A softphone takes one call at a time and answers a second INVITE "busy". An operator whose
 *   softphone still has a leg of the hotline (ringing or talking, until Asterisk reports it gone)
 *   is therefore not offered a call, even once ready: the next offer waits for that leg's end
 *   instead of being refused and counted as missed. (The controller ends that wait itself after
 *   a hang-up the console announced: the console then takes the next INVITE.)
 * - A queue callback (a caller who asked to be called back keeps their place) waits as an entry
 *   without a channel (`callback`): it goes in by when the caller first joined, so a rebuilt entry
 *   takes its old place, and it is passed over until `notBefore` (the spacing after an attempt
 *   that did not reach the citizen) while keeping that place. When it is assigned, the operator is
 *   reserved while the hotline dials the citizen.
 * - An offer whose leg could not even ring (Asterisk refused it, or it was gone at once: the
 *   softphone is not registered or its transport is gone) makes the operator not ready
 *   (`connection_lost`) and keeps them from offers for `UNREACHABLE_MS`, even if they (or a
 *   script) press ready at once: the caller goes to the next operator instead of being offered
 *   to the same unreachable softphone again and again.
 * - Operators come and go at run time (`setOperators`). A removed operator is retired at once:
 *   offline, never offered a call, off the wallboard, unknown to what they may ask for; the call
 *   ringing or talking to them still releases them as usual, and only then (and once their last
 *   leg is gone) the controller forgets them (`forgetRetired`).
 */

import {
  type AgentState,
  type NotReadyReason,
  QUEUE_NAMES,
  type QueueName,
  type SystemNotReadyReason,
} from '../common/domain.ts';
import type { AgentStateView, AgentStatus } from '../common/events.ts';
import { type AgentRequest, NotInWrapUpError, type OperatorEndpoint, UnknownOperatorError } from './api.ts';

/** How long wrap-up lasts, how much an extension adds, and its cap from the start of wrap-up. */
export interface WrapUpTimes {
  wrapUpMs: number;
  wrapUpExtensionMs: number;
  maxWrapUpMs: number;
}

export const DEFAULT_WRAP_UP: WrapUpTimes = Object.freeze({
  wrapUpMs: 30_000,
  wrapUpExtensionMs: 30_000,
  maxWrapUpMs: 180_000,
});

/**
 * Where an operator goes when a call lets them go: `wrap_up` after a talk; `ready` (or what they
 * asked for) when the caller left while it rang; not ready with the hotline's reason when they
 * missed the offer or their console dropped.
 */
export type OperatorRelease = { to: 'wrap_up' | 'ready' } | { to: 'not_ready'; reason: SystemNotReadyReason };

export interface WaitingCall {
  callId: string;
  queue: QueueName;
  /** When the caller first joined a queue; waited time counts from here. */
  queuedAt: Date;
  /** Goes ahead of callers without priority in its queue (a returning caller). */
  priority?: boolean;
  /** A queue callback's entry: no channel waits; the hotline dials the citizen when it is served. */
  callback?: boolean;
  /** Not served before this (keeps its place meanwhile). */
  notBefore?: Date;
}

export interface AcdOptions {
  /** After waiting this long a call may go to any ready operator, skill or not; 0 at once. */
  overflowAfterMs: number;
}

/** How long an operator whose softphone could not be reached is passed over by `assign`. */
export const UNREACHABLE_MS = 10_000;

/** The default: a minute with the right skill before any operator may take the call. */
export const DEFAULT_ACD_OPTIONS: AcdOptions = { overflowAfterMs: 60_000 };

/** Where a call stands in its queue: put back after a failed offer, priority, or plain. */
type Rank = 0 | 1 | 2;
interface Entry {
  call: WaitingCall;
  rank: Rank;
}

export interface Assignment {
  call: WaitingCall;
  operator: OperatorEndpoint;
}

interface OperatorSlot {
  endpoint: OperatorEndpoint;
  state: AgentState;
  /** Set while `not_ready`. */
  reason: NotReadyReason | null;
  since: Date;
  /** What the operator asked for; applied when their current call or wrap-up is over. */
  requested: AgentRequest;
  /** The call ringing or talking to them. */
  callId: string | null;
  /** Set while `wrap_up`. */
  wrapUpEndsAt: Date | null;
  /** The hotline's leg on the operator's softphone, until Asterisk reports it gone. */
  leg: string | null;
  /** Removed from the hotline; kept only until their call and leg are over. */
  retired: boolean;
  /** Their softphone could not be reached: not offered a call before this. */
  unreachableUntil: Date | null;
}

/** What `setOperators` changed; `removed` with the call each removed operator still holds. */
export interface OperatorChanges {
  added: number[];
  updated: number[];
  removed: { operatorId: number; callId: string | null }[];
}

export function servesQueue(operator: OperatorEndpoint, queue: QueueName): boolean {
  return queue === 'general' || operator.skills.includes(queue);
}

export class Acd {
  private readonly operators = new Map<number, OperatorSlot>();
  private readonly waiting = new Map<QueueName, Entry[]>(QUEUE_NAMES.map((q) => [q, []]));
  private readonly options: AcdOptions;

  /** Every operator starts `offline` until their console says otherwise. */
  constructor(
    operators: readonly OperatorEndpoint[],
    now: Date,
    options: AcdOptions = DEFAULT_ACD_OPTIONS,
    private readonly wrapUp: WrapUpTimes = DEFAULT_WRAP_UP,
  ) {
    this.options = options;
    for (const endpoint of operators) this.operators.set(endpoint.operatorId, offlineSlot(endpoint, now));
  }

  /**
   * The operators from now on: new ones start offline, known ones keep their state with the new
   * name, endpoint and skills, the others are retired (see the rules above).
   */
  setOperators(operators: readonly OperatorEndpoint[], now: Date): OperatorChanges {
    const changes: OperatorChanges = { added: [], updated: [], removed: [] };
    const kept = new Set<number>();
    for (const endpoint of operators) {
      kept.add(endpoint.operatorId);
      const slot = this.operators.get(endpoint.operatorId);
      if (!slot) {
        this.operators.set(endpoint.operatorId, offlineSlot(endpoint, now));
        changes.added.push(endpoint.operatorId);
        continue;
      }
      if (slot.retired || !sameEndpoint(slot.endpoint, endpoint)) changes.updated.push(endpoint.operatorId);
      slot.endpoint = { ...endpoint, skills: [...endpoint.skills] };
      slot.retired = false;
    }
    for (const slot of this.operators.values()) {
      if (kept.has(slot.endpoint.operatorId) || slot.retired) continue;
      slot.retired = true;
      slot.requested = { state: 'offline' };
      this.apply(slot, slot.requested, now);
      changes.removed.push({ operatorId: slot.endpoint.operatorId, callId: slot.callId });
    }
    return changes;
  }

  /** Forgets retired operators whose call and last leg are over; returns their ids. */
  forgetRetired(): number[] {
    const forgotten: number[] = [];
    for (const [operatorId, slot] of this.operators) {
      if (!slot.retired || slot.callId !== null || slot.leg !== null) continue;
      this.operators.delete(operatorId);
      forgotten.push(operatorId);
    }
    return forgotten;
  }

  /** Every operator's id, retired ones included. */
  operatorIds(): number[] {
    return [...this.operators.keys()];
  }

  /**
   * Adds a call to its queue; a call already waiting is moved, never duplicated. `head` (a call
   * put back after a failed offer) goes before everyone; `tail` goes behind its own kind.
   */
  enqueue(call: WaitingCall, position: 'tail' | 'head'): void {
    this.remove(call.callId);
    const list = this.list(call.queue);
    if (position === 'head') {
      list.unshift({ call, rank: 0 });
      return;
    }
    const rank: Rank = call.priority ? 1 : 2;
    // Plain callers keep their joining order; priority callers and queue callbacks (whose caller
    // joined earlier, perhaps before a restart) go in by when they joined.
    const byTime = rank === 1 || call.callback === true;
    const i = list.findIndex(
      (e) => e.rank > rank || (byTime && e.rank === rank && e.call.queuedAt > call.queuedAt),
    );
    if (i < 0) list.push({ call, rank });
    else list.splice(i, 0, { call, rank });
  }

  /**
   * Gives a waiting call priority (its caller turned out to be returning after it joined). A call
   * put back at the head stays there. False when the call is not waiting.
   */
  prioritise(callId: string): boolean {
    const entry = this.entry(callId);
    if (!entry) return false;
    if (entry.rank === 2) this.enqueue({ ...entry.call, priority: true }, 'tail');
    return true;
  }

  /** Takes a call off the waiting lists; false when it was not waiting. */
  remove(callId: string): boolean {
    for (const list of this.waiting.values()) {
      const i = list.findIndex((e) => e.call.callId === callId);
      if (i >= 0) {
        list.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  isWaiting(callId: string): boolean {
    return this.entry(callId) !== undefined;
  }

  /** 1 for the next call of its queue; null when the call is not waiting. */
  position(callId: string): number | null {
    for (const list of this.waiting.values()) {
      const i = list.findIndex((e) => e.call.callId === callId);
      if (i >= 0) return i + 1;
    }
    return null;
  }

  /**
   * The next moment after `now` at which a waiting call becomes free to overflow to any operator,
   * or a queue callback due again, or null when there is none. The controller dispatches again then.
   */
  nextOverflowAt(now: Date): Date | null {
    let next: number | null = null;
    const consider = (at: number) => {
      if (at > now.getTime() && (next === null || at < next)) next = at;
    };
    let anyWaiting = false;
    for (const list of this.waiting.values()) {
      for (const { call } of list) {
        anyWaiting = true;
        consider(call.queuedAt.getTime() + this.options.overflowAfterMs);
        if (call.notBefore) consider(call.notBefore.getTime());
      }
    }
    if (anyWaiting) {
      // A ready operator passed over as unreachable may take a waiting call when that time ends.
      for (const slot of this.operators.values()) {
        if (slot.unreachableUntil) consider(slot.unreachableUntil.getTime());
      }
    }
    return next === null ? null : new Date(next);
  }

  /**
   * The operator's softphone could not be reached (see the rules above): no offers for them for
   * `forMs`, whatever state they ask for meanwhile.
   */
  unreachable(operatorId: number, now: Date, forMs = UNREACHABLE_MS): void {
    this.slot(operatorId).unreachableUntil = new Date(now.getTime() + forMs);
  }

  /** Until when the operator is passed over as unreachable, or null. */
  unreachableUntil(operatorId: number, now: Date): Date | null {
    const until = this.operators.get(operatorId)?.unreachableUntil ?? null;
    return until && until > now ? until : null;
  }

  /** The waiting entry of this id (a call or a queue callback), if any. */
  waitingCall(callId: string): WaitingCall | null {
    return this.entry(callId)?.call ?? null;
  }

  /**
   * The operator reserved for a queue callback now holds the citizen's call under `callId` (the
   * channel the hotline dials them on).
   */
  rebind(operatorId: number, callId: string): void {
    this.slot(operatorId).callId = callId;
  }

  /**
   * Pairs waiting calls with free operators and reserves both: each returned operator is now
   * `ringing` with that call, and the call is no longer waiting.
   */
  assign(now: Date): Assignment[] {
    const assignments: Assignment[] = [];
    if (!this.anyFree(now)) return assignments;
    for (const call of this.inOrder()) {
      if (!this.anyFree(now)) break;
      if (call.notBefore && call.notBefore > now) continue;
      const overflow = now.getTime() - call.queuedAt.getTime() >= this.options.overflowAfterMs;
      const operator =
        this.longestIdle(call.queue, now) ?? (overflow ? this.longestIdle(null, now) : undefined);
      if (!operator) continue;
      this.remove(call.callId);
      operator.state = 'ringing';
      operator.since = now;
      operator.callId = call.callId;
      assignments.push({ call, operator: operator.endpoint });
    }
    return assignments;
  }

  /** Every waiting call, in the order they are served: queue order, merged oldest head first. */
  private inOrder(): WaitingCall[] {
    const ordered: WaitingCall[] = [];
    const heads = new Map<QueueName, number>(QUEUE_NAMES.map((q) => [q, 0]));
    for (;;) {
      let next: { queue: QueueName; call: WaitingCall } | null = null;
      for (const [queue, index] of heads) {
        const call = this.list(queue)[index]?.call;
        if (call && (!next || call.queuedAt < next.call.queuedAt)) next = { queue, call };
      }
      if (!next) return ordered;
      ordered.push(next.call);
      heads.set(next.queue, (heads.get(next.queue) ?? 0) + 1);
    }
  }

  private anyFree(now: Date): boolean {
    for (const slot of this.operators.values()) if (isFree(slot, now)) return true;
    return false;
  }

  /** The hotline rang the operator's softphone on this leg (or a restarted controller found it there). */
  legUp(operatorId: number, channelId: string): void {
    this.slot(operatorId).leg = channelId;
  }

  /**
   * Asterisk destroyed this leg: its softphone is free for the next offer. Returns the operator
   * it belonged to, or null for a leg no operator is waiting on.
   */
  legGone(channelId: string): number | null {
    for (const slot of this.operators.values()) {
      if (slot.leg !== channelId) continue;
      slot.leg = null;
      return slot.endpoint.operatorId;
    }
    return null;
  }

  /** The hotline's leg still up on the operator's softphone, if any. */
  legOf(operatorId: number): string | null {
    return this.operators.get(operatorId)?.leg ?? null;
  }

  /**
   * An operator found talking on a call this ACD did not hand out (a restarted controller adopts
   * the calls it finds bridged): on that call now; when it is over, wrap-up and then what they
   * asked for before the restart (restored by the server), or `ready` if nothing was kept (they
   * were taking calls, and can choose otherwise from their console).
   */
  resume(operatorId: number, callId: string, now: Date): void {
    const slot = this.active(operatorId);
    slot.callId = callId;
    if (slot.requested.state === 'offline') slot.requested = { state: 'ready' };
    if (slot.state !== 'on_call') slot.since = now;
    slot.state = 'on_call';
    slot.reason = null;
    slot.wrapUpEndsAt = null;
  }

  /** The operator whose softphone is this PJSIP endpoint, if any. */
  operatorIdOf(sipEndpoint: string): number | undefined {
    for (const slot of this.operators.values()) {
      if (slot.endpoint.sipEndpoint === sipEndpoint && !slot.retired) return slot.endpoint.operatorId;
    }
    return undefined;
  }

  /** The operator picked up: they are on the call. */
  answered(operatorId: number, now: Date): void {
    const slot = this.slot(operatorId);
    if (slot.state !== 'ringing') return;
    slot.state = 'on_call';
    slot.since = now;
  }

  /** The operator's call is over or their offer failed; see `OperatorRelease`. */
  release(operatorId: number, release: OperatorRelease, now: Date): AgentState {
    const slot = this.slot(operatorId);
    slot.callId = null;
    if (slot.retired) return this.apply(slot, { state: 'offline' }, now);
    if (release.to === 'not_ready' && slot.requested.state !== 'offline') {
      slot.requested = { state: 'not_ready', reason: release.reason };
    }
    if (release.to === 'wrap_up' && this.wrapUp.wrapUpMs > 0) {
      slot.state = 'wrap_up';
      slot.reason = null;
      slot.since = now;
      slot.wrapUpEndsAt = new Date(now.getTime() + this.wrapUp.wrapUpMs);
      return slot.state;
    }
    return this.apply(slot, slot.requested, now);
  }

  /**
   * What the operator asked for; applied now unless they are ringing, on a call or in wrap-up
   * (where only `ready` applies at once, ending it).
   */
  request(operatorId: number, requested: AgentRequest, now: Date): AgentState {
    const slot = this.active(operatorId);
    slot.requested = requested;
    if (slot.state === 'ringing' || slot.state === 'on_call') return slot.state;
    if (slot.state === 'wrap_up' && requested.state !== 'ready') return slot.state;
    return this.apply(slot, requested, now);
  }

  /**
   * The operator's console dropped: not ready (`connection_lost`) now, or when the call ringing or
   * talking to them lets them go. Returns that call, if any. An operator already offline stays so.
   */
  lost(operatorId: number, now: Date): string | null {
    const slot = this.active(operatorId);
    if (slot.state === 'offline' && slot.requested.state === 'offline') return null;
    slot.requested = { state: 'not_ready', reason: 'connection_lost' };
    if (slot.callId) return slot.callId;
    this.apply(slot, slot.requested, now);
    return null;
  }

  /** Ends wrap-up if its time has come (a timer that fired late or early changes nothing else). */
  endWrapUp(operatorId: number, now: Date): boolean {
    const slot = this.slot(operatorId);
    if (slot.state !== 'wrap_up' || !slot.wrapUpEndsAt || now < slot.wrapUpEndsAt) return false;
    this.apply(slot, slot.requested, now);
    return true;
  }

  /** Adds the extension to wrap-up, up to its cap; returns when it now ends. */
  extendWrapUp(operatorId: number): Date {
    const slot = this.active(operatorId);
    if (slot.state !== 'wrap_up' || !slot.wrapUpEndsAt) throw new NotInWrapUpError(operatorId);
    const cap = slot.since.getTime() + this.wrapUp.maxWrapUpMs;
    const extended = slot.wrapUpEndsAt.getTime() + this.wrapUp.wrapUpExtensionMs;
    slot.wrapUpEndsAt = new Date(Math.max(slot.wrapUpEndsAt.getTime(), Math.min(extended, cap)));
    return slot.wrapUpEndsAt;
  }

  state(operatorId: number): AgentState {
    return this.slot(operatorId).state;
  }

  /** State, reason, since and end of wrap-up, as the operator's console shows them. */
  status(operatorId: number): AgentStateView {
    return view(this.slot(operatorId));
  }

  /** When the operator's wrap-up ends; null unless they are in wrap-up. */
  wrapUpEndsAt(operatorId: number): Date | null {
    return this.operators.get(operatorId)?.wrapUpEndsAt ?? null;
  }

  since(operatorId: number): Date {
    return this.slot(operatorId).since;
  }

  /** The call ringing or talking to an operator. */
  callOf(operatorId: number): string | null {
    return this.operators.get(operatorId)?.callId ?? null;
  }

  operator(operatorId: number): OperatorEndpoint {
    return this.slot(operatorId).endpoint;
  }

  /** The wallboard's operators (retired ones are gone from it). */
  agents(): AgentStatus[] {
    return [...this.operators.values()]
      .filter((s) => !s.retired)
      .map((s) => ({
        operatorId: s.endpoint.operatorId,
        displayName: s.endpoint.displayName,
        ...view(s),
      }));
  }

  private apply(slot: OperatorSlot, request: AgentRequest, now: Date): AgentState {
    const reason = request.state === 'not_ready' ? request.reason : null;
    if (slot.state !== request.state || slot.reason !== reason) {
      slot.state = request.state;
      slot.reason = reason;
      slot.since = now;
    }
    slot.wrapUpEndsAt = null;
    return slot.state;
  }

  /** The longest-idle ready operator serving `queue`, or any at all for `null` (overflow). */
  private longestIdle(queue: QueueName | null, now: Date): OperatorSlot | undefined {
    let best: OperatorSlot | undefined;
    for (const slot of this.operators.values()) {
      if (!isFree(slot, now) || (queue !== null && !servesQueue(slot.endpoint, queue))) continue;
      if (!best || slot.since < best.since) best = slot;
    }
    return best;
  }

  private entry(callId: string): Entry | undefined {
    for (const list of this.waiting.values()) {
      const found = list.find((e) => e.call.callId === callId);
      if (found) return found;
    }
    return undefined;
  }

  private list(queue: QueueName): Entry[] {
    let list = this.waiting.get(queue);
    if (!list) {
      list = [];
      this.waiting.set(queue, list);
    }
    return list;
  }

  private slot(operatorId: number): OperatorSlot {
    const slot = this.operators.get(operatorId);
    if (!slot) throw new UnknownOperatorError(operatorId);
    return slot;
  }

  /** An operator of the hotline now: what they ask for applies; a retired one is unknown. */
  private active(operatorId: number): OperatorSlot {
    const slot = this.slot(operatorId);
    if (slot.retired) throw new UnknownOperatorError(operatorId);
    return slot;
  }
}

function offlineSlot(endpoint: OperatorEndpoint, now: Date): OperatorSlot {
  return {
    endpoint: { ...endpoint, skills: [...endpoint.skills] },
    state: 'offline',
    reason: null,
    since: now,
    requested: { state: 'offline' },
    callId: null,
    wrapUpEndsAt: null,
    leg: null,
    retired: false,
    unreachableUntil: null,
  };
}

function sameEndpoint(a: OperatorEndpoint, b: OperatorEndpoint): boolean {
  return (
    a.displayName === b.displayName &&
    a.sipEndpoint === b.sipEndpoint &&
    a.skills.length === b.skills.length &&
    a.skills.every((q, i) => b.skills[i] === q)
  );
}

/**
 * Ready, neither a call (of before a removal) nor their softphone's leg of an earlier one holds
 * them, and not passed over as unreachable.
 */
function isFree(slot: OperatorSlot, now: Date): boolean {
  return (
    slot.state === 'ready' &&
    slot.leg === null &&
    slot.callId === null &&
    !slot.retired &&
    (slot.unreachableUntil === null || slot.unreachableUntil <= now)
  );
}

function view(slot: OperatorSlot): AgentStateView {
  return {
    state: slot.state,
    since: slot.since.toISOString(),
    reason: slot.reason,
    wrapUpEndsAt: slot.wrapUpEndsAt?.toISOString() ?? null,
  };
}
