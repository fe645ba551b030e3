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
import { photoUrl, writtenRequestsApi } from './written-requests.ts';

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
  /** A call's screen-pop: its citizen's contacts; a written request's photos leave the form. */
  callShown(items: ContactHistoryItem[] | undefined): void;
  /** Opens a written request in the ticket form and shows its citizen's contacts. */
  openRequest(id: number, opts?: { take: boolean }): Promise<void>;
  /** A written request is in the ticket form: its photos, its place and its citizen's contacts. */
  opened(request: WrittenRequestView): void;
  reload(): Promise<void>;
}

export interface DeskTasksDeps {
  socket: ConsoleSocket;
  /** The written-requests panel, where "Việc của tôi" goes on top. */
  panel: HTMLElement;
  /** Where the contacts block goes after (the call's screen-pop). */
  callRegion: HTMLElement;
  /** The ticket form, which the request's photos and place go before. */
  ticketForm: HTMLElement;
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

  const attachments = h('div', { class: 'written-attachments', 'data-testid': 'form-attachments' });
  attachments.hidden = true;
  deps.ticketForm.before(attachments);

  /** The photos and the point the citizen sent, shown while the form is filled from their request. */
  function showAttachments(request: WrittenRequestView): void {
    const { latitude: lat, longitude: lng, trackingCode: code } = request;
    const photos = request.photos.map((photo, i) =>
      h(
        'a',
        { href: photoUrl(photo.id), target: '_blank', rel: 'noopener' },
        h('img', { src: photoUrl(photo.id), alt: t('written.photo', { n: i + 1, code }), width: '96' }),
      ),
    );
    const place =
      lat !== null && lng !== null
        ? h(
            'p',
            {},
            h(
              'a',
              {
                href: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=18/${lat}/${lng}`,
                target: '_blank',
                rel: 'noopener noreferrer',
              },
              t('written.openMap', { lat: lat.toFixed(5), lng: lng.toFixed(5) }),
            ),
          )
        : null;
    attachments.hidden = photos.length === 0 && place === null;
    attachments.replaceChildren(h('h3', {}, t('written.fromWriting')), ...photos, ...(place ? [place] : []));
  }

  function opened(request: WrittenRequestView): void {
    showAttachments(request);
    deskApi.history({ requestId: request.id }).then(
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
      opened(full);
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
  const callShown = (items: ContactHistoryItem[] | undefined) => {
    attachments.hidden = true;
    showContacts(items);
  };
  return { callShown, openRequest, opened, reload };
}
