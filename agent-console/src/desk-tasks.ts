/**
 * "Việc của tôi": the written requests the desk gave this operator (or they took), pushed as
 * `desk:tasks` and shown at the top of the written-requests panel with their count, without a
 * ring (a written task never interrupts a call). "Mở" opens one in the ticket form, which keeps
 * its code. Also the citizen's contacts on every channel, shown beside a call's screen-pop and
 * when a written request is opened. A link `operator.html?writtenRequest=<id>` (the Zalo page's
 * "Tạo phiếu") opens that request the same way.
 */
import type {
  ContactHistoryItem,
  ContactHistoryView,
  DeskTasksView,
  DeskTaskView,
} from '../../common/desk.ts';
import type { WrittenRequestView } from '../../common/written-requests.ts';
import { apiRequest, errorMessage } from './api.ts';
import { h, showMessage } from './dom.ts';
import { formatDateTime } from './format.ts';
import { t } from './i18n.ts';
import type { ConsoleSocket } from './socket.ts';
import { writtenRequestsApi } from './written-requests.ts';

export const deskApi = {
  tasks: () => apiRequest<DeskTasksView>('GET', '/api/desk/tasks'),
  open: (id: number) => apiRequest<DeskTasksView>('POST', `/api/desk/tasks/${id}/open`),
  history: (query: { requestId?: number; phone?: string }) => {
    const params = new URLSearchParams();
    if (query.requestId !== undefined) params.set('requestId', String(query.requestId));
    if (query.phone) params.set('phone', query.phone);
    return apiRequest<ContactHistoryView>('GET', `/api/desk/history?${params}`);
  },
};

export interface DeskTasks {
  /** The contacts of the citizen on a call (from its screen-pop). */
  showContacts(items: ContactHistoryItem[] | undefined): void;
  /** Opens a written request in the ticket form and shows its citizen's contacts. */
  openRequest(id: number, opts?: { take: boolean }): Promise<void>;
  /** Shows the contacts of the citizen of a written request already in the form. */
  contactsOfRequest(id: number): void;
  reload(): Promise<void>;
}

export interface DeskTasksDeps {
  socket: ConsoleSocket;
  /** The written-requests panel, where "Việc của tôi" goes on top. */
  panel: HTMLElement;
  /** Where the contacts block goes after (the call's screen-pop). */
  callRegion: HTMLElement;
  /** Fills the ticket form from the request (with the citizen's full number). */
  makeTicket(request: WrittenRequestView): void;
  /** Told after a task was opened, so the written list shows its holder. */
  changed(): void;
}

export function createDeskTasks(deps: DeskTasksDeps): DeskTasks {
  const heading = h('h3', { id: 'desk-mine-heading' }, t('desk.mine'));
  const list = h('ul', { class: 'desk-tasks', 'aria-labelledby': 'desk-mine-heading' });
  const error = h('p', { class: 'message message-error', role: 'alert' });
  error.hidden = true;
  const mine = h(
    'section',
    { class: 'desk-mine', 'data-testid': 'desk-mine', 'aria-labelledby': 'desk-mine-heading' },
    heading,
    h('p', { class: 'muted' }, t('desk.note')),
    list,
    error,
  );
  deps.panel.querySelector('h2')?.after(mine);

  const contactsHeading = h('h2', { id: 'desk-contacts-heading' }, t('desk.history'));
  const contactsList = h('ol', { class: 'desk-contacts' });
  const contacts = h(
    'section',
    {
      class: 'panel desk-contacts',
      'data-testid': 'contact-history',
      'aria-labelledby': 'desk-contacts-heading',
    },
    contactsHeading,
    contactsList,
  );
  contacts.hidden = true;
  deps.callRegion.after(contacts);

  function showContacts(items: ContactHistoryItem[] | undefined): void {
    if (items === undefined) return;
    contacts.hidden = false;
    contactsList.replaceChildren(
      ...(items.length === 0
        ? [h('li', { class: 'muted' }, t('desk.historyEmpty'))]
        : items.map((item) =>
            h(
              'li',
              { 'data-kind': item.kind },
              h('strong', {}, t(`desk.kind.${item.kind}`)),
              ` · ${formatDateTime(item.at)}`,
              item.trackingCode ? ` · ${item.trackingCode}` : '',
              ` · ${item.summary}`,
            ),
          )),
    );
  }

  function contactsOfRequest(id: number): void {
    deskApi.history({ requestId: id }).then(
      (view) => showContacts(view.items),
      (err: unknown) => console.warn('could not load the contact history', err),
    );
  }

  async function openRequest(id: number, opts: { take: boolean } = { take: false }): Promise<void> {
    try {
      if (opts.take) await writtenRequestsApi.take(id);
      else await deskApi.open(id);
      const full = await writtenRequestsApi.get(id);
      showMessage(error, null);
      deps.makeTicket(full);
      contactsOfRequest(id);
      deps.changed();
    } catch (err) {
      showMessage(error, errorMessage(err));
    }
  }

  function item(task: DeskTaskView): HTMLLIElement {
    const open = h(
      'button',
      { type: 'button', 'aria-label': t('desk.openLabel', { code: task.trackingCode }) },
      t('desk.open'),
    );
    open.addEventListener('click', () => void openRequest(task.requestId));
    const late = Date.parse(task.dueAt) < Date.now();
    return h(
      'li',
      { 'data-code': task.trackingCode, 'data-opened': task.openedAt ? 'true' : 'false' },
      h('strong', {}, `${task.trackingCode} · ${t(`written.channel.${task.channel}`)}`),
      ` ${task.summary} `,
      h(
        'span',
        { class: late ? 'alert' : 'muted' },
        late ? t('desk.overdue') : t('desk.due', { time: formatDateTime(task.dueAt) }),
      ),
      task.openedAt ? null : h('span', { class: 'muted' }, ` · ${t('desk.notOpened')}`),
      ' ',
      open,
    );
  }

  function render(view: DeskTasksView): void {
    heading.textContent = t('desk.mineCount', { count: view.tasks.length, max: view.maxTasks });
    list.replaceChildren(
      ...(view.tasks.length === 0 ? [h('li', { class: 'muted' }, t('desk.empty'))] : view.tasks.map(item)),
    );
  }

  async function reload(): Promise<void> {
    try {
      render(await deskApi.tasks());
      showMessage(error, null);
    } catch (err) {
      showMessage(error, errorMessage(err));
    }
  }

  deps.socket.on('desk:tasks', (view) => {
    render(view);
    deps.changed();
  });
  deps.socket.on('connect', () => void reload());
  void reload();
  return { showContacts, openRequest, contactsOfRequest, reload };
}
