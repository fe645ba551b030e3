/** The fallback queue as AMI reports it: the wallboard's degraded figures and the call records. */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { CallRecordEvent } from '../../ivr/api.ts';
import { FallbackQueue, telephonyMode } from '../../ivr/fallback.ts';

const Q = 'hotline-fallback';

function setup() {
  let t = Date.parse('2024-05-01T08:00:00Z');
  const records: CallRecordEvent[] = [];
  let changes = 0;
  const queue = new FallbackQueue({
    operators: [{ operatorId: 1, displayName: 'Hoa', sipEndpoint: 'tdv01', skills: [] }],
    records: { record: (e) => records.push(e) },
    changed: () => {
      changes++;
    },
    logger: pino({ level: 'silent' }),
    now: () => new Date(t),
  });
  return {
    queue,
    records,
    changes: () => changes,
    advance: (ms: number) => {
      t += ms;
    },
    now: () => new Date(t),
    describe: () =>
      records.map(
        (e) =>
          `${e.callId} ${e.type}${'reason' in e ? ` ${e.reason}` : ''}${'outcome' in e ? ` ${e.outcome}` : ''}${'operatorId' in e ? ` ${e.operatorId}` : ''}`,
      ),
  };
}

describe('telephony mode', () => {
  it.each([
    [true, true, 'normal'],
    [true, false, 'normal'],
    [false, true, 'fallback'],
    [false, false, 'down'],
  ] as const)('controller up %s, AMI up %s → %s', (controller, ami, mode) => {
    expect(telephonyMode(controller, ami)).toBe(mode);
  });
});

describe('fallback queue', () => {
  it('follows a caller from joining to being answered and hanging up', () => {
    const s = setup();
    s.queue.handle({ event: 'QueueCallerJoin', queue: Q, uniqueid: '17.1', calleridnum: '0912345678' });
    s.advance(7000);
    expect(s.queue.stats(s.now())).toEqual({ waiting: 1, longestWaitSeconds: 7, answered: 0, abandoned: 0 });
    s.queue.handle({ event: 'AgentCalled', queue: Q, uniqueid: '17.1', interface: 'PJSIP/tdv01' });
    s.queue.handle({ event: 'QueueCallerLeave', queue: Q, uniqueid: '17.1' });
    s.queue.handle({ event: 'AgentConnect', queue: Q, uniqueid: '17.1', interface: 'PJSIP/tdv01' });
    expect(s.queue.stats(s.now())).toEqual({ waiting: 0, longestWaitSeconds: 0, answered: 1, abandoned: 0 });
    s.queue.handle({
      event: 'AgentComplete',
      queue: Q,
      uniqueid: '17.1',
      interface: 'PJSIP/tdv01',
      reason: 'agent',
    });
    expect(s.describe()).toEqual([
      '17.1 arrived',
      '17.1 queued',
      '17.1 offered 1',
      '17.1 offerEnded answered 1',
      '17.1 answered 1',
      '17.1 ended agent_hung_up',
    ]);
    expect(s.records[0]).toMatchObject({ callerNumber: '0912345678' });
    expect(s.records[1]).toMatchObject({ queue: 'general' });
    expect(s.changes()).toBeGreaterThanOrEqual(3);
  });

  /** A caller answered by tdv01 on the operator leg `leg`. */
  const answered = (s: ReturnType<typeof setup>, id: string, leg: string) => {
    s.queue.handle({ event: 'QueueCallerJoin', queue: Q, uniqueid: id, calleridnum: '0912' });
    s.queue.handle({ event: 'AgentCalled', queue: Q, uniqueid: id, interface: 'PJSIP/tdv01' });
    s.queue.handle({ event: 'QueueCallerLeave', queue: Q, uniqueid: id });
    s.queue.handle({
      event: 'AgentConnect',
      queue: Q,
      uniqueid: id,
      destuniqueid: leg,
      interface: 'PJSIP/tdv01',
    });
  };

  it.each<[string, Record<string, string>]>([
    // What app_queue sends when the caller's channel was already gone when it reported the end.
    ['without the caller’s fields, by the operator leg', { destuniqueid: '20.2' }],
    ['without either channel’s fields, by the operator', {}],
  ])('ends the record of a talk whose AgentComplete comes %s', (_l, fields) => {
    const s = setup();
    answered(s, '20.1', '20.2');
    s.queue.handle({
      event: 'AgentComplete',
      queue: Q,
      interface: 'PJSIP/tdv01',
      membername: 'tdv01',
      reason: 'caller',
      ...fields,
    });
    expect(s.describe().at(-1)).toBe('20.1 ended caller_hung_up');
  });

  it('ends nothing on an AgentComplete that matches no followed talk', () => {
    const s = setup();
    answered(s, '21.1', '21.2');
    s.queue.handle({ event: 'AgentComplete', queue: Q, destuniqueid: '99.9', interface: 'PJSIP/tdv09' });
    expect(s.describe().at(-1)).toBe('21.1 answered 1');
  });

  it('counts and records a caller who hangs up while waiting (a callback task follows from it)', () => {
    const s = setup();
    s.queue.handle({ event: 'QueueCallerJoin', queue: Q, uniqueid: '18.1', calleridnum: '0911' });
    s.queue.handle({ event: 'AgentCalled', queue: Q, uniqueid: '18.1', interface: 'PJSIP/tdv01' });
    s.queue.handle({ event: 'AgentRingNoAnswer', queue: Q, uniqueid: '18.1', interface: 'PJSIP/tdv01' });
    s.queue.handle({ event: 'QueueCallerAbandon', queue: Q, uniqueid: '18.1' });
    s.queue.handle({ event: 'QueueCallerLeave', queue: Q, uniqueid: '18.1' });
    expect(s.queue.stats(s.now())).toMatchObject({ waiting: 0, answered: 0, abandoned: 1 });
    expect(s.describe()).toEqual([
      '18.1 arrived',
      '18.1 queued',
      '18.1 offered 1',
      '18.1 offerEnded no_answer 1',
      '18.1 ended abandoned_in_queue',
    ]);
  });

  it('ignores other queues, and rebuilds the waiting list from QueueStatus after a reconnect', () => {
    const s = setup();
    s.queue.handle({ event: 'QueueCallerJoin', queue: 'other', uniqueid: '1.1', calleridnum: '1' });
    s.queue.handle({ event: 'QueueCallerJoin', queue: Q, uniqueid: '2.1', calleridnum: '2' });
    s.queue.resync([
      { event: 'QueueParams', queue: Q },
      { event: 'QueueEntry', queue: Q, uniqueid: '3.1', wait: '42' },
      { event: 'QueueEntry', queue: Q, uniqueid: '4.1', wait: '5' },
    ]);
    expect(s.queue.stats(s.now())).toMatchObject({ waiting: 2, longestWaitSeconds: 42 });
    expect(s.records.map((e) => e.callId)).toEqual(['2.1', '2.1']);
  });
});
