/**
 * Zalo's window for an OA's consultation messages, counted from the citizen's last message:
 * free within 48 hours; after that, up to 7 days, allowed but counted against the OA's paid quota;
 * closed after 7 days (the OA can no longer write first).
 */

export const FREE_WINDOW_MS = 48 * 3600_000;
export const PAID_WINDOW_MS = 7 * 24 * 3600_000;

export type ReplyWindowKind = 'free' | 'paid' | 'closed';

export interface ReplyWindow {
  kind: ReplyWindowKind;
  /** When the current kind ends (free → paid, paid → closed); null once closed. */
  until: Date | null;
}

/** Where `now` falls after the citizen's last message; closed when they never wrote. */
export function replyWindow(lastCitizenAt: Date | null, now: Date): ReplyWindow {
  if (!lastCitizenAt) return { kind: 'closed', until: null };
  const since = now.getTime() - lastCitizenAt.getTime();
  if (since <= FREE_WINDOW_MS)
    return { kind: 'free', until: new Date(lastCitizenAt.getTime() + FREE_WINDOW_MS) };
  if (since <= PAID_WINDOW_MS)
    return { kind: 'paid', until: new Date(lastCitizenAt.getTime() + PAID_WINDOW_MS) };
  return { kind: 'closed', until: null };
}

/** What the operator is told about the window, in Vietnamese. */
export function windowNotice(window: ReplyWindow): string {
  switch (window.kind) {
    case 'free':
      return 'Trong 48 giờ kể từ tin nhắn cuối của người dân: trả lời miễn phí.';
    case 'paid':
      return 'Đã quá 48 giờ kể từ tin nhắn cuối của người dân: tin trả lời được tính phí (còn gửi được đến hết 7 ngày).';
    case 'closed':
      return 'Đã quá 7 ngày kể từ tin nhắn cuối của người dân: Zalo không cho phép gửi tin tư vấn, hãy chờ người dân nhắn lại hoặc gọi điện.';
  }
}
