/**
 * Admin page: the routing matrix (category × district → agency; each cell saves on its own)
 * and the SMS outbox as the development driver keeps it.
 */
import type { AgencyView, RoutingRule, SmsView } from '../../common/api.ts';
import {
  CATEGORIES,
  CATEGORY_KEYS,
  type Category,
  DISTRICT_KEYS,
  DISTRICTS,
  type District,
} from '../../common/domain.ts';
import { api, errorMessage } from './api.ts';
import { emptyRow, h, option, showMessage } from './dom.ts';
import { formatDateTime } from './format.ts';
import { smsEventLabel, t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal, wireLogout } from './page.ts';

translatePage();

const el = {
  userName: byId('user-name', HTMLElement),
  logout: byId('logout', HTMLButtonElement),
  routingStatus: byId('routing-status', HTMLParagraphElement),
  routingError: byId('routing-error', HTMLParagraphElement),
  routingHead: byId('routing-head', HTMLTableRowElement),
  routingBody: byId('routing-body', HTMLTableSectionElement),
  smsRefresh: byId('sms-refresh', HTMLButtonElement),
  smsError: byId('sms-error', HTMLParagraphElement),
  smsBody: byId('sms-body', HTMLTableSectionElement),
};

const columns: Array<District | null> = [null, ...DISTRICT_KEYS];
const districtLabel = (district: District | null) => (district ? DISTRICTS[district] : t('admin.default'));
const ruleKey = (category: Category, district: District | null) => `${category}/${district ?? ''}`;

function cell(
  category: Category,
  district: District | null,
  rule: RoutingRule | undefined,
  agencies: readonly AgencyView[],
): HTMLTableCellElement {
  const label = t('admin.cellLabel', { category: CATEGORIES[category], district: districtLabel(district) });
  const select = h('select', {
    'aria-label': label,
    'data-category': category,
    'data-district': district ?? '',
  });
  const current = rule ? String(rule.agency.id) : '';
  if (!rule) select.append(option('', t('admin.useDefault'), true));
  select.append(...agencies.map((a) => option(String(a.id), a.name, String(a.id) === current)));
  select.addEventListener('change', () => {
    const agencyId = Number(select.value);
    if (!Number.isInteger(agencyId) || agencyId <= 0) return;
    td.dataset.state = 'saving';
    select.disabled = true;
    api
      .putRoutingRule({ category, district, agencyId })
      .then((saved) => {
        td.dataset.state = 'saved';
        td.classList.remove('inherits');
        select.querySelector('option[value=""]')?.remove();
        for (const o of select.options) o.defaultSelected = o.value === String(saved.agency.id);
        select.value = String(saved.agency.id);
        showMessage(el.routingError, null);
        showMessage(
          el.routingStatus,
          t('admin.saved', {
            category: CATEGORIES[category],
            district: districtLabel(district),
            agency: saved.agency.name,
          }),
        );
      })
      .catch((err: unknown) => {
        td.dataset.state = 'error';
        // Back to what the server still has.
        for (const o of select.options) if (o.defaultSelected) select.value = o.value;
        showMessage(el.routingStatus, null);
        showMessage(el.routingError, `${label}: ${errorMessage(err)}`);
      })
      .finally(() => {
        select.disabled = false;
      });
  });
  const td = h('td', { class: district ? (rule ? undefined : 'inherits') : 'default-col' }, select);
  return td;
}

async function loadMatrix(): Promise<void> {
  const [rules, agencies] = await Promise.all([api.routingMatrix(), api.agencies()]);
  const byKey = new Map(rules.map((r) => [ruleKey(r.category, r.district), r]));
  const sorted = [...agencies.data].sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  el.routingHead.replaceChildren(
    h('th', { scope: 'col' }, t('ticket.category')),
    ...columns.map((d) => h('th', { scope: 'col' }, districtLabel(d))),
  );
  el.routingBody.replaceChildren(
    ...CATEGORY_KEYS.map((category) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, CATEGORIES[category]),
        ...columns.map((district) =>
          cell(category, district, byKey.get(ruleKey(category, district)), sorted),
        ),
      ),
    ),
  );
}

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

async function start(): Promise<void> {
  const me = await requireUser(['admin']);
  if (!me) return;
  el.userName.textContent = me.user.displayName;
  el.smsRefresh.addEventListener('click', () => void loadSms());
  await Promise.all([
    loadMatrix().catch((err: unknown) => showMessage(el.routingError, errorMessage(err))),
    loadSms(),
  ]);
  wireLogout(el.logout, () => undefined);
}

start().catch(showFatal);
