/**
 * Each report as tables of rows under Vietnamese column headers: the one definition of the
 * columns that the CSV and XLSX files share (`csv.ts`, `xlsx.ts`), so the two always match, and
 * match the page's JSON figure for figure.
 */
import type {
  CallbacksReport,
  CallsReport,
  OperatorsReport,
  ReportByKind,
  ReportKind,
  TicketReportRow,
  TicketsReport,
} from '../../common/api.ts';
import { NOT_READY_REASONS, type NotReadyReason } from '../../common/domain.ts';

/**
 * How a column's values are written: `text` as given; `count` and `seconds` whole numbers;
 * `decimal` to a tenth; `percent` a 0–1 share (XLSX formats it as %, CSV writes percent points).
 */
export type ColumnKind = 'text' | 'count' | 'seconds' | 'decimal' | 'percent';
export type Cell = string | number | null;

export interface Column {
  header: string;
  kind: ColumnKind;
}

export interface ReportTable {
  /** Its sheet's name in the workbook (at most 31 characters) and its title in a CSV file. */
  title: string;
  columns: Column[];
  rows: Cell[][];
  /** Single figures shown under the table, e.g. callbacks still open at the end. */
  notes?: [string, Cell][];
}

/** The first cell of the last row of a calls or callbacks table: the period's totals. */
export const TOTAL_LABEL = 'Tổng cộng';

/** `2026-12-01T08:00:00+07:00` → `2026-12-01 08:00` by the hour, `2026-12-01` by the day. */
function periodLabel(start: string, hourly: boolean): string {
  return hourly ? `${start.slice(0, 10)} ${start.slice(11, 16)}` : start.slice(0, 10);
}

export const NOT_READY_LABELS: Record<NotReadyReason, string> = {
  break: 'Nghỉ giải lao',
  training: 'Đào tạo',
  callback_work: 'Gọi lại cho dân',
  missed_call: 'Không trả lời cuộc gọi',
  connection_lost: 'Mất kết nối',
};

function callsTables(r: CallsReport): ReportTable[] {
  const hourly = r.granularity === 'hour';
  const figures = (f: CallsReport['total']): Cell[] => [
    f.offered,
    f.answered,
    f.abandoned,
    f.abandonedAfterThreshold,
    f.serviceLevel,
    f.averageWaitSeconds,
    f.averageTalkSeconds,
  ];
  return [
    {
      title: hourly ? 'Cuộc gọi theo giờ' : 'Cuộc gọi theo ngày',
      columns: [
        { header: hourly ? 'Giờ' : 'Ngày', kind: 'text' },
        { header: 'Cuộc gọi vào hàng chờ', kind: 'count' },
        { header: 'Đã trả lời', kind: 'count' },
        { header: 'Bỏ máy khi chờ', kind: 'count' },
        { header: `Bỏ máy sau hơn ${r.shortAbandonSeconds} giây`, kind: 'count' },
        { header: `Mức phục vụ (trả lời trong ${r.serviceLevelSeconds} giây, %)`, kind: 'percent' },
        { header: 'Thời gian chờ trung bình (giây)', kind: 'decimal' },
        { header: 'Thời gian đàm thoại trung bình (giây)', kind: 'decimal' },
      ],
      rows: [
        ...r.rows.map((row) => [periodLabel(row.start, hourly), ...figures(row)]),
        [TOTAL_LABEL, ...figures(r.total)],
      ],
    },
  ];
}

function callbacksTables(r: CallbacksReport): ReportTable[] {
  const counts = (c: CallbacksReport['total']): Cell[] => [c.opened, c.reached, c.givenUp, c.attempts];
  return [
    {
      title: 'Gọi lại cho dân',
      columns: [
        { header: 'Ngày', kind: 'text' },
        { header: 'Yêu cầu gọi lại mới', kind: 'count' },
        { header: 'Đã gọi được', kind: 'count' },
        { header: 'Ngừng gọi lại', kind: 'count' },
        { header: 'Lượt gọi lại', kind: 'count' },
      ],
      rows: [
        ...r.rows.map((row) => [periodLabel(row.start, false), ...counts(row)]),
        [TOTAL_LABEL, ...counts(r.total)],
      ],
      notes: [['Yêu cầu còn mở cuối kỳ', r.openAtEnd]],
    },
  ];
}

