import { describe, expect, it } from 'vitest';
import type { TicketActionRequest } from '../../common/api.ts';
import {
  type Role,
  TICKET_ACTIONS,
  TICKET_STATUSES,
  type TicketAction,
  type TicketStatus,
} from '../../common/domain.ts';
import { ForbiddenError } from '../../server/errors.ts';
import { IllegalTransitionError, TicketValidationError } from '../../server/tickets/errors.ts';
import {
  allowedActions,
  applyAction,
  applyExtension,
  isOverdue,
  openDeadlines,
  transitions,
} from '../../server/tickets/lifecycle.ts';

const now = new Date('2026-03-10T03:00:00Z');
const ticket = (status: TicketStatus) => ({ id: 7, status, agencyId: 3 });

/** Everything an action might need, so that only the rule under test can fail. */
const complete: Omit<TicketActionRequest, 'action'> = {
  reason: 'Lý do',
  text: 'Nội dung',
  agencyId: 3,
  parentId: 1,
};

const ROLES: Role[] = ['operator', 'supervisor', 'agency', 'admin'];

/** The life cycle as issue 3 states it: [from, action, to, roles allowed]. */
const LEGAL: [TicketStatus, TicketAction, TicketStatus, Role[]][] = [
  ['received', 'answer', 'answered_at_intake', ['operator', 'supervisor', 'admin']],
  ['received', 'request_callback', 'callback_pending', ['operator', 'supervisor', 'admin']],
  ['received', 'assign', 'assigned', ['operator', 'supervisor', 'admin']],
  ['received', 'note', 'received', ['operator', 'supervisor', 'admin']],
  ['received', 'reject', 'rejected', ['supervisor', 'admin']],
  ['received', 'mark_duplicate', 'duplicate', ['operator', 'supervisor', 'admin']],
  ['callback_pending', 'answer', 'answered_at_intake', ['operator', 'supervisor', 'admin']],
  ['callback_pending', 'assign', 'assigned', ['operator', 'supervisor', 'admin']],
  ['callback_pending', 'note', 'callback_pending', ['operator', 'supervisor', 'admin']],
  ['callback_pending', 'reject', 'rejected', ['supervisor', 'admin']],
  ['callback_pending', 'mark_duplicate', 'duplicate', ['operator', 'supervisor', 'admin']],
  ['assigned', 'acknowledge', 'acknowledged', ['agency', 'supervisor', 'admin']],
  ['assigned', 'return', 'returned', ['agency', 'supervisor', 'admin']],
  ['assigned', 'reject', 'rejected', ['supervisor', 'admin']],
  ['assigned', 'mark_duplicate', 'duplicate', ['operator', 'supervisor', 'admin']],
  ['acknowledged', 'start', 'in_progress', ['agency', 'supervisor', 'admin']],
  ['acknowledged', 'post_result', 'pending_review', ['agency', 'supervisor', 'admin']],
  ['acknowledged', 'return', 'returned', ['agency', 'supervisor', 'admin']],
  ['acknowledged', 'note', 'acknowledged', ['agency', 'supervisor', 'admin']],
  ['in_progress', 'post_result', 'pending_review', ['agency', 'supervisor', 'admin']],
  ['in_progress', 'note', 'in_progress', ['agency', 'supervisor', 'admin']],
  ['pending_review', 'approve', 'resolved', ['supervisor', 'admin']],
  ['pending_review', 'send_back', 'in_progress', ['supervisor', 'admin']],
  ['pending_review', 'note', 'pending_review', ['agency', 'supervisor', 'admin']],
  ['returned', 'assign', 'assigned', ['operator', 'supervisor', 'admin']],
  ['returned', 'reject', 'rejected', ['supervisor', 'admin']],
  ['returned', 'mark_duplicate', 'duplicate', ['operator', 'supervisor', 'admin']],
  ['resolved', 'close', 'closed', ['supervisor', 'admin']],
  ['resolved', 'reopen', 'reopened', ['operator', 'supervisor', 'admin']],
  ['answered_at_intake', 'close', 'closed', ['supervisor', 'admin']],
  ['closed', 'reopen', 'reopened', ['operator', 'supervisor', 'admin']],
  ['reopened', 'assign', 'assigned', ['operator', 'supervisor', 'admin']],
  ['reopened', 'reject', 'rejected', ['supervisor', 'admin']],
  ['reopened', 'mark_duplicate', 'duplicate', ['operator', 'supervisor', 'admin']],
];

