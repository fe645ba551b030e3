/**
 * The reports as tables of written figures, under each chart (the chart is never the only place a
 * figure is). Columns come in the order of the CSV/XLSX files of the same report
 * (server/reports/tables.ts), so a reader finds each figure in the same place in both; the files
 * hold raw numbers (seconds, shares) where the page writes `m:ss` and percentages. Pure: headers
 * are message keys the page translates, cells are text already formatted.
 */
import type {
  CallbacksReport,
  CallsReport,
  OperatorReportRow,
  OperatorsReport,
  TicketReportRow,
} from '../../common/api.ts';
import { NOT_READY_REASONS } from '../../common/domain.ts';
import { formatRate } from './format.ts';
import type { MessageKey } from './i18n.ts';
import { formatCount, formatDuration, formatRowStart, ratio } from './report-rules.ts';

export interface ReportColumn {
  header: MessageKey;
  /** Fills the header's placeholders, e.g. the service level's seconds. */
  params?: Record<string, number>;
  /** Figures align right. */
  numeric: boolean;
}

export interface ReportTable {
  columns: ReportColumn[];
  /** Each row's cells, the first one naming the row. */
  rows: string[][];
  /** The period's totals, labelled by the page; `null` when a total would mean nothing. */
  total: string[] | null;
}

export type TicketGrouping = 'category' | 'commune' | 'agency';

const label = (header: MessageKey): ReportColumn => ({ header, numeric: false });
const figure = (header: MessageKey): ReportColumn => ({ header, numeric: true });

export function callsTable(report: CallsReport): ReportTable {
  type Figures = CallsReport['total'];
  const cells = (r: Figures) => [
    formatCount(r.offered),
    formatCount(r.answered),
    formatCount(r.abandoned),
    formatCount(r.abandonedAfterThreshold),
    formatRate(r.serviceLevel),
    formatDuration(r.averageWaitSeconds),
    formatDuration(r.averageTalkSeconds),
  ];
  return {
    columns: [
      label(report.granularity === 'hour' ? 'reports.hour' : 'reports.day'),
      figure('reports.offered'),
      figure('reports.answered'),
      figure('reports.abandoned'),
      { ...figure('reports.abandonedAfterThreshold'), params: { seconds: report.shortAbandonSeconds } },
      { ...figure('reports.serviceLevelWithin'), params: { seconds: report.serviceLevelSeconds } },
      figure('reports.averageWait'),
      figure('reports.averageTalk'),
    ],
    rows: report.rows.map((r) => [formatRowStart(r.start, report.granularity), ...cells(r)]),
    total: cells(report.total),
  };
}

export function callbacksTable(report: CallbacksReport): ReportTable {
  type Figures = CallbacksReport['total'];
  const cells = (r: Figures) => [
    formatCount(r.opened),
    formatCount(r.reached),
    formatCount(r.givenUp),
    formatCount(r.attempts),
  ];
  return {
    columns: [
      label('reports.day'),
      figure('reports.callbacksOpened'),
      figure('reports.callbacksReached'),
      figure('reports.callbacksGivenUp'),
      figure('reports.callbackAttempts'),
    ],
    rows: report.rows.map((r) => [formatRowStart(r.start, 'day'), ...cells(r)]),
    total: cells(report.total),
  };
}

/** Seconds not ready for any reason. */
export function notReadyTotal(row: Pick<OperatorReportRow, 'notReadySeconds'>): number {
  return NOT_READY_REASONS.reduce((sum, reason) => sum + row.notReadySeconds[reason], 0);
}

