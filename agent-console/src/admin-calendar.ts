/**
 * The holiday calendar page: a year's computed public holidays (marked, and struck through when
 * an admin made the day a working day) and the admin's entries, the warnings for the year, and
 * the form that adds an entry. Supervisors see it read-only.
 */
import type { CalendarYearView } from '../../common/api.ts';
import { api, errorMessage } from './api.ts';
import { emptyRow, h, showMessage } from './dom.ts';
import { t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal, wireLogout } from './page.ts';

translatePage();

const el = {
  userName: byId('user-name', HTMLElement),
  logout: byId('logout', HTMLButtonElement),
  heading: byId('calendar-heading', HTMLHeadingElement),
  caption: byId('calendar-caption', HTMLTableCaptionElement),
  year: byId('calendar-year', HTMLInputElement),
  prev: byId('calendar-prev', HTMLButtonElement),
  next: byId('calendar-next', HTMLButtonElement),
  warnings: byId('calendar-warnings', HTMLDivElement),
  status: byId('calendar-status', HTMLParagraphElement),
  error: byId('calendar-error', HTMLParagraphElement),
  body: byId('calendar-body', HTMLTableSectionElement),
  form: byId('calendar-form', HTMLFormElement),
  date: byId('calendar-date', HTMLInputElement),
  kind: byId('calendar-kind', HTMLSelectElement),
  name: byId('calendar-name', HTMLInputElement),
  formError: byId('calendar-form-error', HTMLParagraphElement),
  readOnly: byId('calendar-readonly', HTMLParagraphElement),
};

const COLUMNS = 6;
const WEEKDAYS = ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'];
let canEdit = false;

interface Line {
  date: string;
  name: string;
  kind: string;
  by: string;
  /** A computed holiday an admin made a working day. */
  cancelled: boolean;
  removable: boolean;
}

/** One line per date: an admin's entry, then the computed holiday of the same date if it differs. */
function lines(view: CalendarYearView): Line[] {
  const entries = view.entries.map((e) => ({
    date: e.date,
    name: e.name,
    kind: e.kind === 'holiday' ? t('calendar.holiday') : t('calendar.workday'),
    by: e.createdBy ? e.createdBy.displayName : t('calendar.imported'),
    cancelled: false,
    removable: true,
  }));
  const own = new Set(view.entries.filter((e) => e.kind === 'holiday').map((e) => e.date));
  const computed = view.computed
    .filter((c) => !own.has(c.date))
    .map((c) => ({
      date: c.date,
      name: c.name,
      kind: c.cancelled ? t('calendar.cancelled') : t('calendar.computed'),
      by: '',
      cancelled: c.cancelled,
      removable: false,
    }));
  return [...entries, ...computed].sort(
    (a, b) => a.date.localeCompare(b.date) || Number(a.removable) - Number(b.removable),
  );
}

function dayLabel(date: string): string {
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}`;
}

function lineRow(line: Line): HTMLTableRowElement {
  const remove = h('button', { type: 'button' }, t('calendar.remove'));
  remove.addEventListener('click', () => {
    remove.disabled = true;
    api
      .deleteCalendarDay(line.date)
      .then(() => {
        showMessage(el.status, t('calendar.removed', { date: dayLabel(line.date) }));
        return load();
      })
      .catch((err: unknown) => showMessage(el.error, errorMessage(err)))
      .finally(() => {
        remove.disabled = false;
      });
  });
  const name = line.cancelled ? h('del', {}, line.name) : line.name;
  return h(
    'tr',
    { 'data-date': line.date, class: line.removable ? undefined : 'muted' },
    h('td', {}, dayLabel(line.date)),
    h('td', {}, WEEKDAYS[new Date(`${line.date}T00:00:00Z`).getUTCDay()] ?? ''),
    h('th', { scope: 'row' }, name),
    h('td', {}, line.kind),
    h('td', {}, line.by),
    h('td', {}, canEdit && line.removable ? remove : null),
  );
}

function year(): number {
  const value = Number(el.year.value);
  return Number.isInteger(value) && value >= 2000 && value <= 2100 ? value : new Date().getFullYear();
}

async function load(): Promise<void> {
  const y = year();
  el.heading.textContent = `${t('calendar.heading')} ${y}`;
  el.caption.textContent = t('calendar.caption', { year: y });
  try {
    const view = await api.calendarYear(y);
    showMessage(el.error, null);
    el.warnings.replaceChildren(
      ...view.warnings.map((w) =>
        h('p', { class: 'message message-warning', 'data-testid': 'calendar-warning' }, w),
      ),
    );
    const rows = lines(view).map(lineRow);
    el.body.replaceChildren(...(rows.length === 0 ? [emptyRow(COLUMNS, t('calendar.empty'))] : rows));
  } catch (err) {
    showMessage(el.error, errorMessage(err));
  }
}

function moveYear(by: number): void {
  el.year.value = String(year() + by);
  showMessage(el.status, null);
  void load();
}

el.prev.addEventListener('click', () => moveYear(-1));
el.next.addEventListener('click', () => moveYear(1));
el.year.addEventListener('change', () => void load());

el.form.addEventListener('submit', (event) => {
  event.preventDefault();
  const date = el.date.value;
  api
    .addCalendarDay({
      date,
      kind: el.kind.value === 'workday' ? 'workday' : 'holiday',
      name: el.name.value.trim(),
    })
    .then(() => {
      showMessage(el.formError, null);
      showMessage(el.status, t('calendar.added', { date: dayLabel(date) }));
      el.form.reset();
      el.year.value = date.slice(0, 4);
      return load();
    })
    .catch((err: unknown) => showMessage(el.formError, errorMessage(err)));
});

async function main(): Promise<void> {
  const me = await requireUser(['admin', 'supervisor']);
  if (!me) return;
  el.userName.textContent = me.user.displayName;
  wireLogout(el.logout, () => undefined);
  canEdit = me.user.role === 'admin';
  if (!canEdit) {
    el.form.hidden = true;
    el.readOnly.hidden = false;
    for (const link of document.querySelectorAll<HTMLElement>('[data-admin-only]')) link.hidden = true;
  }
  el.year.value = String(new Date().getFullYear());
  await load();
}

main().catch(showFatal);
