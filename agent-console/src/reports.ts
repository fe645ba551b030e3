/**
 * The reports page for supervisors and admins: for a chosen period (local days), calls per hour
 * or day, callbacks per day, each operator's time, and tickets by category, commune or agency.
 * Each report has a chart, a table with every figure the chart shows (and its totals), and its
 * CSV and Excel downloads for the same period. A report is fetched when its tab is first shown
 * for the period; the period and tab live in the address, so a link or reload opens the same view.
 */
import type { ReportByKind, ReportKind, ReportPeriod } from '../../common/api.ts';
import { ApiRequestError, api, errorMessage } from './api.ts';
import { h, showMessage } from './dom.ts';
import { formatRate } from './format.ts';
import { type MessageKey, t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal, wireLogout } from './page.ts';
import { type ChartSpec, COLORS, clearChart, drawChart } from './report-charts.ts';
import {
  formatCount,
  formatDay,
  formatRowStart,
  matchingQuickPeriod,
  QUICK_PERIODS,
  type QuickPeriod,
  quickPeriod,
  reportQuery,
} from './report-rules.ts';
import {
  callbacksTable,
  callsTable,
  isEmptyReport,
  notReadyTotal,
  operatorsTable,
  type ReportTable,
  type TicketGrouping,
  ticketsTable,
} from './report-tables.ts';

translatePage();

const KINDS: readonly ReportKind[] = ['calls', 'callbacks', 'operators', 'tickets'];
const GROUPINGS: readonly TicketGrouping[] = ['category', 'commune', 'agency'];

const el = {
  userName: byId('user-name', HTMLElement),
  navAdmin: byId('nav-admin', HTMLAnchorElement),
  logout: byId('logout', HTMLButtonElement),
  form: byId('period-form', HTMLFormElement),
  from: byId('period-from', HTMLInputElement),
  to: byId('period-to', HTMLInputElement),
  quick: byId('quick-periods', HTMLDivElement),
  summary: byId('summary-link', HTMLAnchorElement),
  periodError: byId('period-error', HTMLParagraphElement),
  grouping: byId('ticket-grouping', HTMLDivElement),
};

/** The parts of one report's tab, built once. */
interface Panel {
  section: HTMLElement;
  tab: HTMLButtonElement;
  note: HTMLElement;
  downloads: HTMLElement;
  status: HTMLParagraphElement;
  error: HTMLParagraphElement;
  empty: HTMLParagraphElement;
  body: HTMLDivElement;
  canvas: HTMLCanvasElement;
  legend: HTMLUListElement;
  table: HTMLTableElement;
}

function buildPanel(kind: ReportKind): Panel {
  const section = byId(`panel-${kind}`, HTMLElement);
  const part = (name: string) => {
    const found = section.querySelector<HTMLElement>(`[data-part="${name}"]`);
    if (!found) throw new Error(`#panel-${kind} has no ${name}`);
    return found;
  };
  const status = h('p', { class: 'muted', role: 'status' });
  const error = h('p', {
    class: 'message message-error',
    role: 'alert',
    'data-testid': `report-error-${kind}`,
  });
  const empty = h('p', { class: 'report-empty', 'data-testid': `report-empty-${kind}` }, t('reports.empty'));
  const canvas = h('canvas', { role: 'img', 'data-testid': `report-chart-${kind}` });
  const legend = h('ul', { class: 'report-legend', 'aria-label': t('reports.legend') });
  const table = h('table', { class: 'grid report-table', 'data-testid': `report-table-${kind}` });
  const body = h(
    'div',
    { class: 'report-body' },
    h('figure', { class: 'report-figure' }, h('div', { class: 'report-chart' }, canvas), legend),
    h('div', { class: 'table-scroll' }, table),
  );
  error.hidden = true;
  empty.hidden = true;
  body.hidden = true;
  section.append(status, error, empty, body);
  return {
    section,
    tab: byId(`tab-${kind}`, HTMLButtonElement),
    note: part('note'),
    downloads: part('downloads'),
    status,
    error,
    empty,
    body,
    canvas,
    legend,
    table,
  };
}

const panels = Object.fromEntries(KINDS.map((kind) => [kind, buildPanel(kind)])) as Record<ReportKind, Panel>;

