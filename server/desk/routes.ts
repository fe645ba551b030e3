/**
 * The desk's REST side:
 * - `GET /api/desk/tasks`: the written tasks the caller holds (also pushed as `desk:tasks`);
 * - `POST /api/desk/tasks/:id/open`: the operator opened one (its open timeout stops);
 * - `GET /api/desk/written-figures`: per channel, open, oldest waiting and today's first responses
 *   within target (the wallboards);
 * - `GET /api/desk/history?phone=&zaloUserId=&requestId=`: the citizen's contacts on every channel.
 */
import { type Static, Type } from '@sinclair/typebox';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ContactHistoryView, DeskTasksView, WrittenFiguresView } from '../../common/desk.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { IntakeValidationError, WrittenRequestNotFoundError } from '../intake/errors.ts';
import { writtenRequests } from '../intake/schema.ts';
import { writtenFigures } from './figures.ts';
import { contactHistory } from './history.ts';
import type { WrittenDesk } from './service.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const HistoryQuery = Type.Object(
  {
    phone: Type.Optional(Type.String({ maxLength: 20 })),
    zaloUserId: Type.Optional(Type.String({ maxLength: 64 })),
    requestId: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export async function deskRoutes(
  app: FastifyInstance,
  deps: { db: Db; desk: WrittenDesk; settings: Config['desk']; now: () => Date },
): Promise<void> {
  const { db, desk, now } = deps;
  const hotline = requireRole('operator', 'supervisor', 'admin');

  app.get(
    '/api/desk/tasks',
    { onRequest: hotline },
    async (request): Promise<DeskTasksView> => desk.tasksOf(currentUser(request).id),
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/desk/tasks/:id/open',
    { onRequest: hotline, schema: { params: IdParams } },
    async (request): Promise<DeskTasksView> => desk.open(currentUser(request).id, request.params.id),
  );

  app.get(
    '/api/desk/written-figures',
    { onRequest: hotline },
    async (): Promise<WrittenFiguresView> => writtenFigures(db, deps.settings, now()),
  );

  app.get<{ Querystring: Static<typeof HistoryQuery> }>(
    '/api/desk/history',
    { onRequest: hotline, schema: { querystring: HistoryQuery } },
    async (request): Promise<ContactHistoryView> => {
      let { phone, zaloUserId } = request.query;
      const { requestId } = request.query;
      if (phone !== undefined && !/^\+?\d{3,19}$/.test(phone))
        throw new IntakeValidationError('PHONE_INVALID', 'Số điện thoại không hợp lệ.');
      if (requestId !== undefined) {
        const row = db
          .select({ phone: writtenRequests.phone, zaloUserId: writtenRequests.zaloUserId })
          .from(writtenRequests)
          .where(eq(writtenRequests.id, requestId))
          .get();
        if (!row) throw new WrittenRequestNotFoundError();
        phone ??= row.phone ?? undefined;
        zaloUserId ??= row.zaloUserId ?? undefined;
      }
      if (!phone && !zaloUserId && requestId === undefined)
        throw new IntakeValidationError(
          'CITIZEN_REQUIRED',
          'Cần số điện thoại, người dùng Zalo hoặc phản ánh để xem lịch sử.',
        );
      return { items: contactHistory(db, { phone: phone ?? null, zaloUserId: zaloUserId ?? null }) };
    },
  );
}
