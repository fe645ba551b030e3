/**
 * What the IVR always says, by sound name; the menu's own texts (welcome, menus, announcements,
 * after-hours) come from the menu configuration (`ivr/menu.json`). The prompt generator turns
 * each entry into `<sounds>/hotline/vi/<name>.wav` (see `PROMPT_DIR`); recorded prompts can
 * replace the files one for one.
 */
import { PROMPT_DIR } from './constants.ts';
import { MAX_SPOKEN_NUMBER, type NumberSound, numberSound, type Sound, type SoundName } from './flow.ts';

export const PROMPTS = {
  invalid: 'Phím quý vị bấm không hợp lệ.',
  queued: 'Xin quý vị vui lòng chờ trong giây lát, tổng đài viên sẽ trả lời ngay.',
  goodbye: 'Cảm ơn quý vị đã gọi Tổng đài 1022. Xin chào và hẹn gặp lại.',
  agentLost: 'Xin lỗi quý vị, cuộc gọi bị gián đoạn. Xin vui lòng chờ, tổng đài viên khác sẽ trả lời ngay.',
  toOperator: 'Xin quý vị giữ máy, cuộc gọi đang được chuyển đến tổng đài viên.',
  callbackGreeting:
    'Tổng đài 1022 gọi lại cho quý vị theo yêu cầu. Xin quý vị giữ máy, tổng đài viên sẽ trả lời ngay.',
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

  // While waiting in a queue: "Quý vị đang ở vị trí số <n>. Thời gian chờ dự kiến khoảng <m> phút."
  positionIs: 'Quý vị đang ở vị trí số',
  waitAbout: 'Thời gian chờ dự kiến khoảng',
  minutes: 'phút.',
  waitFewMinutes: 'Thời gian chờ dự kiến khoảng vài phút.',
  callbackOffer: 'Để được gọi lại, xin bấm phím 1. Vị trí của quý vị vẫn được giữ.',
  callbackConfirmed:
    'Yêu cầu gọi lại của quý vị đã được ghi nhận. Tổng đài viên sẽ gọi lại cho quý vị theo đúng thứ tự chờ.',
} as const satisfies Record<Exclude<Sound, NumberSound>, string>;

/** The numbers said in announcements, one prompt each (`number-21` is "21", spoken "hai mươi mốt"). */
export const NUMBER_PROMPTS = Object.fromEntries(
  Array.from({ length: MAX_SPOKEN_NUMBER }, (_, i) => [numberSound(i + 1), String(i + 1)]),
) as Record<NumberSound, string>;

/** Every prompt the IVR can play, by sound name. */
export const ALL_PROMPTS: Readonly<Record<string, string>> = { ...PROMPTS, ...NUMBER_PROMPTS };

/** The media URI Asterisk plays for a sound, e.g. `sound:hotline/vi/welcome`. */
export function soundUri(sound: SoundName): string {
  return `sound:${PROMPT_DIR}/${sound}`;
}
