/**
 * What the IVR says, by sound name. The prompt generator turns each entry into
 * `<sounds>/hotline/vi/<name>.wav` (see `PROMPT_DIR`); recorded prompts can replace the files
 * one for one. The flow refers to sounds by these names only.
 */
import { PROMPT_DIR } from './constants.ts';
import type { Sound } from './flow.ts';

export const PROMPTS = {
  welcome: 'Tổng đài 1022 tỉnh Đồng Nai xin kính chào quý vị.',
  menu: 'Để được hỗ trợ về y tế, xin bấm phím 1. An sinh xã hội, bấm phím 2. Hàng hóa thiết yếu, bấm phím 3. Để gặp tổng đài viên, bấm phím 0.',
  invalid: 'Phím quý vị bấm không hợp lệ.',
  queued: 'Xin quý vị vui lòng chờ trong giây lát, tổng đài viên sẽ trả lời ngay.',
  goodbye: 'Cảm ơn quý vị đã gọi Tổng đài 1022. Xin chào và hẹn gặp lại.',
} as const satisfies Record<Sound, string>;

/** The media URI Asterisk plays for a sound, e.g. `sound:hotline/vi/welcome`. */
export function soundUri(sound: Sound): string {
  return `sound:${PROMPT_DIR}/${sound}`;
}
