/**
 * Admin page for the commune-level units: the list with its counts per kind, a search that
 * needs no diacritics (current or former names), and the CSV import with its line-numbered errors.
 */
import type { UnitView } from '../../common/api.ts';
import { UNIT_KINDS, type UnitKind } from '../../common/domain.ts';
import { foldVietnamese } from '../../common/text.ts';
import { ApiRequestError, api, errorMessage } from './api.ts';
import { emptyRow, h, showMessage } from './dom.ts';
import { t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal, wireLogout } from './page.ts';

translatePage();

const el = {
  userName: byId('user-name', HTMLElement),
  logout: byId('logout', HTMLButtonElement),
  refresh: byId('units-refresh', HTMLButtonElement),
  counts: byId('units-counts', HTMLParagraphElement),
  error: byId('units-error', HTMLParagraphElement),
  search: byId('units-search', HTMLInputElement),
  body: byId('units-body', HTMLTableSectionElement),
  form: byId('import-form', HTMLFormElement),
  file: byId('import-file', HTMLInputElement),
  text: byId('import-text', HTMLTextAreaElement),
  deactivate: byId('import-deactivate', HTMLInputElement),
  submit: byId('import-submit', HTMLButtonElement),
  result: byId('import-result', HTMLParagraphElement),
  errors: byId('import-errors', HTMLDivElement),
  errorsSummary: byId('import-errors-summary', HTMLParagraphElement),
  errorsList: byId('import-errors-list', HTMLOListElement),
};

const COLUMNS = 5;

/** A unit's words once folded, so each keystroke only compares. */
interface Row {
  unit: UnitView;
  words: string[];
}

let rows: Row[] = [];

const wordsOf = (text: string) =>
  foldVietnamese(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/** Every typed word begins a word of the name, a former name or the code ("bien hoa", "tan van"). */
function matches(row: Row, query: string[]): boolean {
  return query.every((q) => row.words.some((w) => w.startsWith(q)));
}

function countsText(units: readonly UnitView[]): string {
  const active = units.filter((u) => u.active);
  const perKind = Object.fromEntries(
    (Object.keys(UNIT_KINDS) as UnitKind[]).map((kind) => [
      kind,
      active.filter((u) => u.kind === kind).length,
    ]),
  );
  const inactive = units.length - active.length;
  const text = t('units.counts', { active: active.length, ...perKind });
  return inactive > 0 ? `${text} ${t('units.countsInactive', { count: inactive })}` : text;
}

function unitRow({ unit }: Row): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-code': unit.code, class: unit.active ? undefined : 'muted' },
    h('td', {}, unit.code),
    h('th', { scope: 'row' }, unit.name),
    h('td', {}, UNIT_KINDS[unit.kind]),
    h('td', {}, ...unit.formerNames.map((name) => h('div', {}, name))),
    h('td', {}, unit.active ? t('units.active') : t('units.inactive')),
  );
}

function render(): void {
  const typed = el.search.value.trim();
  const query = wordsOf(typed);
  const shown = query.length === 0 ? rows : rows.filter((row) => matches(row, query));
  el.body.replaceChildren(...shown.map(unitRow));
  if (rows.length === 0) el.body.append(emptyRow(COLUMNS, t('units.empty')));
  else if (shown.length === 0) el.body.append(emptyRow(COLUMNS, t('units.noMatch', { query: typed })));
  const units = rows.map((r) => r.unit);
  el.counts.textContent =
    query.length === 0
      ? countsText(units)
      : `${countsText(units)} ${t('units.shown', { shown: shown.length, total: rows.length })}`;
}

async function load(): Promise<void> {
  el.refresh.disabled = true;
  try {
    const units = await api.adminUnits();
    rows = units.map((unit) => ({
      unit,
      words: [unit.code, ...wordsOf([unit.name, ...unit.formerNames].join(' '))],
    }));
    showMessage(el.error, null);
    render();
  } catch (err) {
    showMessage(el.error, errorMessage(err));
  } finally {
    el.refresh.disabled = false;
  }
}

function showImportErrors(summary: string | null, lines: readonly string[] = []): void {
  el.errorsSummary.textContent = summary ?? '';
  el.errorsList.replaceChildren(...lines.map((line) => h('li', {}, line)));
  el.errors.hidden = summary === null;
}

async function submitImport(): Promise<void> {
  showMessage(el.result, null);
  showImportErrors(null);
  const file = el.file.files?.[0];
  const csv = file ? await file.text() : el.text.value;
  if (csv.trim() === '') {
    showImportErrors(t('units.importNothing'));
    return;
  }
  el.submit.disabled = true;
  el.submit.textContent = t('units.importing');
  try {
    const result = await api.importUnits(csv, el.deactivate.checked);
    showMessage(el.result, t('units.imported', { ...result }));
    el.form.reset();
    await load();
  } catch (err) {
    if (err instanceof ApiRequestError && err.lineErrors.length > 0) {
      showImportErrors(
        t('units.importInvalid', { count: err.lineErrors.length }),
        err.lineErrors.map((e) => t('units.lineError', { line: e.line, message: e.message })),
      );
    } else {
      showImportErrors(errorMessage(err));
    }
  } finally {
    el.submit.disabled = false;
    el.submit.textContent = t('units.importSubmit');
  }
}

async function start(): Promise<void> {
  const me = await requireUser(['admin']);
  if (!me) return;
  el.userName.textContent = me.user.displayName;
  wireLogout(el.logout, () => {});
  el.search.addEventListener('input', render);
  el.refresh.addEventListener('click', () => void load());
  el.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submitImport();
  });
  await load();
}

start().catch(showFatal);
