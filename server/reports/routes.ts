/** GET /api/reports/deadlines?from=&to= for supervisors and admins. */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AgencyDeadlineReport, ListResponse } from '../../common/api.ts';
import { requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { deadlineReport } from './service.ts';

const DAY = 24 * 60 * 60 * 1000;
/** Longest period a report may cover. */
export const MAX_PERIOD_DAYS = 366;

export class InvalidPeriodError extends AppError {
  constructor(message: string) {
    super('INVALID_PERIOD', 400, message);
  }
}

/** ISO dates (`2025-05-01`) or times (`2025-05-01T00:00:00+07:00`). */
const IsoTime = Type.String({
  minLength: 10,
  maxLength: 40,
  pattern: '^\\d{4}-\\d{2}-\\d{2}([T ][0-9:.]+(Z|[+-]\\d{2}:?\\d{2})?)?$',
});
const Query = Type.Object(
  { from: Type.Optional(IsoTime), to: Type.Optional(IsoTime) },
  { additionalProperties: false },
);

function parseTime(text: string, name: string): Date {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new InvalidPeriodError(`Thời điểm "${name}" không hợp lệ.`);
  return d;
}

/** The period asked for; by default the 30 days up to now. */
export function parsePeriod(query: { from?: string; to?: string }, now: Date): { from: Date; to: Date } {
  const to = query.to !== undefined ? parseTime(query.to, 'to') : now;
  const from = query.from !== undefined ? parseTime(query.from, 'from') : new Date(to.getTime() - 30 * DAY);
  if (from.getTime() >= to.getTime())
    throw new InvalidPeriodError('Thời điểm bắt đầu phải trước thời điểm kết thúc.');
  if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY) {
    throw new InvalidPeriodError(`Khoảng thời gian báo cáo tối đa ${MAX_PERIOD_DAYS} ngày.`);
  }
  return { from, to };
}

export async function reportRoutes(app: FastifyInstance, deps: { db: Db; now?: () => Date }): Promise<void> {
  const now = deps.now ?? (() => new Date());
  app.get<{ Querystring: Static<typeof Query> }>(
    '/api/reports/deadlines',
    { onRequest: requireRole('supervisor', 'admin'), schema: { querystring: Query } },
    async (request): Promise<ListResponse<AgencyDeadlineReport>> => {
      const at = now();
      return { data: deadlineReport(deps.db, parsePeriod(request.query, at), at) };
    },
  );
}
