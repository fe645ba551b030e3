/**
 * The supervisors' calls page: citizens waiting to be called back (live through
 * `callback:updated`), with the after-hours message to listen to and "Dừng gọi lại" to give a task
 * up with a reason; and today's calls with their recordings.
 */
import type { CallbackTaskView, CallRecordView } from '../../common/api.ts';
import { QUEUES } from '../../common/domain.ts';
import { api, errorMessage } from './api.ts';
import { callbackRowState, sortCallbacks } from './callback-rules.ts';
import { openFormDialog } from './dialog.ts';
import { emptyRow, h, showMessage } from './dom.ts';
import { formatDateTime, formatMinutesSeconds } from './format.ts';
import { callbackSourceLabel, endReasonLabel, t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal, showWhileDisconnected, wireLogout } from './page.ts';
import { recordingPlayer } from './recording.ts';
import { connectSocket } from './socket.ts';

translatePage();

/** The server's reasons must be at least this long (server/callbacks/routes.ts). */
const GIVE_UP_REASON_MIN = 3;
const CALLS_REFRESH_MS = 30_000;
const TASKS_REFRESH_MS = 30_000;

const el = {
  userName: byId('user-name', HTMLElement),
  navAdmin: byId('nav-admin', HTMLAnchorElement),
  logout: byId('logout', HTMLButtonElement),
  socketBanner: byId('socket-banner', HTMLParagraphElement),
  tasksCount: byId('callbacks-count', HTMLParagraphElement),
  tasksStatus: byId('callbacks-status', HTMLParagraphElement),
  tasksError: byId('callbacks-error', HTMLParagraphElement),
  tasks: byId('callbacks-body', HTMLTableSectionElement),
  callsUpdated: byId('calls-updated', HTMLParagraphElement),
  callsReload: byId('calls-reload', HTMLButtonElement),
  callsError: byId('calls-error', HTMLParagraphElement),
  calls: byId('calls-body', HTMLTableSectionElement),
};

const tasks = new Map<number, CallbackTaskView>();

const clock = (iso: string) =>
  new Date(iso).toLocaleTimeString('vi-VN', { hour: '2-digit', minute: '2-digit' });

// ── Callback tasks ──────────────────────────────────────────────────────────────────────────
function taskStatus(task: CallbackTaskView, now: Date): string {
  // A supervisor never holds a claim: any claim is an operator's.
  switch (callbackRowState(task, -1, now)) {
    case 'taken':
    case 'mine':
      return t('callbacks.takenBy', { name: task.claimedBy?.displayName ?? '' });
    case 'later':
      return task.nextAttemptAt
        ? t('callbacks.later', { time: clock(task.nextAttemptAt) })
        : t('callbacks.due');
    case 'due':
      return t('callbacks.due');
    case 'inQueue':
      return t('callbacks.inQueue');
  }
}

function giveUpButton(task: CallbackTaskView): HTMLButtonElement {
  const title = t('callbacks.giveUpFor', { number: task.callerNumber });
  const button = h(
    'button',
    { type: 'button', class: 'danger-outline', 'data-action': 'give-up', 'aria-label': title },
    t('callbacks.giveUp'),
  );
  button.addEventListener('click', () =>
    openFormDialog({
      title,
      submitLabel: t('callbacks.giveUp'),
      fields: [
        {
          name: 'reason',
          label: t('callbacks.giveUpReason'),
          kind: 'textarea',
          required: true,
          minLength: GIVE_UP_REASON_MIN,
        },
      ],
      async submit(values) {
        const closed = await api.giveUpCallback(task.id, { reason: values.reason ?? '' });
        taskChanged(closed);
        showMessage(el.tasksError, null);
        showMessage(el.tasksStatus, t('callbacks.givenUp', { number: closed.callerNumber }));
      },
    }),
  );
  return button;
}