// ── State ───────────────────────────────────────────────────────────────────────────────────
let period: ReportPeriod = quickPeriod('last7', new Date());
let current: ReportKind = 'calls';
let grouping: TicketGrouping = 'category';
/** The reports fetched for `period`; cleared when it changes. */
let loaded: Partial<{ [K in ReportKind]: ReportByKind[K] }> = {};
/** Bumped on every period change, so an answer for an older period is dropped. */
let generation = 0;

function readAddress(): void {
  const params = new URLSearchParams(location.search);
  const from = params.get('from');
  const to = params.get('to');
  if (from && to) period = { from, to };
  const tab = params.get('tab');
  if (tab && (KINDS as readonly string[]).includes(tab)) current = tab as ReportKind;
  const by = params.get('by');
  if (by && (GROUPINGS as readonly string[]).includes(by)) grouping = by as TicketGrouping;
}

function writeAddress(): void {
  const params = new URLSearchParams(location.search);
  params.set('from', period.from);
  params.set('to', period.to);
  params.set('tab', current);
  params.set('by', grouping);
  history.replaceState(null, '', `?${params}`);
}

// ── Fetching ────────────────────────────────────────────────────────────────────────────────
async function show(kind: ReportKind): Promise<void> {
  const panel = panels[kind];
  const cached = loaded[kind];
  if (cached) {
    render(kind, cached);
    return;
  }
  const asked = generation;
  const of = period;
  panel.status.textContent = t('common.loading');
  panel.section.setAttribute('aria-busy', 'true');
  try {
    const report = await api.reports.get(kind, reportQuery(kind, of));
    if (asked !== generation) return;
    (loaded as Record<ReportKind, unknown>)[kind] = report;
    showMessage(panel.error, null);
    showMessage(el.periodError, null);
    render(kind, report);
  } catch (err) {
    if (asked !== generation) return;
    panel.body.hidden = true;
    panel.empty.hidden = true;
    panel.note.textContent = '';
    clearChart(panel.canvas);
    // A refused period is the period's fault: the server's explanation goes by the period picker.
    if (err instanceof ApiRequestError && err.status === 400) showMessage(el.periodError, err.message);
    else showMessage(panel.error, errorMessage(err));
  } finally {
    if (asked === generation) {
      panel.status.textContent = '';
      panel.section.removeAttribute('aria-busy');
    }
  }
}

// ── Rendering ───────────────────────────────────────────────────────────────────────────────
const periodText = () =>
  period.from === period.to ? formatDay(period.from) : `${formatDay(period.from)} – ${formatDay(period.to)}`;

function fillTable(panel: Panel, table: ReportTable, caption: string): void {
  const cls = (numeric: boolean) => (numeric ? 'num' : undefined);
  const foot = table.total
    ? h(
        'tfoot',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, t('reports.total')),
          ...table.total.map((text, i) =>
            h('td', { class: cls(table.columns[i + 1]?.numeric ?? false) }, text),
          ),
        ),
      )
    : '';
  panel.table.replaceChildren(
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...table.columns.map((c) => h('th', { scope: 'col', class: cls(c.numeric) }, t(c.header, c.params))),
      ),
    ),
    h(
      'tbody',
      {},
      ...table.rows.map((cells) =>
        h(
          'tr',
          {},
          ...cells.map((text, i) =>
            i === 0
              ? h('th', { scope: 'row', class: 'nowrap' }, text)
              : h('td', { class: cls(table.columns[i]?.numeric ?? false) }, text),
          ),
        ),
      ),
    ),
    foot,
  );
}

function fillLegend(panel: Panel, spec: ChartSpec): void {
  panel.legend.replaceChildren(
    ...spec.series.map((s) => {
      const swatch = h('span', {
        class: s.share ? `swatch swatch-${s.share}` : 'swatch',
        'aria-hidden': 'true',
      });
      swatch.style.backgroundColor = s.color;
      return h('li', {}, swatch, s.label);
    }),
  );
}

function fillDownloads(kind: ReportKind): void {
  const link = (format: 'csv' | 'xlsx', text: MessageKey) =>
    h(
      'a',
      {
        class: 'button-link',
        href: api.reports.exportUrl(kind, format, reportQuery(kind, period)),
        download: '',
        'data-testid': `export-${format}-${kind}`,
      },
      t(text),
    );
  panels[kind].downloads.replaceChildren(link('csv', 'reports.csv'), link('xlsx', 'reports.xlsx'));
}

const count = (value: number) => formatCount(value);
const hours = (seconds: number) => Math.round((seconds / 3600) * 100) / 100;

