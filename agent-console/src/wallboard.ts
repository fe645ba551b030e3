/**
 * The TV wallboard: the supervisors' figures in large type for a screen on the wall, coloured
 * amber and red by the admin's thresholds (with a word and a shape beside the colour), the
 * longest wait counting up between the server's pushes, a clock and the telephony mode. Nothing
 * to operate but "Toàn màn hình": it reconnects by itself and takes new thresholds as they are saved.
 */
import type { WallboardSettings } from '../../common/api.ts';
import { QUEUES } from '../../common/domain.ts';
import type { FallbackQueueStats, QueueStats, WallboardSnapshot } from '../../common/events.ts';
import { api } from './api.ts';
import { h } from './dom.ts';
import { formatMinutesSeconds, formatRate } from './format.ts';
import { t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal } from './page.ts';
import { connectSocket } from './socket.ts';
import {
  agentCounts,
  type Level,
  longestWaitNow,
  type RowFigures,
  rowLevels,
  totalsOf,
} from './wallboard-rules.ts';

translatePage();

/** The server's default, until a snapshot says otherwise. */
const DEFAULT_SERVICE_LEVEL_SECONDS = 20;
/** Often enough that the longest wait turns each second close to when it should. */
const TICK_MS = 250;
/** The mouse pointer hides after this long without moving, so it does not sit on the figures. */
const POINTER_IDLE_MS = 3000;
/** A shape beside the colour, so a level reads without telling amber from red. */
const LEVEL_ICON: Record<Exclude<Level, 'normal'>, string> = { amber: '▲', red: '■' };

interface Tile {
  root: HTMLElement;
  value: HTMLElement;
  cue: HTMLElement;
  note: HTMLElement;
}

function tile(id: string): Tile {
  const root = byId(id, HTMLDivElement);
  const part = (selector: string) => {
    const found = root.querySelector<HTMLElement>(selector);
    if (!found) throw new Error(`#${id} ${selector} is missing`);
    return found;
  };
  return { root, value: part('.tile-value'), cue: part('.tile-cue'), note: part('.tile-note') };
}

const el = {
  status: byId('tv-status', HTMLParagraphElement),
  clock: byId('tv-clock', HTMLTimeElement),
  fullscreen: byId('tv-fullscreen', HTMLButtonElement),
  mode: byId('telephony-mode', HTMLParagraphElement),
  modeTitle: byId('telephony-mode-title', HTMLElement),
  modeDetail: byId('telephony-mode-detail', HTMLSpanElement),
  link: byId('tv-link', HTMLParagraphElement),
  board: byId('tv-board', HTMLElement),
  waiting: tile('tile-waiting'),
  longestWait: tile('tile-longest-wait'),
  answered: tile('tile-answered'),
  abandoned: tile('tile-abandoned'),
  serviceLevel: tile('tile-service-level'),
  queues: byId('tv-queues-body', HTMLTableSectionElement),
  fallbackNote: byId('tv-fallback-note', HTMLParagraphElement),
  agentsReady: byId('agents-ready', HTMLParagraphElement),
  agentsOnCall: byId('agents-on-call', HTMLParagraphElement),
  agentsNotReady: byId('agents-not-ready', HTMLParagraphElement),
  agentsOther: byId('agents-other', HTMLParagraphElement),
};

/** Sets text only when it changed: the page redraws four times a second. */
function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/** The level as a word with its shape, for a tile ("▲ Chú ý"); empty when normal. */
function cue(level: Level): (Node | string)[] {
  if (level === 'normal') return [];
  return [
    h('span', { class: 'cue-icon', 'aria-hidden': 'true' }, LEVEL_ICON[level]),
    ` ${t(`tv.level.${level}`)}`,
  ];
}

function setTile(target: Tile, value: string, level: Level): void {
  setText(target.value, value);
  if (target.root.dataset.level !== level) {
    target.root.dataset.level = level;
    target.cue.replaceChildren(...cue(level));
  }
}

/** A table cell holding a figure and its level: the shape shown, the word for screen readers. */
function setCell(cell: HTMLTableCellElement, value: string, level: Level): void {
  if (cell.dataset.level === level && cell.dataset.value === value) return;
  cell.dataset.level = level;
  cell.dataset.value = value;
  cell.replaceChildren(
    ...(level === 'normal'
      ? []
      : [
          h('span', { class: 'cue-icon', 'aria-hidden': 'true' }, LEVEL_ICON[level]),
          h('span', { class: 'visually-hidden' }, `${t(`tv.level.${level}`)}: `),
        ]),
    value,
  );
}