function renderTasks(): void {
  const now = new Date();
  const open = sortCallbacks([...tasks.values()]);
  el.tasksCount.textContent = t('callbacks.count', { count: open.length });
  if (open.length === 0) {
    el.tasks.replaceChildren(emptyRow(8, t('callbacks.empty')));
    return;
  }
  el.tasks.replaceChildren(
    ...open.map((task) =>
      h(
        'tr',
        { 'data-callback-id': String(task.id), 'data-source': task.source },
        h(
          'td',
          { class: 'nowrap' },
          h('time', { datetime: task.waitingSince }, formatDateTime(task.waitingSince)),
        ),
        h('th', { scope: 'row', class: 'nowrap' }, task.callerNumber),
        h('td', {}, callbackSourceLabel(task.source)),
        h('td', {}, QUEUES[task.queue]?.label ?? task.queue),
        h('td', { class: 'num' }, String(task.attempts)),
        h('td', {}, taskStatus(task, now)),
        h(
          'td',
          {},
          task.recording
            ? recordingPlayer('callbacks', task.recording.callId, 'message', task.callerNumber)
            : h('span', { class: 'muted' }, '—'),
        ),
        h('td', {}, giveUpButton(task)),
      ),
    ),
  );
}

function taskChanged(task: CallbackTaskView): void {
  if (task.status === 'open') tasks.set(task.id, task);
  else tasks.delete(task.id);
  renderTasks();
}

async function loadTasks(): Promise<void> {
  try {
    const open = await api.openCallbacks();
    tasks.clear();
    for (const task of open) tasks.set(task.id, task);
    showMessage(el.tasksError, null);
    renderTasks();
  } catch (err) {
    showMessage(el.tasksError, errorMessage(err));
  }
}

// ── Today's calls ───────────────────────────────────────────────────────────────────────────
function startOfToday(): string {
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  return midnight.toISOString();
}

const seconds = (value: number | null) => (value === null ? '—' : formatMinutesSeconds(value));

function callRow(call: CallRecordView): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-call-id': call.id },
    h('td', { class: 'nowrap' }, h('time', { datetime: call.arrivedAt }, formatDateTime(call.arrivedAt))),
    h('th', { scope: 'row', class: 'nowrap' }, call.callerNumber),
    h('td', {}, call.queue ? QUEUES[call.queue].label : '—'),
    h('td', {}, call.operator?.displayName ?? '—'),
    h('td', { class: 'num' }, seconds(call.waitSeconds)),
    h('td', { class: 'num' }, seconds(call.talkSeconds)),
    h('td', {}, call.endReason ? endReasonLabel(call.endReason) : t('calls.inProgress')),
    h(
      'td',
      {},
      call.recording
        ? recordingPlayer('calls', call.id, call.recording.kind, call.callerNumber)
        : h('span', { class: 'muted' }, '—'),
    ),
  );
}

async function loadCalls(): Promise<void> {
  try {
    const calls = await api.calls(startOfToday());
    showMessage(el.callsError, null);
    el.calls.replaceChildren(...(calls.length === 0 ? [emptyRow(8, t('calls.empty'))] : calls.map(callRow)));
    el.callsUpdated.textContent = t('calls.updatedAt', { time: new Date().toLocaleTimeString('vi-VN') });
  } catch (err) {
    showMessage(el.callsError, errorMessage(err));
  }
}

async function start(): Promise<void> {
  const me = await requireUser(['supervisor', 'admin']);
  if (!me) return;
  el.userName.textContent = me.user.displayName;
  el.navAdmin.hidden = me.user.role !== 'admin';

  const socket = connectSocket();
  showWhileDisconnected(socket, el.socketBanner);
  let connectedBefore = false;
  socket.on('connect', () => {
    // Pushes missed while disconnected: fetch the list afresh.
    if (connectedBefore) void loadTasks();
    connectedBefore = true;
  });
  socket.on('callback:updated', taskChanged);
  el.callsReload.addEventListener('click', () => void loadCalls());
  // A task waiting for the spacing becomes due without any push; calls have no push at all.
  setInterval(renderTasks, TASKS_REFRESH_MS);
  setInterval(() => void loadCalls(), CALLS_REFRESH_MS);

  await Promise.all([loadTasks(), loadCalls()]);
  wireLogout(el.logout, () => socket.disconnect());
}

start().catch(showFatal);
