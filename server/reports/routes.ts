/**
 * Reports for supervisors and admins: GET /api/reports/deadlines?from=&to= (instants), and for
 * each report kind GET /api/reports/<kind>?from=&to=[&granularity=] (local days, both included).
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type AgencyDeadlineReport, type ListResponse, REPORT_KINDS } from '../../common/api.ts';
import { requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { buildReport, type ReportOptions } from './build.ts';
import { parseLocalPeriod, parsePeriod } from './period.ts';
import { deadlineReport } from './service.ts';

// The calls list (server/calls/routes.ts) reads its period the deadline report's way.
export { InvalidPeriodError, MAX_PERIOD_DAYS, parsePeriod } from './period.ts';

/** ISO dates (`2025-05-01`) or times (`2025-05-01T00:00:00+07:00`). */
const IsoTime = Type.String({
  minLength: 10,
  maxLength: 40,
  pattern: '^\\d{4}-\\d{2}-\\d{2}([T ][0-9:.]+(Z|[+-]\\d{2}:?\\d{2})?)?$',
});
const DeadlineQuery = Type.Object(
  { from: Type.Optional(IsoTime), to: Type.Optional(IsoTime) },
  { additionalProperties: false },
);

/** Local days; checked by `parseLocalPeriod`, so a bad one gets its Vietnamese explanation. */
const Day = Type.String({ maxLength: 40 });
export const ReportQuery = Type.Object(
  {
    from: Type.Optional(Day),
    to: Type.Optional(Day),
    granularity: Type.Optional(Type.Union([Type.Literal('hour'), Type.Literal('day')])),
  },
  { additionalProperties: false },
);
export type ReportQuery = Static<typeof ReportQuery>;

export interface ReportRouteDeps {
  db: Db;
  now?: () => Date;
  options: ReportOptions;
}

export async function reportRoutes(app: FastifyInstance, deps: ReportRouteDeps): Promise<void> {
  const now = deps.now ?? (() => new Date());
  const guard = requireRole('supervisor', 'admin');
  app.get<{ Querystring: Static<typeof DeadlineQuery> }>(
    '/api/reports/deadlines',
    { onRequest: guard, schema: { querystring: DeadlineQuery } },
    async (request): Promise<ListResponse<AgencyDeadlineReport>> => {
      const at = now();
      return { data: deadlineReport(deps.db, parsePeriod(request.query, at), at) };
    },
  );

  for (const kind of REPORT_KINDS) {
    app.get<{ Querystring: ReportQuery }>(
      `/api/reports/${kind}`,
      { onRequest: guard, schema: { querystring: ReportQuery } },
      async (request) => {
        const at = now();
        const period = parseLocalPeriod(request.query, at);
        return buildReport(deps.db, kind, period, {
          ...deps.options,
          granularity: period.granularity,
          now: at,
        });
      },
    );
  }
}
