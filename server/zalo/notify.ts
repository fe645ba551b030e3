/**
 * A ticket made from a Zalo request tells its citizen the result on Zalo rather than by SMS,
 * while Zalo still lets the OA write to them (7 days after their last message). Runs inside the
 * ticket's transaction, as the SMS does.
 */
import { and, eq } from 'drizzle-orm';
import { writtenRequests } from '../intake/schema.ts';
import type { Tx } from '../outbox/outbox.ts';
import type { TicketRow } from '../tickets/schema.ts';
import { recordOutbound } from './repository.ts';
import { zaloConversations } from './schema.ts';
import { zaloTexts } from './texts.ts';
import { replyWindow } from './window.ts';

/** True when the citizen will be told on Zalo (the caller then sends no SMS). */
export function tellResultOnZalo(tx: Tx, ticket: TicketRow, now: Date): boolean {
  const found = tx
    .select({
      requestId: writtenRequests.id,
      lastCitizenAt: zaloConversations.lastCitizenAt,
      zaloUserId: zaloConversations.zaloUserId,
    })
    .from(writtenRequests)
    .innerJoin(zaloConversations, eq(zaloConversations.zaloUserId, writtenRequests.zaloUserId))
    .where(and(eq(writtenRequests.ticketId, ticket.id), eq(writtenRequests.channel, 'zalo')))
    .get();
  if (!found || replyWindow(found.lastCitizenAt, now).kind === 'closed') return false;
  recordOutbound(
    tx,
    {
      zaloUserId: found.zaloUserId,
      text: zaloTexts.result(ticket.trackingCode),
      purpose: 'result',
      requestId: found.requestId,
      ticketId: ticket.id,
    },
    now,
  );
  return true;
}
