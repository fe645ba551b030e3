/**
 * The operator's sign that a supervisor is on their call: "Giám sát viên đang nhắc" (whisper),
 * "… đang tham gia" (barge), and "… đang nghe" only where the province tells operators of
 * listening too. The server decides what the operator is told; this shows it, and clears it when
 * the call ends.
 */
import type { CoachingNotice } from '../../common/events.ts';
import { t } from './i18n.ts';

export interface CoachingIndicator {
  changed(notice: CoachingNotice): void;
  callEnded(callId: string): void;
}

export function createCoachingIndicator(el: HTMLElement): CoachingIndicator {
  let callId: string | null = null;
  const show = (notice: CoachingNotice | null) => {
    callId = notice?.mode ? notice.callId : null;
    el.hidden = !notice?.mode;
    el.dataset.mode = notice?.mode ?? 'none';
    el.textContent = notice?.mode ? t(`coaching.operator.${notice.mode}`) : '';
  };
  show(null);
  return {
    changed: show,
    callEnded(ended) {
      if (ended === callId) show(null);
    },
  };
}
