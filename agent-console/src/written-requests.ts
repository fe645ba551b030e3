/**
 * The operators' panel of written requests (web form, Zalo, the province's app): the open ones,
 * newest first, with their channel, category, commune, time, photos and repeats; "Nhận" takes
 * one, "Tạo phiếu" fills the ticket form from it (the ticket keeps its tracking code), "Đóng"
 * closes it with a reason. Kept apart from the operator page so the desk can reuse it.
 */
import type { ListResponse } from '../../common/api.ts';
import type { WrittenRequestView } from '../../common/written-requests.ts';
import { apiRequest, errorMessage } from './api.ts';
import { openFormDialog } from './dialog.ts';
import { emptyRow, h, showMessage } from './dom.ts';
import { formatDateTime } from './format.ts';
import { t } from './i18n.ts';

/** How often the list is read again while nothing pushes new requests. */
const RELOAD_MS = 10_000;
/** Longest part of the description shown in the list. */
const SNIPPET = 140;

export const writtenRequestsApi = {
  list: () => apiRequest<ListResponse<WrittenRequestView>>('GET', '/api/written-requests'),
  get: (id: number) => apiRequest<WrittenRequestView>('GET', `/api/written-requests/${id}`),
  take: (id: number) => apiRequest<WrittenRequestView>('POST', `/api/written-requests/${id}/take`),
  close: (id: number, reason: string) =>
    apiRequest<WrittenRequestView>('POST', `/api/written-requests/${id}/close`, { reason }),
};

export const photoUrl = (photoId: number): string => `/api/written-requests/photos/${photoId}`;

export interface WrittenRequestPanel {
  reload(): Promise<void>;
}

export interface WrittenRequestPanelDeps {
  /** `<tbody>` of the list, and the panel's message lines. */
  rows: HTMLTableSectionElement;
  message: HTMLElement;
  error: HTMLElement;
  /** The request, with the citizen's full number, to fill the ticket form with. */
  makeTicket(request: WrittenRequestView): void;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= SNIPPET ? flat : `${flat.slice(0, SNIPPET - 1)}…`;
}

export function createWrittenRequestPanel(deps: WrittenRequestPanelDeps): WrittenRequestPanel {
  const { rows, message, error } = deps;

  function fail(err: unknown): void {
    showMessage(message, null);
    showMessage(error, errorMessage(err));
  }

  function photoCell(request: WrittenRequestView): HTMLElement {
    return h(
      'td',
      { class: 'written-photos' },
      ...request.photos.map((photo, i) =>
        h(
          'a',
          { href: photoUrl(photo.id), target: '_blank', rel: 'noopener' },
          h('img', {
            src: photoUrl(photo.id),
            alt: t('written.photo', { n: i + 1, code: request.trackingCode }),
            width: '48',
            height: '48',
            loading: 'lazy',
          }),
        ),
      ),
    );
  }

  function row(request: WrittenRequestView): HTMLTableRowElement {
    const code = request.trackingCode;
    const take = h(
      'button',
      { type: 'button', 'aria-label': t('written.takeLabel', { code }) },
      t('written.take'),
    );
    const toTicket = h(
      'button',
      { type: 'button', class: 'primary', 'aria-label': t('written.toTicketLabel', { code }) },
      t('written.toTicket'),
    );
    const close = h(
      'button',
      { type: 'button', class: 'secondary', 'aria-label': t('written.closeLabel', { code }) },
      t('written.close'),
    );
    take.hidden = request.takenBy !== null;
    take.addEventListener('click', () => {
      writtenRequestsApi.take(request.id).then(() => reload(), fail);
    });
    toTicket.addEventListener('click', () => {
      const id = request.id;
      // Taken first (so no colleague starts on it), then read in full to fill the form.
      const taking = request.takenBy === null ? writtenRequestsApi.take(id) : Promise.resolve(null);
      taking
        .then(() => writtenRequestsApi.get(id))
        .then((full) => {
          showMessage(error, null);
          showMessage(message, t('written.filling', { code }));
          deps.makeTicket(full);
          void reload();
        }, fail);
    });
    close.addEventListener('click', () =>
      openFormDialog({
        title: t('written.closeTitle', { code }),
        submitLabel: t('written.close'),
        fields: [
          { name: 'reason', label: t('written.closeReason'), kind: 'textarea', required: true, minLength: 3 },
        ],
        submit: async (values) => {
          await writtenRequestsApi.close(request.id, values.reason ?? '');
          showMessage(error, null);
          showMessage(message, t('written.closed', { code }));
          await reload();
        },
      }),
    );
    const unit =
      request.unitName ?? request.address ?? (request.latitude !== null ? t('written.location') : '');
    return h(
      'tr',
      { 'data-code': code },
      h('td', {}, formatDateTime(request.createdAt)),
      h('td', {}, t(`written.channel.${request.channel}`)),
      h('td', {}, request.categoryName ?? ''),
      h('td', {}, unit),
      h(
        'td',
        {},
        h('span', { class: 'muted' }, `${code} · `),
        snippet(request.description),
        request.joinedCount > 0
          ? h(
              'strong',
              { class: 'written-joined' },
              ` (${t('written.joined', { count: request.joinedCount })})`,
            )
          : null,
      ),
      photoCell(request),
      h('td', {}, request.takenBy?.name ?? ''),
      h('td', {}, h('div', { class: 'actions' }, take, toTicket, close)),
    );
  }

  async function reload(): Promise<void> {
    try {
      const { data } = await writtenRequestsApi.list();
      rows.replaceChildren(...(data.length > 0 ? data.map(row) : [emptyRow(8, t('written.empty'))]));
    } catch (err) {
      showMessage(error, errorMessage(err));
    }
  }

  void reload();
  setInterval(() => void reload(), RELOAD_MS);
  return { reload };
}
