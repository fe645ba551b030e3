/**
 * What the hotline texts citizens, in Vietnamese. The resolution text is the province's exact
 * wording and must not change.
 */

/** Longest result summary quoted in a status-lookup message, in characters. */
export const RESULT_SUMMARY_MAX = 240;

export const smsTexts = {
  created: (trackingCode: string): string =>
    `Tổng đài 1022 đã tiếp nhận kiến nghị của ông (bà), mã tra cứu ${trackingCode}. Xin cảm ơn!`,

  /** The one-time code that confirms the citizen's number on the web form. */
  phoneCode: (code: string, minutes: number): string =>
    `Mã xác nhận của Tổng đài 1022: ${code}. Mã có hiệu lực ${minutes} phút. Không đưa mã này cho người khác.`,

  resolved: (): string => 'Tổng đài 1022 thông báo, kiến nghị của ông (bà) đã được giải quyết. Xin cảm ơn!',

  /** Sent after a status lookup by phone: the result of a resolved ticket, shortened. */
  statusLookup: (trackingCode: string, result: string): string =>
    `Tổng đài 1022: kết quả giải quyết kiến nghị mã ${trackingCode}: ${summarise(result)}`,
} as const;

function summarise(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= RESULT_SUMMARY_MAX) return flat;
  const cut = flat.slice(0, RESULT_SUMMARY_MAX - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > RESULT_SUMMARY_MAX / 2 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}
