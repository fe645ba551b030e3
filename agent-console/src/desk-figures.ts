/**
 * The wallboard's "Phản ánh bằng văn bản" block: per channel (web, Zalo, app) the requests open
 * now, the oldest one nobody has answered yet, and today's first responses within the channel's
 * target. Read from `GET /api/desk/written-figures` every `RELOAD_MS`; the oldest wait counts up
 * locally between reads.
 */
import type { WrittenChannelFigures, WrittenFiguresView } from '../../common/desk.ts';
import { apiRequest, errorMessage } from './api.ts';
import { h, showMessage } from './dom.ts';
import { formatMinutesSeconds, formatRate } from './format.ts';
import { t } from './i18n.ts';

const RELOAD_MS = 15_000;

/** A target in minutes as the wallboard says it: "30 phút", "4 giờ". */
export function targetLabel(minutes: number): string {
  return minutes % 60 === 0 ? t('desk.hours', { hours: minutes / 60 }) : t('desk.minutes', { minutes });
}

function cells(c: WrittenChannelFigures, sinceRead: number): HTMLTableRowElement {
  const oldest = c.oldestWaitingSeconds === null ? null : c.oldestWaitingSeconds + sinceRead;
  const late = oldest !== null && oldest > c.targetMinutes * 60;
  return h(
    'tr',
    { 'data-channel': c.channel },
    h('th', { scope: 'row' }, t(`written.channel.${c.channel}`)),
    h('td', { class: c.open > 0 ? 'num alert' : 'num' }, String(c.open)),
    h('td', { class: late ? 'num alert' : 'num' }, oldest === null ? '—' : formatMinutesSeconds(oldest)),
    h(
      'td',
      { class: 'num' },
      `${formatRate(c.withinTargetRate)} (${c.answeredWithinTarget}/${c.answeredToday})`,
    ),
    h('td', { class: 'num' }, targetLabel(c.targetMinutes)),
  );
}

/** Draws the block after `anchor` and keeps it fresh. */
export function mountWrittenFigures(anchor: Element): void {
  const body = h('tbody', {});
  const error = h('p', { class: 'message message-error', role: 'alert' });
  error.hidden = true;
  const block = h(
    'section',
    {
      class: 'panel written-figures',
      'data-testid': 'written-figures',
      'aria-labelledby': 'written-figures-heading',
    },
    h('h2', { id: 'written-figures-heading' }, t('desk.written')),
    h(
      'table',
      { class: 'grid', 'aria-labelledby': 'written-figures-heading' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('desk.channel')),
          h('th', { scope: 'col', class: 'num' }, t('desk.openCount')),
          h('th', { scope: 'col', class: 'num' }, t('desk.oldest')),
          h('th', { scope: 'col', class: 'num' }, t('desk.withinTarget')),
          h('th', { scope: 'col', class: 'num' }, t('desk.target')),
        ),
      ),
      body,
    ),
    error,
  );
  anchor.after(block);

  let latest: { view: WrittenFiguresView; readAt: number } | null = null;
  const render = () => {
    if (!latest) return;
    const sinceRead = Math.max(0, (Date.now() - latest.readAt) / 1000);
    body.replaceChildren(...latest.view.channels.map((c) => cells(c, sinceRead)));
  };
  const reload = async () => {
    try {
      latest = {
        view: await apiRequest<WrittenFiguresView>('GET', '/api/desk/written-figures'),
        readAt: Date.now(),
      };
      showMessage(error, null);
      render();
    } catch (err) {
      showMessage(error, errorMessage(err));
    }
  };
  void reload();
  setInterval(() => void reload(), RELOAD_MS);
  setInterval(render, 1000);
}
