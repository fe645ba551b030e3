/** Each report kind's figures for a period, in one place for the JSON routes, the files and the mail. */
import type { ReportByKind, ReportGranularity, ReportKind } from '../../common/api.ts';
import type { Db } from '../db/index.ts';
import { callbacksReport } from './callbacks.ts';
import { callsReport } from './calls.ts';
import { operatorsReport } from './operators.ts';
import type { LocalPeriod } from './period.ts';
import { ticketsReport } from './tickets.ts';

export interface ReportOptions {
  serviceLevelSeconds: number;
  shortAbandonSeconds: number;
}

export function buildReport<K extends ReportKind>(
  db: Db,
  kind: K,
  period: LocalPeriod,
  opts: ReportOptions & { granularity: ReportGranularity; now: Date },
): ReportByKind[K] {
  const reports: { [P in ReportKind]: () => ReportByKind[P] } = {
    calls: () => callsReport(db, period, opts),
    callbacks: () => callbacksReport(db, period, opts.now),
    operators: () => operatorsReport(db, period, opts.now),
    tickets: () => ticketsReport(db, period, opts.now),
  };
  return reports[kind]();
}
