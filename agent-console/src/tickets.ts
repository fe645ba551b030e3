/**
 * The supervision team's ticket page: results waiting for review, overdue and soon-due tickets
 * by agency (with the one extension a ticket may get), the on-time rate per agency, deliveries
 * that failed for good, recent tickets, and a detail panel with the supervisors' actions.
 * Kept apart from the wallboard so that stays readable from across the room. Live through
 * `ticket:updated` and `ticket:deadline`; lists are fetched again only when something changes.
 */
import type { AgencyDeadlineReport, AgencyView, TicketView } from '../../common/api.ts';
import type { TicketAction } from '../../common/domain.ts';
import type { ServerToClientEvents } from '../../common/events.ts';
import { api, errorMessage } from './api.ts';
import { DialogInputError, openFormDialog } from './dialog.ts';
import { emptyRow, h, showMessage } from './dom.ts';
import {
  dateTimeInputValue,
  formatDateTime,
  formatRate,
  isoFromDateTimeInput,
  lastDays,
  periodFromDateInputs,
} from './format.ts';
import { actionLabel, t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal, showWhileDisconnected, wireLogout } from './page.ts';
import { connectSocket } from './socket.ts';
import { DUE_SOON_HOURS, dueState, groupByAgency, upsertTicket } from './ticket-rules.ts';
import {
  type ActionDeps,
  actionButtons,
  dueCell,
  openButton,
  priorityBadge,
  statusBadge,
  ticketDetail,
  unitName,
} from './ticket-view.ts';

type DeadlineEvent = Parameters<ServerToClientEvents['ticket:deadline']>[0];

const RECENT_LIMIT = 30;
const MAX_ALERTS = 5;
const REPORT_DAYS = 30;

translatePage();

const el = {
  userName: byId('user-name', HTMLElement),
  navAdmin: byId('nav-admin', HTMLAnchorElement),
  logout: byId('logout', HTMLButtonElement),
  socketBanner: byId('socket-banner', HTMLParagraphElement),
  alerts: byId('deadline-alerts', HTMLDivElement),
  reviewError: byId('review-error', HTMLParagraphElement),
  reviewBody: byId('review-body', HTMLTableSectionElement),
  deadlinesError: byId('deadlines-error', HTMLParagraphElement),
  deadlinesStatus: byId('deadlines-status', HTMLParagraphElement),
  deadlinesTable: byId('deadlines-table', HTMLTableElement),
  reportForm: byId('report-form', HTMLFormElement),
  reportFrom: byId('report-from', HTMLInputElement),
  reportTo: byId('report-to', HTMLInputElement),
  reportError: byId('report-error', HTMLParagraphElement),
  reportCaption: byId('report-caption', HTMLTableCaptionElement),
  reportBody: byId('report-body', HTMLTableSectionElement),
  deadError: byId('dead-error', HTMLParagraphElement),
  deadStatus: byId('dead-status', HTMLParagraphElement),
  deadBody: byId('dead-body', HTMLTableSectionElement),
  recentError: byId('recent-error', HTMLParagraphElement),
  recentBody: byId('recent-body', HTMLTableSectionElement),
  detailStatus: byId('detail-status', HTMLParagraphElement),
  detailError: byId('detail-error', HTMLParagraphElement),
  detailBody: byId('detail-body', HTMLDivElement),
};

const state = {
  review: [] as TicketView[],
  overdue: [] as TicketView[],
  soon: [] as TicketView[],
  dead: [] as TicketView[],
  recent: [] as TicketView[],
  agencies: [] as AgencyView[],
  selectedId: null as number | null,
};

let actionDeps: ActionDeps;

const byNewest = (a: TicketView, b: TicketView) => Date.parse(b.createdAt) - Date.parse(a.createdAt);
const open = (ticket: TicketView) => openButton(ticket, (t) => select(t.id));

// ── Review ──────────────────────────────────────────────────────────────────────────────────
function renderReview(): void {
  const now = Date.now();
  el.reviewBody.replaceChildren(
    ...(state.review.length === 0
      ? [emptyRow(5, t('list.empty'))]
      : state.review.map((ticket) =>
          h(
            'tr',
            { 'data-ticket-id': String(ticket.id) },
            h('th', { scope: 'row' }, open(ticket)),
            h('td', {}, ticket.agency.name),
            h('td', { class: 'prose' }, ticket.result ?? '—'),
            h('td', {}, dueCell(ticket, now)),
            h(
              'td',
              {},
              h(
                'div',
                { class: 'actions tight' },
                ...actionButtons(ticket, actionDeps, ['approve', 'send_back']),
              ),
            ),
          ),
        )),
  );
}

