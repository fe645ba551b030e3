/**
 * The ticket form: logs what the caller asked for, linked to the call it came from. Categories
 * come from the server; the commune is picked by typing its name (or left "Chưa xác định"), and
 * the agency the routing would choose is shown as soon as category and commune are known.
 */
import type { AgencyView, CreateTicketRequest } from '../../common/api.ts';
import { PRIORITIES, type Priority } from '../../common/domain.ts';
import type { CallPop } from '../../common/events.ts';
import type { WrittenRequestView } from '../../common/written-requests.ts';
import { ApiRequestError, api } from './api.ts';
import { h, option } from './dom.ts';
import { categoryForQueue } from './format.ts';
import { t } from './i18n.ts';
import { byId } from './page.ts';
import { loadCategories } from './reference.ts';
import { createUnitPicker } from './unit-picker.ts';

export interface TicketForm {
  /** Starts a fresh ticket for the call on screen. */
  prefill(pop: CallPop): void;
  /** Fills the form from a citizen's written request; the ticket will keep its tracking code. */
  fromWrittenRequest(request: WrittenRequestView): void;
}

export interface TicketFormDeps {
  /** The call still in progress, which a ticket created after a reset should stay linked to. */
  currentCallId(): string | null;
  /** Told after a ticket was created (e.g. the written requests' panel reloads). */
  onCreated?(): void;
}

type Outcome = NonNullable<CreateTicketRequest['outcome']>;
const OUTCOMES: readonly Outcome[] = ['assign', 'answered', 'callback'];
const DEFAULT_PRIORITY: Priority = 'normal';

const isPriority = (value: string): value is Priority => value in PRIORITIES;
const isOutcome = (value: string): value is Outcome => (OUTCOMES as readonly string[]).includes(value);

