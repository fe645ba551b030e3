/**
 * `GET requests`, `GET requests/{id}` and `GET tokens/{token}`: requests the apps sent (channel
 * `app`), as Open311 service requests. `service_request_id` is the tracking code; `status` is
 * `closed` once the request was closed or its ticket is done, `open` otherwise; `status_notes` is the
 * agency's published result of a done ticket and nothing else; `agency_responsible` the agency the
 * ticket is assigned to. Never the citizen's name, number or e-mail.
 */
import { and, desc, eq, gte, inArray, lte, type SQL, sql } from 'drizzle-orm';
import { agencies } from '../agencies/schema.ts';
import { categories } from '../categories/schema.ts';
import type { Db } from '../db/index.ts';
import { writtenRequestEvents, writtenRequests } from '../intake/schema.ts';
import { localIso } from '../reports/period.ts';
import { ticketEvents, tickets } from '../tickets/schema.ts';
import { units } from '../units/schema.ts';
import { badRequest, notFound } from './errors.ts';
import { open311Tokens } from './schema.ts';

/** Ticket states in which the citizen's matter is over (answered, resolved, closed, refused, a repeat). */
export const CLOSED_TICKET_STATUSES = [
  'answered_at_intake',
  'resolved',
  'closed',
  'rejected',
  'duplicate',
] as const;

/** The spec's limits on `GET requests`. */
export const MAX_SPAN_DAYS = 90;
export const MAX_REQUESTS = 1000;
const DAY_MS = 24 * 3600_000;

/** The written request event that keeps a post's `media_url`. */
export const MEDIA_URL_EVENT = 'open311_media_url';

export interface Open311Request {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string | null;
  service_code: string | null;
  description: string;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
}

const closedList = sql.join(
  CLOSED_TICKET_STATUSES.map((s) => sql`${s}`),
  sql`, `,
);
const statusSql = sql<
  'open' | 'closed'
>`case when ${writtenRequests.status} = 'closed' then 'closed' when ${tickets.status} in (${closedList}) then 'closed' else 'open' end`;
const lastTicketEventSql = sql<
  number | null
>`(select max(te.at) from ${ticketEvents} te where te.ticket_id = ${tickets.id})`;
const mediaUrlSql = sql<
  string | null
>`(select e.text from ${writtenRequestEvents} e where e.request_id = ${writtenRequests.id} and e.kind = ${MEDIA_URL_EVENT} order by e.id limit 1)`;

function selectRequests(db: Db, where: SQL | undefined, limit: number): Open311Request[] {
  const rows = db
    .select({
      code: writtenRequests.trackingCode,
      status: statusSql,
      result: tickets.result,
      categoryKey: categories.key,
      categoryName: categories.name,
      description: writtenRequests.description,
      agencyName: agencies.name,
      assignedAt: tickets.assignedAt,
      createdAt: writtenRequests.createdAt,
      updatedAt: writtenRequests.updatedAt,
      lastTicketEvent: lastTicketEventSql,
      resolveDueAt: tickets.resolveDueAt,
      address: writtenRequests.address,
      unitCode: units.code,
      unitName: units.name,
      latitude: writtenRequests.latitude,
      longitude: writtenRequests.longitude,
      mediaUrl: mediaUrlSql,
    })
    .from(writtenRequests)
    .leftJoin(tickets, eq(tickets.id, writtenRequests.ticketId))
    .leftJoin(agencies, eq(agencies.id, tickets.agencyId))
    .leftJoin(categories, eq(categories.key, sql`coalesce(${tickets.category}, ${writtenRequests.category})`))
    .leftJoin(units, eq(units.code, sql`coalesce(${tickets.unitCode}, ${writtenRequests.unitCode})`))
    .where(and(eq(writtenRequests.channel, 'app'), where))
    .orderBy(desc(writtenRequests.createdAt), desc(writtenRequests.id))
    .limit(limit)
    .all();
  return rows.map((r) => {
    const updated = Math.max(r.updatedAt.getTime(), Number(r.lastTicketEvent ?? 0));
    const closed = r.status === 'closed';
    return {
      service_request_id: r.code,
      status: r.status,
      status_notes: closed ? (r.result ?? null) : null,
      service_name: r.categoryName,
      service_code: r.categoryKey,
      description: r.description,
      agency_responsible: r.assignedAt ? r.agencyName : null,
      service_notice: null,
      requested_datetime: localIso(r.createdAt),
      updated_datetime: localIso(new Date(updated)),
      expected_datetime: !closed && r.resolveDueAt ? localIso(r.resolveDueAt) : null,
      address: r.address ?? r.unitName,
      address_id: r.unitCode,
      lat: r.latitude,
      long: r.longitude,
      media_url: r.mediaUrl,
    };
  });
}