async function loadReview(): Promise<void> {
  try {
    state.review = (await api.tickets({ status: ['pending_review'], limit: 100 })).sort(byNewest);
    showMessage(el.reviewError, null);
    renderReview();
  } catch (err) {
    showMessage(el.reviewError, errorMessage(err));
  }
}

// ── Deadlines ───────────────────────────────────────────────────────────────────────────────
function extendButton(ticket: TicketView): HTMLButtonElement | null {
  if (ticket.extension !== null || ticket.resolveDueAt === null) return null;
  const button = h(
    'button',
    { type: 'button', 'aria-label': t('tickets.extendTitle', { code: ticket.trackingCode }) },
    t('tickets.extend'),
  );
  button.addEventListener('click', () => {
    const current = ticket.resolveDueAt ? new Date(ticket.resolveDueAt) : new Date();
    const suggested = new Date(Math.max(current.getTime(), Date.now()) + 2 * 86_400_000);
    openFormDialog({
      title: t('tickets.extendTitle', { code: ticket.trackingCode }),
      submitLabel: t('tickets.extend'),
      fields: [
        {
          name: 'due',
          label: t('field.newDue'),
          kind: 'datetime-local',
          required: true,
          value: dateTimeInputValue(suggested),
          min: dateTimeInputValue(new Date()),
        },
        { name: 'reason', label: t('field.reason'), kind: 'textarea', required: true },
      ],
      async submit(values) {
        const resolveDueAt = isoFromDateTimeInput(values.due ?? '');
        if (!resolveDueAt) throw new DialogInputError(t('tickets.badDue'));
        const updated = await api.extendDeadline(ticket.id, { reason: values.reason ?? '', resolveDueAt });
        showMessage(el.deadlinesStatus, t('tickets.extended', { code: updated.trackingCode }));
        ticketChanged(updated);
      },
    });
  });
  return button;
}

function renderDeadlines(): void {
  const now = Date.now();
  const overdueIds = new Set(state.overdue.map((t) => t.id));
  const all = [...state.overdue, ...state.soon.filter((t) => !overdueIds.has(t.id))];
  for (const body of [...el.deadlinesTable.tBodies]) body.remove();
  if (all.length === 0) {
    el.deadlinesTable.append(h('tbody', {}, emptyRow(5, t('tickets.noOverdue'))));
    return;
  }
  for (const group of groupByAgency(all)) {
    const overdue = group.tickets.filter((t) => dueState(t, now) === 'overdue').length;
    const label = `${group.agency} — ${t('tickets.overdue')}: ${overdue}, ${t('tickets.dueSoon')}: ${group.tickets.length - overdue}`;
    el.deadlinesTable.append(
      h(
        'tbody',
        {},
        h('tr', { class: 'group-row' }, h('th', { scope: 'rowgroup', colspan: '5' }, label)),
        ...group.tickets.map((ticket) =>
          h(
            'tr',
            { 'data-ticket-id': String(ticket.id) },
            h('th', { scope: 'row' }, open(ticket)),
            h('td', {}, priorityBadge(ticket)),
            h('td', {}, statusBadge(ticket)),
            h('td', {}, dueCell(ticket, now)),
            h('td', {}, extendButton(ticket) ?? ''),
          ),
        ),
      ),
    );
  }
}

async function loadDeadlines(): Promise<void> {
  try {
    const [overdue, soon] = await Promise.all([
      api.tickets({ overdue: true, limit: 100 }),
      api.tickets({ dueWithinHours: DUE_SOON_HOURS, limit: 100 }),
    ]);
    state.overdue = overdue;
    state.soon = soon;
    showMessage(el.deadlinesError, null);
    renderDeadlines();
  } catch (err) {
    showMessage(el.deadlinesError, errorMessage(err));
  }
}