/** 128 random bits; `crypto.randomUUID` exists only on HTTPS pages, this works on any. */
function newSubmissionKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function createTicketForm(deps: TicketFormDeps): TicketForm {
  const el = {
    form: byId('ticket-form', HTMLFormElement),
    callerNumber: byId('caller-number', HTMLInputElement),
    callerName: byId('caller-name', HTMLInputElement),
    category: byId('category', HTMLSelectElement),
    unit: byId('unit', HTMLInputElement),
    unitOptions: byId('unit-options', HTMLUListElement),
    unitStatus: byId('unit-status', HTMLParagraphElement),
    address: byId('address', HTMLInputElement),
    description: byId('description', HTMLTextAreaElement),
    priority: byId('priority', HTMLSelectElement),
    outcome: byId('outcome', HTMLSelectElement),
    agencyLabel: byId('agency-label', HTMLLabelElement),
    agency: byId('agency', HTMLSelectElement),
    submit: byId('ticket-submit', HTMLButtonElement),
    error: byId('ticket-error', HTMLParagraphElement),
    created: byId('ticket-created', HTMLParagraphElement),
    trackingCode: byId('tracking-code', HTMLElement),
  };

  let linkedCallId: string | null = null;
  let writtenRequestId: number | null = null;
  let suggestion = 0;
  let prefills = 0;

  el.category.replaceChildren(option('', t('ticket.choose')));
  const categoriesLoaded = loadCategories().then(
    (list) => {
      const chosen = el.category.value;
      el.category.replaceChildren(
        option('', t('ticket.choose')),
        ...list.filter((c) => c.active).map((c) => option(c.key, c.name)),
      );
      el.category.value = chosen;
      return list;
    },
    (err: unknown) => {
      showError(err instanceof ApiRequestError ? err.message : t('error.network'));
      return [];
    },
  );
  const unit = createUnitPicker({
    input: el.unit,
    listbox: el.unitOptions,
    status: el.unitStatus,
    onChange: () => suggestAgency(),
  });
  el.agency.replaceChildren(option('', t('ticket.agencyAuto')));
  el.priority.replaceChildren(
    ...(Object.keys(PRIORITIES) as Priority[]).map((key) =>
      option(key, PRIORITIES[key], key === DEFAULT_PRIORITY),
    ),
  );
  el.outcome.replaceChildren(
    ...OUTCOMES.map((key) => option(key, t(`ticket.outcome.${key}`), key === 'assign')),
  );

  // The answer field exists only while "answered" is chosen, so that no other field's label
  // contains "Nội dung" otherwise.
  const answerLabel = h('label', { for: 'answer' }, t('ticket.answer'));
  const answer = h('textarea', { id: 'answer', name: 'answer', rows: '4' });
  answer.required = true;

  /** Shows the fields the chosen outcome needs: the answer, or the agency to forward to. */
  function syncOutcome(): void {
    const outcome = el.outcome.value;
    if (outcome === 'answered' && !answer.isConnected) el.outcome.after(answerLabel, answer);
    if (outcome !== 'answered' && answer.isConnected) {
      answerLabel.remove();
      answer.remove();
    }
    el.agencyLabel.hidden = outcome !== 'assign';
    el.agency.hidden = outcome !== 'assign';
  }

  function showError(message: string | null): void {
    el.error.textContent = message ?? '';
    el.error.hidden = message === null;
  }

  function showAgencies(agencies: AgencyView[]): void {
    const chosen = el.agency.value;
    el.agency.replaceChildren(
      option('', t('ticket.agencyAuto')),
      ...agencies.filter((a) => a.active).map((agency) => option(String(agency.id), agency.name)),
    );
    el.agency.value = chosen;
  }

  /** Preselects the agency the routing rules would pick; the operator may still override it. */
  function suggestAgency(): void {
    const category = el.category.value;
    const request = ++suggestion;
    if (category === '') return;
    api
      .suggestAgency(category, unit.value()?.code)
      .then((agency) => {
        if (request !== suggestion) return;
        if (![...el.agency.options].some((o) => o.value === String(agency.id))) {
          el.agency.append(option(String(agency.id), agency.name));
        }
        el.agency.value = String(agency.id);
      })
      .catch((err: unknown) => {
        if (request !== suggestion) return;
        // No rule for this category yet: the operator picks the agency, or the server decides.
        if (err instanceof ApiRequestError && err.code === 'NO_ROUTE') el.agency.value = '';
        else console.warn('no agency suggestion', err);
      });
  }

  function readForm(): CreateTicketRequest | null {
    const category = el.category.value;
    if (category === '') return null;
    const unitCode = unit.value()?.code;
    const address = el.address.value.trim();
    const callerName = el.callerName.value.trim();
    const agencyId = Number(el.agency.value);
    const priority = isPriority(el.priority.value) ? el.priority.value : DEFAULT_PRIORITY;
    const outcome = isOutcome(el.outcome.value) ? el.outcome.value : 'assign';
    return {
      ...(linkedCallId ? { callId: linkedCallId } : {}),
      callerNumber: el.callerNumber.value.trim(),
      ...(callerName ? { callerName } : {}),
      category,
      ...(unitCode ? { unitCode } : {}),
      ...(address ? { address } : {}),
      description: el.description.value.trim(),
      priority,
      outcome,
      ...(outcome === 'answered' ? { answer: answer.value.trim() } : {}),
      ...(outcome === 'assign' && el.agency.value && Number.isInteger(agencyId) ? { agencyId } : {}),
      ...(writtenRequestId !== null ? { writtenRequestId } : {}),
    };
  }

  // One key per filled form: pressing again after a network error resends the same key, so a
  // ticket the server created before the answer was lost is not created twice.
  let submissionKey = newSubmissionKey();

  el.outcome.addEventListener('change', syncOutcome);
  el.category.addEventListener('change', suggestAgency);

  el.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = readForm();
    if (!body) return;
    showError(null);
    el.created.hidden = true;
    el.submit.disabled = true;
    api
      .createTicket(body, submissionKey)
      .then((ticket) => {
        submissionKey = newSubmissionKey();
        el.trackingCode.textContent = ticket.trackingCode;
        el.created.hidden = false;
        el.form.reset();
        unit.set(null);
        syncOutcome();
        answer.value = '';
        suggestion++;
        linkedCallId = deps.currentCallId();
        writtenRequestId = null;
        deps.onCreated?.();
      })
      .catch((err: unknown) => {
        // The form was changed after a submission that did create its ticket: the message says
        // so, and pressing again files the changed form as a new ticket.
        if (err instanceof ApiRequestError && err.code === 'IDEMPOTENCY_KEY_REUSED') {
          submissionKey = newSubmissionKey();
        }
        showError(err instanceof ApiRequestError ? err.message : t('error.network'));
      })
      .finally(() => {
        el.submit.disabled = false;
      });
  });

  api
    .agencies()
    .then((list) => showAgencies(list.data))
    .catch((err: unknown) => showError(err instanceof ApiRequestError ? err.message : t('error.network')));

  return {
    prefill(pop) {
      submissionKey = newSubmissionKey();
      el.form.reset();
      unit.set(null);
      syncOutcome();
      answer.value = '';
      showError(null);
      el.created.hidden = true;
      linkedCallId = pop.callId;
      writtenRequestId = null;
      el.callerNumber.value = pop.caller;
      const prefill = ++prefills;
      void categoriesLoaded.then((list) => {
        // Not if another call came meanwhile, or the operator already chose.
        if (prefill !== prefills || el.category.value !== '') return;
        el.category.value = categoryForQueue(pop.queue, list);
        suggestAgency();
      });
    },
    fromWrittenRequest(request) {
      submissionKey = newSubmissionKey();
      el.form.reset();
      syncOutcome();
      answer.value = '';
      showError(null);
      el.created.hidden = true;
      linkedCallId = null;
      writtenRequestId = request.id;
      el.callerNumber.value = request.phone ?? '';
      el.callerName.value = request.citizenName ?? '';
      unit.set(
        request.unitCode && request.unitName ? { code: request.unitCode, name: request.unitName } : null,
      );
      el.address.value = request.address ?? '';
      el.description.value = request.description;
      const prefill = ++prefills;
      void categoriesLoaded.then(() => {
        if (prefill !== prefills) return;
        el.category.value = request.category ?? '';
        suggestAgency();
      });
      el.description.focus();
    },
  };
}
