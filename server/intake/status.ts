/**
 * The public status page: a tracking code and the last 4 digits of the citizen's number tell
 * where a request stands — a written request not yet made a ticket, or any ticket (calls too).
 * A wrong pair answers exactly as an unknown code does, and the answer never carries the
 * description, the name or the number.
 */
import { eq } from 'drizzle-orm';
import type { PublicStatusGroup, PublicStatusView } from '../../common/written-requests.ts';
import { agencies } from '../agencies/schema.ts';
import type { Db } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { nationalNumber, statusGroup } from '../status-line/service.ts';
import { tickets } from '../tickets/schema.ts';
import { isValidTrackingCode } from '../tickets/tracking-code.ts';
import { writtenRequests } from './schema.ts';

export const STATUS_LABELS: Record<PublicStatusGroup, string> = {
  received: 'Đã tiếp nhận',
  callback: 'Chờ gọi lại',
  assigned: 'Đã chuyển cơ quan xử lý',
  in_progress: 'Đang xử lý',
  resolved: 'Đã giải quyết',
  answered: 'Đã trả lời',
  rejected: 'Không thuộc thẩm quyền giải quyết',
  duplicate: 'Trùng với phản ánh khác',
  closed: 'Đã đóng, không chuyển xử lý',
};

/** The same answer for an unknown code, a wrong pair and a malformed code. */
export class StatusNotFoundError extends AppError {
  constructor() {
    super('NOT_FOUND', 404, 'Không tìm thấy phản ánh với mã tra cứu và số điện thoại này.');
  }
}

/** The last 4 digits of a number as the citizen types them. */
export function lastFour(phone: string): string {
  return nationalNumber(phone).slice(-4);
}

/** Whether `typed` (4 digits) ends the stored number. */
export function matchesLastFour(stored: string | null, typed: string): boolean {
  return stored !== null && /^\d{4}$/.test(typed) && lastFour(stored) === typed;
}

/** The published view; takes only the fields it may show. */
export function publicStatusView(input: {
  trackingCode: string;
  group: PublicStatusGroup;
  agencyName: string | null;
  receivedAt: Date;
  assignedAt: Date | null;
  resolvedAt: Date | null;
  result: string | null;
}): PublicStatusView {
  const showsResult = input.group === 'resolved' || input.group === 'answered';
  return {
    trackingCode: input.trackingCode,
    group: input.group,
    groupLabel: STATUS_LABELS[input.group],
    agencyName: input.agencyName,
    receivedAt: input.receivedAt.toISOString(),
    assignedAt: input.assignedAt?.toISOString() ?? null,
    resolvedAt: input.resolvedAt?.toISOString() ?? null,
    result: showsResult ? (input.result?.trim() ?? '') || null : null,
  };
}

/** Throws `StatusNotFoundError` unless the code exists and its number ends in `phoneLast4`. */
export function lookUpStatus(db: Db, trackingCode: string, phoneLast4: string): PublicStatusView {
  if (!isValidTrackingCode(trackingCode) || !/^\d{4}$/.test(phoneLast4)) throw new StatusNotFoundError();
  const ticket = db
    .select({
      status: tickets.status,
      callerNumber: tickets.callerNumber,
      createdAt: tickets.createdAt,
      assignedAt: tickets.assignedAt,
      resolvedAt: tickets.resolvedAt,
      result: tickets.result,
      agencyName: agencies.name,
    })
    .from(tickets)
    .leftJoin(agencies, eq(agencies.id, tickets.agencyId))
    .where(eq(tickets.trackingCode, trackingCode))
    .get();
  const written = db
    .select({
      status: writtenRequests.status,
      phone: writtenRequests.phone,
      createdAt: writtenRequests.createdAt,
    })
    .from(writtenRequests)
    .where(eq(writtenRequests.trackingCode, trackingCode))
    .get();
  if (ticket) {
    if (!matchesLastFour(ticket.callerNumber, phoneLast4)) throw new StatusNotFoundError();
    const group = statusGroup(ticket.status, ticket.resolvedAt);
    return publicStatusView({
      trackingCode,
      group,
      // An agency is named once the ticket went to one (not while it waits on the hotline's side).
      agencyName: ticket.assignedAt ? (ticket.agencyName ?? null) : null,
      // A ticket made from a written request counts from when the citizen sent it.
      receivedAt: written?.createdAt ?? ticket.createdAt,
      assignedAt: ticket.assignedAt,
      resolvedAt: group === 'resolved' ? ticket.resolvedAt : null,
      result: ticket.result,
    });
  }
  if (!written || !matchesLastFour(written.phone, phoneLast4)) throw new StatusNotFoundError();
  return publicStatusView({
    trackingCode,
    group: written.status === 'closed' ? 'closed' : 'received',
    agencyName: null,
    receivedAt: written.createdAt,
    assignedAt: null,
    resolvedAt: null,
    result: null,
  });
}
