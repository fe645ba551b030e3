/**
 * How a ticket looks on the agency inbox and the supervisors' pages: table cells, the detail
 * panel with its audit-log timeline, and the action buttons (only those legal for the role in
 * the ticket's status; actions that need a reason or a text ask for it in a dialog first).
 */
import type { AgencyView, TicketEventView, TicketView } from '../../common/api.ts';
import { PRIORITIES, type Role, type TicketAction } from '../../common/domain.ts';
import { api } from './api.ts';
import { openFormDialog } from './dialog.ts';
import { h } from './dom.ts';
import { formatDateTime, formatDueTime } from './format.ts';
import { actionLabel, t, ticketStatusLabel } from './i18n.ts';
import { callRecordingSlot } from './recording.ts';
import { writtenRequestPart } from './ticket-attachments.ts';
import { actionInput, allowedActions, dueState } from './ticket-rules.ts';

export function priorityBadge(ticket: TicketView): HTMLElement {
  return h('span', { class: `priority priority-${ticket.priority}` }, PRIORITIES[ticket.priority]);
}

/** The commune the ticket is about, or "Chưa xác định". */
export function unitName(ticket: TicketView): string {
  return ticket.unit?.name ?? t('unit.unknown');
}

export function statusBadge(ticket: TicketView): HTMLElement {
  return h('span', { class: `status status-${ticket.status}` }, ticketStatusLabel(ticket.status));
}

/** The due times, with "Quá hạn" / "Sắp đến hạn" when it applies. */
export function dueCell(ticket: TicketView, nowMs: number): HTMLElement {
  const state = dueState(ticket, nowMs);
  const cell = h('div', { class: `due due-${state}` });
  if (state === 'overdue') cell.append(h('strong', { class: 'badge badge-overdue' }, t('due.overdue')));
  if (state === 'soon') cell.append(h('strong', { class: 'badge badge-soon' }, t('due.soon')));
  if (ticket.ackDueAt)
    cell.append(
      h('span', { class: 'due-line' }, `${t('due.ack')}: ${formatDueTime(ticket.ackDueAt, nowMs)}`),
    );
  if (ticket.resolveDueAt)
    cell.append(
      h('span', { class: 'due-line' }, `${t('due.resolve')}: ${formatDueTime(ticket.resolveDueAt, nowMs)}`),
    );
  if (!ticket.ackDueAt && !ticket.resolveDueAt) cell.append(h('span', { class: 'muted' }, '—'));
  return cell;
}

/** The tracking code as the button that opens the ticket. */
export function openButton(ticket: TicketView, onOpen: (ticket: TicketView) => void): HTMLButtonElement {
  const button = h(
    'button',
    { type: 'button', class: 'link code', 'aria-label': t('list.open', { code: ticket.trackingCode }) },
    ticket.trackingCode,
  );
  button.addEventListener('click', () => onOpen(ticket));
  return button;
}

export interface ActionDeps {
  role: Role;
  /** For `assign`: the agencies to choose from. */
  agencies(): readonly AgencyView[];
  /** The server accepted the action; `ticket` is the ticket as it is now. */
  done(ticket: TicketView, action: TicketAction): void;
  /** A direct action (no dialog) failed. */
  failed(err: unknown): void;
}

/** Takes `action` on `ticket`, asking first for what it needs. */
export function runAction(ticket: TicketView, action: TicketAction, deps: ActionDeps): void {
  const title = t('action.forTicket', { action: actionLabel(action), code: ticket.trackingCode });
  const send = async (extra: Partial<Record<'reason' | 'text' | 'agencyId' | 'parentId', string>>) => {
    const updated = await api.ticketAction(ticket.id, {
      action,
      ...(extra.reason !== undefined ? { reason: extra.reason } : {}),
      ...(extra.text !== undefined ? { text: extra.text } : {}),
      ...(extra.agencyId ? { agencyId: Number(extra.agencyId) } : {}),
      ...(extra.parentId ? { parentId: Number(extra.parentId) } : {}),
    });
    deps.done(updated, action);
  };
  const dialog = (fields: Parameters<typeof openFormDialog>[0]['fields']) =>
    openFormDialog({ title, submitLabel: actionLabel(action), fields, submit: send });

  switch (actionInput(action)) {
    case 'none':
      send({}).catch(deps.failed);
      return;
    case 'reason':
      dialog([{ name: 'reason', label: t('field.reason'), kind: 'textarea', required: true }]);
      return;
    case 'text': {
      const label = action === 'note' || action === 'post_result' || action === 'answer' ? action : 'note';
      dialog([{ name: 'text', label: t(`field.text.${label}`), kind: 'textarea', required: true }]);
      return;
    }
    case 'duplicate':
      dialog([
        { name: 'parentId', label: t('field.parentId'), kind: 'number', min: '1', required: true },
        { name: 'reason', label: t('field.reason'), kind: 'textarea', required: true },
      ]);
      return;
    case 'agency':
      dialog([
        {
          name: 'agencyId',
          label: t('field.agency'),
          kind: 'select',
          required: true,
          value: String(ticket.agency.id),
          options: deps.agencies().map((a) => ({ value: String(a.id), label: a.name })),
        },
      ]);
      return;
  }
}

