/**
 * Admin page: the categories and their routing (a default agency per category, and the
 * communes where it goes to another agency; each change saves on its own), the SMS outbox
 * as the development driver keeps it, and the scheduled report summaries with their files.
 */
import type {
  AgencyView,
  CategoryView,
  ReportMailView,
  RoutingException,
  SmsView,
} from '../../common/api.ts';
import { AGENCY_KINDS, type AgencyKind } from '../../common/domain.ts';
import { api, errorMessage } from './api.ts';
import { emptyRow, h, option, showMessage } from './dom.ts';
import { categoryKeyFrom, formatDateTime } from './format.ts';
import { smsEventLabel, t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal, wireLogout } from './page.ts';
import { createUnitPicker, unitPickerParts } from './unit-picker.ts';

translatePage();

/** Exception lists longer than this start folded, so the page stays scannable. */
const FOLD_EXCEPTIONS_OVER = 8;

const el = {
  userName: byId('user-name', HTMLElement),
  logout: byId('logout', HTMLButtonElement),
  routingStatus: byId('routing-status', HTMLParagraphElement),
  routingError: byId('routing-error', HTMLParagraphElement),
  cards: byId('category-cards', HTMLDivElement),
  categoryForm: byId('category-form', HTMLFormElement),
  newName: byId('new-category-name', HTMLInputElement),
  newKey: byId('new-category-key', HTMLInputElement),
  newAgency: byId('new-category-agency', HTMLSelectElement),
  categoryFormError: byId('category-form-error', HTMLParagraphElement),
  smsRefresh: byId('sms-refresh', HTMLButtonElement),
  smsError: byId('sms-error', HTMLParagraphElement),
  smsBody: byId('sms-body', HTMLTableSectionElement),
  mailsRefresh: byId('report-mails-refresh', HTMLButtonElement),
  mailsError: byId('report-mails-error', HTMLParagraphElement),
  mailsBody: byId('report-mails-body', HTMLTableSectionElement),
};

let agencies: AgencyView[] = [];

function saved(message: string): void {
  showMessage(el.routingError, null);
  showMessage(el.routingStatus, message);
}

function failed(err: unknown, what?: string): void {
  showMessage(el.routingStatus, null);
  showMessage(el.routingError, what ? `${what}: ${errorMessage(err)}` : errorMessage(err));
}

/**
 * The agencies to choose from, grouped by kind: active ones, plus `current` even when it is no
 * longer active, so the select shows what is really stored.
 */
function agencyChoices(select: HTMLSelectElement, current: AgencyView | null, empty: string | null): void {
  const shown = agencies.filter((a) => a.active || a.id === current?.id);
  const groups = (Object.keys(AGENCY_KINDS) as AgencyKind[])
    .map((kind) => ({ kind, members: shown.filter((a) => a.kind === kind) }))
    .filter((g) => g.members.length > 0)
    .map((g) => {
      const group = h('optgroup', { label: AGENCY_KINDS[g.kind] });
      group.append(
        ...g.members.map((a) =>
          option(String(a.id), a.active ? a.name : `${a.name} ${t('admin.agencyInactive')}`),
        ),
      );
      return group;
    });
  select.replaceChildren(...(empty !== null ? [option('', empty)] : []), ...groups);
  select.value = current ? String(current.id) : '';
}

// ── A category's card ───────────────────────────────────────────────────────────────────────

