/**
 * Texts the citizen when their ticket is created (with its tracking code) and when it is
 * resolved (the province's exact wording), on Zalo instead when the ticket came from a Zalo request. Runs inside the ticket's transaction, so the message
 * and the change commit together; `recordSms` keeps it to one message per ticket and event.
 */

import { recordSms } from '../sms/service.ts';
import { smsTexts } from '../sms/texts.ts';
import type { TicketHooks } from '../tickets/hooks.ts';
import { tellResultOnZalo } from '../zalo/notify.ts';

export function createNotificationHooks(): TicketHooks {
  return {
    afterChange(tx, ticket, from, now) {
      // A citizen who came by Zalo is told the result there (SMS when Zalo no longer allows it).
      if (ticket.status === 'resolved' && from !== 'resolved' && tellResultOnZalo(tx, ticket, now)) return;
      if (!ticket.callerNumber) return;
      if (from === null) {
        recordSms(
          tx,
          {
            ticketId: ticket.id,
            event: 'ticket_created',
            to: ticket.callerNumber,
            body: smsTexts.created(ticket.trackingCode),
          },
          now,
        );
      }
      if (ticket.status === 'resolved' && from !== 'resolved') {
        recordSms(
          tx,
          {
            ticketId: ticket.id,
            event: 'ticket_resolved',
            to: ticket.callerNumber,
            body: smsTexts.resolved(),
          },
          now,
        );
      }
    },
  };
}

/** Runs each hook in turn, inside the same transaction. */
export function combineHooks(...hooks: TicketHooks[]): TicketHooks {
  return {
    afterChange(tx, ticket, from, now) {
      for (const hook of hooks) hook.afterChange(tx, ticket, from, now);
    },
  };
}
