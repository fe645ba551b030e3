/**
 * A citizen's contacts on every channel, newest first: their calls, tickets, and web, Zalo and app
 * requests. The citizen is their phone number, and every Zalo user whose conversation carries
 * that number (the citizen wrote it to the OA); a Zalo user with a number brings that number's
 * contacts in too. A request turned into a ticket is listed once, as the ticket. Read only.
 */
import { and, desc, eq, inArray, isNotNull, or, type SQL } from 'drizzle-orm';
import type { ContactHistoryItem } from '../../common/desk.ts';
import { QUEUES } from '../../common/domain.ts';
import { calls } from '../calls/schema.ts';
import type { Db } from '../db/index.ts';
import { writtenRequests } from '../intake/schema.ts';
import { tickets } from '../tickets/schema.ts';
import { zaloConversations } from '../zalo/schema.ts';

/** Rows read per kind; the merged list is cut to the caller's limit. */
const PER_KIND = 20;
const SUMMARY = 120;

export interface Citizen {
  phone?: string | null;
  zaloUserId?: string | null;
}

function summary(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= SUMMARY ? flat : `${flat.slice(0, SUMMARY - 1)}…`;
}

/** The numbers and Zalo users that are the same citizen. */
function identify(db: Db, citizen: Citizen): { phones: string[]; zaloUsers: string[] } {
  const phones = new Set<string>();
  const zaloUsers = new Set<string>();
  if (citizen.phone) phones.add(citizen.phone);
  if (citizen.zaloUserId) {
    zaloUsers.add(citizen.zaloUserId);
    const own = db
      .select({ phone: zaloConversations.phone })
      .from(zaloConversations)
      .where(eq(zaloConversations.zaloUserId, citizen.zaloUserId))
      .get();
    if (own?.phone) phones.add(own.phone);
  }
  if (phones.size > 0) {
    const users = db
      .select({ id: zaloConversations.zaloUserId })
      .from(zaloConversations)
      .where(and(isNotNull(zaloConversations.phone), inArray(zaloConversations.phone, [...phones])))
      .all();
    for (const u of users) zaloUsers.add(u.id);
  }
  return { phones: [...phones], zaloUsers: [...zaloUsers] };
}

export function contactHistory(db: Db, citizen: Citizen, limit = 15): ContactHistoryItem[] {
  const { phones, zaloUsers } = identify(db, citizen);
  if (phones.length === 0 && zaloUsers.length === 0) return [];
  const items: ContactHistoryItem[] = [];
  const ticketCodes = new Set<string>();

  if (phones.length > 0) {
    for (const call of db
      .select()
      .from(calls)
      .where(inArray(calls.callerNumber, phones))
      .orderBy(desc(calls.arrivedAt))
      .limit(PER_KIND)
      .all()) {
      const queue = call.queue ? QUEUES[call.queue].label : 'Tổng đài';
      items.push({
        kind: 'call',
        at: call.arrivedAt.toISOString(),
        trackingCode: null,
        summary: call.answeredAt ? `${queue} · đã nghe máy` : `${queue} · không gặp tổng đài viên`,
        status: call.answeredAt ? 'answered' : (call.endReason ?? null),
      });
    }
    for (const ticket of db
      .select()
      .from(tickets)
      .where(inArray(tickets.callerNumber, phones))
      .orderBy(desc(tickets.createdAt))
      .limit(PER_KIND)
      .all()) {
      ticketCodes.add(ticket.trackingCode);
      items.push({
        kind: 'ticket',
        at: ticket.createdAt.toISOString(),
        trackingCode: ticket.trackingCode,
        summary: summary(ticket.description),
        status: ticket.status,
      });
    }
  }

  const who: SQL[] = [];
  if (phones.length > 0) who.push(inArray(writtenRequests.phone, phones));
  if (zaloUsers.length > 0) who.push(inArray(writtenRequests.zaloUserId, zaloUsers));
  for (const request of db
    .select()
    .from(writtenRequests)
    .where(or(...who))
    .orderBy(desc(writtenRequests.createdAt))
    .limit(PER_KIND)
    .all()) {
    if (ticketCodes.has(request.trackingCode)) continue;
    items.push({
      kind: request.channel,
      at: request.createdAt.toISOString(),
      trackingCode: request.trackingCode,
      summary: summary(request.description),
      status: request.status,
    });
  }

  return items.sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
}
