import { describe, expect, it } from 'vitest';
import type { EndReason, QueueName } from '../../common/domain.ts';
import { type QueuedCallFacts, queueFigures, startOfLocalDay } from '../../server/calls/stats.ts';

// 2025-06-10 00:00 in Asia/Ho_Chi_Minh is 2025-06-09 17:00 UTC.
const MIDNIGHT = new Date('2025-06-09T17:00:00Z');
const at = (s: number) => new Date(MIDNIGHT.getTime() + s * 1000);

function call(
  queue: QueueName,
  queuedS: number,
  end: { answeredS?: number; endedS?: number; reason?: EndReason },
): QueuedCallFacts {
  return {
    queue,
    queuedAt: at(queuedS),
    answeredAt: end.answeredS === undefined ? null : at(end.answeredS),
    endedAt: end.endedS === undefined ? null : at(end.endedS),
    endReason: end.reason ?? null,
  };
}

describe('startOfLocalDay', () => {
  it.each([
    ['2025-06-09T17:00:00Z', '2025-06-09T17:00:00.000Z'],
    ['2025-06-09T16:59:59Z', '2025-06-08T17:00:00.000Z'],
    ['2025-06-10T03:00:00Z', '2025-06-09T17:00:00.000Z'],
    ['2025-06-10T16:59:59Z', '2025-06-09T17:00:00.000Z'],
  ])('local midnight before %s is %s', (now, midnight) => {
    expect(startOfLocalDay(new Date(now)).toISOString()).toBe(midnight);
  });
});

describe('queueFigures', () => {
  const cases: {
    name: string;
    calls: QueuedCallFacts[];
    health: {
      answered: number;
      abandoned: number;
      serviceLevel: number | null;
      /** The service level's divisor. */
      calls: number;
      asa: number | null;
    };
  }[] = [
    {
      name: 'nothing today',
      calls: [],
      health: { answered: 0, abandoned: 0, serviceLevel: null, calls: 0, asa: null },
    },
    {
      name: 'an answer at exactly the threshold counts toward the service level',
      calls: [call('health', 100, { answeredS: 120 })],
      health: { answered: 1, abandoned: 0, serviceLevel: 1, calls: 1, asa: 20 },
    },
    {
      name: 'one answer over the threshold halves the service level; ASA is the mean',
      calls: [call('health', 100, { answeredS: 105 }), call('health', 200, { answeredS: 221 })],
      health: { answered: 2, abandoned: 0, serviceLevel: 0.5, calls: 2, asa: 13 },
    },
    {
      name: 'abandons count whatever the wait; only those after the short-abandon threshold lower the service level',
      calls: [
        call('health', 100, { endedS: 101, reason: 'abandoned_in_queue' }),
        call('health', 100, { endedS: 105, reason: 'abandoned_in_queue' }),
        call('health', 100, { endedS: 400, reason: 'abandoned_in_queue' }),
      ],
      health: { answered: 0, abandoned: 3, serviceLevel: 0, calls: 1, asa: null },
    },
    {
      name: 'abandons within the threshold leave the service level out',
      calls: [call('health', 100, { endedS: 103, reason: 'abandoned_in_queue' })],
      health: { answered: 0, abandoned: 1, serviceLevel: null, calls: 0, asa: null },
    },
    {
      name: 'service level = answered in time ÷ (answered + abandoned after the threshold)',
      calls: [
        call('health', 0, { answeredS: 10 }),
        call('health', 0, { answeredS: 15 }),
        call('health', 0, { answeredS: 60 }),
        call('health', 0, { endedS: 3, reason: 'abandoned_in_queue' }),
        call('health', 0, { endedS: 90, reason: 'abandoned_in_queue' }),
      ],
      health: { answered: 3, abandoned: 2, serviceLevel: 0.5, calls: 4, asa: 28 },
    },
    {
      name: 'yesterday’s answers and abandons are not counted; a call queued before midnight and answered after is',
      calls: [
        call('health', -500, { answeredS: -400, endedS: -100, reason: 'caller_hung_up' }),
        call('health', -50, { endedS: -10, reason: 'abandoned_in_queue' }),
        call('health', -30, { answeredS: 30 }),
      ],
      health: { answered: 1, abandoned: 0, serviceLevel: 0, calls: 1, asa: 60 },
    },
    {
      name: 'an answered call that ended by a hang-up is answered, not abandoned',
      calls: [call('health', 0, { answeredS: 10, endedS: 100, reason: 'caller_hung_up' })],
      health: { answered: 1, abandoned: 0, serviceLevel: 1, calls: 1, asa: 10 },
    },
    {
      name: 'other queues do not count for health',
      calls: [
        call('goods', 0, { answeredS: 5 }),
        call('general', 0, { endedS: 5, reason: 'abandoned_in_queue' }),
      ],
      health: { answered: 0, abandoned: 0, serviceLevel: null, calls: 0, asa: null },
    },
    {
      name: 'calls still waiting or talking count for nothing but what already happened',
      calls: [call('health', 0, {}), call('health', 0, { answeredS: 40 })],
      health: { answered: 1, abandoned: 0, serviceLevel: 0, calls: 1, asa: 40 },
    },
  ];

  it.each(cases)('$name', ({ calls, health }) => {
    const figures = queueFigures(calls, { since: MIDNIGHT, serviceLevelSeconds: 20, shortAbandonSeconds: 5 });
    expect(figures.health).toEqual({
      answered: health.answered,
      abandoned: health.abandoned,
      serviceLevel: health.serviceLevel,
      serviceLevelCalls: health.calls,
      averageSpeedOfAnswerSeconds: health.asa,
    });
  });

  it('gives every queue its figures', () => {
    const figures = queueFigures([call('goods', 0, { answeredS: 30 })], {
      since: MIDNIGHT,
      serviceLevelSeconds: 30,
      shortAbandonSeconds: 5,
    });
    expect(Object.keys(figures).sort()).toEqual(['general', 'goods', 'health', 'infrastructure', 'welfare']);
    expect(figures.goods).toEqual({
      answered: 1,
      abandoned: 0,
      serviceLevel: 1,
      serviceLevelCalls: 1,
      averageSpeedOfAnswerSeconds: 30,
    });
  });
});
