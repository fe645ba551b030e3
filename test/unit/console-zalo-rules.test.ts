/** The Zalo page's rules: the reply window's label, how messages read, outgoing status. */
import { describe, expect, it } from 'vitest';
import {
  conversationName,
  messageStatus,
  messageText,
  windowLabel,
} from '../../agent-console/src/zalo-rules.ts';
import type { ZaloConversationView, ZaloMessageView } from '../../common/zalo.ts';

/** Shows which message and parameters the rules chose. */
const tr = (key: string, params: Record<string, string | number> = {}) =>
  Object.keys(params).length ? `${key}${JSON.stringify(params)}` : key;

const message = (over: Partial<ZaloMessageView>): ZaloMessageView => ({
  id: 1,
  direction: 'in',
  kind: 'text',
  text: 'Xin chào',
  photoId: null,
  latitude: null,
  longitude: null,
  purpose: null,
  status: 'received',
  error: null,
  at: '2026-12-07T03:00:00.000Z',
  ...over,
});

describe('the Zalo page', () => {
  it('labels a free, a paid and a closed reply window', () => {
    expect(windowLabel({ kind: 'free', until: '2026-12-09T03:00:00.000Z', notice: '' }, tr)).toMatch(
      /^zalo\.window\.free\{"time":".+"\}$/,
    );
    expect(windowLabel({ kind: 'paid', until: '2026-12-14T03:00:00.000Z', notice: '' }, tr)).toMatch(
      /^zalo\.window\.paid/,
    );
    expect(windowLabel({ kind: 'closed', until: null, notice: '' }, tr)).toBe('zalo.window.closed');
  });

  it('names a conversation by display name, else by Zalo id', () => {
    const c = { zaloUserId: 'u-1', displayName: null } as ZaloConversationView;
    expect(conversationName(c, tr)).toBe('zalo.citizen{"id":"u-1"}');
    expect(conversationName({ ...c, displayName: 'Lan' }, tr)).toBe('Lan');
  });

  it('reads texts, images with their caption, and locations', () => {
    expect(messageText(message({}), tr)).toBe('Xin chào');
    expect(messageText(message({ kind: 'image', text: null }), tr)).toBe('zalo.image');
    expect(messageText(message({ kind: 'image', text: 'ổ gà' }), tr)).toBe('zalo.image ổ gà');
    expect(
      messageText(message({ kind: 'location', text: null, latitude: 10.95, longitude: 106.8 }), tr),
    ).toBe('zalo.location{"lat":"10.95000","lng":"106.80000"}');
  });

  it("says who wrote an outgoing message and Zalo's refusal", () => {
    expect(messageStatus(message({}), tr)).toBe('zalo.status.received');
    expect(messageStatus(message({ direction: 'out', purpose: 'tracking_code', status: 'sent' }), tr)).toBe(
      'zalo.purpose.tracking_code · zalo.status.sent',
    );
    expect(
      messageStatus(
        message({ direction: 'out', purpose: 'reply', status: 'failed', error: 'Zalo refused' }),
        tr,
      ),
    ).toBe('zalo.purpose.reply · zalo.status.failed (Zalo refused)');
  });
});
