/** A `CallerHistory` with set answers per number, recording what it was asked. */
import type { CallerHistory } from '../../ivr/api.ts';

export class FakeCallerHistory implements CallerHistory {
  readonly asked: { callId: string; callerNumber: string }[] = [];
  /** Per number: a fixed answer, a pending promise, or a function run when asked. */
  readonly answers = new Map<string, boolean | Promise<boolean> | (() => Promise<boolean>)>();

  constructor(returning: Record<string, boolean>) {
    for (const [number, value] of Object.entries(returning)) this.answers.set(number, value);
  }

  isReturning(caller: { callId: string; callerNumber: string }): Promise<boolean> {
    this.asked.push(caller);
    const answer = this.answers.get(caller.callerNumber) ?? false;
    return typeof answer === 'function' ? answer() : Promise.resolve(answer);
  }
}
