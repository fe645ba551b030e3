/**
 * Reports for supervisors and admins: GET /api/reports/deadlines?from=&to= (instants), and for
 * each report kind GET /api/reports/<kind>?from=&to=[&granularity=] (local days, both included),
 * the same as a file at /api/reports/<kind>.csv and .xlsx, and every report of the period in
 * /api/reports/summary.xlsx; and the admin's outbox of scheduled summaries (`mail-routes.ts`).
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type AgencyDeadlineReport, type ListResponse, REPORT_KINDS } from '../../common/api.ts';
import { requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { buildReport, type ReportOptions } from './build.ts';
import { CSV_TYPE, toCsv } from './csv.ts';
import { reportMailRoutes } from './mail-routes.ts';
import { parseLocalPeriod, parsePeriod } from './period.ts';
import { deadlineReport } from './service.ts';
import { buildSummary, summaryXlsx } from './summary.ts';
import { attachment, reportFileName, reportTables } from './tables.ts';
import { toXlsx, XLSX_TYPE } from './xlsx.ts';

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

  const route = { onRequest: guard, schema: { querystring: ReportQuery } };
  for (const kind of REPORT_KINDS) {
    const report = (query: ReportQuery) => {
      const at = now();
      const period = parseLocalPeriod(query, at);
      return buildReport(deps.db, kind, period, {
        ...deps.options,
        granularity: period.granularity,
        now: at,
      });
    };
    app.get<{ Querystring: ReportQuery }>(`/api/reports/${kind}`, route, async (request) =>
      report(request.query),
    );
    app.get<{ Querystring: ReportQuery }>(`/api/reports/${kind}.csv`, route, async (request, reply) => {
      const r = report(request.query);
      return reply
        .type(CSV_TYPE)
        .header('content-disposition', attachment(reportFileName(kind, r.period, 'csv')))
        .send(toCsv(reportTables(kind, r)));
    });
    app.get<{ Querystring: ReportQuery }>(`/api/reports/${kind}.xlsx`, route, async (request, reply) => {
      const r = report(request.query);
      return reply
        .type(XLSX_TYPE)
        .header('content-disposition', attachment(reportFileName(kind, r.period, 'xlsx')))
        .send(await toXlsx(reportTables(kind, r), { created: now() }));
    });
  }

  await reportMailRoutes(app, { db: deps.db });

  app.get<{ Querystring: ReportQuery }>('/api/reports/summary.xlsx', route, async (request, reply) => {
    const at = now();
    const period = parseLocalPeriod(request.query, at);
    const summary = await buildSummary(deps.db, period, {
      ...deps.options,
      now: at,
      ...(request.query.granularity ? { granularity: request.query.granularity } : {}),
    });
    return reply
      .type(XLSX_TYPE)
      .header('content-disposition', attachment(reportFileName('summary', summary.period, 'xlsx')))
      .send(await summaryXlsx(summary, at));
  });
}
