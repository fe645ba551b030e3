/**
 * Agency inbox: a liaison's own agency's tickets, new ones arriving live over `ticket:updated`
 * (no polling), with the detail, the audit log and the actions a liaison may take.
 */
import type { AgencyView, TicketView } from '../../common/api.ts';
import type { TicketAction } from '../../common/domain.ts';
import { api, errorMessage } from './api.ts';
import { emptyRow, h, showMessage } from './dom.ts';
import { formatDateTime } from './format.ts';
import { actionLabel, t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal, showWhileDisconnected, wireLogout } from './page.ts';
import { connectSocket } from './socket.ts';
import { INBOX_GROUP_KEYS, INBOX_GROUPS, type InboxGroup, inGroup, upsertTicket } from './ticket-rules.ts';
import {
  type ActionDeps,
  dueCell,
  openButton,
  priorityBadge,
  statusBadge,
  ticketDetail,
  unitName,
} from './ticket-view.ts';

const HIGHLIGHT_MS = 6000;
const COLUMNS = 5;

translatePage();

const el = {
  agencyName: byId('agency-name', HTMLElement),
  userName: byId('user-name', HTMLElement),
  logout: byId('logout', HTMLButtonElement),
  socketBanner: byId('socket-banner', HTMLParagraphElement),
  filter: byId('inbox-filter', HTMLDivElement),
  announce: byId('inbox-announce', HTMLParagraphElement),
  listError: byId('inbox-error', HTMLParagraphElement),
  body: byId('inbox-body', HTMLTableSectionElement),
  detailStatus: byId('detail-status', HTMLParagraphElement),
  detailError: byId('detail-error', HTMLParagraphElement),
  detailBody: byId('detail-body', HTMLDivElement),
};

let group: InboxGroup | null = null;
let tickets: TicketView[] = [];
let selected: TicketView | null = null;
/** The last status seen per ticket, to tell a newly assigned ticket from a change to a known one. */
const lastStatus = new Map<number, TicketView['status']>();
/** Tickets to highlight until the given time. */
const fresh = new Map<number, number>();
let loadSeq = 0;

const byNewest = (a: TicketView, b: TicketView) => Date.parse(b.createdAt) - Date.parse(a.createdAt);

function renderList(): void {
  const now = Date.now();
  if (tickets.length === 0) {
    el.body.replaceChildren(emptyRow(COLUMNS, t('list.empty')));
    return;
  }
  el.body.replaceChildren(
    ...tickets.map((ticket) => {
      const classes = [
        (fresh.get(ticket.id) ?? 0) > now ? 'fresh' : '',
        ticket.id === selected?.id ? 'selected' : '',
      ].join(' ');
      return h(
        'tr',
        {
          class: classes.trim() || undefined,
          'data-ticket-id': String(ticket.id),
          'data-status': ticket.status,
          'aria-current': ticket.id === selected?.id ? 'true' : undefined,
        },
        h(
          'th',
          { scope: 'row' },
          openButton(ticket, (t) => select(t.id)),
          h('br'),
          priorityBadge(ticket),
        ),
        h('td', {}, ticket.categoryName, h('br'), h('span', { class: 'muted' }, unitName(ticket))),
        h('td', {}, formatDateTime(ticket.createdAt)),
        h('td', {}, statusBadge(ticket)),
        h('td', {}, dueCell(ticket, now)),
      );
    }),
  );
}

function renderFilter(): void {
  const choices: Array<InboxGroup | null> = [null, ...INBOX_GROUP_KEYS];
  el.filter.replaceChildren(
    ...choices.map((choice) => {
      const button = h(
        'button',
        { type: 'button', 'aria-pressed': String(choice === group) },
        t(`inbox.group.${choice ?? 'all'}`),
      );
      button.addEventListener('click', () => {
        group = choice;
        renderFilter();
        void load();
      });
      return button;
    }),
  );
}

async function load(): Promise<void> {
  const seq = ++loadSeq;
  try {
    const list = await api.tickets({ status: group ? INBOX_GROUPS[group] : undefined, limit: 100 });
    if (seq !== loadSeq) return;
    for (const ticket of list) lastStatus.set(ticket.id, ticket.status);
    tickets = list.sort(byNewest);
    showMessage(el.listError, null);
    renderList();
  } catch (err) {
    if (seq === loadSeq) showMessage(el.listError, errorMessage(err));
  }
}

function announceNew(ticket: TicketView): void {
  fresh.set(ticket.id, Date.now() + HIGHLIGHT_MS);
  el.announce.textContent = t('inbox.newTicket', { code: ticket.trackingCode });
  setTimeout(renderList, HIGHLIGHT_MS + 50);
}

function received(ticket: TicketView): void {
  const before = lastStatus.get(ticket.id);
  lastStatus.set(ticket.id, ticket.status);
  if (ticket.status === 'assigned' && before !== 'assigned') announceNew(ticket);
  tickets = inGroup(ticket.status, group)
    ? upsertTicket(tickets, ticket).sort(byNewest)
    : tickets.filter((t) => t.id !== ticket.id);
  renderList();
  if (selected?.id === ticket.id) void showDetail(ticket.id);
}

const actionDeps: ActionDeps = {
  role: 'agency',
  agencies: () => [],
  done(ticket: TicketView, action: TicketAction) {
    showMessage(el.detailError, null);
    showMessage(
      el.detailStatus,
      t('action.done', { action: actionLabel(action), code: ticket.trackingCode }),
    );
    received(ticket);
    void showDetail(ticket.id);
  },
  failed(err: unknown) {
    showMessage(el.detailStatus, null);
    showMessage(el.detailError, errorMessage(err));
  },
};

async function showDetail(id: number): Promise<void> {
  try {
    const ticket = await api.ticket(id);
    if (selected !== null && selected.id !== id) return;
    selected = ticket;
    el.detailBody.replaceChildren(...ticketDetail(ticket, actionDeps, Date.now()));
    renderList();
  } catch (err) {
    showMessage(el.detailError, errorMessage(err));
  }
}

function select(id: number): void {
  selected = tickets.find((t) => t.id === id) ?? null;
  showMessage(el.detailStatus, null);
  showMessage(el.detailError, null);
  void showDetail(id);
}

async function agencyName(agencyId: number | null): Promise<string> {
  if (agencyId === null) return t('inbox.noAgency');
  const list = await api.agencies();
  return list.data.find((a: AgencyView) => a.id === agencyId)?.name ?? '';
}

async function start(): Promise<void> {
  const me = await requireUser(['agency']);
  if (!me) return;
  el.userName.textContent = me.user.displayName;
  el.agencyName.textContent = await agencyName(me.user.agencyId);
  renderFilter();

  const socket = connectSocket();
  showWhileDisconnected(socket, el.socketBanner);
  let connectedBefore = false;
  socket.on('connect', () => {
    // Whatever changed while the socket was down is fetched once, not polled.
    if (connectedBefore) void load();
    connectedBefore = true;
  });
  socket.on('ticket:updated', received);
  socket.on('ticket:deadline', (e) => {
    api
      .ticket(e.ticketId)
      .then(received)
      .catch((err: unknown) => console.warn('deadline: ticket not reloaded', err));
  });
  setInterval(renderList, 60_000);
  await load();

  wireLogout(el.logout, () => socket.disconnect());
}

start().catch(showFatal);
