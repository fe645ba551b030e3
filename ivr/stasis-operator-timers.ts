/**
 * The timers the controller keeps per operator: the end of wrap-up, and the guard on a last
 * leg whose end Asterisk never reports.
 */
import type { Logger } from 'pino';
import { bestEffort, type StasisDeps } from './stasis-call.ts';

/**
 * An operator's last leg whose end Asterisk has not reported this long after its call let the
 * operator go is hung up again and taken as gone, so the operator is not kept from calls forever.
 */
export const LEG_GONE_GUARD_MS = 5_000;

/** What the timers call back in the controller. */
export interface OperatorTimerHost {
  /** Tells the operator's console and the wallboard (and keeps the wrap-up timer in step). */
  agentStateChanged(operatorId: number): void;
  /** Offers waiting calls to free operators. */
  dispatch(): void;
}

export class OperatorTimers {
  /** One timer per operator in wrap-up, firing when it ends. */
  private readonly wrapUpTimers = new Map<number, NodeJS.Timeout>();
  /** One guard per operator let go while their last leg was still up (`LEG_GONE_GUARD_MS`). */
  private readonly legGuards = new Map<number, NodeJS.Timeout>();

  constructor(
    private readonly deps: Pick<StasisDeps, 'acd' | 'ari' | 'now'>,
    private readonly log: Logger,
    private readonly host: OperatorTimerHost,
  ) {}

  /** Drops the timers of retired operators the ACD no longer holds anything for. */
  forgetRetired(): void {
    for (const operatorId of this.deps.acd.forgetRetired()) {
      clearTimeout(this.wrapUpTimers.get(operatorId));
      this.wrapUpTimers.delete(operatorId);
      clearTimeout(this.legGuards.get(operatorId));
      this.legGuards.delete(operatorId);
    }
  }

  /** Re-arms the operator's wrap-up timer for the end the ACD holds; none outside wrap-up. */
  syncWrapUpTimer(operatorId: number): void {
    const previous = this.wrapUpTimers.get(operatorId);
    if (previous) clearTimeout(previous);
    this.wrapUpTimers.delete(operatorId);
    const endsAt = this.deps.acd.wrapUpEndsAt(operatorId);
    if (!endsAt) return;
    const timer = setTimeout(
      () => {
        this.wrapUpTimers.delete(operatorId);
        if (!this.deps.acd.endWrapUp(operatorId, this.deps.now())) {
          // Fired early by the clock's reckoning: wait for the rest.
          this.syncWrapUpTimer(operatorId);
          return;
        }
        this.host.agentStateChanged(operatorId);
        this.host.dispatch();
      },
      Math.max(0, endsAt.getTime() - this.deps.now().getTime()),
    );
    this.wrapUpTimers.set(operatorId, timer);
  }

  /** Asterisk destroyed a leg: if an operator's softphone was held by it, they may be offered the next call. */
  legGone(channelId: string): void {
    const operatorId = this.deps.acd.legGone(channelId);
    if (operatorId === null) return;
    clearTimeout(this.legGuards.get(operatorId));
    this.legGuards.delete(operatorId);
    this.forgetRetired();
    this.host.dispatch();
  }

  /** Arms `LEG_GONE_GUARD_MS` for an operator let go while their last leg is still up. */
  guardLeg(operatorId: number): void {
    clearTimeout(this.legGuards.get(operatorId));
    this.legGuards.delete(operatorId);
    const leg = this.deps.acd.legOf(operatorId);
    if (!leg) return;
    const timer = setTimeout(() => {
      this.legGuards.delete(operatorId);
      if (this.deps.acd.legOf(operatorId) !== leg) return;
      this.log.warn(
        { operatorId, channelId: leg },
        "no end reported for the operator's last leg; taken as gone",
      );
      bestEffort(this.log, this.deps.ari.hangup(leg), 'hangup stale agent leg');
      this.legGone(leg);
    }, LEG_GONE_GUARD_MS);
    this.legGuards.set(operatorId, timer);
  }

  /** Stops every timer. */
  close(): void {
    for (const timer of this.wrapUpTimers.values()) clearTimeout(timer);
    this.wrapUpTimers.clear();
    for (const timer of this.legGuards.values()) clearTimeout(timer);
    this.legGuards.clear();
  }
}
