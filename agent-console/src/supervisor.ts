/**
 * Supervisor wallboard. The server pushes a whole snapshot on every change; between pushes the
 * waits and times in state count up locally, from the server's clock as the snapshot gave it.
 */
import { QUEUES } from '../../common/domain.ts';
import type { WallboardSnapshot } from '../../common/events.ts';
import { type CoachingPanel, createCoachingPanel } from './coaching.ts';
import { mountWrittenFigures } from './desk-figures.ts';
import { formatMinutesSeconds, formatRate, secondsSince } from './format.ts';
import { agentStateLabel, t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal, showWhileDisconnected, wireLogout } from './page.ts';
import { connectSocket } from './socket.ts';

translatePage();

/** The server's default, until a snapshot says otherwise. */
const DEFAULT_SERVICE_LEVEL_SECONDS = 20;

const el = {
  userName: byId('user-name', HTMLElement),
  navAdmin: byId('nav-admin', HTMLAnchorElement),
  logout: byId('logout', HTMLButtonElement),
  mode: byId('telephony-mode', HTMLParagraphElement),
  modeTitle: byId('telephony-mode-title', HTMLElement),
  modeDetail: byId('telephony-mode-detail', HTMLSpanElement),
  fallbackTable: byId('fallback-table', HTMLTableElement),
  fallbackWaiting: byId('fallback-waiting', HTMLTableCellElement),
  fallbackLongest: byId('fallback-longest', HTMLTableCellElement),
  fallbackAnswered: byId('fallback-answered', HTMLTableCellElement),
  fallbackAbandoned: byId('fallback-abandoned', HTMLTableCellElement),
  socketBanner: byId('socket-banner', HTMLParagraphElement),
  status: byId('wallboard-status', HTMLParagraphElement),
  queues: byId('queues-body', HTMLTableSectionElement),
  serviceLevelHeading: byId('service-level-heading', HTMLTableCellElement),
  agents: byId('agents-body', HTMLTableSectionElement),
  coachingPhone: byId('coaching-phone', HTMLElement),
  coachingStatus: byId('coaching-status', HTMLParagraphElement),
  coachingError: byId('coaching-error', HTMLParagraphElement),
  coachingAudio: byId('coaching-audio', HTMLAudioElement),
};

/** The supervisor's softphone and the listen / whisper / barge buttons; set once the user is known. */
let coaching: CoachingPanel | null = null;

function row(...cells: Array<{ text: string; className?: string; header?: boolean }>): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const cell of cells) {
    const td = document.createElement(cell.header ? 'th' : 'td');
    if (cell.header) td.setAttribute('scope', 'row');
    td.textContent = cell.text;
    if (cell.className) td.className = cell.className;
    tr.append(td);
  }
  return tr;
}

/** How calls are handled now, and the fallback queue's figures while Asterisk's own queue takes them. */
function renderMode(snapshot: WallboardSnapshot, sinceReceived: number): void {
  const { mode } = snapshot;
  el.mode.hidden = false;
  el.mode.dataset.mode = mode;
  el.modeTitle.textContent = t(`wallboard.modeTitle.${mode}`);
  el.modeDetail.textContent = t(`wallboard.modeDetail.${mode}`);
  const fallback = snapshot.fallbackQueue;
  el.fallbackTable.hidden = mode !== 'fallback' || fallback === null;
  if (!fallback) return;
  el.fallbackWaiting.textContent = String(fallback.waiting);
  el.fallbackWaiting.classList.toggle('alert', fallback.waiting > 0);
  el.fallbackLongest.textContent = formatMinutesSeconds(
    fallback.waiting > 0 ? fallback.longestWaitSeconds + sinceReceived : 0,
  );
  el.fallbackAnswered.textContent = String(fallback.answered);
  el.fallbackAbandoned.textContent = String(fallback.abandoned);
  el.fallbackAbandoned.classList.toggle('alert', fallback.abandoned > 0);
}

function render(snapshot: WallboardSnapshot, receivedAt: number): void {
  const now = Date.now();
  const sinceReceived = Math.max(0, (now - receivedAt) / 1000);
  renderMode(snapshot, sinceReceived);
  el.status.textContent = t('wallboard.updatedAt', {
    time: new Date(snapshot.at).toLocaleTimeString('vi-VN'),
  });

  el.serviceLevelHeading.textContent = t('wallboard.serviceLevel', {
    seconds: snapshot.serviceLevelSeconds ?? DEFAULT_SERVICE_LEVEL_SECONDS,
  });
  el.queues.replaceChildren(
    ...snapshot.queues.map((q) => {
      const longest = q.waiting > 0 ? q.longestWaitSeconds + sinceReceived : 0;
      return row(
        { text: QUEUES[q.queue].label, header: true },
        { text: String(q.waiting), className: q.waiting > 0 ? 'num alert' : 'num' },
        { text: formatMinutesSeconds(longest), className: 'num' },
        { text: String(q.answered), className: 'num' },
        { text: String(q.abandoned), className: q.abandoned > 0 ? 'num alert' : 'num' },
        { text: formatRate(q.serviceLevel), className: 'num' },
        {
          text:
            q.averageSpeedOfAnswerSeconds === null
              ? '—'
              : formatMinutesSeconds(q.averageSpeedOfAnswerSeconds),
          className: 'num',
        },
      );
    }),
  );

  if (snapshot.agents.length === 0) {
    const empty = row({ text: t('wallboard.noAgents'), className: 'muted' });
    empty.cells[0]?.setAttribute('colspan', '4');
    el.agents.replaceChildren(empty);
    return;
  }
  el.agents.replaceChildren(
    ...snapshot.agents.map((agent) => {
      const tr = row(
        { text: agent.displayName, header: true },
        { text: agentStateLabel(agent.state, agent.reason), className: `state state-${agent.state}` },
        {
          text: formatMinutesSeconds(secondsSince(agent.since, snapshot.at, receivedAt, now)),
          className: 'num',
        },
      );
      tr.append(coaching ? coaching.cell(agent) : document.createElement('td'));
      return tr;
    }),
  );
}

async function start(): Promise<void> {
  const me = await requireUser(['supervisor', 'admin']);
  if (!me) return;
  el.userName.textContent = me.user.displayName;
  el.navAdmin.hidden = me.user.role !== 'admin';
  mountWrittenFigures(el.queues.closest('table') ?? el.queues);

  coaching = createCoachingPanel(me.sip, {
    phone: el.coachingPhone,
    status: el.coachingStatus,
    error: el.coachingError,
    audio: el.coachingAudio,
  });

  let latest: { snapshot: WallboardSnapshot; receivedAt: number } | null = null;
  const socket = connectSocket();
  socket.on('coaching:changed', (notice) => coaching?.changed(notice));
  showWhileDisconnected(socket, el.socketBanner);
  socket.on('wallboard:updated', (snapshot) => {
    latest = { snapshot, receivedAt: Date.now() };
    render(snapshot, latest.receivedAt);
  });
  setInterval(() => {
    if (latest) render(latest.snapshot, latest.receivedAt);
  }, 1000);

  wireLogout(el.logout, () => {
    coaching?.stop();
    socket.disconnect();
  });
  window.addEventListener('pagehide', () => coaching?.stop());
}

start().catch(showFatal);
