/**
 * What the Zalo page shows, as pure functions of the API's views. The translator is a parameter
 * (the page passes `t`), so the rules run without a browser.
 */
import type { ZaloConversationView, ZaloMessageView, ZaloWindowView } from '../../common/zalo.ts';
import { formatDateTime } from './format.ts';
import type { MessageKey } from './i18n.ts';

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** The window's short label: free or paid until when, or closed. */
export function windowLabel(window: ZaloWindowView, tr: Translate): string {
  if (window.kind === 'closed' || !window.until) return tr('zalo.window.closed');
  const key: MessageKey = window.kind === 'free' ? 'zalo.window.free' : 'zalo.window.paid';
  return tr(key, { time: formatDateTime(window.until) });
}

/** The name to show for a conversation. */
export function conversationName(c: ZaloConversationView, tr: Translate): string {
  return c.displayName ?? tr('zalo.citizen', { id: c.zaloUserId });
}

/** A message's text as shown in the thread. */
export function messageText(m: ZaloMessageView, tr: Translate): string {
  if (m.kind === 'location' && m.latitude !== null && m.longitude !== null) {
    return tr('zalo.location', { lat: m.latitude.toFixed(5), lng: m.longitude.toFixed(5) });
  }
  if (m.kind === 'image') return m.text ? `${tr('zalo.image')} ${m.text}` : tr('zalo.image');
  return m.text ?? '';
}

const PURPOSE_KEYS: Record<NonNullable<ZaloMessageView['purpose']>, MessageKey> = {
  reply: 'zalo.purpose.reply',
  tracking_code: 'zalo.purpose.tracking_code',
  result: 'zalo.purpose.result',
};
const STATUS_KEYS: Record<ZaloMessageView['status'], MessageKey> = {
  received: 'zalo.status.received',
  pending: 'zalo.status.pending',
  sent: 'zalo.status.sent',
  failed: 'zalo.status.failed',
};

/** Who wrote and how it went: the status of an outgoing message, with Zalo's error. */
export function messageStatus(m: ZaloMessageView, tr: Translate): string {
  const who = m.direction === 'in' ? '' : `${tr(PURPOSE_KEYS[m.purpose ?? 'reply'])} · `;
  return `${who}${tr(STATUS_KEYS[m.status])}${m.error ? ` (${m.error})` : ''}`;
}