function categoryCard(initial: CategoryView): HTMLElement {
  let category = initial;
  const id = `cat-${category.key}`;
  const heading = h('h3', { id: `${id}-heading` });
  const inactiveBadge = h('span', { class: 'badge badge-inactive' }, t('admin.inactive'));
  const name = h('input', { id: `${id}-name`, type: 'text', required: '', maxlength: '100' });
  const agency = h('select', { id: `${id}-agency` });
  const days = h('input', {
    id: `${id}-days`,
    type: 'number',
    min: '1',
    max: '365',
    step: '1',
    placeholder: t('admin.daysDefault'),
    inputmode: 'numeric',
  });
  const toggle = h('button', { type: 'button' });
  const card = h('article', {
    class: 'category-card',
    'data-category': category.key,
    'aria-labelledby': heading.id,
  });

  function show(): void {
    heading.replaceChildren(category.name, ' ', h('code', { class: 'muted' }, category.key));
    if (!category.active) heading.append(' ', inactiveBadge);
    card.classList.toggle('inactive', !category.active);
    name.value = category.name;
    agencyChoices(agency, category.defaultAgency, t('admin.noDefault'));
    days.value = category.resolveWorkingDays === null ? '' : String(category.resolveWorkingDays);
    toggle.textContent = category.active ? t('admin.deactivate') : t('admin.activate');
    toggle.className = category.active ? 'danger-outline' : 'primary';
  }

  function patch(body: Parameters<typeof api.updateCategory>[1], what: string, control: HTMLElement): void {
    control.dataset.state = 'saving';
    api
      .updateCategory(category.key, body)
      .then((next) => {
        category = next;
        show();
        control.dataset.state = 'saved';
        saved(t('admin.categorySaved', { category: category.name, what }));
      })
      .catch((err: unknown) => {
        control.dataset.state = 'error';
        // Back to what the server still has.
        show();
        failed(err, category.name);
      });
  }

  name.addEventListener('change', () => {
    const value = name.value.trim();
    if (value === '' || value === category.name) return show();
    patch({ name: value }, t('admin.categoryName'), name);
  });
  agency.addEventListener('change', () => {
    const agencyId = agency.value === '' ? null : Number(agency.value);
    patch({ defaultAgencyId: agencyId }, t('admin.defaultAgency'), agency);
  });
  days.addEventListener('change', () => {
    const value = days.value.trim();
    const n = Number(value);
    if (value !== '' && !(Number.isInteger(n) && n >= 1 && n <= 365)) {
      showMessage(el.routingStatus, null);
      showMessage(el.routingError, `${category.name}: ${t('admin.badDays')}`);
      return show();
    }
    patch({ resolveWorkingDays: value === '' ? null : n }, t('admin.resolveDays'), days);
  });
  toggle.addEventListener('click', () => {
    patch(
      { active: !category.active },
      category.active ? t('admin.deactivated') : t('admin.activated'),
      toggle,
    );
  });

  show();
  card.append(
    heading,
    h(
      'div',
      { class: 'card-fields' },
      h('p', { class: 'field' }, h('label', { for: name.id }, t('admin.categoryName')), name),
      h('p', { class: 'field' }, h('label', { for: agency.id }, t('admin.defaultAgency')), agency),
      h('p', { class: 'field field-narrow' }, h('label', { for: days.id }, t('admin.resolveDays')), days),
      h('p', { class: 'field field-button' }, toggle),
    ),
    exceptionsPart(() => category),
  );
  return card;
}

// ── Communes that differ ────────────────────────────────────────────────────────────────────

function exceptionsPart(current: () => CategoryView): HTMLElement {
  const key = current().key;
  const summary = h('summary', {});
  const list = h('ul', { class: 'exceptions', 'data-testid': `exceptions-${key}` });
  const details = h('details', { class: 'exceptions-box' }, summary, list);

  function render(items: RoutingException[]): void {
    summary.textContent = t('admin.exceptions', { count: items.length });
    details.open = items.length > 0 && items.length <= FOLD_EXCEPTIONS_OVER;
    list.replaceChildren(
      ...(items.length === 0
        ? [h('li', { class: 'muted' }, t('admin.noExceptions'))]
        : items.map((item) => exceptionItem(item, reload))),
    );
  }

  function reload(): Promise<void> {
    return api
      .routingExceptions(key)
      .then(render)
      .catch((err: unknown) => failed(err, current().name));
  }

  void reload();
  return h(
    'div',
    { class: 'exceptions-part' },
    details,
    addExceptionLine(current, () => {
      details.open = true;
      return reload();
    }),
  );
}

