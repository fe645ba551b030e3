import { describe, expect, it } from 'vitest';
import {
  actionInput,
  allowedActions,
  dueState,
  groupByAgency,
  INBOX_GROUPS,
  inGroup,
  ticketQueryString,
  upsertTicket,
} from '../../agent-console/src/ticket-rules.ts';
import type { TicketView } from '../../common/api.ts';
import { type Role, TICKET_STATUSES } from '../../common/domain.ts';
import { allowedActions as serverAllowedActions } from '../../server/tickets/lifecycle.ts';

describe('allowedActions', () => {
  it.each([
    ['assigned', 'agency', ['acknowledge', 'return']],
    ['acknowledged', 'agency', ['start', 'note', 'post_result', 'return']],
    ['in_progress', 'agency', ['note', 'post_result']],
    ['pending_review', 'agency', ['note']],
    ['resolved', 'agency', []],
    ['pending_review', 'supervisor', ['note', 'approve', 'send_back']],
    ['resolved', 'supervisor', ['close', 'reopen']],
    ['answered_at_intake', 'admin', ['close']],
    ['returned', 'supervisor', ['assign', 'reject', 'mark_duplicate']],
    ['closed', 'operator', ['reopen']],
    ['rejected', 'supervisor', []],
    ['assigned', 'operator', ['mark_duplicate']],
  ] as const)('%s, %s → %j', (status, role, actions) => {
    expect(allowedActions(status, role)).toEqual(actions);
  });

  it('agrees with the server’s life cycle for every status and role', () => {
    const roles: Role[] = ['operator', 'supervisor', 'agency', 'admin'];
    for (const status of TICKET_STATUSES) {
      for (const role of roles) {
        const server = [...new Set(serverAllowedActions(status, role))].sort();
        expect([...allowedActions(status, role)].sort(), `${status} × ${role}`).toEqual(server);
      }
    }
  });

  it('never offers a liaison the supervision team’s review', () => {
    for (const status of TICKET_STATUSES) {
      const actions = allowedActions(status, 'agency');
      expect(actions).not.toContain('approve');
      expect(actions).not.toContain('send_back');
    }
  });
});

describe('actionInput', () => {
  it.each([
    ['acknowledge', 'none'],
    ['start', 'none'],
    ['approve', 'none'],
    ['return', 'reason'],
    ['send_back', 'reason'],
    ['reject', 'reason'],
    ['reopen', 'reason'],
    ['note', 'text'],
    ['post_result', 'text'],
    ['mark_duplicate', 'duplicate'],
    ['assign', 'agency'],
  ] as const)('%s asks for %s', (action, input) => {
    expect(actionInput(action)).toBe(input);
  });
});

describe('inbox groups', () => {
  it('puts each status a liaison works on in exactly one group', () => {
    for (const status of ['assigned', 'acknowledged', 'in_progress', 'pending_review', 'resolved'] as const) {
      const groups = Object.values(INBOX_GROUPS).filter((g) => (g as readonly string[]).includes(status));
      expect(groups, status).toHaveLength(1);
    }
  });

  it('"all" takes everything', () => {
    expect(inGroup('returned', null)).toBe(true);
    expect(inGroup('returned', 'new')).toBe(false);
    expect(inGroup('assigned', 'new')).toBe(true);
  });
});

describe('dueState', () => {
  const now = Date.parse('2025-06-02T08:00:00Z');
  const at = (hours: number) => new Date(now + hours * 3_600_000).toISOString();
  it.each([
    ['no deadlines', { overdue: false, ackDueAt: null, resolveDueAt: null }, 'none'],
    ['the server says overdue', { overdue: true, ackDueAt: null, resolveDueAt: at(48) }, 'overdue'],
    ['a deadline passed since', { overdue: false, ackDueAt: at(-0.1), resolveDueAt: at(48) }, 'overdue'],
    ['due within 24 h', { overdue: false, ackDueAt: null, resolveDueAt: at(23) }, 'soon'],
    ['exactly 24 h left', { overdue: false, ackDueAt: null, resolveDueAt: at(24) }, 'soon'],
    ['the nearer deadline counts', { overdue: false, ackDueAt: at(2), resolveDueAt: at(100) }, 'soon'],
    ['plenty of time', { overdue: false, ackDueAt: at(30), resolveDueAt: at(100) }, 'ok'],
    ['a bad date is ignored', { overdue: false, ackDueAt: 'soon', resolveDueAt: at(100) }, 'ok'],
  ] as const)('%s → %s', (_, ticket, state) => {
    expect(dueState(ticket, now)).toBe(state);
  });
});

describe('ticketQueryString', () => {
  it('writes only the filters given, the statuses as one comma list', () => {
    expect(ticketQueryString({})).toBe('');
    expect(ticketQueryString({ status: ['acknowledged', 'in_progress'], limit: 50 })).toBe(
      '?status=acknowledged%2Cin_progress&limit=50',
    );
    expect(ticketQueryString({ overdue: true })).toBe('?overdue=true');
    expect(ticketQueryString({ overdue: false, dueWithinHours: 24, agencyId: 3 })).toBe(
      '?agencyId=3&dueWithinHours=24',
    );
  });
});

const ticket = (id: number, agency: string): TicketView =>
  ({ id, agency: { id, name: agency }, status: 'assigned' }) as unknown as TicketView;

describe('upsertTicket', () => {
  it('replaces a known ticket in place and puts a new one on top', () => {
    const list = [ticket(1, 'A'), ticket(2, 'B')];
    const changed = { ...ticket(2, 'B'), status: 'acknowledged' } as TicketView;
    expect(upsertTicket(list, changed).map((t) => [t.id, t.status])).toEqual([
      [1, 'assigned'],
      [2, 'acknowledged'],
    ]);
    expect(upsertTicket(list, ticket(3, 'C')).map((t) => t.id)).toEqual([3, 1, 2]);
    expect(list.map((t) => t.status)).toEqual(['assigned', 'assigned']);
  });
});

describe('groupByAgency', () => {
  it('groups by agency, agencies in Vietnamese order, tickets kept in order', () => {
    const groups = groupByAgency([
      ticket(1, 'Sở Y tế'),
      ticket(2, 'Công an tỉnh'),
      ticket(3, 'Sở Y tế'),
      ticket(4, 'Bảo hiểm xã hội tỉnh'),
    ]);
    expect(groups.map((g) => [g.agency, g.tickets.map((t) => t.id)])).toEqual([
      ['Bảo hiểm xã hội tỉnh', [4]],
      ['Công an tỉnh', [2]],
      ['Sở Y tế', [1, 3]],
    ]);
  });
});
