/**
 * What the IVR always says, by sound name; the menu's own texts (welcome, menus, announcements,
 * after-hours) come from the menu configuration (`ivr/menu.json`). The prompt generator turns
 * each entry into `<sounds>/hotline/vi/<name>.wav` (see `PROMPT_DIR`); recorded prompts can
 * replace the files one for one.
 */
import { PROMPT_DIR } from './constants.ts';
import type { Sound, SoundName } from './flow.ts';

export const PROMPTS = {
  invalid: 'Phím quý vị bấm không hợp lệ.',
  queued: 'Xin quý vị vui lòng chờ trong giây lát, tổng đài viên sẽ trả lời ngay.',
  goodbye: 'Cảm ơn quý vị đã gọi Tổng đài 1022. Xin chào và hẹn gặp lại.',
  agentLost: 'Xin lỗi quý vị, cuộc gọi bị gián đoạn. Xin vui lòng chờ, tổng đài viên khác sẽ trả lời ngay.',
  messageSaved:
    'Lời nhắn của quý vị đã được ghi lại. Tổng đài viên sẽ gọi lại cho quý vị trong giờ làm việc.',

  // The status line ("tra cứu kết quả").
  enterCode:
    'Xin quý vị nhập mã tra cứu gồm 9 chữ số, kết thúc bằng phím thăng. Để trở về menu chính, bấm phím sao.',
  wrongCode: 'Mã tra cứu không đúng.',
  notFound: 'Không tìm thấy kiến nghị với mã này.',
  reenterCode: 'Xin nhập lại mã tra cứu, kết thúc bằng phím thăng.',
  codeRejected: 'Để gặp tổng đài viên, bấm phím 0. Để trở về menu chính, bấm phím sao.',
  lookupUnavailable: 'Xin lỗi quý vị, hiện chưa tra cứu được kết quả.',
  statusReceived: 'Kiến nghị của quý vị đã được tiếp nhận và đang chờ chuyển cơ quan xử lý.',
  statusCallback: 'Kiến nghị của quý vị đã được tiếp nhận, tổng đài viên sẽ gọi lại cho quý vị.',
  statusAssigned: 'Kiến nghị của quý vị đã được chuyển đến cơ quan chức năng.',
  statusInProgress: 'Kiến nghị của quý vị đang được cơ quan chức năng xử lý.',
  statusResolved: 'Kiến nghị của quý vị đã được giải quyết.',
  statusAnswered: 'Kiến nghị của quý vị đã được trả lời.',
  statusRejected:
    'Kiến nghị của quý vị không thuộc diện tiếp nhận giải quyết. Để biết thêm chi tiết, xin gặp tổng đài viên.',
  statusDuplicate:
    'Kiến nghị của quý vị trùng với một kiến nghị đã tiếp nhận trước đó và được giải quyết cùng kiến nghị đó.',
  smsSent: 'Kết quả đã được gửi tin nhắn đến số điện thoại của quý vị.',
  backToMenu: 'Để trở về menu chính, bấm phím sao.',
} as const satisfies Record<Sound, string>;

/** The media URI Asterisk plays for a sound, e.g. `sound:hotline/vi/welcome`. */
export function soundUri(sound: SoundName): string {
  return `sound:${PROMPT_DIR}/${sound}`;
}
