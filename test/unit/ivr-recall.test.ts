import { describe, expect, it } from 'vitest';
import {
  type CallRecordEvent,
  type CallRecorder,
  type RecordedCall,
  recallSafely,
  recordSafely,
} from '../../ivr/api.ts';

const recorded: RecordedCall = {
  queue: 'general',
  queuedAt: new Date(0),
  menuPath: '1',
  answeredAt: null,
  offers: 2,
};

function logged() {
  const errors: { obj: object; msg: string }[] = [];
  return { errors, log: { error: (obj: object, msg: string) => void errors.push({ obj, msg }) } };
}

describe('reading a call record without failing the call', () => {
  it('returns the record, or null when there is none or the records cannot recall', () => {
    const { errors, log } = logged();
    const records: CallRecorder = { record: () => {}, recall: (id) => (id === 'a' ? recorded : null) };
    expect(recallSafely(records, 'a', log)).toBe(recorded);
    expect(recallSafely(records, 'b', log)).toBeNull();
    expect(recallSafely({ record: () => {} }, 'a', log)).toBeNull();
    expect(errors).toEqual([]);
  });

  it('logs a failing read and returns null', () => {
    const { errors, log } = logged();
    const failure = new Error('database is locked');
    const records: CallRecorder = {
      record: () => {},
      recall: () => {
        throw failure;
      },
    };
    expect(recallSafely(records, 'a', log)).toBeNull();
    expect(errors).toEqual([{ obj: { err: failure, callId: 'a' }, msg: 'could not read the call record' }]);
  });
});

describe('storing a call event without failing the call', () => {
  const event: CallRecordEvent = { type: 'answered', callId: 'a', at: new Date(0), operatorId: 1 };

  it('stores the event', () => {
    const { errors, log } = logged();
    const stored: CallRecordEvent[] = [];
    recordSafely({ record: (e) => void stored.push(e) }, event, log);
    expect(stored).toEqual([event]);
    expect(errors).toEqual([]);
  });

  it('logs a failing write instead of throwing it', () => {
    const { errors, log } = logged();
    const failure = new Error('database is locked');
    const records: CallRecorder = {
      record: () => {
        throw failure;
      },
    };
    expect(() => recordSafely(records, event, log)).not.toThrow();
    expect(errors).toEqual([
      { obj: { err: failure, callId: 'a', event: 'answered' }, msg: 'could not record a call event' },
    ]);
  });
});
