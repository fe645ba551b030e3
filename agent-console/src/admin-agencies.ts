/**
 * Admin page for the agencies: the list with filters (kind, active), the form that creates or
 * edits one (with the commune picker for a commune's committee), rotating a webhook secret (the new
 * one shown once), whether its forwarded tickets carry the citizen's number, deactivating (asking
 * which agency takes its open tickets) and activating again.
 * Liaison accounts are made on the accounts page, linked from each agency.
 */
import type { AgencyAdminView, AgencyDeactivated, CreateAgencyRequest } from '../../common/api.ts';
import { AGENCY_KINDS, type AgencyKind } from '../../common/domain.ts';
import { api, errorMessage } from './api.ts';
import { openFormDialog } from './dialog.ts';
import { emptyRow, h, option, showMessage } from './dom.ts';
import { t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal, wireLogout } from './page.ts';
import { showOncePanel } from './show-once.ts';
import { createUnitPicker } from './unit-picker.ts';

translatePage();

const el = {
  userName: byId('user-name', HTMLElement),
  logout: byId('logout', HTMLButtonElement),
  refresh: byId('agencies-refresh', HTMLButtonElement),
  filterKind: byId('filter-kind', HTMLSelectElement),
  filterActive: byId('filter-active', HTMLSelectElement),
  status: byId('agencies-status', HTMLParagraphElement),
  error: byId('agencies-error', HTMLParagraphElement),
  body: byId('agencies-body', HTMLTableSectionElement),
  form: byId('agency-form', HTMLFormElement),
  formHeading: byId('agency-form-heading', HTMLHeadingElement),
  code: byId('agency-code', HTMLInputElement),
  name: byId('agency-name', HTMLInputElement),
  kind: byId('agency-kind', HTMLSelectElement),
  url: byId('agency-url', HTMLInputElement),
  receivesNumber: byId('agency-receives-number', HTMLInputElement),
  submit: byId('agency-submit', HTMLButtonElement),
  cancel: byId('agency-cancel', HTMLButtonElement),
  formError: byId('agency-form-error', HTMLParagraphElement),
};

const unitPicker = createUnitPicker({
  input: byId('agency-unit', HTMLInputElement),
  listbox: byId('agency-unit-options', HTMLUListElement),
  status: byId('agency-unit-status', HTMLElement),
});

const COLUMNS = 9;
/** Beside the webhook of an agency whose forwarded tickets carry the citizen's number. */
const RECEIVES_NUMBER_NOTE = 'Nhận số điện thoại người dân';
const KINDS = Object.keys(AGENCY_KINDS) as AgencyKind[];
let agencies: AgencyAdminView[] = [];
/** The agency the form edits; null: the form creates one. */
let editing: AgencyAdminView | null = null;

const showSecretPanel = showOncePanel('secret');
const showSecret = (name: string, secret: string) =>
  showSecretPanel(t('agencies.secretTitle', { name }), secret);

el.filterKind.append(option('', t('agencies.allKinds')), ...KINDS.map((k) => option(k, AGENCY_KINDS[k])));
el.kind.append(...KINDS.map((k) => option(k, AGENCY_KINDS[k], k === 'department')));

function visible(): AgencyAdminView[] {
  const kind = el.filterKind.value;
  const state = el.filterActive.value;
  return agencies.filter(
    (a) => (kind === '' || a.kind === kind) && (state === '' || (state === 'active' ? a.active : !a.active)),
  );
}

function button(label: string, onClick: () => void): HTMLButtonElement {
  const b = h('button', { type: 'button' }, label);
  b.addEventListener('click', onClick);
  return b;
}

function agencyRow(agency: AgencyAdminView): HTMLTableRowElement {
  const liaisons = h(
    'td',
    {},
    ...(agency.liaisons.length === 0
      ? [h('div', { class: 'muted' }, t('agencies.noLiaison'))]
      : agency.liaisons.map((l) =>
          h(
            'div',
            {},
            `${l.displayName} (${l.username})`,
            l.disabled ? ` ${t('agencies.disabledLiaison')}` : '',
          ),
        )),
    agency.active
      ? h('a', { href: `/admin-users.html?agency=${agency.id}` }, t('agencies.addLiaison'))
      : null,
  );
  const actions = h(
    'td',
    {},
    h(
      'div',
      { class: 'actions tight' },
      button(t('agencies.edit'), () => startEdit(agency)),
      button(t('agencies.rotate'), () => rotate(agency)),
      agency.active
        ? button(t('agencies.deactivate'), () => deactivate(agency))
        : button(t('agencies.activate'), () => activate(agency)),
    ),
  );
  return h(
    'tr',
    { 'data-code': agency.code, class: agency.active ? undefined : 'muted' },
    h('td', {}, agency.code),
    h('th', { scope: 'row' }, agency.name),
    h('td', {}, AGENCY_KINDS[agency.kind]),
    h('td', {}, agency.unit?.name ?? ''),
    h('td', {}, agency.active ? t('agencies.active') : t('agencies.inactive')),
    h(
      'td',
      {},
      agency.forwardUrl ?? h('span', { class: 'muted' }, t('agencies.noWebhook')),
      agency.receivesCallerNumber && h('div', { class: 'muted' }, RECEIVES_NUMBER_NOTE),
    ),
    liaisons,
    h('td', {}, String(agency.openTickets)),
    actions,
  );
}

