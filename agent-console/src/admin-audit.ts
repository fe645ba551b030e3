/**
 * The audit log page (admins; supervisors read it too): filters by entity, action, person and
 * dates, newest first, each entry's before/after as a compact diff, older entries page by page.
 */
import type { AuditEntryView } from '../../common/api.ts';
import { api, errorMessage } from './api.ts';
import { auditDiff } from './audit-diff.ts';
import { emptyRow, h, option, showMessage } from './dom.ts';
import { formatDateTime } from './format.ts';
import { type MessageKey, t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal, wireLogout } from './page.ts';

translatePage();

const el = {
  userName: byId('user-name', HTMLElement),
  logout: byId('logout', HTMLButtonElement),
  filters: byId('audit-filters', HTMLFormElement),
  entity: byId('audit-entity', HTMLSelectElement),
  action: byId('audit-action', HTMLInputElement),
  actor: byId('audit-actor', HTMLSelectElement),
  from: byId('audit-from', HTMLInputElement),
  to: byId('audit-to', HTMLInputElement),
  error: byId('audit-error', HTMLParagraphElement),
  body: byId('audit-body', HTMLTableSectionElement),
  more: byId('audit-more', HTMLButtonElement),
  end: byId('audit-end', HTMLParagraphElement),
};

const COLUMNS = 5;
const PAGE = 50;
const ENTITIES = [
  'agency',
  'user',
  'category',
  'routing',
  'units',
  'calendar',
  'ivr',
  'controller',
  'call',
  'ticket',
  'callback',
  'retention',
] as const;
const entityLabel = (entity: string): string =>
  (ENTITIES as readonly string[]).includes(entity) ? t(`audit.entity.${entity}` as MessageKey) : entity;

el.entity.append(option('', t('audit.allEntities')), ...ENTITIES.map((e) => option(e, entityLabel(e))));
el.actor.append(option('', t('audit.anyActor')));

let nextBeforeId: number | null = null;

function changes(entry: AuditEntryView): HTMLElement {
  const list = auditDiff(entry.before, entry.after);
  return h(
    'ul',
    {},
    ...list.map((c) =>
      h(
        'li',
        {},
        h('code', {}, c.field),
        ': ',
        c.before !== undefined ? h('del', {}, c.before) : null,
        c.before !== undefined && c.after !== undefined ? ' → ' : null,
        c.after !== undefined ? h('ins', {}, c.after) : null,
      ),
    ),
  );
}

function entryRow(entry: AuditEntryView): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-id': String(entry.id) },
    h('td', {}, formatDateTime(entry.at)),
    h('td', {}, entry.actor ? `${entry.actor.displayName} (${entry.actor.username})` : t('audit.system')),
    h('td', {}, h('code', {}, entry.action)),
    h('td', {}, entityLabel(entry.entity), entry.entityId ? ` #${entry.entityId}` : ''),
    h('td', {}, changes(entry)),
  );
}

function query(): Record<string, string> {
  const q: Record<string, string> = { limit: String(PAGE) };
  if (el.entity.value) q.entity = el.entity.value;
  if (el.action.value.trim()) q.action = el.action.value.trim();
  if (el.actor.value) q.actorId = el.actor.value;
  if (el.from.value) q.from = el.from.value;
  if (el.to.value) q.to = el.to.value;
  return q;
}

/** `append`: the next older page below the rows already shown. */
async function load(append: boolean): Promise<void> {
  el.more.disabled = true;
  try {
    const page = await api.audit({
      ...query(),
      ...(append && nextBeforeId !== null ? { beforeId: String(nextBeforeId) } : {}),
    });
    showMessage(el.error, null);
    const rows = page.data.map(entryRow);
    if (append) el.body.append(...rows);
    else el.body.replaceChildren(...(rows.length === 0 ? [emptyRow(COLUMNS, t('audit.empty'))] : rows));
    nextBeforeId = page.nextBeforeId;
    el.more.hidden = nextBeforeId === null;
    el.end.hidden = nextBeforeId !== null || (!append && rows.length === 0);
  } catch (err) {
    showMessage(el.error, errorMessage(err));
  } finally {
    el.more.disabled = false;
  }
}

el.filters.addEventListener('submit', (event) => {
  event.preventDefault();
  void load(false);
});
el.more.addEventListener('click', () => void load(true));

async function main(): Promise<void> {
  const me = await requireUser(['admin', 'supervisor']);
  if (!me) return;
  el.userName.textContent = me.user.displayName;
  wireLogout(el.logout, () => undefined);
  if (me.user.role !== 'admin') {
    for (const link of document.querySelectorAll<HTMLElement>('[data-admin-only]')) link.hidden = true;
  }
  // Accounts are listed for admins only; a supervisor filters by the other fields.
  if (me.user.role === 'admin') {
    api
      .accounts()
      .then((accounts) =>
        el.actor.append(...accounts.map((a) => option(String(a.id), `${a.displayName} (${a.username})`))),
      )
      .catch((err: unknown) => console.warn('accounts for the actor filter not loaded', err));
  } else {
    el.actor.disabled = true;
  }
  await load(false);
}

main().catch(showFatal);