/** W3C date-time with a zone, or a bare date (local midnight, +07:00). */
const W3_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;
const W3_DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseDate(name: string, text: string): Date {
  const value = W3_DATE.test(text) ? `${text}T00:00:00+07:00` : text;
  const at = W3_DATE_TIME.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) {
    throw badRequest(
      `${name} phải là ngày giờ theo chuẩn W3C có múi giờ, vd. 2026-12-01T00:00:00+07:00`,
      `${name} must be a w3 date-time with a time zone`,
    );
  }
  return at;
}

/** Comma separated values of one or more query parameters of the same name. */
export function listParam(value: unknown): string[] {
  const parts = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return parts
    .flatMap((p) => String(p).split(','))
    .map((p) => p.trim())
    .filter(Boolean);
}

export interface RequestQuery {
  service_request_id?: unknown;
  service_code?: unknown;
  start_date?: unknown;
  end_date?: unknown;
  status?: unknown;
}

const text = (v: unknown): string | undefined => {
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === null || String(s).trim() === '' ? undefined : String(s).trim();
};

/**
 * `GET requests`: `service_request_id` (comma separated) overrides everything else; otherwise the
 * requests made between `start_date` and `end_date` (at most 90 days apart; the last 90 days by
 * default), of the `service_code`s and `status`es given, newest first, at most 1000.
 */
export function findRequests(db: Db, query: RequestQuery, now: Date): Open311Request[] {
  const ids = listParam(query.service_request_id);
  if (ids.length > MAX_REQUESTS) {
    throw badRequest(`Tối đa ${MAX_REQUESTS} mã một lần`, `at most ${MAX_REQUESTS} service_request_id`);
  }
  if (ids.length > 0) return selectRequests(db, inArray(writtenRequests.trackingCode, ids), MAX_REQUESTS);

  const startText = text(query.start_date);
  const endText = text(query.end_date);
  const start0 = startText === undefined ? null : parseDate('start_date', startText);
  const end0 = endText === undefined ? null : parseDate('end_date', endText);
  const end = end0 ?? (start0 ? new Date(start0.getTime() + MAX_SPAN_DAYS * DAY_MS) : now);
  const start = start0 ?? new Date(end.getTime() - MAX_SPAN_DAYS * DAY_MS);
  if (start.getTime() > end.getTime()) {
    throw badRequest('start_date phải trước end_date', 'start_date must be before end_date');
  }
  if (end.getTime() - start.getTime() > MAX_SPAN_DAYS * DAY_MS) {
    throw badRequest(
      `Khoảng thời gian không được dài quá ${MAX_SPAN_DAYS} ngày`,
      `the date range may not span more than ${MAX_SPAN_DAYS} days`,
    );
  }
  const statuses = listParam(query.status);
  for (const s of statuses) {
    if (s !== 'open' && s !== 'closed') {
      throw badRequest(`Trạng thái "${s}" không hợp lệ (open hoặc closed)`, 'status must be open or closed');
    }
  }
  const codes = listParam(query.service_code);
  const where = and(
    gte(writtenRequests.createdAt, start),
    lte(writtenRequests.createdAt, end),
    codes.length > 0
      ? sql`coalesce(${tickets.category}, ${writtenRequests.category}) in (${sql.join(
          codes.map((c) => sql`${c}`),
          sql`, `,
        )})`
      : undefined,
    statuses.length > 0
      ? sql`${statusSql} in (${sql.join(
          statuses.map((s) => sql`${s}`),
          sql`, `,
        )})`
      : undefined,
  );
  return selectRequests(db, where, MAX_REQUESTS);
}

/** `GET requests/{id}`: the request with this tracking code, or 404. */
export function findRequest(db: Db, id: string): Open311Request {
  const [found] = selectRequests(db, eq(writtenRequests.trackingCode, id), 1);
  if (!found) throw notFound(`Không có phản ánh mã ${id}`, 'service_request_id not found');
  return found;
}

/** `GET tokens/{token}`: the request a post's token stands for, or 404. */
export function findToken(db: Db, token: string): { service_request_id: string; token: string } {
  const row = db
    .select({ code: writtenRequests.trackingCode })
    .from(open311Tokens)
    .innerJoin(writtenRequests, eq(writtenRequests.id, open311Tokens.requestId))
    .where(eq(open311Tokens.token, token))
    .get();
  if (!row) throw notFound('Không có mã token này', 'token not found');
  return { service_request_id: row.code, token };
}