interface QueueRow {
  figures: Pick<QueueStats, 'waiting' | 'longestWaitSeconds' | 'answered' | 'abandoned' | 'serviceLevel'>;
  cells: Record<'waiting' | 'longestWait' | 'answered' | 'abandoned' | 'serviceLevel', HTMLTableCellElement>;
}

/** One row per queue, and the exchange's fallback queue while it takes calls. */
function buildRows(snapshot: WallboardSnapshot): QueueRow[] {
  const fallback: FallbackQueueStats | null = snapshot.fallbackQueue;
  const showFallback = fallback !== null && (snapshot.mode === 'fallback' || fallback.waiting > 0);
  const lines: { key: string; label: string; figures: QueueRow['figures'] }[] = snapshot.queues.map((q) => ({
    key: q.queue,
    label: QUEUES[q.queue].label,
    figures: q,
  }));
  if (showFallback) {
    lines.unshift({
      key: 'fallback',
      label: t('tv.fallbackRow'),
      figures: { ...fallback, serviceLevel: null },
    });
  }
  el.fallbackNote.hidden = !showFallback;
  const rows = lines.map(({ key, label, figures }) => {
    const cell = () => h('td', { class: 'num' });
    const cells = {
      waiting: cell(),
      longestWait: cell(),
      answered: cell(),
      abandoned: cell(),
      serviceLevel: cell(),
    };
    const tr = h(
      'tr',
      { 'data-queue': key },
      h('th', { scope: 'row' }, label),
      cells.waiting,
      cells.longestWait,
      cells.answered,
      cells.abandoned,
      cells.serviceLevel,
    );
    return { tr, row: { figures, cells } };
  });
  el.queues.replaceChildren(...rows.map((r) => r.tr));
  return rows.map((r) => r.row);
}

function thresholdNote(
  threshold: { amber: number; red: number },
  format: (value: number) => string = String,
): string {
  return t('tv.thresholdHigher', { amber: format(threshold.amber), red: format(threshold.red) });
}

/** The notes under the tiles: where each figure changes colour. */
function renderNotes(settings: WallboardSettings | null, serviceLevelSeconds: number): void {
  const within = t('tv.serviceLevelWithin', { seconds: serviceLevelSeconds });
  if (!settings) {
    setText(el.serviceLevel.note, within);
    return;
  }
  setText(el.waiting.note, thresholdNote(settings.waiting));
  setText(el.longestWait.note, thresholdNote(settings.longestWaitSeconds, formatMinutesSeconds));
  setText(el.abandoned.note, thresholdNote(settings.abandoned));
  setText(
    el.serviceLevel.note,
    `${within} · ${t('tv.thresholdLower', {
      amber: settings.serviceLevelPercent.amber,
      red: settings.serviceLevelPercent.red,
    })}`,
  );
}

function renderMode(snapshot: WallboardSnapshot): void {
  const { mode } = snapshot;
  el.mode.hidden = mode === 'normal';
  el.mode.dataset.mode = mode;
  el.board.dataset.mode = mode;
  setText(el.modeTitle, t(`wallboard.modeTitle.${mode}`));
  setText(el.modeDetail, t(`wallboard.modeDetail.${mode}`));
}

interface View {
  snapshot: WallboardSnapshot;
  receivedAt: number;
  rows: QueueRow[];
}

function renderFigures(view: View, settings: WallboardSettings | null, now: number): void {
  const { snapshot, receivedAt } = view;
  const counted = (figures: { waiting: number; longestWaitSeconds: number }) =>
    longestWaitNow(figures, receivedAt, now);

  const totals = totalsOf(snapshot.queues, snapshot.fallbackQueue);
  const all: RowFigures = { ...totals, longestWaitSeconds: counted(totals) };
  const levels = rowLevels(all, settings);
  setTile(el.waiting, String(all.waiting), levels.waiting);
  setTile(el.longestWait, formatMinutesSeconds(all.longestWaitSeconds), levels.longestWait);
  setTile(el.answered, String(totals.answered), 'normal');
  setTile(el.abandoned, String(all.abandoned), levels.abandoned);
  setTile(el.serviceLevel, formatRate(all.serviceLevel), levels.serviceLevel);

  for (const { figures, cells } of view.rows) {
    const row: RowFigures = { ...figures, longestWaitSeconds: counted(figures) };
    const rowLevel = rowLevels(row, settings);
    setCell(cells.waiting, String(row.waiting), rowLevel.waiting);
    setCell(cells.longestWait, formatMinutesSeconds(row.longestWaitSeconds), rowLevel.longestWait);
    setCell(cells.answered, String(figures.answered), 'normal');
    setCell(cells.abandoned, String(row.abandoned), rowLevel.abandoned);
    setCell(cells.serviceLevel, formatRate(row.serviceLevel), rowLevel.serviceLevel);
  }
}

