/**
 * The scheduled summary's subject and body, in Vietnamese: the period and the headline figures
 * (calls offered and answered, service level, tickets created, resolved and on time), so the
 * monitoring team sees the day at a glance before opening the attached workbook.
 */
import type { ReportMailKind } from './schema.ts';
import type { Headline } from './summary.ts';

/** `2026-12-06` → `06/12/2026`. */
export function vnDate(day: string): string {
  const [y, m, d] = day.split('-');
  return `${d}/${m}/${y}`;
}

/** 0.6 → `60,0%`; null → `—` (nothing to measure). */
export function vnPercent(share: number | null): string {
  return share === null ? '—' : `${(share * 100).toFixed(1).replace('.', ',')}%`;
}

/** 1234567 → `1.234.567`. */
const vnCount = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');

export function periodLabel(kind: ReportMailKind, from: string, to: string): string {
  return kind === 'daily' ? `ngày ${vnDate(from)}` : `tuần ${vnDate(from)} – ${vnDate(to)}`;
}

export function mailSubject(kind: ReportMailKind, from: string, to: string, h: Headline): string {
  return `Tổng đài 1022 – Báo cáo ${periodLabel(kind, from, to)}: ${vnCount(h.offered)} cuộc gọi, trả lời ${vnCount(h.answered)}, mức phục vụ ${vnPercent(h.serviceLevel)}`;
}

export function mailBody(
  kind: ReportMailKind,
  from: string,
  to: string,
  h: Headline,
  opts: { fileName: string; serviceLevelSeconds: number },
): string {
  return [
    'Kính gửi Tổ theo dõi,',
    '',
    `Tổng đài 1022 gửi báo cáo tổng hợp ${periodLabel(kind, from, to)} (tệp đính kèm ${opts.fileName}).`,
    '',
    'Cuộc gọi',
    `- Vào hàng chờ: ${vnCount(h.offered)}`,
    `- Đã trả lời: ${vnCount(h.answered)}`,
    `- Bỏ máy khi chờ: ${vnCount(h.abandoned)}`,
    `- Mức phục vụ (trả lời trong ${opts.serviceLevelSeconds} giây): ${vnPercent(h.serviceLevel)}`,
    '',
    'Phiếu phản ánh, kiến nghị',
    `- Tiếp nhận: ${vnCount(h.ticketsCreated)}`,
    `- Đã giải quyết: ${vnCount(h.ticketsResolved)}, trong đó đúng hạn ${vnCount(h.ticketsResolvedOnTime)} (${vnPercent(h.onTimeRate)})`,
    `- Quá hạn cuối kỳ: ${vnCount(h.ticketsOverdue)}`,
    '',
    `Gọi lại cho dân: ${vnCount(h.callbacksOpened)} yêu cầu mới, ${vnCount(h.callbacksOpenAtEnd)} yêu cầu còn mở cuối kỳ.`,
    '',
    'Thư được gửi tự động từ hệ thống Tổng đài 1022; xin không trả lời thư này.',
  ].join('\n');
}
