/**
 * The Zalo page for operators: citizens' conversations on the OA (latest first) and a thread with
 * a reply box. The reply window is shown as the server states it (free 48 h, paid up to 7 days);
 * a reply the server refuses shows its Vietnamese reason.
 */
import type { ZaloConversationView } from '../../common/zalo.ts';
import { errorMessage } from './api.ts';
import { zaloTicketLink } from './desk-zalo.ts';
import { h, showMessage } from './dom.ts';
import { formatDateTime } from './format.ts';
import { t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal, wireLogout } from './page.ts';
import { zaloApi } from './zalo-api.ts';
import { conversationName, messageStatus, messageText, windowLabel } from './zalo-rules.ts';

translatePage();

const REFRESH_MS = 15_000;

const el = {
  userName: byId('user-name', HTMLElement),
  logout: byId('logout', HTMLButtonElement),
  reload: byId('zalo-reload', HTMLButtonElement),
  listError: byId('zalo-list-error', HTMLParagraphElement),
  list: byId('zalo-list', HTMLUListElement),
  heading: byId('zalo-thread-heading', HTMLHeadingElement),
  meta: byId('zalo-thread-meta', HTMLParagraphElement),
  window: byId('zalo-window', HTMLParagraphElement),
  thread: byId('zalo-thread', HTMLOListElement),
  form: byId('zalo-reply', HTMLFormElement),
  text: byId('zalo-reply-text', HTMLTextAreaElement),
  status: byId('zalo-reply-status', HTMLParagraphElement),
  error: byId('zalo-reply-error', HTMLParagraphElement),
  send: byId('zalo-reply-send', HTMLButtonElement),
};

let current: string | null = null;

function renderList(conversations: ZaloConversationView[]): void {
  if (conversations.length === 0) {
    el.list.replaceChildren(h('li', { class: 'muted' }, t('zalo.empty')));
    return;
  }
  el.list.replaceChildren(
    ...conversations.map((c) => {
      const button = h(
        'button',
        {
          type: 'button',
          class: 'link',
          'data-zalo-user': c.zaloUserId,
          'aria-current': c.zaloUserId === current ? 'true' : undefined,
        },
        conversationName(c, t),
      );
      button.addEventListener('click', () => void openThread(c.zaloUserId));
      return h(
        'li',
        {},
        button,
        h('span', { class: 'muted' }, ` · ${formatDateTime(c.lastMessageAt)} · ${windowLabel(c.window, t)}`),
        c.lastText ? h('div', { class: 'muted' }, c.lastText) : null,
      );
    }),
  );
}

async function loadList(): Promise<void> {
  try {
    renderList(await zaloApi.conversations());
    showMessage(el.listError, null);
  } catch (err) {
    showMessage(el.listError, errorMessage(err));
  }
}

async function openThread(userId: string): Promise<void> {
  current = userId;
  try {
    const { conversation, messages } = await zaloApi.thread(userId);
    el.heading.textContent = conversationName(conversation, t);
    el.meta.textContent = [
      conversation.phone,
      conversation.request
        ? t('zalo.request', { code: conversation.request.trackingCode })
        : t('zalo.noRequest'),
    ]
      .filter(Boolean)
      .join(' · ');
    const toTicket = zaloTicketLink(conversation);
    if (toTicket) el.meta.append(' · ', toTicket);
    el.window.textContent = `${windowLabel(conversation.window, t)}. ${conversation.window.notice}`;
    el.thread.replaceChildren(
      ...messages.map((m) =>
        h(
          'li',
          { class: `zalo-message zalo-${m.direction}`, 'data-status': m.status },
          h('time', { datetime: m.at }, formatDateTime(m.at)),
          h('p', {}, messageText(m, t)),
          h('small', { class: 'muted' }, messageStatus(m, t)),
        ),
      ),
    );
    el.form.hidden = false;
    el.send.disabled = conversation.window.kind === 'closed';
    showMessage(el.error, null);
  } catch (err) {
    showMessage(el.error, errorMessage(err));
  }
}

el.form.addEventListener('submit', (event) => {
  event.preventDefault();
  const userId = current;
  const text = el.text.value.trim();
  if (!userId || !text) return;
  el.send.disabled = true;
  zaloApi
    .reply(userId, { text })
    .then(async (res) => {
      el.text.value = '';
      showMessage(el.error, null);
      showMessage(el.status, `${t('zalo.queued')} ${res.window.notice}`);
      await openThread(userId);
    })
    .catch((err: unknown) => {
      showMessage(el.status, null);
      showMessage(el.error, errorMessage(err));
    })
    .finally(() => {
      el.send.disabled = false;
    });
});
el.reload.addEventListener('click', () => void loadList());

async function main(): Promise<void> {
  const me = await requireUser(['operator', 'supervisor']);
  if (!me) return;
  el.userName.textContent = me.user.displayName;
  wireLogout(el.logout, () => undefined);
  await loadList();
  setInterval(() => {
    void loadList();
    if (current) void openThread(current);
  }, REFRESH_MS);
}

main().catch(showFatal);
