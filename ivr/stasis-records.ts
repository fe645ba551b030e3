/**
 * The controller's side of the call records: the record events each flow step implies, handed
 * to the server's `CallRecorder`, and what the records remember of a call a restart adopts.
 */
import type { Logger } from 'pino';
import type { OfferOutcome } from '../common/domain.ts';
import { type CallRecordEvent, type RecordedCall, recallSafely, recordSafely } from './api.ts';
import type { CallCommand, CallInput, CallState } from './flow.ts';
import type { Call, StasisDeps } from './stasis-call.ts';

/** `Omit` applied to each member of a union, keeping it a union. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class CallRecords {
  constructor(
    private readonly deps: Pick<StasisDeps, 'records' | 'now'>,
    private readonly log: Logger,
  ) {}

  /**
   * The call record events one flow step implies: keys pressed at the menu, joining a queue,
   * offers made, and how the current offer ended (answered, no answer, failed, withdrawn).
   */
  step(call: Call, before: CallState, input: CallInput, after: CallState, commands: CallCommand[]): void {
    if (input.type === 'dtmf' && (before.name === 'menu' || before.name === 'codeRejected')) {
      this.record(call, { type: 'digit', digit: input.digit });
    }
    const dropped = input.type === 'agentLost' || input.type === 'agentHungUp';
    if (before.name === 'connected' && after.name === 'queued' && dropped) {
      this.record(call, { type: 'operatorLost', operatorId: before.operatorId });
    }
    for (const command of commands) {
      if (command.type === 'enqueue' && command.position === 'tail')
        this.record(call, { type: 'queued', queue: command.queue });
      else if (command.type === 'ring')
        this.record(call, { type: 'offered', operatorId: command.operatorId });
    }
    if (before.name !== 'offering' || after.name === 'offering') return;
    const { operatorId, agentChannelId } = before;
    let outcome: OfferOutcome;
    if (after.name === 'connected') outcome = 'answered';
    else if (after.name === 'ended') outcome = 'withdrawn';
    else if (input.type === 'error' || call.unreachableLegs.has(agentChannelId)) outcome = 'failed';
    else outcome = 'no_answer';
    this.record(call, { type: 'offerEnded', operatorId, outcome });
    if (outcome === 'answered') this.record(call, { type: 'answered', operatorId });
  }

  /** Hands a record event to the recorder; a failing recorder never disturbs the call. */
  record(call: Call, event: DistributiveOmit<CallRecordEvent, 'callId' | 'at'>): void {
    recordSafely(
      this.deps.records,
      { ...event, callId: call.id, at: this.deps.now() } as CallRecordEvent,
      call.log,
    );
  }

  /** The call records' memory of a call (see `recallSafely`). */
  recall(callId: string): RecordedCall | null {
    return recallSafely(this.deps.records, callId, this.log);
  }
}