describe('ticket life cycle', () => {
  it('has exactly the transitions of the issue, no more', () => {
    const table = transitions().map((t) => [t.from, t.action, t.to, t.roles.sort()]);
    const expected = LEGAL.map(([from, action, to, roles]) => [from, action, to, [...roles].sort()]);
    expect(new Set(table.map((t) => JSON.stringify(t)))).toEqual(
      new Set(expected.map((t) => JSON.stringify(t))),
    );
  });

  describe.each(LEGAL)('%s —%s→ %s', (from, action, to, roles) => {
    it.each(roles)('is allowed to %s', (role) => {
      const outcome = applyAction(
        ticket(from),
        { action, ...complete, actorRole: role, actorAgencyId: role === 'agency' ? 3 : null },
        now,
      );
      expect(outcome.status).toBe(to);
      expect(outcome.changes.status).toBe(to);
      expect(outcome.event).toMatchObject({ at: now, action, from, to });
      expect(allowedActions(from, role)).toContain(action);
    });

    it.each(ROLES.filter((r) => !roles.includes(r)))('is forbidden to %s', (role) => {
      expect(() =>
        applyAction(ticket(from), { action, ...complete, actorRole: role, actorAgencyId: 3 }, now),
      ).toThrow(ForbiddenError);
    });
  });

  const illegal = TICKET_STATUSES.flatMap((from) =>
    TICKET_ACTIONS.filter((action) => !LEGAL.some(([f, a]) => f === from && a === action)).map(
      (action) => [from, action] as const,
    ),
  );
  it.each(illegal)('refuses %s —%s→ as an illegal transition (for a supervisor)', (from, action) => {
    expect(() => applyAction(ticket(from), { action, ...complete, actorRole: 'admin' }, now)).toThrow(
      IllegalTransitionError,
    );
  });

  it.each([
    ['return', 'assigned', 'reason', 'REASON_REQUIRED'],
    ['send_back', 'pending_review', 'reason', 'REASON_REQUIRED'],
    ['reopen', 'closed', 'reason', 'REASON_REQUIRED'],
    ['reject', 'received', 'reason', 'REASON_REQUIRED'],
    ['mark_duplicate', 'received', 'reason', 'REASON_REQUIRED'],
    ['mark_duplicate', 'received', 'parentId', 'PARENT_REQUIRED'],
    ['answer', 'received', 'text', 'TEXT_REQUIRED'],
    ['note', 'in_progress', 'text', 'TEXT_REQUIRED'],
    ['post_result', 'in_progress', 'text', 'TEXT_REQUIRED'],
    ['assign', 'returned', 'agencyId', 'AGENCY_REQUIRED'],
  ] as const)('%s from %s needs %s (%s)', (action, from, field, code) => {
    const { [field]: _, ...rest } = complete;
    const attempt = () => applyAction(ticket(from), { action, ...rest, actorRole: 'supervisor' }, now);
    expect(attempt).toThrow(TicketValidationError);
    expect(attempt).toThrow(expect.objectContaining({ code, statusCode: 400 }));
    if (field === 'reason' || field === 'text') {
      const blank = () =>
        applyAction(ticket(from), { action, ...rest, [field]: '   ', actorRole: 'supervisor' }, now);
      expect(blank).toThrow(expect.objectContaining({ code }));
    }
  });

  it('refuses a ticket as a duplicate of itself', () => {
    expect(() =>
      applyAction(
        ticket('received'),
        { action: 'mark_duplicate', reason: 'x', parentId: 7, actorRole: 'operator' },
        now,
      ),
    ).toThrow(expect.objectContaining({ code: 'SELF_DUPLICATE' }));
  });

  it('lets a liaison act only on its own agency’s tickets', () => {
    expect(() =>
      applyAction(ticket('assigned'), { action: 'acknowledge', actorRole: 'agency', actorAgencyId: 4 }, now),
    ).toThrow(ForbiddenError);
    expect(() =>
      applyAction(ticket('assigned'), { action: 'acknowledge', actorRole: 'agency' }, now),
    ).toThrow(ForbiddenError);
  });

  it('records what each action changes, trimmed', () => {
    const assign = applyAction(
      ticket('returned'),
      { action: 'assign', agencyId: 9, actorRole: 'operator' },
      now,
    );
    expect(assign.changes).toEqual({
      status: 'assigned',
      agencyId: 9,
      ackedAt: null,
      resolvedAt: null,
      approvedAt: null,
      result: null,
    });
    const ack = applyAction(
      ticket('assigned'),
      { action: 'acknowledge', actorRole: 'agency', actorAgencyId: 3 },
      now,
    );
    expect(ack.changes).toEqual({ status: 'acknowledged', ackedAt: now });
    const result = applyAction(
      ticket('in_progress'),
      { action: 'post_result', text: '  Đã sửa xong  ', actorRole: 'agency', actorAgencyId: 3 },
      now,
    );
    // The agency resolved it when it posted the result: its clock stops here.
    expect(result.changes).toEqual({ status: 'pending_review', result: 'Đã sửa xong', resolvedAt: now });
    expect(result.event).toEqual({
      at: now,
      action: 'post_result',
      from: 'in_progress',
      to: 'pending_review',
      reason: null,
      text: 'Đã sửa xong',
    });
    expect(
      applyAction(ticket('pending_review'), { action: 'approve', actorRole: 'supervisor' }, now).changes,
    ).toEqual({
      status: 'resolved',
      approvedAt: now,
    });
    // Sent back: not resolved after all; reopened: neither resolved nor approved.
    expect(
      applyAction(
        ticket('pending_review'),
        { action: 'send_back', reason: 'Thiếu ảnh', actorRole: 'supervisor' },
        now,
      ).changes,
    ).toEqual({ status: 'in_progress', resolvedAt: null });
    expect(
      applyAction(ticket('closed'), { action: 'reopen', reason: 'Chưa sửa', actorRole: 'operator' }, now)
        .changes,
    ).toEqual({ status: 'reopened', resolvedAt: null, approvedAt: null });
    expect(
      applyAction(
        ticket('received'),
        { action: 'mark_duplicate', reason: 'Gọi lại', parentId: 2, actorRole: 'operator' },
        now,
      ).changes,
    ).toEqual({ status: 'duplicate', parentId: 2 });
    const note = applyAction(
      ticket('in_progress'),
      { action: 'note', text: 'Đang xử lý', actorRole: 'agency', actorAgencyId: 3 },
      now,
    );
    expect(note.status).toBe('in_progress');
    expect(note.event).toMatchObject({ from: 'in_progress', to: 'in_progress', text: 'Đang xử lý' });
  });
});

