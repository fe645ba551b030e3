/** A `TicketStatusLine` for unit tests: records each lookup and answers as told. */
import type { StatusLookup, TicketStatusLine } from '../../ivr/api.ts';

export class FakeStatusLine implements TicketStatusLine {
  readonly lookups: { trackingCode: string; callerNumber: string }[] = [];
  /** The next answer; an `Error` is thrown, a promise is awaited (to hold a lookup open). */
  answer: StatusLookup | Error | Promise<StatusLookup> = { kind: 'not_found' };

  async lookup(trackingCode: string, callerNumber: string): Promise<StatusLookup> {
    this.lookups.push({ trackingCode, callerNumber });
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
}
