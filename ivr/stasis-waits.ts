/**
 * The estimated wait a waiting caller hears (rules in `waiting.ts`): the caller's position, the
 * operators on duty who serve the queue (from the ACD), and per queue the recent answered calls'
 * waits and handle times (talk plus wrap-up). Both come from the call records at start, then from
 * what the controller sees: a wait at each answer, a handle time when the operator who answered
 * leaves wrap-up (or the call, without wrap-up).
 */
import type { Logger } from 'pino';
import type { AgentState, QueueName } from '../common/domain.ts';
import { servesQueue } from './acd.ts';
import type { Sound } from './flow.ts';
import type { Call, StasisDeps } from './stasis-call.ts';
import {
  addHandleSample,
  addWaitSample,
  announcementSounds,
  averageHandle,
  averageWait,
  estimateWait,
  expectedWait,
  type HandleSample,
  WAIT_SAMPLE_MAX_AGE_MS,
  type WaitSample,
} from './waiting.ts';

/** States in which an operator is on duty: taking calls, or about to again. */
const ON_DUTY: readonly AgentState[] = ['ready', 'ringing', 'on_call', 'wrap_up'];

/** A talk in progress: whose queue, and since when the operator is held by it. */
interface Handling {
  queue: QueueName;
  answeredAt: Date;
}

export class WaitEstimates {
  /** Recent answered calls' waits per queue. */
  private readonly waits = new Map<QueueName, WaitSample[]>();
  /** Recent answered calls' handle times per queue. */
  private readonly handles = new Map<QueueName, HandleSample[]>();
  /** Operators talking or in wrap-up after a call the controller saw answered. */
  private readonly handling = new Map<number, Handling>();

  constructor(
    private readonly deps: Pick<StasisDeps, 'acd' | 'records' | 'now'>,
    private readonly log: Logger,
  ) {}

  /**
   * At start: the waits and handle times of the calls answered in the last hour, from the call
   * records, so a restarted controller still tells callers the estimated wait.
   */
  rememberWaits(): void {
    try {
      const since = new Date(this.deps.now().getTime() - WAIT_SAMPLE_MAX_AGE_MS);
      for (const { queue, handle, ...sample } of this.deps.records.recentWaits?.(since) ?? []) {
        this.waits.set(queue, addWaitSample(this.waits.get(queue) ?? [], sample));
        if (handle) this.addHandle(queue, handle);
      }
    } catch (err) {
      this.log.error({ err }, 'could not read recent waits from the call records');
    }
  }

  /** Position and estimated wait of a waiting call, as sounds; nothing once it is no longer waiting. */
  announcement(call: Call): Sound[] {
    const s = call.state;
    if (!('queuedAt' in s)) return [];
    const position = this.deps.acd.position(call.id);
    if (position === null) return [];
    const now = this.deps.now();
    const inputs = {
      position,
      operatorsOnDuty: this.operatorsOnDuty(s.queue),
      averageHandleMs: this.averageHandle(s.queue, now),
      averageWaitMs: averageWait(this.waits.get(s.queue) ?? [], now),
      waitedMs: now.getTime() - s.queuedAt.getTime(),
    };
    const estimate = estimateWait(expectedWait(inputs));
    call.log.info({ ...inputs, estimate }, 'announcing position');
    return announcementSounds(position, estimate);
  }

  /** An answered call's wait feeds the queue's estimate; its operator's handle time starts. */
  recordWait(call: Call): void {
    const s = call.state;
    if (!('queuedAt' in s)) return;
    const now = this.deps.now();
    const sample = { answeredAt: now, waitMs: Math.max(0, now.getTime() - s.queuedAt.getTime()) };
    this.waits.set(s.queue, addWaitSample(this.waits.get(s.queue) ?? [], sample));
    if (s.name === 'connected') this.handling.set(s.operatorId, { queue: s.queue, answeredAt: now });
  }

  /**
   * An operator's state changed: one who leaves a talk and its wrap-up ends a handle time. A
   * talk cut short by a dropped console or softphone (the caller goes back to the queue) is no
   * handle time and is left out.
   */
  operatorChanged(operatorId: number): void {
    const handling = this.handling.get(operatorId);
    if (!handling) return;
    let status: { state: AgentState; reason: string | null };
    try {
      status = this.deps.acd.status(operatorId);
    } catch {
      this.handling.delete(operatorId);
      return;
    }
    if (status.state === 'on_call' || status.state === 'wrap_up') return;
    this.handling.delete(operatorId);
    if (status.reason === 'connection_lost') return;
    const now = this.deps.now();
    this.addHandle(handling.queue, {
      endedAt: now,
      handleMs: Math.max(0, now.getTime() - handling.answeredAt.getTime()),
    });
  }

  private addHandle(queue: QueueName, sample: HandleSample): void {
    this.handles.set(queue, addHandleSample(this.handles.get(queue) ?? [], sample));
  }

  /** The queue's mean handle time, or all queues' when it has none of its own. */
  private averageHandle(queue: QueueName, now: Date): number | null {
    const own = averageHandle(this.handles.get(queue) ?? [], now);
    if (own !== null) return own;
    const all = [...this.handles.values()].flat().sort((a, b) => a.endedAt.getTime() - b.endedAt.getTime());
    return averageHandle(all, now);
  }

  private operatorsOnDuty(queue: QueueName): number {
    const { acd } = this.deps;
    return acd
      .agents()
      .filter((a) => ON_DUTY.includes(a.state) && servesQueue(acd.operator(a.operatorId), queue)).length;
  }
}