function renderAgents(snapshot: WallboardSnapshot): void {
  const counts = agentCounts(snapshot.agents);
  setText(el.agentsReady, String(counts.ready));
  setText(el.agentsOnCall, String(counts.on_call));
  setText(el.agentsNotReady, String(counts.not_ready));
  setText(el.agentsOther, t('tv.otherAgents', { ringing: counts.ringing, wrapUp: counts.wrap_up }));
}

/** The clock on the server's time, as the last snapshot gave it, so a TV with a wrong clock shows the right time. */
function renderClock(now: number, offsetMs: number): void {
  const at = new Date(now + offsetMs);
  setText(
    el.clock,
    `${at.toLocaleTimeString('vi-VN', { hour: '2-digit', minute: '2-digit', second: '2-digit' })} · ${at.toLocaleDateString('vi-VN', { weekday: 'long', day: '2-digit', month: '2-digit', year: 'numeric' })}`,
  );
  el.clock.dateTime = at.toISOString();
}

/** "Toàn màn hình", where the browser lets the page fill the screen. */
function wireFullscreen(): void {
  if (!document.fullscreenEnabled) return;
  el.fullscreen.hidden = false;
  const label = () => {
    el.fullscreen.textContent = t(document.fullscreenElement ? 'tv.exitFullscreen' : 'tv.fullscreen');
  };
  document.addEventListener('fullscreenchange', label);
  el.fullscreen.addEventListener('click', () => {
    const change = document.fullscreenElement
      ? document.exitFullscreen()
      : document.documentElement.requestFullscreen({ navigationUI: 'hide' });
    change.catch((err: unknown) => console.error('full screen refused', err));
  });
}

function hidePointerWhenIdle(): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const moved = () => {
    document.body.classList.remove('pointer-idle');
    clearTimeout(timer);
    timer = setTimeout(() => document.body.classList.add('pointer-idle'), POINTER_IDLE_MS);
  };
  document.addEventListener('pointermove', moved);
  moved();
}

async function start(): Promise<void> {
  const me = await requireUser(['supervisor', 'admin']);
  if (!me) return;
  wireFullscreen();
  hidePointerWhenIdle();

  let settings: WallboardSettings | null = null;
  let view: View | null = null;
  let clockOffset = 0;

  const draw = () => {
    const now = Date.now();
    renderClock(now, clockOffset);
    if (view) renderFigures(view, settings, now);
  };
  const notes = () =>
    renderNotes(settings, view?.snapshot.serviceLevelSeconds ?? DEFAULT_SERVICE_LEVEL_SECONDS);
  const loadSettings = () =>
    api.settings
      .get()
      .then((all) => {
        settings = all.wallboard;
        notes();
        draw();
      })
      .catch((err: unknown) => console.error('could not load the wallboard thresholds', err));

  const socket = connectSocket();
  let wasConnected = false;
  socket.on('connect', () => {
    el.link.hidden = true;
    el.board.classList.remove('stale');
    // Thresholds saved while the connection was down were not pushed: read them again.
    if (wasConnected) void loadSettings();
    wasConnected = true;
  });
  const lost = () => {
    el.link.hidden = false;
    el.board.classList.add('stale');
  };
  socket.on('disconnect', lost);
  socket.on('connect_error', lost);
  socket.on('wallboard:updated', (snapshot) => {
    const receivedAt = Date.now();
    const at = Date.parse(snapshot.at);
    if (Number.isFinite(at)) clockOffset = at - receivedAt;
    view = { snapshot, receivedAt, rows: buildRows(snapshot) };
    renderMode(snapshot);
    renderAgents(snapshot);
    notes();
    setText(el.status, t('wallboard.updatedAt', { time: new Date(snapshot.at).toLocaleTimeString('vi-VN') }));
    draw();
  });
  socket.on('settings:updated', (update) => {
    if (update.section !== 'wallboard') return;
    settings = update.value;
    notes();
    draw();
  });

  await loadSettings();
  draw();
  setInterval(draw, TICK_MS);
}

start().catch(showFatal);