function render(): void {
  const rows = visible();
  el.body.replaceChildren(
    ...(rows.length === 0 ? [emptyRow(COLUMNS, t('agencies.empty'))] : rows.map(agencyRow)),
  );
}

async function load(): Promise<void> {
  try {
    agencies = await api.adminAgencies();
    showMessage(el.error, null);
    render();
  } catch (err) {
    showMessage(el.error, errorMessage(err));
  }
}

function done(message: string): Promise<void> {
  showMessage(el.status, message);
  return load();
}

function resetForm(): void {
  editing = null;
  el.form.reset();
  el.code.disabled = false;
  unitPicker.set(null);
  el.formHeading.textContent = t('agencies.formNew');
  el.submit.textContent = t('agencies.create');
  el.cancel.hidden = true;
  showMessage(el.formError, null);
}

function startEdit(agency: AgencyAdminView): void {
  editing = agency;
  el.code.value = agency.code;
  el.code.disabled = true;
  el.name.value = agency.name;
  el.kind.value = agency.kind;
  el.url.value = agency.forwardUrl ?? '';
  el.receivesNumber.checked = agency.receivesCallerNumber;
  unitPicker.set(agency.unit);
  el.formHeading.textContent = t('agencies.formEdit', { name: agency.name });
  el.submit.textContent = t('agencies.save');
  el.cancel.hidden = false;
  showMessage(el.formError, null);
  el.name.focus();
}

el.cancel.addEventListener('click', resetForm);

el.form.addEventListener('submit', (event) => {
  event.preventDefault();
  const body: Omit<CreateAgencyRequest, 'code'> = {
    name: el.name.value.trim(),
    kind: el.kind.value as AgencyKind,
    unitCode: unitPicker.value()?.code ?? null,
    forwardUrl: el.url.value.trim() || null,
    receivesCallerNumber: el.receivesNumber.checked,
  };
  const target = editing;
  el.submit.disabled = true;
  const saved = target
    ? api.updateAgency(target.id, body).then((a) => t('agencies.saved', { name: a.name }))
    : api.createAgency({ ...body, code: el.code.value.trim() }).then((created) => {
        showSecret(created.data.name, created.secret);
        return t('agencies.created', { name: created.data.name });
      });
  saved
    .then((message) => {
      resetForm();
      return done(message);
    })
    .catch((err: unknown) => showMessage(el.formError, errorMessage(err)))
    .finally(() => {
      el.submit.disabled = false;
    });
});

function rotate(agency: AgencyAdminView): void {
  if (!window.confirm(t('agencies.rotateConfirm', { name: agency.name }))) return;
  api
    .rotateAgencySecret(agency.id)
    .then((secret) => showSecret(agency.name, secret))
    .catch((err: unknown) => showMessage(el.error, errorMessage(err)));
}

function movedText(result: AgencyDeactivated, name: string): string {
  const text = t('agencies.deactivated', { name, moved: result.moved });
  if (result.rulesMoved.length === 0) return text;
  const rules = result.rulesMoved
    .map((r) =>
      r.unitName === null
        ? t('agencies.ruleDefault', { category: r.categoryName })
        : `${r.categoryName} — ${r.unitName}`,
    )
    .join('; ');
  return `${text} ${t('agencies.rulesMoved', { rules })}`;
}

/** The target is required while the agency holds open tickets; the server says so too, with the count. */
function deactivate(agency: AgencyAdminView): void {
  const targets = agencies.filter((a) => a.active && a.id !== agency.id);
  const label =
    agency.openTickets > 0 ? t('agencies.moveTo', { count: agency.openTickets }) : t('agencies.moveToNone');
  openFormDialog({
    title: t('agencies.deactivateTitle', { name: agency.name }),
    submitLabel: t('agencies.deactivate'),
    fields: [
      {
        name: 'target',
        label,
        kind: 'select',
        required: agency.openTickets > 0,
        options: [
          { value: '', label: t('agencies.noTarget') },
          ...targets.map((a) => ({ value: String(a.id), label: `${a.name} (${AGENCY_KINDS[a.kind]})` })),
        ],
      },
    ],
    async submit(values) {
      const result = await api.deactivateAgency(agency.id, values.target ? Number(values.target) : undefined);
      await done(movedText(result, agency.name));
    },
  });
}

function activate(agency: AgencyAdminView): void {
  api
    .activateAgency(agency.id)
    .then((a) => done(t('agencies.activated', { name: a.name })))
    .catch((err: unknown) => showMessage(el.error, errorMessage(err)));
}

el.filterKind.addEventListener('change', render);
el.filterActive.addEventListener('change', render);
el.refresh.addEventListener('click', () => void load());

async function main(): Promise<void> {
  const me = await requireUser(['admin']);
  if (!me) return;
  el.userName.textContent = me.user.displayName;
  wireLogout(el.logout, () => undefined);
  await load();
}

main().catch(showFatal);
