/**
 * Admin page for the Open311 client apps: the list (name, key prefix, state, last post), creating
 * an app (its api_key shown once), rotating its key (the old one stops at once), deactivating and
 * activating it again.
 */
import type { Open311ClientKey, Open311ClientView } from '../../common/api.ts';
import { api, errorMessage } from './api.ts';
import { emptyRow, h, showMessage } from './dom.ts';
import { formatDateTime } from './format.ts';
import { t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal, wireLogout } from './page.ts';
import { showOncePanel } from './show-once.ts';

translatePage();

const el = {
  userName: byId('user-name', HTMLElement),
  logout: byId('logout', HTMLButtonElement),
  refresh: byId('clients-refresh', HTMLButtonElement),
  status: byId('clients-status', HTMLParagraphElement),
  error: byId('clients-error', HTMLParagraphElement),
  body: byId('clients-body', HTMLTableSectionElement),
  form: byId('client-form', HTMLFormElement),
  name: byId('client-name', HTMLInputElement),
  submit: byId('client-submit', HTMLButtonElement),
  formError: byId('client-form-error', HTMLParagraphElement),
};

const COLUMNS = 6;

const showKeyPanel = showOncePanel('key');
const showKey = ({ data, apiKey }: Open311ClientKey) =>
  showKeyPanel(t('open311.keyTitle', { name: data.name }), apiKey);

function button(label: string, onClick: () => void): HTMLButtonElement {
  const b = h('button', { type: 'button' }, label);
  b.addEventListener('click', onClick);
  return b;
}

function clientRow(client: Open311ClientView): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-id': String(client.id), class: client.active ? undefined : 'muted' },
    h('th', { scope: 'row' }, client.name),
    h('td', {}, h('code', {}, `${client.apiKeyPrefix}…`)),
    h('td', {}, client.active ? t('open311.active') : t('open311.inactive')),
    h('td', {}, formatDateTime(client.createdAt)),
    h('td', {}, client.lastUsedAt ? formatDateTime(client.lastUsedAt) : t('open311.never')),
    h(
      'td',
      {},
      h(
        'div',
        { class: 'actions tight' },
        button(t('open311.rotate'), () => rotate(client)),
        client.active
          ? button(t('open311.deactivate'), () => setActive(client, false))
          : button(t('open311.activate'), () => setActive(client, true)),
      ),
    ),
  );
}

async function load(): Promise<void> {
  try {
    const clients = await api.open311Clients();
    showMessage(el.error, null);
    el.body.replaceChildren(
      ...(clients.length === 0 ? [emptyRow(COLUMNS, t('open311.empty'))] : clients.map(clientRow)),
    );
  } catch (err) {
    showMessage(el.error, errorMessage(err));
  }
}

function done(message: string): Promise<void> {
  showMessage(el.status, message);
  return load();
}

function rotate(client: Open311ClientView): void {
  if (!window.confirm(t('open311.rotateConfirm', { name: client.name }))) return;
  api
    .rotateOpen311Key(client.id)
    .then((rotated) => {
      showKey(rotated);
      return done(t('open311.rotatedMessage', { name: client.name }));
    })
    .catch((err: unknown) => showMessage(el.error, errorMessage(err)));
}

function setActive(client: Open311ClientView, active: boolean): void {
  if (!active && !window.confirm(t('open311.deactivateConfirm', { name: client.name }))) return;
  api
    .setOpen311ClientActive(client.id, active)
    .then(() =>
      done(t(active ? 'open311.activatedMessage' : 'open311.deactivatedMessage', { name: client.name })),
    )
    .catch((err: unknown) => showMessage(el.error, errorMessage(err)));
}

el.form.addEventListener('submit', (event) => {
  event.preventDefault();
  el.submit.disabled = true;
  api
    .createOpen311Client(el.name.value.trim())
    .then((created) => {
      showKey(created);
      el.form.reset();
      showMessage(el.formError, null);
      return done(t('open311.createdMessage', { name: created.data.name }));
    })
    .catch((err: unknown) => showMessage(el.formError, errorMessage(err)))
    .finally(() => {
      el.submit.disabled = false;
    });
});

el.refresh.addEventListener('click', () => void load());

async function main(): Promise<void> {
  const me = await requireUser(['admin']);
  if (!me) return;
  el.userName.textContent = me.user.displayName;
  wireLogout(el.logout, () => undefined);
  await load();
}

main().catch(showFatal);
