/**
 * On a ticket made from a citizen's written request: the photos and the map position the citizen
 * sent, for the hotline and the agency the ticket went to. Loaded after the detail is drawn; a
 * ticket from a call has none, and the part stays empty.
 */
import type { TicketWrittenRequestView } from '../../common/written-requests.ts';
import { ApiRequestError, apiRequest } from './api.ts';
import { h } from './dom.ts';
import { t } from './i18n.ts';
import { photoUrl } from './written-requests.ts';

export function writtenRequestPart(ticketId: number): HTMLElement {
  const part = h('div', { class: 'written-attachments', 'data-testid': 'written-attachments' });
  apiRequest<TicketWrittenRequestView>('GET', `/api/tickets/${ticketId}/written-request`).then(
    (written) => {
      if (written.photos.length === 0 && written.latitude === null) return;
      const { latitude: lat, longitude: lng } = written;
      const photos = written.photos.map((photo, i) =>
        h(
          'a',
          { href: photoUrl(photo.id), target: '_blank', rel: 'noopener' },
          h('img', {
            src: photoUrl(photo.id),
            alt: t('written.photo', { n: i + 1, code: written.trackingCode }),
            width: '120',
            loading: 'lazy',
          }),
        ),
      );
      part.append(h('h3', {}, t('written.fromWriting')), ...photos);
      if (lat === null || lng === null) return;
      part.append(
        h(
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
        ),
      );
    },
    (err: unknown) => {
      if (!(err instanceof ApiRequestError && err.status === 404)) console.warn('written request part', err);
    },
  );
  return part;
}