describe('extension', () => {
  const due = new Date('2026-03-12T10:00:00Z');
  const open = { status: 'in_progress' as const, resolveDueAt: due, extensionGrantedAt: null };
  const later = new Date('2026-03-20T10:00:00Z');

  it('grants one, to supervisors and admins, with a reason and a later deadline', () => {
    expect(
      applyExtension(open, { reason: ' Cần khảo sát ', resolveDueAt: later, actorRole: 'supervisor' }, now),
    ).toEqual({
      resolveDueAt: later,
      extensionReason: 'Cần khảo sát',
      extensionGrantedAt: now,
    });
  });

  it.each([
    ['an operator', open, { actorRole: 'operator' as const }, 'FORBIDDEN'],
    ['a liaison', open, { actorRole: 'agency' as const }, 'FORBIDDEN'],
    ['a second one', { ...open, extensionGrantedAt: now }, {}, 'EXTENSION_USED'],
    ['no reason', open, { reason: ' ' }, 'REASON_REQUIRED'],
    ['an earlier deadline', open, { resolveDueAt: new Date('2026-03-11T10:00:00Z') }, 'EXTENSION_NOT_LATER'],
    ['the same deadline', open, { resolveDueAt: due }, 'EXTENSION_NOT_LATER'],
    ['a resolved ticket', { ...open, status: 'resolved' as const }, {}, 'ILLEGAL_TRANSITION'],
    ['a ticket the agency returned', { ...open, status: 'returned' as const }, {}, 'ILLEGAL_TRANSITION'],
  ])('refuses %s', (_, t, change, code) => {
    expect(() =>
      applyExtension(t, { reason: 'Lý do', resolveDueAt: later, actorRole: 'admin', ...change }, now),
    ).toThrow(expect.objectContaining({ code }));
  });
});

describe('overdue', () => {
  const past = new Date(now.getTime() - 1000);
  const future = new Date(now.getTime() + 1000);
  it.each([
    ['ack passed while assigned', 'assigned', past, future, null, true],
    ['nothing passed', 'assigned', future, future, null, false],
    ['ack passed but acknowledged', 'acknowledged', past, future, past, false],
    ['resolution passed in progress', 'in_progress', past, past, past, true],
    // The agency's clock stops at its result, and for good when it returns the ticket.
    ['resolution passed in review', 'pending_review', past, past, past, false],
    ['resolution passed after the agency returned it', 'returned', past, past, past, false],
    ['resolution passed, sent back to the agency', 'in_progress', past, past, past, true],
    ['resolved', 'resolved', past, past, past, false],
    ['answered at intake', 'answered_at_intake', null, null, null, false],
  ] as const)('%s → %s', (_, status, ackDueAt, resolveDueAt, ackedAt, overdue) => {
    const t = { status, ackDueAt, resolveDueAt, ackedAt };
    expect(isOverdue(t, now)).toBe(overdue);
    if (status === 'resolved') expect(openDeadlines(t)).toEqual({ ackDueAt: null, resolveDueAt: null });
  });
});