function specFor<K extends ReportKind>(kind: K, report: ReportByKind[K]): ChartSpec {
  const base = { formatValue: count, formatPercent: (v: number) => formatRate(v) };
  switch (kind) {
    case 'calls': {
      const r = report as ReportByKind['calls'];
      return {
        ...base,
        labels: r.rows.map((row) => formatRowStart(row.start, r.granularity)),
        axis: t('reports.calls.axis'),
        percentAxis: t('reports.serviceLevel'),
        series: [
          { label: t('reports.offered'), color: COLORS.blue, data: r.rows.map((row) => row.offered) },
          { label: t('reports.answered'), color: COLORS.green, data: r.rows.map((row) => row.answered) },
          {
            label: t('reports.abandoned'),
            color: COLORS.vermillion,
            data: r.rows.map((row) => row.abandoned),
          },
          {
            label: t('reports.serviceLevel'),
            color: COLORS.ink,
            share: 'line',
            data: r.rows.map((row) => row.serviceLevel),
          },
        ],
      };
    }
    case 'callbacks': {
      const r = report as ReportByKind['callbacks'];
      return {
        ...base,
        labels: r.rows.map((row) => formatRowStart(row.start, 'day')),
        axis: t('reports.callbacks.axis'),
        series: [
          { label: t('reports.callbacksOpened'), color: COLORS.blue, data: r.rows.map((row) => row.opened) },
          {
            label: t('reports.callbacksReached'),
            color: COLORS.green,
            data: r.rows.map((row) => row.reached),
          },
          {
            label: t('reports.callbacksGivenUp'),
            color: COLORS.vermillion,
            data: r.rows.map((row) => row.givenUp),
          },
        ],
      };
    }
    case 'operators': {
      const r = report as ReportByKind['operators'];
      return {
        ...base,
        formatValue: (v) => String(v).replace('.', ','),
        labels: r.rows.map((row) => row.displayName),
        axis: t('reports.operators.axis'),
        stacked: true,
        horizontal: true,
        series: [
          { label: t('reports.talk'), color: COLORS.blue, data: r.rows.map((row) => hours(row.talkSeconds)) },
          {
            label: t('reports.wrapUp'),
            color: COLORS.sky,
            data: r.rows.map((row) => hours(row.wrapUpSeconds)),
          },
          {
            label: t('reports.notReady'),
            color: COLORS.vermillion,
            data: r.rows.map((row) => hours(notReadyTotal(row))),
          },
          {
            label: t('reports.ready'),
            color: COLORS.green,
            data: r.rows.map((row) => hours(row.readySeconds)),
          },
        ],
      };
    }
    default: {
      const rows = ticketRows(report as ReportByKind['tickets']);
      return {
        ...base,
        labels: rows.map((row) => row.label),
        axis: t('reports.tickets.axis'),
        percentAxis: t('reports.onTimeRate'),
        series: [
          { label: t('reports.created'), color: COLORS.blue, data: rows.map((row) => row.created) },
          { label: t('reports.resolved'), color: COLORS.green, data: rows.map((row) => row.resolved) },
          {
            label: t('reports.onTimeRate'),
            color: COLORS.ink,
            share: 'dots',
            data: rows.map((row) => row.onTimeRate),
          },
        ],
      };
    }
  }
}

const ticketRows = (report: ReportByKind['tickets']) =>
  grouping === 'category' ? report.byCategory : grouping === 'commune' ? report.byCommune : report.byAgency;

function tableFor<K extends ReportKind>(kind: K, report: ReportByKind[K]): ReportTable {
  switch (kind) {
    case 'calls':
      return callsTable(report as ReportByKind['calls']);
    case 'callbacks':
      return callbacksTable(report as ReportByKind['callbacks']);
    case 'operators':
      return operatorsTable(report as ReportByKind['operators']);
    default:
      return ticketsTable(ticketRows(report as ReportByKind['tickets']), grouping);
  }
}

function noteFor<K extends ReportKind>(kind: K, report: ReportByKind[K]): string {
  switch (kind) {
    case 'calls': {
      const r = report as ReportByKind['calls'];
      return t('reports.calls.note', {
        granularity: t(r.granularity === 'hour' ? 'reports.byHour' : 'reports.byDay'),
        seconds: r.serviceLevelSeconds,
        short: r.shortAbandonSeconds,
      });
    }
    case 'callbacks':
      return t('reports.callbacks.note', {
        count: formatCount((report as ReportByKind['callbacks']).openAtEnd),
      });
    case 'operators':
      return t('reports.operators.note');
    default:
      return t('reports.tickets.note');
  }
}

