/**
 * The Zalo page's "Tạo phiếu": a link to the operator page, which takes the conversation's open
 * written request and fills the same ticket form the written-requests panel uses (its photos,
 * location and number come with it; the ticket keeps its code).
 */
import type { ZaloConversationView } from '../../common/zalo.ts';
import { h } from './dom.ts';
import { t } from './i18n.ts';

export function zaloTicketLink(conversation: ZaloConversationView): HTMLAnchorElement | null {
  const request = conversation.request;
  if (request?.status !== 'open') return null;
  return h(
    'a',
    {
      class: 'button primary',
      href: `/operator.html?writtenRequest=${request.id}`,
      'aria-label': t('desk.zaloToTicketLabel', { code: request.trackingCode }),
    },
    t('desk.zaloToTicket'),
  );
}