// ── On-time report ──────────────────────────────────────────────────────────────────────────
function renderReport(rows: AgencyDeadlineReport[]): void {
  const num = (n: number, alert = false) =>
    h('td', { class: alert && n > 0 ? 'num alert' : 'num' }, String(n));
  el.reportBody.replaceChildren(
    ...(rows.length === 0
      ? [emptyRow(7, t('list.empty'))]
      : rows.map((row) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, row.agency.name),
            num(row.open),
            num(row.overdue, true),
            num(row.dueSoon),
            num(row.resolved),
            num(row.resolvedOnTime),
            h('td', { class: 'num' }, formatRate(row.onTimeRate)),
          ),
        )),
  );
}

async function loadReport(): Promise<void> {
  const period = periodFromDateInputs(el.reportFrom.value, el.reportTo.value);
  if (!period) {
    showMessage(el.reportError, t('tickets.badPeriod'));
    return;
  }
  try {
    const rows = await api.deadlineReport(period.from, period.to);
    el.reportCaption.textContent = t('tickets.reportCaption', {
      from:
        el.reportFrom.valueAsDate?.toLocaleDateString('vi-VN', { timeZone: 'UTC' }) ?? el.reportFrom.value,
      to: el.reportTo.valueAsDate?.toLocaleDateString('vi-VN', { timeZone: 'UTC' }) ?? el.reportTo.value,
    });
    showMessage(el.reportError, null);
    renderReport(rows.sort((a, b) => a.agency.name.localeCompare(b.agency.name, 'vi')));
  } catch (err) {
    showMessage(el.reportError, errorMessage(err));
  }
}

// ── Dead deliveries ─────────────────────────────────────────────────────────────────────────
function retryButton(ticket: TicketView): HTMLButtonElement {
  const button = h(
    'button',
    { type: 'button', 'aria-label': `${t('tickets.retry')} ${ticket.trackingCode}` },
    t('tickets.retry'),
  );
  button.addEventListener('click', () => {
    button.disabled = true;
    api
      .retryDelivery(ticket.id)
      .then(() => {
        showMessage(el.deadError, null);
        showMessage(el.deadStatus, t('tickets.retried', { code: ticket.trackingCode }));
        state.dead = state.dead.filter((t) => t.id !== ticket.id);
        renderDead();
      })
      .catch((err: unknown) => {
        button.disabled = false;
        showMessage(el.deadError, errorMessage(err));
      });
  });
  return button;
}

function renderDead(): void {
  el.deadBody.replaceChildren(
    ...(state.dead.length === 0
      ? [emptyRow(5, t('tickets.noDead'))]
      : state.dead.map((ticket) =>
          h(
            'tr',
            { 'data-ticket-id': String(ticket.id) },
            h('th', { scope: 'row' }, open(ticket)),
            h('td', {}, ticket.agency.name),
            h('td', { class: 'num' }, String(ticket.delivery.attempts)),
            h('td', { class: 'prose' }, ticket.delivery.lastError ?? '—'),
            h('td', {}, retryButton(ticket)),
          ),
        )),
  );
}

async function loadDead(): Promise<void> {
  try {
    state.dead = await api.deadDeliveries();
    showMessage(el.deadError, null);
    renderDead();
  } catch (err) {
    showMessage(el.deadError, errorMessage(err));
  }
}

// ── Recent ──────────────────────────────────────────────────────────────────────────────────
function renderRecent(): void {
  const now = Date.now();
  el.recentBody.replaceChildren(
    ...(state.recent.length === 0
      ? [emptyRow(6, t('list.empty'))]
      : state.recent.map((ticket) =>
          h(
            'tr',
            { 'data-ticket-id': String(ticket.id) },
            h('th', { scope: 'row' }, open(ticket)),
            h('td', {}, ticket.categoryName, h('br'), h('span', { class: 'muted' }, unitName(ticket))),
            h('td', {}, ticket.agency.name),
            h('td', { class: 'nowrap' }, formatDateTime(ticket.createdAt)),
            h('td', {}, statusBadge(ticket)),
            h('td', {}, dueCell(ticket, now)),
          ),
        )),
  );
}

async function loadRecent(): Promise<void> {
  try {
    state.recent = (await api.tickets({ limit: RECENT_LIMIT })).sort(byNewest);
    showMessage(el.recentError, null);
    renderRecent();
  } catch (err) {
    showMessage(el.recentError, errorMessage(err));
  }
}

