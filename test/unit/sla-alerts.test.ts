import { describe, expect, it } from 'vitest';
import type { Priority, TicketStatus } from '../../common/domain.ts';
import { createCalendar } from '../../server/deadlines/calendar.ts';
import { alertKey, deadlineAlerts, nextAlert, stillDue, warningTime } from '../../server/sla/alerts.ts';

const cal = createCalendar();
const t = (iso: string) => new Date(iso);

describe('warningTime', () => {
  it.each<[string, Priority, string, string, string]>([
    [
      'urgent counts elapsed time',
      'urgent',
      '2025-06-02T15:00:00Z',
      '2025-06-02T17:00:00Z',
      '2025-06-02T16:30:00.000Z',
    ],
    // Mon 08:00 → Tue 08:30 local is 8 working hours; 6 of them end Mon 16:00 local.
    [
      'normal counts office hours',
      'normal',
      '2025-06-02T01:00:00Z',
      '2025-06-03T01:30:00Z',
      '2025-06-02T09:00:00.000Z',
    ],
    // Fri 16:00 → Tue 10:00 local: 1 + 7.5 (Mon) + 2.5 = 11 h; 8.25 h end Mon 16:45 local.
    [
      'skips the weekend',
      'complex',
      '2025-06-06T09:00:00Z',
      '2025-06-10T03:00:00Z',
      '2025-06-09T09:45:00.000Z',
    ],
    [
      'a due time not after the start',
      'normal',
      '2025-06-02T01:00:00Z',
      '2025-06-02T01:00:00Z',
      '2025-06-02T01:00:00.000Z',
    ],
  ])('%s', (_, priority, start, due, expected) => {
    expect(warningTime(t(start), t(due), priority, cal).toISOString()).toBe(expected);
  });
});

describe('deadlineAlerts', () => {
  const base = {
    priority: 'urgent' as Priority,
    createdAt: t('2025-06-02T00:00:00Z'),
    assignedAt: t('2025-06-02T01:00:00Z'),
    ackDueAt: t('2025-06-02T03:00:00Z'),
    resolveDueAt: t('2025-06-03T01:00:00Z'),
    ackedAt: null,
  };

  it.each<[TicketStatus, Date | null, string[]]>([
    ['assigned', null, ['warning ack', 'overdue ack', 'warning resolve', 'overdue resolve']],
    ['acknowledged', t('2025-06-02T02:00:00Z'), ['warning resolve', 'overdue resolve']],
    ['in_progress', t('2025-06-02T02:00:00Z'), ['warning resolve', 'overdue resolve']],
    // The agency posted its result, or returned the ticket: its clock stands, no alert.
    ['pending_review', t('2025-06-02T02:00:00Z'), []],
    ['returned', t('2025-06-02T02:00:00Z'), []],
    ['resolved', t('2025-06-02T02:00:00Z'), []],
    ['callback_pending', null, []],
  ])('%s: alerts of the deadlines still open', (status, ackedAt, expected) => {
    const alerts = deadlineAlerts({ ...base, status, ackedAt }, cal);
    expect(alerts.map((a) => `${a.kind} ${a.due}`)).toEqual(expected);
  });

  it('counts from creation when never assigned, and knows a moved deadline', () => {
    const [warning] = deadlineAlerts({ ...base, status: 'assigned', assignedAt: null }, cal);
    expect(warning!.at.toISOString()).toBe('2025-06-02T02:15:00.000Z');
    const ticket = { ...base, status: 'assigned' as TicketStatus };
    expect(stillDue(ticket, 'resolve', base.resolveDueAt)).toBe(true);
    expect(stillDue(ticket, 'resolve', t('2025-06-02T23:00:00Z'))).toBe(false);
    expect(stillDue({ ...ticket, ackedAt: t('2025-06-02T02:00:00Z') }, 'ack', base.ackDueAt)).toBe(false);
  });
});

describe('nextAlert', () => {
  const ticket = {
    status: 'assigned' as TicketStatus,
    priority: 'urgent' as Priority,
    createdAt: t('2025-06-02T00:00:00Z'),
    assignedAt: t('2025-06-02T01:00:00Z'),
    ackDueAt: t('2025-06-02T03:00:00Z'),
    resolveDueAt: t('2025-06-03T01:00:00Z'),
    ackedAt: null,
  };

  it('walks the alerts of the open deadlines one at a time, each once', () => {
    const raised = new Set<string>();
    const seen: string[] = [];
    for (let a = nextAlert(ticket, cal, raised); a; a = nextAlert(ticket, cal, raised)) {
      seen.push(`${a.kind} ${a.due} ${a.at.toISOString()}`);
      raised.add(alertKey(a));
    }
    expect(seen).toEqual([
      'warning ack 2025-06-02T02:30:00.000Z',
      'overdue ack 2025-06-02T03:00:00.000Z',
      'warning resolve 2025-06-02T19:00:00.000Z',
      'overdue resolve 2025-06-03T01:00:00.000Z',
    ]);
  });

  it('skips a met deadline and gives a moved deadline alerts of its own', () => {
    const acked = { ...ticket, status: 'acknowledged' as TicketStatus, ackedAt: t('2025-06-02T02:00:00Z') };
    expect(nextAlert(acked, cal, new Set())).toMatchObject({ due: 'resolve', kind: 'warning' });
    const raised = new Set(deadlineAlerts(acked, cal).map(alertKey));
    expect(nextAlert(acked, cal, raised)).toBeNull();
    const extended = { ...acked, resolveDueAt: t('2025-06-04T01:00:00Z') };
    expect(nextAlert(extended, cal, raised)).toMatchObject({
      due: 'resolve',
      kind: 'warning',
      dueAt: t('2025-06-04T01:00:00Z'),
    });
  });
});
