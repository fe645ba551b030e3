/**
 * Automatic call distribution: who is free, who waits, and which call goes to which operator.
 * Plain state with time passed in; no I/O, so the rules are tested table-driven.
 *
 * Rules:
 * - Waiting calls are served oldest first (by when they first joined a queue); within a queue in
 *   list order, and a call put back after a failed offer goes to the head of its queue.
 * - A call goes to the longest-idle `ready` operator who serves its queue. Every operator serves
 *   `general`; other queues need the skill.
 * - An assignment reserves both sides at once (operator `ringing`, call off the waiting list), so
 *   no call is offered twice and no operator gets two calls.
 * - While ringing or on a call an operator keeps that state; what they ask for meanwhile
 *   (`ready`, `not_ready`, `offline`) applies when the call is over.
 */

import { type AgentState, QUEUE_NAMES, type QueueName } from '../common/domain.ts';
import type { AgentStatus } from '../common/events.ts';
import { type OperatorEndpoint, type RequestedAgentState, UnknownOperatorError } from './api.ts';

export interface WaitingCall {
  callId: string;
  queue: QueueName;
  /** When the caller first joined a queue; waited time counts from here. */
  queuedAt: Date;
}

export interface Assignment {
  call: WaitingCall;
  operator: OperatorEndpoint;
}

interface OperatorSlot {
  endpoint: OperatorEndpoint;
  state: AgentState;
  since: Date;
  /** What the operator asked for; applied when their current call is over. */
  requested: RequestedAgentState;
  /** The call ringing or talking to them. */
  callId: string | null;
}

export function servesQueue(operator: OperatorEndpoint, queue: QueueName): boolean {
  return queue === 'general' || operator.skills.includes(queue);
}

export class Acd {
  private readonly operators = new Map<number, OperatorSlot>();
  private readonly waiting = new Map<QueueName, WaitingCall[]>(QUEUE_NAMES.map((q) => [q, []]));

  /** Every operator starts `offline` until their console says otherwise. */
  constructor(operators: readonly OperatorEndpoint[], now: Date) {
    for (const endpoint of operators) {
      this.operators.set(endpoint.operatorId, {
        endpoint,
        state: 'offline',
        since: now,
        requested: 'offline',
        callId: null,
      });
    }
  }

  /** Adds a call to its queue; a call already waiting is moved, never duplicated. */
  enqueue(call: WaitingCall, position: 'tail' | 'head'): void {
    this.remove(call.callId);
    const list = this.list(call.queue);
    if (position === 'head') list.unshift(call);
    else list.push(call);
  }

  /** Takes a call off the waiting lists; false when it was not waiting. */
  remove(callId: string): boolean {
    for (const list of this.waiting.values()) {
      const i = list.findIndex((c) => c.callId === callId);
      if (i >= 0) {
        list.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  isWaiting(callId: string): boolean {
    return [...this.waiting.values()].some((list) => list.some((c) => c.callId === callId));
  }

  /**
   * Pairs waiting calls with free operators and reserves both: each returned operator is now
   * `ringing` with that call, and the call is no longer waiting.
   */
  assign(now: Date): Assignment[] {
    const assignments: Assignment[] = [];
    const heads = new Map<QueueName, number>(QUEUE_NAMES.map((q) => [q, 0]));
    for (;;) {
      let next: { queue: QueueName; call: WaitingCall } | null = null;
      for (const [queue, index] of heads) {
        const call = this.list(queue)[index];
        if (call && (!next || call.queuedAt < next.call.queuedAt)) next = { queue, call };
      }
      if (!next) return assignments;
      const operator = this.longestIdle(next.queue);
      if (!operator) {
        // Every call behind this one needs the same skill: the whole queue waits.
        heads.set(next.queue, Number.POSITIVE_INFINITY);
        continue;
      }
      this.remove(next.call.callId);
      operator.state = 'ringing';
      operator.since = now;
      operator.callId = next.call.callId;
      assignments.push({ call: next.call, operator: operator.endpoint });
    }
  }

  /** The operator picked up: they are on the call. */
  answered(operatorId: number, now: Date): void {
    const slot = this.slot(operatorId);
    if (slot.state !== 'ringing') return;
    slot.state = 'on_call';
    slot.since = now;
  }

  /**
   * The operator's call is over or their offer failed. `not_ready` (after a failed offer)
   * overrides what they asked for, so an absent operator is not rung again and again.
   */
  release(operatorId: number, to: 'ready' | 'not_ready', now: Date): AgentState {
    const slot = this.slot(operatorId);
    if (to === 'not_ready' && slot.requested === 'ready') slot.requested = 'not_ready';
    slot.callId = null;
    return this.apply(slot, slot.requested, now);
  }

  /** What the operator asked for; applied now unless they are ringing or on a call. */
  request(operatorId: number, requested: RequestedAgentState, now: Date): AgentState {
    const slot = this.slot(operatorId);
    slot.requested = requested;
    if (slot.state === 'ringing' || slot.state === 'on_call') return slot.state;
    return this.apply(slot, requested, now);
  }

  state(operatorId: number): AgentState {
    return this.slot(operatorId).state;
  }

  since(operatorId: number): Date {
    return this.slot(operatorId).since;
  }

  /** The call ringing or talking to an operator. */
  callOf(operatorId: number): string | null {
    return this.slot(operatorId).callId;
  }

  operator(operatorId: number): OperatorEndpoint {
    return this.slot(operatorId).endpoint;
  }

  agents(): AgentStatus[] {
    return [...this.operators.values()].map((s) => ({
      operatorId: s.endpoint.operatorId,
      displayName: s.endpoint.displayName,
      state: s.state,
      since: s.since.toISOString(),
    }));
  }

  private apply(slot: OperatorSlot, state: AgentState, now: Date): AgentState {
    if (slot.state !== state) {
      slot.state = state;
      slot.since = now;
    }
    return slot.state;
  }

  private longestIdle(queue: QueueName): OperatorSlot | undefined {
    let best: OperatorSlot | undefined;
    for (const slot of this.operators.values()) {
      if (slot.state !== 'ready' || !servesQueue(slot.endpoint, queue)) continue;
      if (!best || slot.since < best.since) best = slot;
    }
    return best;
  }

  private list(queue: QueueName): WaitingCall[] {
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
}