// ── Detail ──────────────────────────────────────────────────────────────────────────────────
async function showDetail(id: number): Promise<void> {
  try {
    const ticket = await api.ticket(id);
    if (state.selectedId !== id) return;
    el.detailBody.replaceChildren(...ticketDetail(ticket, actionDeps, Date.now()));
  } catch (err) {
    showMessage(el.detailError, errorMessage(err));
  }
}

function select(id: number): void {
  state.selectedId = id;
  showMessage(el.detailStatus, null);
  showMessage(el.detailError, null);
  void showDetail(id);
  el.detailBody.closest('section')?.scrollIntoView({ block: 'nearest' });
}

// ── Live ────────────────────────────────────────────────────────────────────────────────────
const replaceIn = (list: TicketView[], ticket: TicketView, keep: boolean) =>
  keep ? upsertTicket(list, ticket).sort(byNewest) : list.filter((t) => t.id !== ticket.id);

/** One ticket changed (pushed, or the answer to our own action): every list takes it in. */
function ticketChanged(ticket: TicketView): void {
  const now = Date.now();
  const due = dueState(ticket, now);
  state.review = replaceIn(state.review, ticket, ticket.status === 'pending_review');
  state.recent = replaceIn(state.recent, ticket, true).slice(0, RECENT_LIMIT);
  state.dead = replaceIn(state.dead, ticket, ticket.delivery.status === 'dead');
  state.overdue = replaceIn(state.overdue, ticket, due === 'overdue');
  state.soon = replaceIn(state.soon, ticket, due === 'soon');
  renderReview();
  renderDeadlines();
  renderDead();
  renderRecent();
  if (state.selectedId === ticket.id) void showDetail(ticket.id);
}

function deadlineAlert(e: DeadlineEvent): void {
  const due = t(e.due === 'ack' ? 'tickets.dueAck' : 'tickets.dueResolve');
  const text = t(e.kind === 'overdue' ? 'tickets.deadlineOverdue' : 'tickets.deadlineWarning', {
    code: e.trackingCode,
    due,
  });
  const line = h(
    'p',
    { class: `alert-line alert-${e.kind}` },
    h('time', {}, formatDateTime(new Date().toISOString())),
    ' ',
    text,
  );
  const view = h('button', { type: 'button', class: 'link' }, t('list.open', { code: e.trackingCode }));
  view.addEventListener('click', () => select(e.ticketId));
  line.append(' ', view);
  el.alerts.prepend(line);
  while (el.alerts.childElementCount > MAX_ALERTS) el.alerts.lastElementChild?.remove();
  void loadDeadlines();
}

async function start(): Promise<void> {
  const me = await requireUser(['supervisor', 'admin']);
  if (!me) return;
  el.userName.textContent = me.user.displayName;
  el.navAdmin.hidden = me.user.role !== 'admin';

  actionDeps = {
    role: me.user.role,
    agencies: () => state.agencies,
    done(ticket: TicketView, action: TicketAction) {
      state.selectedId ??= ticket.id;
      showMessage(el.detailError, null);
      showMessage(
        el.detailStatus,
        t('action.done', { action: actionLabel(action), code: ticket.trackingCode }),
      );
      ticketChanged(ticket);
    },
    failed(err: unknown) {
      showMessage(el.detailStatus, null);
      showMessage(el.detailError, errorMessage(err));
    },
  };

  const period = lastDays(REPORT_DAYS, new Date());
  el.reportFrom.value = period.from;
  el.reportTo.value = period.to;
  el.reportForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void loadReport();
  });

  const loadAll = () => Promise.all([loadReview(), loadDeadlines(), loadDead(), loadRecent()]);
  const socket = connectSocket();
  showWhileDisconnected(socket, el.socketBanner);
  let connectedBefore = false;
  socket.on('connect', () => {
    if (connectedBefore) void loadAll();
    connectedBefore = true;
  });
  socket.on('ticket:updated', ticketChanged);
  socket.on('ticket:deadline', deadlineAlert);
  setInterval(() => {
    renderDeadlines();
    renderRecent();
  }, 60_000);

  api
    .agencies()
    .then((list) => {
      state.agencies = list.data;
    })
    .catch((err: unknown) => console.warn('agencies not loaded', err));
  await Promise.all([loadAll(), loadReport()]);

  wireLogout(el.logout, () => socket.disconnect());
}

start().catch(showFatal);