export function operatorsTable(report: OperatorsReport): ReportTable {
  const cells = (r: Omit<OperatorReportRow, 'operatorId' | 'displayName'>) => [
    formatCount(r.handled),
    formatDuration(r.talkSeconds),
    formatDuration(r.averageTalkSeconds),
    formatDuration(r.wrapUpSeconds),
    formatDuration(r.readySeconds),
    ...NOT_READY_REASONS.map((reason) => formatDuration(r.notReadySeconds[reason])),
  ];
  const sum = (pick: (r: OperatorReportRow) => number) => report.rows.reduce((s, r) => s + pick(r), 0);
  const handled = sum((r) => r.handled);
  const talkSeconds = sum((r) => r.talkSeconds);
  const total = {
    handled,
    talkSeconds,
    // Each operator's mean weighted by their calls: the mean over every call.
    averageTalkSeconds: ratio(
      sum((r) => (r.averageTalkSeconds ?? 0) * r.handled),
      sum((r) => (r.averageTalkSeconds === null ? 0 : r.handled)),
    ),
    wrapUpSeconds: sum((r) => r.wrapUpSeconds),
    notReadySeconds: Object.fromEntries(
      NOT_READY_REASONS.map((reason) => [reason, sum((r) => r.notReadySeconds[reason])]),
    ) as OperatorReportRow['notReadySeconds'],
    readySeconds: sum((r) => r.readySeconds),
  };
  return {
    columns: [
      label('reports.operator'),
      figure('reports.handled'),
      figure('reports.talkTotal'),
      figure('reports.operatorAverageTalk'),
      figure('reports.wrapUp'),
      figure('reports.ready'),
      ...NOT_READY_REASONS.map((reason) => figure(`reports.notReady.${reason}`)),
    ],
    rows: report.rows.map((r) => [r.displayName, ...cells(r)]),
    total: report.rows.length > 0 ? cells(total) : null,
  };
}

const GROUP_HEADER: Record<TicketGrouping, MessageKey> = {
  category: 'reports.byCategory',
  commune: 'reports.byCommune',
  agency: 'reports.byAgency',
};

export function ticketsTable(rows: readonly TicketReportRow[], grouping: TicketGrouping): ReportTable {
  const cells = (r: Omit<TicketReportRow, 'key' | 'label'>) => [
    formatCount(r.created),
    formatCount(r.resolved),
    formatCount(r.resolvedOnTime),
    formatRate(r.onTimeRate),
    formatCount(r.overdue),
  ];
  const sum = (pick: (r: TicketReportRow) => number) => rows.reduce((s, r) => s + pick(r), 0);
  const resolved = sum((r) => r.resolved);
  const resolvedOnTime = sum((r) => r.resolvedOnTime);
  return {
    columns: [
      label(GROUP_HEADER[grouping]),
      figure('reports.created'),
      figure('reports.resolved'),
      figure('reports.resolvedOnTime'),
      figure('reports.onTimeRate'),
      figure('reports.overdue'),
    ],
    rows: rows.map((r) => [r.label, ...cells(r)]),
    total:
      rows.length > 0
        ? cells({
            created: sum((r) => r.created),
            resolved,
            resolvedOnTime,
            onTimeRate: ratio(resolvedOnTime, resolved),
            overdue: sum((r) => r.overdue),
          })
        : null,
  };
}

/** Whether a period holds nothing to report: every figure 0 (the rows of empty hours may be there). */
export function isEmptyReport(
  report:
    | { kind: 'calls'; data: CallsReport }
    | { kind: 'callbacks'; data: CallbacksReport }
    | { kind: 'operators'; data: OperatorsReport }
    | { kind: 'tickets'; data: { byCategory: readonly TicketReportRow[] } },
): boolean {
  switch (report.kind) {
    case 'calls':
      return report.data.total.offered === 0 && report.data.rows.every((r) => r.offered === 0);
    case 'callbacks': {
      const t = report.data.total;
      return t.opened + t.reached + t.givenUp + t.attempts === 0 && report.data.openAtEnd === 0;
    }
    case 'operators':
      return report.data.rows.every(
        (r) => r.handled + r.talkSeconds + r.wrapUpSeconds + r.readySeconds + notReadyTotal(r) === 0,
      );
    case 'tickets':
      return report.data.byCategory.every((r) => r.created + r.resolved + r.overdue === 0);
  }
}
