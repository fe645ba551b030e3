/**
 * The admin's outbox of scheduled summaries: GET /api/reports/mails lists them newest first
 * (without the file), GET /api/reports/mails/:id/file downloads the attached workbook. Admins only.
 */
import { type Static, Type } from '@sinclair/typebox';
import { desc, eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ListResponse, ReportMailView } from '../../common/api.ts';
import { requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { reportMails } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { attachment } from './tables.ts';
import { XLSX_TYPE } from './xlsx.ts';

const ListQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export async function reportMailRoutes(app: FastifyInstance, deps: { db: Db }): Promise<void> {
  const { db } = deps;
  const admins = requireRole('admin');
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/reports/mails',
    { onRequest: admins, schema: { querystring: ListQuery } },
    async (request): Promise<ListResponse<ReportMailView>> => ({
      data: db
        .select({
          id: reportMails.id,
          kind: reportMails.kind,
          periodFrom: reportMails.periodFrom,
          periodTo: reportMails.periodTo,
          recipients: reportMails.recipients,
          subject: reportMails.subject,
          fileName: reportMails.fileName,
          fileSize: sql<number>`length(${reportMails.file})`,
          status: reportMails.status,
          attempts: reportMails.attempts,
          lastError: reportMails.lastError,
          providerMessageId: reportMails.providerMessageId,
          createdAt: reportMails.createdAt,
          sentAt: reportMails.sentAt,
        })
        .from(reportMails)
        .orderBy(desc(reportMails.id))
        .limit(request.query.limit)
        .all()
        .map((m) => ({
          ...m,
          createdAt: m.createdAt.toISOString(),
          sentAt: m.sentAt?.toISOString() ?? null,
        })),
    }),
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/reports/mails/:id/file',
    { onRequest: admins, schema: { params: IdParams } },
    async (request, reply) => {
      const mail = db
        .select({ fileName: reportMails.fileName, file: reportMails.file })
        .from(reportMails)
        .where(eq(reportMails.id, request.params.id))
        .get();
      if (!mail) throw new AppError('REPORT_MAIL_NOT_FOUND', 404, 'Không tìm thấy thư báo cáo này.');
      return reply.type(XLSX_TYPE).header('content-disposition', attachment(mail.fileName)).send(mail.file);
    },
  );
}
