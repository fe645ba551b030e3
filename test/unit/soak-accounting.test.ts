import { describe, expect, it } from 'vitest';
import { account, type Ledger } from '../../bench/soak-accounting.ts';
import { type PlacedCall, refusal } from '../../bench/soak-citizens.ts';

const placed = (number: string, refusedWith: string | null): PlacedCall => ({
  number,
  kind: 'talk',
  key: '0',
  startedAt: 0,
  endedAt: 1,
  exitCode: refusedWith ? 1 : 0,
  refusedWith,
});

const ledger: Ledger = {
  calls: [
    {
      id: 'c1',
      callerNumber: '0965000001',
      answeredAt: new Date(1000),
      endReason: 'caller_hung_up',
      queuedAt: new Date(0),
      waitSeconds: 1,
    },
  ],
  tasks: [],
  tickets: [],
  sms: [],
  ringOuts: 0,
  instantNoAnswers: 0,
  attempts: {},
};

describe('the soak’s account of calls never taken in', () => {
  it('reads the status Asterisk refused a call with from sipp’s error log', () => {
    const errors =
      "Aborting call on unexpected message for Call-Id '1-28959@127.0.0.1': while expecting '180' (index 2), received 'SIP/2.0 503 Service Unavailable\r\nVia: SIP/2.0/UDP 127.0.0.1:33351";
    expect(refusal(errors)).toBe('503');
    expect(refusal('Aborting call on an unexpected BYE for call: 1-28956@127.0.0.1')).toBeNull();
    expect(refusal('')).toBeNull();
  });

  it('counts a 503 before answering as refused, and any other missing record as unaccounted', () => {
    const a = account(
      ledger,
      [
        placed('0965000001', null),
        placed('0965000002', '503'),
        placed('0965000003', null),
        placed('0965000004', '486'),
      ],
      [],
      [],
    );
    expect(a.outcomes).toMatchObject({ answered: 1, refused: 1, unaccounted: 2 });
    expect(a.unaccounted).toEqual([
      { number: '0965000003', why: 'talk call placed, no call record' },
      { number: '0965000004', why: 'talk call placed, refused with 486' },
    ]);
  });
});