function operatorsTables(r: OperatorsReport): ReportTable[] {
  return [
    {
      title: 'Tổng đài viên',
      columns: [
        { header: 'Tổng đài viên', kind: 'text' },
        { header: 'Cuộc gọi đã xử lý', kind: 'count' },
        { header: 'Tổng thời gian đàm thoại (giây)', kind: 'seconds' },
        { header: 'Đàm thoại trung bình (giây)', kind: 'decimal' },
        { header: 'Xử lý sau cuộc gọi (giây)', kind: 'seconds' },
        { header: 'Sẵn sàng (giây)', kind: 'seconds' },
        ...NOT_READY_REASONS.map(
          (reason): Column => ({ header: `Tạm nghỉ: ${NOT_READY_LABELS[reason]} (giây)`, kind: 'seconds' }),
        ),
      ],
      rows: r.rows.map((row) => [
        row.displayName,
        row.handled,
        row.talkSeconds,
        row.averageTalkSeconds,
        row.wrapUpSeconds,
        row.readySeconds,
        ...NOT_READY_REASONS.map((reason) => row.notReadySeconds[reason]),
      ]),
    },
  ];
}

function ticketTable(
  title: string,
  keyHeader: string,
  nameHeader: string,
  rows: TicketReportRow[],
): ReportTable {
  return {
    title,
    columns: [
      { header: keyHeader, kind: 'text' },
      { header: nameHeader, kind: 'text' },
      { header: 'Tiếp nhận', kind: 'count' },
      { header: 'Đã giải quyết', kind: 'count' },
      { header: 'Giải quyết đúng hạn', kind: 'count' },
      { header: 'Tỷ lệ đúng hạn (%)', kind: 'percent' },
      { header: 'Quá hạn cuối kỳ', kind: 'count' },
    ],
    rows: rows.map((row) => [
      row.key,
      row.label,
      row.created,
      row.resolved,
      row.resolvedOnTime,
      row.onTimeRate,
      row.overdue,
    ]),
  };
}

function ticketsTables(r: TicketsReport): ReportTable[] {
  return [
    ticketTable('Phiếu theo lĩnh vực', 'Mã lĩnh vực', 'Lĩnh vực', r.byCategory),
    ticketTable('Phiếu theo xã, phường', 'Mã đơn vị', 'Xã, phường', r.byCommune),
    ticketTable('Phiếu theo cơ quan', 'Mã cơ quan', 'Cơ quan', r.byAgency),
  ];
}

export function reportTables<K extends ReportKind>(kind: K, report: ReportByKind[K]): ReportTable[] {
  const tables: { [P in ReportKind]: (r: ReportByKind[P]) => ReportTable[] } = {
    calls: callsTables,
    callbacks: callbacksTables,
    operators: operatorsTables,
    tickets: ticketsTables,
  };
  return tables[kind](report);
}

/** Each report's name in file names and mail: `bao-cao-cuoc-goi-2026-12-01-2026-12-07.csv`. */
export const REPORT_SLUGS: Record<ReportKind | 'summary', string> = {
  calls: 'cuoc-goi',
  callbacks: 'goi-lai',
  operators: 'tong-dai-vien',
  tickets: 'phieu',
  summary: 'tong-hop',
};

export function reportFileName(
  kind: ReportKind | 'summary',
  period: { from: string; to: string },
  ext: 'csv' | 'xlsx',
): string {
  return `bao-cao-${REPORT_SLUGS[kind]}-${period.from}-${period.to}.${ext}`;
}

/** A download's header; report file names are ASCII, so no RFC 5987 encoding is needed. */
export const attachment = (fileName: string): string => `attachment; filename="${fileName}"`;
