/**
 * Admin page for accounts: the list with role, agency and state; creating an account (its
 * one-time password shown once, with a copy button); editing name, role, queues and agency;
 * disabling and enabling; resetting a password.
 */
import type { AccountCreated, AccountView, AgencyView } from '../../common/api.ts';
import { hasSoftphone, QUEUE_NAMES, QUEUES, type QueueName, ROLES, type Role } from '../../common/domain.ts';
import { api, errorMessage } from './api.ts';
import { emptyRow, h, option, showMessage } from './dom.ts';
import { t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal, wireLogout } from './page.ts';
import { showOncePanel } from './show-once.ts';

translatePage();

const el = {
  userName: byId('user-name', HTMLElement),
  logout: byId('logout', HTMLButtonElement),
  formPanel: byId('form-panel', HTMLElement),
  formHeading: byId('form-heading', HTMLHeadingElement),
  form: byId('account-form', HTMLFormElement),
  usernameField: byId('username-field', HTMLParagraphElement),
  username: byId('f-username', HTMLInputElement),
  displayName: byId('f-display-name', HTMLInputElement),
  role: byId('f-role', HTMLSelectElement),
  skillsField: byId('f-skills-field', HTMLFieldSetElement),
  skills: byId('f-skills', HTMLDivElement),
  agencyField: byId('f-agency-field', HTMLParagraphElement),
  agency: byId('f-agency', HTMLSelectElement),
  submit: byId('form-submit', HTMLButtonElement),
  cancel: byId('form-cancel', HTMLButtonElement),
  formError: byId('form-error', HTMLParagraphElement),
  newAccount: byId('new-account', HTMLButtonElement),
  filterRole: byId('filter-role', HTMLSelectElement),
  filterText: byId('filter-text', HTMLInputElement),
  listStatus: byId('list-status', HTMLParagraphElement),
  listError: byId('list-error', HTMLParagraphElement),
  body: byId('accounts-body', HTMLTableSectionElement),
};

const roleLabel = (role: Role): string => t(`role.${role}`);

const showOtpPanel = showOncePanel('otp');
const showOneTimePassword = (created: AccountCreated) =>
  showOtpPanel(t('users.otpTitle', { username: created.data.username }), created.oneTimePassword);

let accounts: AccountView[] = [];
let selfId = 0;
/** The account being edited; null while creating one. */
let editing: AccountView | null = null;

function stateLabel(account: AccountView): string {
  if (account.disabled) return t('users.disabled');
  if (account.mustChangePassword) return t('users.mustChange');
  return t('users.active');
}

/** Shows the queues for softphone roles and the agency for liaisons. */
function fitFieldsToRole(): void {
  const role = el.role.value as Role;
  el.skillsField.hidden = !hasSoftphone(role);
  el.agencyField.hidden = role !== 'agency';
}

function chosenSkills(): QueueName[] {
  return [...el.skills.querySelectorAll<HTMLInputElement>('input[type=checkbox]')]
    .filter((box) => box.checked)
    .map((box) => box.value as QueueName);
}

function openForm(account: AccountView | null): void {
  editing = account;
  showMessage(el.formError, null);
  el.formHeading.textContent = account
    ? t('users.editTitle', { username: account.username })
    : t('users.createTitle');
  el.submit.textContent = account ? t('users.save') : t('users.create');
  el.usernameField.hidden = account !== null;
  el.username.required = account === null;
  el.username.value = '';
  el.displayName.value = account?.displayName ?? '';
  el.role.value = account?.role ?? 'operator';
  // An admin keeps their own admin role (the server refuses dropping it too).
  el.role.disabled = account !== null && account.id === selfId;
  for (const box of el.skills.querySelectorAll<HTMLInputElement>('input[type=checkbox]')) {
    box.checked = account ? account.skills.includes(box.value as QueueName) : box.value === 'general';
  }
  el.agency.value = account?.agencyId ? String(account.agencyId) : '';
  fitFieldsToRole();
  el.formPanel.hidden = false;
  (account ? el.displayName : el.username).focus();
}

function closeForm(): void {
  el.formPanel.hidden = true;
  editing = null;
  el.newAccount.focus();
}

el.role.addEventListener('change', fitFieldsToRole);
el.newAccount.addEventListener('click', () => openForm(null));
el.cancel.addEventListener('click', closeForm);

el.form.addEventListener('submit', (event) => {
  event.preventDefault();
  showMessage(el.formError, null);
  const role = el.role.value as Role;
  const skills = hasSoftphone(role) ? chosenSkills() : [];
  const agencyId = role === 'agency' && el.agency.value ? Number(el.agency.value) : null;
  const displayName = el.displayName.value.trim();
  el.submit.disabled = true;
  const done = editing
    ? api
        .updateAccount(editing.id, { displayName, role, skills, agencyId })
        .then(({ data }) => showMessage(el.listStatus, t('users.saved', { username: data.username })))
    : api
        .createAccount({ username: el.username.value.trim(), displayName, role, skills, agencyId })
        .then((created) => {
          showMessage(el.listStatus, t('users.created', { username: created.data.username }));
          showOneTimePassword(created);
        });
  done
    .then(() => {
      el.formPanel.hidden = true;
      editing = null;
      return load();
    })
    .catch((err: unknown) => showMessage(el.formError, errorMessage(err)))
    .finally(() => {
      el.submit.disabled = false;
    });
});

