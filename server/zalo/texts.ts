/** What the hotline writes to citizens on Zalo, in Vietnamese. */
import { smsTexts } from '../sms/texts.ts';

export const zaloTexts = {
  trackingCode: (code: string): string =>
    `Tổng đài 1022 đã tiếp nhận phản ánh của ông (bà), mã tra cứu ${code}. ` +
    'Ông (bà) có thể nhắn thêm nội dung, ảnh hoặc vị trí ngay tại đây. Xin cảm ơn!',
  /** The province's resolution wording, with the request's code. */
  result: (code: string): string => `${smsTexts.resolved()} (Mã tra cứu ${code})`,
  /** The description of a request that starts with an image or a location. */
  imageDescription: (caption: string | null): string => caption ?? 'Ảnh gửi qua Zalo',
  locationDescription: 'Vị trí gửi qua Zalo',
} as const;
