/** The development SMS outbox page's data: every message, newest first. Supervisors and admins only. */
import { type Static, Type } from '@sinclair/typebox';
import { desc } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ListResponse, SmsView } from '../../common/api.ts';
import { requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { maskPhone } from '../tickets/repository.ts';
import { type SmsRow, smsMessages } from './schema.ts';

const ListQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) });

/**
 * Numbers masked: the outbox is a list, and whoever must call the citizen back finds the full
 * number on the ticket's detail, where each view is logged.
 */
export function toSmsView(row: SmsRow): SmsView {
  return {
    id: row.id,
    ticketId: row.ticketId,
    event: row.event,
    to: maskPhone(row.to),
    body: row.body,
    status: row.status,
    attempts: row.attempts,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
  };
}

export async function smsRoutes(app: FastifyInstance, deps: { db: Db }): Promise<void> {
  const { db } = deps;
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/sms/outbox',
    { onRequest: requireRole('supervisor', 'admin'), schema: { querystring: ListQuery } },
    async (request): Promise<ListResponse<SmsView>> => ({
      data: db
        .select()
        .from(smsMessages)
        .orderBy(desc(smsMessages.id))
        .limit(request.query.limit)
        .all()
        .map(toSmsView),
    }),
  );
}