/** Runs an action on one account after the admin confirms it, then reloads the list. */
function act(
  question: string,
  run: () => Promise<AccountCreated | { data: AccountView }>,
  after: (result: AccountCreated | { data: AccountView }) => void,
): void {
  if (!window.confirm(question)) return;
  showMessage(el.listError, null);
  run()
    .then((result) => {
      after(result);
      return load();
    })
    .catch((err: unknown) => showMessage(el.listError, errorMessage(err)));
}

function actionButtons(account: AccountView): HTMLElement {
  const edit = h('button', { type: 'button' }, t('users.edit'));
  edit.addEventListener('click', () => openForm(account));
  const toggle = h(
    'button',
    { type: 'button', class: account.disabled ? undefined : 'danger-outline' },
    account.disabled ? t('users.enable') : t('users.disable'),
  );
  toggle.disabled = account.id === selfId;
  toggle.addEventListener('click', () =>
    account.disabled
      ? act(
          t('users.confirmEnable', { username: account.username }),
          () => api.enableAccount(account.id),
          () => showMessage(el.listStatus, t('users.enabledDone', { username: account.username })),
        )
      : act(
          t('users.confirmDisable', { username: account.username }),
          () => api.disableAccount(account.id),
          () => showMessage(el.listStatus, t('users.disabledDone', { username: account.username })),
        ),
  );
  const reset = h('button', { type: 'button' }, t('users.reset'));
  reset.addEventListener('click', () =>
    act(
      t('users.confirmReset', { username: account.username }),
      () => api.resetAccountPassword(account.id),
      (result) => {
        if ('oneTimePassword' in result) showOneTimePassword(result);
      },
    ),
  );
  return h('div', { class: 'actions tight' }, edit, toggle, reset);
}

function render(): void {
  const role = el.filterRole.value;
  const text = el.filterText.value.trim().toLocaleLowerCase('vi');
  const shown = accounts.filter(
    (a) =>
      (!role || a.role === role) &&
      (!text ||
        a.username.includes(text) ||
        a.displayName.toLocaleLowerCase('vi').includes(text) ||
        (a.agencyName ?? '').toLocaleLowerCase('vi').includes(text)),
  );
  el.body.replaceChildren(
    ...(shown.length === 0
      ? [emptyRow(6, t('users.none'))]
      : shown.map((a) =>
          h(
            'tr',
            { 'data-username': a.username, 'data-state': a.disabled ? 'disabled' : 'active' },
            h('td', {}, a.username),
            h('td', {}, a.displayName),
            h(
              'td',
              {},
              roleLabel(a.role),
              a.skills.length > 0
                ? h('small', { class: 'muted' }, ` (${a.skills.map((s) => QUEUES[s].label).join(', ')})`)
                : null,
            ),
            h('td', {}, a.agencyName ?? '—'),
            h('td', {}, h('span', { class: a.disabled ? 'badge badge-inactive' : 'badge' }, stateLabel(a))),
            h('td', {}, actionButtons(a)),
          ),
        )),
  );
}

async function load(): Promise<void> {
  try {
    accounts = await api.accounts();
    showMessage(el.listError, null);
    render();
  } catch (err) {
    showMessage(el.listError, errorMessage(err));
  }
}

function fillChoices(agencies: readonly AgencyView[]): void {
  el.role.replaceChildren(...ROLES.map((role) => option(role, roleLabel(role))));
  el.filterRole.replaceChildren(
    option('', t('users.allRoles'), true),
    ...ROLES.map((role) => option(role, roleLabel(role))),
  );
  el.skills.replaceChildren(
    ...QUEUE_NAMES.map((queue) => {
      const id = `f-skill-${queue}`;
      return h(
        'label',
        { class: 'checkbox', for: id },
        h('input', { type: 'checkbox', id, value: queue }),
        ` ${QUEUES[queue].label}`,
      );
    }),
  );
  el.agency.replaceChildren(
    option('', t('users.chooseAgency'), true),
    ...agencies.filter((a) => a.active).map((a) => option(String(a.id), a.name)),
  );
}

el.filterRole.addEventListener('change', render);
el.filterText.addEventListener('input', render);

async function start(): Promise<void> {
  const me = await requireUser(['admin']);
  if (!me) return;
  selfId = me.user.id;
  el.userName.textContent = me.user.displayName;
  wireLogout(el.logout, () => {});
  const agencies = await api.agencies();
  fillChoices(agencies.data);
  await load();
  // The agencies page links here to add a liaison: the form opens for that agency.
  const agencyId = new URLSearchParams(location.search).get('agency');
  if (agencyId && agencies.data.some((a) => a.active && String(a.id) === agencyId)) {
    openForm(null);
    el.role.value = 'agency';
    el.agency.value = agencyId;
    fitFieldsToRole();
  }
}

start().catch(showFatal);
