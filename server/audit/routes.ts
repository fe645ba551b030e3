/**
 * GET /api/admin/audit: the audit log, newest first, filtered and paged backwards by id. Admins,
 * and supervisors read-only: the monitoring team answers for deadlines and agencies' results, and
 * needs to see who moved an agency's tickets, changed a routing rule or the holiday calendar.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AuditPage } from '../../common/api.ts';
import { requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { listAudit } from './service.ts';

const AuditQuery = Type.Object({
  entity: Type.Optional(Type.String({ maxLength: 40 })),
  entityId: Type.Optional(Type.String({ maxLength: 80 })),
  actorId: Type.Optional(Type.Integer({ minimum: 1 })),
  action: Type.Optional(Type.String({ maxLength: 60 })),
  /** ISO time or `YYYY-MM-DD` (local midnight). */
  from: Type.Optional(Type.String({ maxLength: 40 })),
  to: Type.Optional(Type.String({ maxLength: 40 })),
  beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

export class InvalidTimeError extends AppError {
  constructor(field: string) {
    super('INVALID_TIME', 400, `Thời điểm "${field}" không hợp lệ (YYYY-MM-DD hoặc giờ ISO).`);
  }
}

const DAY_MS = 86_400_000;

/** A bare date is a local (UTC+7) day: `from` its start, `to` its end (the day included). */
function parseTime(text: string | undefined, field: 'from' | 'to'): Date | undefined {
  if (text === undefined || text === '') return undefined;
  const bareDate = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const at = new Date(bareDate ? `${text}T00:00:00+07:00` : text);
  if (Number.isNaN(at.getTime())) throw new InvalidTimeError(field);
  return bareDate && field === 'to' ? new Date(at.getTime() + DAY_MS) : at;
}

export async function auditRoutes(app: FastifyInstance, deps: { db: Db }): Promise<void> {
  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/api/admin/audit',
    { onRequest: requireRole('admin', 'supervisor'), schema: { querystring: AuditQuery } },
    async (request): Promise<AuditPage> => {
      const q = request.query;
      const limit = q.limit ?? 50;
      const from = parseTime(q.from, 'from');
      const to = parseTime(q.to, 'to');
      const data = listAudit(deps.db, {
        ...(q.entity ? { entity: q.entity } : {}),
        ...(q.entityId ? { entityId: q.entityId } : {}),
        ...(q.actorId !== undefined ? { actorId: q.actorId } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        ...(q.beforeId !== undefined ? { beforeId: q.beforeId } : {}),
        limit,
      });
      const last = data.at(-1);
      return { data, nextBeforeId: data.length === limit && last ? last.id : null };
    },
  );
}