function exceptionItem(item: RoutingException, reload: () => Promise<void>): HTMLLIElement {
  const remove = h(
    'button',
    {
      type: 'button',
      class: 'danger-outline',
      'aria-label': t('admin.removeException', { unit: item.unit.name }),
    },
    t('admin.remove'),
  );
  remove.addEventListener('click', () => {
    remove.disabled = true;
    api
      .deleteRoutingException(item.category, item.unit.code)
      .then(() => {
        saved(t('admin.exceptionRemoved', { unit: item.unit.name }));
        return reload();
      })
      .catch((err: unknown) => {
        remove.disabled = false;
        failed(err, item.unit.name);
      });
  });
  return h(
    'li',
    { 'data-unit-code': item.unit.code },
    h('span', { class: 'exception-unit' }, item.unit.name),
    h('span', { 'aria-hidden': 'true' }, ' → '),
    h('span', { class: 'visually-hidden' }, ` ${t('admin.goesTo')} `),
    h('span', { class: 'exception-agency' }, item.agency.name),
    remove,
  );
}

function addExceptionLine(current: () => CategoryView, added: () => Promise<void>): HTMLElement {
  const key = current().key;
  const parts = unitPickerParts(t('admin.exceptionUnit'), t('admin.unitPlaceholder'));
  const agency = h('select', { id: `${parts.input.id}-agency` });
  agencyChoices(agency, null, t('ticket.choose'));
  const add = h('button', { type: 'button', class: 'primary' }, t('admin.addException'));
  const problem = h('p', { class: 'message-inline-error', role: 'alert', hidden: '' });
  const picker = createUnitPicker({
    ...parts,
    onChange(unit) {
      // A commune's own People's Committee is the usual exception: offer it first.
      const own = unit ? agencies.find((a) => a.active && a.unitCode === unit.code) : undefined;
      if (own) agency.value = String(own.id);
    },
  });

  add.addEventListener('click', () => {
    const unit = picker.value();
    const agencyId = Number(agency.value);
    if (unit === null || agency.value === '') {
      showMessage(problem, unit === null ? t('admin.pickUnit') : t('admin.pickAgency'));
      (unit === null ? parts.input : agency).focus();
      return;
    }
    showMessage(problem, null);
    add.disabled = true;
    api
      .putRoutingException({ category: key, unitCode: unit.code, agencyId })
      .then(async (rule) => {
        saved(
          t('admin.exceptionSaved', {
            category: current().name,
            unit: rule.unit.name,
            agency: rule.agency.name,
          }),
        );
        picker.set(null);
        agency.value = '';
        await added();
        parts.input.focus();
      })
      .catch((err: unknown) => showMessage(problem, errorMessage(err)))
      .finally(() => {
        add.disabled = false;
      });
  });

  return h(
    'div',
    {
      class: 'add-exception',
      role: 'group',
      'aria-label': t('admin.addExceptionFor', { category: current().name }),
    },
    h('p', { class: 'field field-wide' }, parts.label, parts.field),
    h('p', { class: 'field' }, h('label', { for: agency.id }, t('admin.exceptionAgency')), agency),
    h('p', { class: 'field field-button' }, add),
    problem,
  );
}

// ── Loading and adding categories ───────────────────────────────────────────────────────────

async function loadRouting(): Promise<void> {
  const [categories, list] = await Promise.all([api.categories(true), api.agencies()]);
  agencies = [...list.data].sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  el.cards.replaceChildren(...categories.map(categoryCard));
  agencyChoices(el.newAgency, null, t('admin.noDefault'));
}

