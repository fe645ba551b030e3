/**
 * The calendar page's API. GET /api/admin/calendar?year= (admins; supervisors read, since the
 * monitoring team's deadlines count in it); POST /api/admin/calendar and
 * DELETE /api/admin/calendar/:date (admins, audited `calendar.add` / `calendar.delete`).
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { CalendarDayView, CalendarYearView } from '../../common/api.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import { AppError } from '../errors.ts';
import { type CalendarStore, InvalidCalendarDateError, isCalendarDate } from './service.ts';

const YearQuery = Type.Object({ year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })) });

const DayBody = Type.Object(
  {
    date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    kind: Type.Union([Type.Literal('holiday'), Type.Literal('workday')]),
    name: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

const DateParams = Type.Object({ date: Type.String() });

export async function calendarRoutes(
  app: FastifyInstance,
  deps: { calendar: CalendarStore; now: () => Date },
): Promise<void> {
  const { calendar, now } = deps;

  app.get<{ Querystring: Static<typeof YearQuery> }>(
    '/api/admin/calendar',
    { onRequest: requireRole('admin', 'supervisor'), schema: { querystring: YearQuery } },
    async (request): Promise<{ data: CalendarYearView }> => {
      // The local (UTC+7) year by default.
      const year = request.query.year ?? new Date(now().getTime() + 7 * 3_600_000).getUTCFullYear();
      return { data: calendar.year(year) };
    },
  );

  app.post<{ Body: Static<typeof DayBody> }>(
    '/api/admin/calendar',
    { onRequest: requireRole('admin'), schema: { body: DayBody } },
    async (request, reply): Promise<{ data: CalendarDayView }> => {
      const { date, kind } = request.body;
      if (!isCalendarDate(date)) throw new InvalidCalendarDateError(date);
      const name = request.body.name.trim();
      if (name === '') throw new AppError('NAME_REQUIRED', 400, 'Vui lòng nhập tên của ngày.');
      const day = calendar.add({ date, kind, name }, currentUser(request).id);
      reply.status(201);
      return { data: day };
    },
  );

  app.delete<{ Params: Static<typeof DateParams> }>(
    '/api/admin/calendar/:date',
    { onRequest: requireRole('admin'), schema: { params: DateParams } },
    async (request, reply) => {
      const { date } = request.params;
      if (!isCalendarDate(date)) throw new InvalidCalendarDateError(date);
      calendar.remove(date, currentUser(request).id);
      return reply.status(204).send();
    },
  );
}
