import { describe, expect, it } from 'vitest';
import { RESULT_SUMMARY_MAX, smsTexts } from '../../server/sms/texts.ts';

describe('SMS texts', () => {
  it('uses the province’s exact resolution text', () => {
    expect(smsTexts.resolved()).toBe(
      'Tổng đài 1022 thông báo, kiến nghị của ông (bà) đã được giải quyết. Xin cảm ơn!',
    );
  });

  it('gives the tracking code on creation', () => {
    expect(smsTexts.created('123456782')).toBe(
      'Tổng đài 1022 đã tiếp nhận kiến nghị của ông (bà), mã tra cứu 123456782. Xin cảm ơn!',
    );
  });

  it.each([
    ['Đã sửa  xong\nđường ống.', 'Đã sửa xong đường ống.'],
    ['a'.repeat(RESULT_SUMMARY_MAX), 'a'.repeat(RESULT_SUMMARY_MAX)],
  ])('quotes a short result as it is, spaces folded (%#)', (result, quoted) => {
    expect(smsTexts.statusLookup('123456782', result)).toBe(
      `Tổng đài 1022: kết quả giải quyết kiến nghị mã 123456782: ${quoted}`,
    );
  });

  it('shortens a long result at a word boundary with an ellipsis', () => {
    const text = smsTexts.statusLookup('123456782', 'Đã khắc phục sự cố '.repeat(40));
    const summary = text.split('123456782: ')[1]!;
    expect(summary.length).toBeLessThanOrEqual(RESULT_SUMMARY_MAX);
    expect(summary).toMatch(/\S…$/);
    expect(`Đã khắc phục sự cố ${'Đã khắc phục sự cố '.repeat(40)}`).toContain(summary.slice(0, -1));
  });
});
