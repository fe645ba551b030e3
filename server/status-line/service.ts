/**
 * The status line behind the IVR's "tra cứu kết quả" option: a citizen keys in a tracking code
 * and hears how far their request has got. A code whose check digit fails is rejected before the
 * database is asked, so a typo is never matched to someone else's ticket. When the ticket is
 * resolved and the call comes from the ticket's own number, the result is texted to that number,
 * once per ticket; the message is recorded with its outbox intent in the lookup's transaction.
 */
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { TicketStatus } from '../../common/domain.ts';
import type { StatusLookup, TicketStatusGroup, TicketStatusLine } from '../../ivr/api.ts';
import type { Db } from '../db/index.ts';
import { recordSms } from '../sms/service.ts';
import { smsTexts } from '../sms/texts.ts';
import { tickets } from '../tickets/schema.ts';
import { isValidTrackingCode } from '../tickets/tracking-code.ts';

/** What the caller hears for each status; `closed` depends on how the ticket got there. */
const GROUPS: Record<Exclude<TicketStatus, 'closed'>, TicketStatusGroup> = {
  received: 'received',
  returned: 'received',
  reopened: 'received',
  callback_pending: 'callback',
  assigned: 'assigned',
  acknowledged: 'in_progress',
  in_progress: 'in_progress',
  pending_review: 'in_progress',
  resolved: 'resolved',
  answered_at_intake: 'answered',
  rejected: 'rejected',
  duplicate: 'duplicate',
};

/** A closed ticket was either resolved by its agency (approved, so `resolvedAt` set) or answered on the call. */
export function statusGroup(status: TicketStatus, resolvedAt: Date | null): TicketStatusGroup {
  if (status === 'closed') return resolvedAt ? 'resolved' : 'answered';
  return GROUPS[status];
}

/**
 * A Vietnamese number in one form, so a caller id of `+84987654321` matches a ticket's
 * `0987654321`: digits only, the country code 84 replaced by the trunk prefix 0.
 */
export function nationalNumber(number: string): string {
  const digits = number.replace(/\D/g, '');
  return digits.startsWith('84') && digits.length >= 11 ? `0${digits.slice(2)}` : digits;
}

export function sameNumber(a: string, b: string): boolean {
  const x = nationalNumber(a);
  return x.length > 0 && x === nationalNumber(b);
}

export function createStatusLine(deps: { db: Db; now?: () => Date; logger?: Logger }): TicketStatusLine {
  const { db, logger } = deps;
  const now = deps.now ?? (() => new Date());

  function lookupSync(trackingCode: string, callerNumber: string): StatusLookup {
    if (!isValidTrackingCode(trackingCode)) return { kind: 'invalid_code' };
    return db.transaction((tx) => {
      const ticket = tx
        .select({
          id: tickets.id,
          status: tickets.status,
          callerNumber: tickets.callerNumber,
          resolvedAt: tickets.resolvedAt,
          result: tickets.result,
        })
        .from(tickets)
        .where(eq(tickets.trackingCode, trackingCode))
        .get();
      if (!ticket) return { kind: 'not_found' };
      const group = statusGroup(ticket.status, ticket.resolvedAt);
      let smsSent = false;
      if (group === 'resolved' && sameNumber(callerNumber, ticket.callerNumber)) {
        const body = ticket.result?.trim()
          ? smsTexts.statusLookup(trackingCode, ticket.result)
          : smsTexts.resolved();
        const smsId = recordSms(
          tx,
          { ticketId: ticket.id, event: 'status_lookup', to: ticket.callerNumber, body },
          now(),
        );
        smsSent = smsId !== null;
        if (smsId !== null) logger?.info({ ticketId: ticket.id, smsId }, 'status lookup: result texted');
      }
      return { kind: 'found', group, smsSent };
    });
  }

  return {
    async lookup(trackingCode, callerNumber) {
      return lookupSync(trackingCode, callerNumber);
    },
  };
}