function wireCategoryForm(): void {
  let keyEdited = false;
  el.newKey.addEventListener('input', () => {
    keyEdited = el.newKey.value !== '';
  });
  el.newName.addEventListener('input', () => {
    if (!keyEdited) el.newKey.value = categoryKeyFrom(el.newName.value);
  });
  el.categoryForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const submit = el.categoryForm.querySelector('button[type=submit]') as HTMLButtonElement;
    submit.disabled = true;
    api
      .createCategory({
        key: el.newKey.value.trim(),
        name: el.newName.value.trim(),
        defaultAgencyId: el.newAgency.value === '' ? null : Number(el.newAgency.value),
      })
      .then((created) => {
        showMessage(el.categoryFormError, null);
        el.categoryForm.reset();
        keyEdited = false;
        el.cards.append(categoryCard(created));
        saved(t('admin.categoryAdded', { category: created.name }));
      })
      .catch((err: unknown) => showMessage(el.categoryFormError, errorMessage(err)))
      .finally(() => {
        submit.disabled = false;
      });
  });
}

// ── SMS outbox ──────────────────────────────────────────────────────────────────────────────

function renderSms(messages: SmsView[]): void {
  el.smsBody.replaceChildren(
    ...(messages.length === 0
      ? [emptyRow(5, t('admin.smsEmpty'))]
      : messages.map((m) =>
          h(
            'tr',
            { 'data-sms-id': String(m.id), 'data-event': m.event },
            h('td', { class: 'nowrap' }, formatDateTime(m.sentAt ?? m.createdAt)),
            h('td', { class: 'nowrap', 'data-testid': 'sms-to' }, m.to),
            h('td', {}, smsEventLabel(m.event)),
            h('td', { class: `sms-${m.status}` }, t(`smsStatus.${m.status}`)),
            h('td', { class: 'prose', 'data-testid': 'sms-body' }, m.body),
          ),
        )),
  );
}

async function loadSms(): Promise<void> {
  try {
    const messages = await api.smsOutbox();
    showMessage(el.smsError, null);
    renderSms(messages.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)));
  } catch (err) {
    showMessage(el.smsError, errorMessage(err));
  }
}

// ── Report mails ────────────────────────────────────────────────────────────────────────────

function renderReportMails(mails: ReportMailView[]): void {
  el.mailsBody.replaceChildren(
    ...(mails.length === 0
      ? [emptyRow(6, t('admin.reportMailsEmpty'))]
      : mails.map((m) =>
          h(
            'tr',
            { 'data-report-mail-id': String(m.id), 'data-kind': m.kind },
            h('td', { class: 'nowrap' }, formatDateTime(m.sentAt ?? m.createdAt)),
            h(
              'td',
              { class: 'nowrap' },
              `${t(`reportMailKind.${m.kind}`)} ${m.periodFrom === m.periodTo ? m.periodFrom : `${m.periodFrom} – ${m.periodTo}`}`,
            ),
            h('td', {}, m.recipients.join(', ')),
            h('td', { class: 'prose' }, m.subject),
            h(
              'td',
              { class: `sms-${m.status}`, title: m.lastError ?? undefined },
              m.status === 'pending' && m.lastError
                ? `${t('smsStatus.pending')} (${t('admin.reportMailRetry', { attempts: m.attempts, error: m.lastError })})`
                : t(`smsStatus.${m.status}`),
            ),
            h('td', {}, h('a', { href: api.reportMailFileUrl(m.id), download: m.fileName }, m.fileName)),
          ),
        )),
  );
}

async function loadReportMails(): Promise<void> {
  try {
    const mails = await api.reportMails();
    showMessage(el.mailsError, null);
    renderReportMails(mails);
  } catch (err) {
    showMessage(el.mailsError, errorMessage(err));
  }
}

async function start(): Promise<void> {
  const me = await requireUser(['admin']);
  if (!me) return;
  el.userName.textContent = me.user.displayName;
  el.smsRefresh.addEventListener('click', () => void loadSms());
  el.mailsRefresh.addEventListener('click', () => void loadReportMails());
  wireCategoryForm();
  await Promise.all([loadRouting().catch((err: unknown) => failed(err)), loadSms(), loadReportMails()]);
  wireLogout(el.logout, () => undefined);
}

start().catch(showFatal);
