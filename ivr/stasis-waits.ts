/**
 * The estimated wait a waiting caller hears: recent answered waits per queue (from the call
 * records at start, then from each answered call) turned into the announcement's sounds.
 */
import type { Logger } from 'pino';
import type { QueueName } from '../common/domain.ts';
import type { Sound } from './flow.ts';
import type { Call, StasisDeps } from './stasis-call.ts';
import {
  addWaitSample,
  announcementSounds,
  averageWait,
  estimateWait,
  WAIT_SAMPLE_MAX_AGE_MS,
  type WaitSample,
} from './waiting.ts';

export class WaitEstimates {
  /** Recent answered calls' waits per queue, for the estimated wait. */
  private readonly waits = new Map<QueueName, WaitSample[]>();

  constructor(
    private readonly deps: Pick<StasisDeps, 'acd' | 'records' | 'now'>,
    private readonly log: Logger,
  ) {}

  /**
   * At start: the waits of the calls answered in the last hour, from the call records, so a
   * restarted controller still tells callers the estimated wait.
   */
  rememberWaits(): void {
    try {
      const since = new Date(this.deps.now().getTime() - WAIT_SAMPLE_MAX_AGE_MS);
      for (const { queue, ...sample } of this.deps.records.recentWaits?.(since) ?? []) {
        this.waits.set(queue, addWaitSample(this.waits.get(queue) ?? [], sample));
      }
    } catch (err) {
      this.log.error({ err }, 'could not read recent waits from the call records');
    }
  }

  /** Position and estimated wait of a waiting call, as sounds; nothing once it is no longer waiting. */
  announcement(call: Call): Sound[] {
    const s = call.state;
    if (!('queuedAt' in s)) return [];
    const now = this.deps.now();
    const average = averageWait(this.waits.get(s.queue) ?? [], now);
    const estimate = estimateWait(average, now.getTime() - s.queuedAt.getTime());
    const position = this.deps.acd.position(call.id);
    if (position === null) return [];
    call.log.info({ position, estimate }, 'announcing position');
    return announcementSounds(position, estimate);
  }

  /** An answered call's wait feeds the queue's estimate. */
  recordWait(call: Call): void {
    const s = call.state;
    if (!('queuedAt' in s)) return;
    const now = this.deps.now();
    const sample = { answeredAt: now, waitMs: Math.max(0, now.getTime() - s.queuedAt.getTime()) };
    this.waits.set(s.queue, addWaitSample(this.waits.get(s.queue) ?? [], sample));
  }
}