/** One button per legal action; the accessible name carries the tracking code. */
export function actionButtons(
  ticket: TicketView,
  deps: ActionDeps,
  only?: readonly TicketAction[],
): HTMLElement[] {
  return allowedActions(ticket.status, deps.role)
    .filter((action) => !only || only.includes(action))
    .map((action) => {
      const danger = action === 'return' || action === 'reject' || action === 'send_back';
      const button = h(
        'button',
        {
          type: 'button',
          class: danger
            ? 'danger-outline'
            : action === 'approve' || action === 'acknowledge'
              ? 'primary'
              : undefined,
          'data-action': action,
          'aria-label': t('action.forTicket', { action: actionLabel(action), code: ticket.trackingCode }),
        },
        actionLabel(action),
      );
      button.addEventListener('click', () => runAction(ticket, action, deps));
      return button;
    });
}

function fact(term: string, value: Node | string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value)];
}

function eventLabel(event: TicketEventView): string {
  switch (event.action) {
    case 'create':
    case 'extend':
    case 'escalate':
    case 'warn':
    case 'deliver':
      return t(`event.${event.action}`);
    default:
      return actionLabel(event.action);
  }
}

function timelineItem(event: TicketEventView): HTMLLIElement {
  const who = event.actor ? event.actor.displayName : t('event.system');
  const change =
    event.from && event.to && event.from !== event.to
      ? ` (${ticketStatusLabel(event.from)} → ${ticketStatusLabel(event.to)})`
      : event.to && !event.from
        ? ` (${ticketStatusLabel(event.to)})`
        : '';
  const item = h(
    'li',
    { 'data-action': event.action },
    h('time', { datetime: event.at }, formatDateTime(event.at)),
    ' ',
    h('strong', {}, eventLabel(event)),
    change,
    h('span', { class: 'muted' }, ` — ${who}`),
  );
  if (event.reason) item.append(h('p', { class: 'event-reason' }, `${t('field.reason')}: ${event.reason}`));
  if (event.text) item.append(h('p', { class: 'event-text' }, event.text));
  return item;
}

/** The recording of the call the ticket was logged from; never on an agency's page. */
function recordingPart(ticket: TicketView, role: Role): HTMLElement[] {
  if (role === 'agency' || ticket.callId === null) return [];
  return [h('h3', {}, t('recording.heading')), callRecordingSlot('ticket', ticket.callId)];
}

/** The detail panel's content: facts, description, result, timeline, actions. */
export function ticketDetail(ticket: TicketView, deps: ActionDeps, nowMs: number): HTMLElement[] {
  const facts = h(
    'dl',
    { class: 'facts' },
    ...fact(t('detail.trackingCode'), h('strong', { 'data-testid': 'detail-code' }, ticket.trackingCode)),
    ...fact(t('detail.status'), statusBadge(ticket)),
    ...fact(t('detail.priority'), priorityBadge(ticket)),
    ...fact(t('detail.category'), ticket.categoryName),
    ...fact(t('detail.unit'), h('span', { 'data-testid': 'detail-unit' }, unitName(ticket))),
    ...(ticket.address ? fact(t('detail.address'), ticket.address) : []),
    ...(ticket.legacyDistrict ? fact(t('detail.legacyDistrict'), ticket.legacyDistrict) : []),
    ...fact(t('detail.agency'), ticket.agency.name),
    ...fact(t('detail.caller'), ticket.callerNumber),
    ...(ticket.callerName ? fact(t('detail.callerName'), ticket.callerName) : []),
    ...fact(t('detail.created'), formatDateTime(ticket.createdAt)),
    ...fact(t('list.due'), dueCell(ticket, nowMs)),
    ...(ticket.extension
      ? fact(
          t('detail.extension'),
          `${formatDateTime(ticket.extension.grantedAt)} — ${ticket.extension.reason}`,
        )
      : []),
    ...(ticket.parentId !== null ? fact(t('detail.parent'), `#${ticket.parentId}`) : []),
  );
  const buttons = actionButtons(ticket, deps);
  const events = ticket.events ?? [];
  const parts: Array<HTMLElement | null> = [
    facts,
    h('h3', {}, t('detail.description')),
    h('p', { class: 'prose' }, ticket.description),
    ticket.result ? h('h3', {}, t('detail.result')) : null,
    ticket.result ? h('p', { class: 'prose result', 'data-testid': 'detail-result' }, ticket.result) : null,
    writtenRequestPart(ticket.id),
    ...recordingPart(ticket, deps.role),
    h('h3', {}, t('detail.actions')),
    buttons.length > 0
      ? h('div', { class: 'actions', role: 'group', 'aria-label': t('detail.actions') }, ...buttons)
      : h('p', { class: 'muted' }, t('detail.noActions')),
    h('h3', {}, t('detail.timeline')),
    events.length > 0
      ? h('ol', { class: 'timeline', 'aria-label': t('detail.timeline') }, ...events.map(timelineItem))
      : h('p', { class: 'muted' }, t('detail.noEvents')),
  ];
  return parts.filter((node): node is HTMLElement => node !== null);
}