const CAPTION: Record<ReportKind, MessageKey> = {
  calls: 'reports.calls.heading',
  callbacks: 'reports.callbacks.heading',
  operators: 'reports.operators.heading',
  tickets: 'reports.tickets.heading',
};

function render<K extends ReportKind>(kind: K, report: ReportByKind[K]): void {
  const panel = panels[kind];
  panel.note.textContent = noteFor(kind, report);
  const empty = isEmptyReport({ kind, data: report } as Parameters<typeof isEmptyReport>[0]);
  panel.empty.hidden = !empty;
  panel.body.hidden = empty;
  if (empty) {
    clearChart(panel.canvas);
    return;
  }
  const groupName = kind === 'tickets' ? ` — ${t(`reports.group.${grouping}`).toLocaleLowerCase('vi')}` : '';
  fillTable(panel, tableFor(kind, report), `${t(CAPTION[kind])}${groupName}, ${periodText()}`);
  const spec = specFor(kind, report);
  panel.canvas.setAttribute('aria-label', t('reports.chartOf', { name: t(CAPTION[kind]) }));
  fillLegend(panel, spec);
  drawChart(panel.canvas, spec);
}

// ── Controls ────────────────────────────────────────────────────────────────────────────────
function selectTab(kind: ReportKind, focus = false): void {
  current = kind;
  for (const k of KINDS) {
    const { tab, section } = panels[k];
    const selected = k === kind;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    section.hidden = !selected;
  }
  if (focus) panels[kind].tab.focus();
  writeAddress();
  void show(kind);
}

/** Makes `next` the period: its inputs, quick choice, download links and address. */
function applyPeriod(next: ReportPeriod): void {
  period = next;
  generation += 1;
  loaded = {};
  el.from.value = period.from;
  el.to.value = period.to;
  const quick = matchingQuickPeriod(period, new Date());
  for (const button of el.quick.querySelectorAll<HTMLButtonElement>('button[data-quick]')) {
    button.setAttribute('aria-pressed', String(button.dataset.quick === quick));
  }
  el.summary.href = api.reports.summaryUrl(period);
  for (const kind of KINDS) fillDownloads(kind);
  showMessage(el.periodError, null);
  writeAddress();
}

function setPeriod(next: ReportPeriod): void {
  applyPeriod(next);
  void show(current);
}

function wireControls(): void {
  el.form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!el.from.value || !el.to.value) {
      showMessage(el.periodError, t('reports.pickDays'));
      return;
    }
    // A reversed or too long period goes to the server, whose 400 says what is wrong.
    setPeriod({ from: el.from.value, to: el.to.value });
  });
  el.quick.addEventListener('click', (event) => {
    const choice = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-quick]')?.dataset
      .quick;
    if (choice && (QUICK_PERIODS as readonly string[]).includes(choice)) {
      setPeriod(quickPeriod(choice as QuickPeriod, new Date()));
    }
  });
  for (const kind of KINDS) {
    const { tab } = panels[kind];
    tab.addEventListener('click', () => selectTab(kind));
    // Arrow keys move along the tabs, as in any tab list.
    tab.addEventListener('keydown', (event) => {
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (step === 0) return;
      event.preventDefault();
      const next = KINDS[(KINDS.indexOf(kind) + step + KINDS.length) % KINDS.length];
      if (next) selectTab(next, true);
    });
  }
  el.grouping.addEventListener('click', (event) => {
    const choice = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-grouping]')?.dataset
      .grouping;
    if (!choice || !(GROUPINGS as readonly string[]).includes(choice)) return;
    grouping = choice as TicketGrouping;
    markGrouping();
    writeAddress();
    void show('tickets');
  });
}

function markGrouping(): void {
  for (const button of el.grouping.querySelectorAll<HTMLButtonElement>('button[data-grouping]')) {
    button.setAttribute('aria-pressed', String(button.dataset.grouping === grouping));
  }
}

async function start(): Promise<void> {
  const me = await requireUser(['supervisor', 'admin']);
  if (!me) return;
  el.userName.textContent = me.user.displayName;
  el.navAdmin.hidden = me.user.role !== 'admin';
  readAddress();
  markGrouping();
  wireControls();
  wireLogout(el.logout, () => {});
  applyPeriod(period);
  selectTab(current);
}

start().catch(showFatal);
