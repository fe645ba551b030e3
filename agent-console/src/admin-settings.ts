/**
 * The settings page (admins): one form per section of the province's settings — what an operator
 * is told about a supervisor on their call, the TV wallboard's amber and red thresholds, and the
 * monitoring team's scheduled report. Each form saves its own section; the server checks it and
 * its Vietnamese refusal shows under that form. A saved wallboard section reaches open TV
 * wallboards at once (`settings:updated`).
 */
import type {
  CoachingSettings,
  CoachingVisibility,
  HotlineSettings,
  ReportScheduleSettings,
  SettingsSection,
  WallboardSettings,
} from '../../common/api.ts';
import { api, errorMessage } from './api.ts';
import { showMessage } from './dom.ts';
import { t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal, wireLogout } from './page.ts';

translatePage();

const el = {
  userName: byId('user-name', HTMLElement),
  logout: byId('logout', HTMLButtonElement),
  error: byId('settings-error', HTMLParagraphElement),
  coaching: byId('coaching-form', HTMLFormElement),
  wallboard: byId('wallboard-form', HTMLFormElement),
  report: byId('report-form', HTMLFormElement),
  recipients: byId('report-recipients', HTMLTextAreaElement),
  daily: byId('report-daily', HTMLInputElement),
  weekly: byId('report-weekly', HTMLInputElement),
  sendAt: byId('report-send-at', HTMLInputElement),
};

const THRESHOLD_FIGURES = ['waiting', 'longestWaitSeconds', 'serviceLevelPercent', 'abandoned'] as const;

/** The form's input named `name`; a missing one is a markup bug. */
function input(form: HTMLFormElement, name: string): HTMLInputElement {
  const found = form.elements.namedItem(name);
  if (!(found instanceof HTMLInputElement)) throw new Error(`input ${name} is missing`);
  return found;
}

function fillCoaching(value: CoachingSettings): void {
  for (const radio of el.coaching.querySelectorAll<HTMLInputElement>('input[name="operatorSees"]')) {
    radio.checked = radio.value === value.operatorSees;
  }
}

function readCoaching(): CoachingSettings {
  const checked = el.coaching.querySelector<HTMLInputElement>('input[name="operatorSees"]:checked');
  return { operatorSees: (checked?.value ?? 'audible') as CoachingVisibility };
}

function fillWallboard(value: WallboardSettings): void {
  for (const figure of THRESHOLD_FIGURES) {
    input(el.wallboard, `${figure}.amber`).value = String(value[figure].amber);
    input(el.wallboard, `${figure}.red`).value = String(value[figure].red);
  }
}

function readWallboard(): WallboardSettings {
  const threshold = (figure: (typeof THRESHOLD_FIGURES)[number]) => ({
    amber: input(el.wallboard, `${figure}.amber`).valueAsNumber,
    red: input(el.wallboard, `${figure}.red`).valueAsNumber,
  });
  return {
    waiting: threshold('waiting'),
    longestWaitSeconds: threshold('longestWaitSeconds'),
    serviceLevelPercent: threshold('serviceLevelPercent'),
    abandoned: threshold('abandoned'),
  };
}

function fillReport(value: ReportScheduleSettings): void {
  el.recipients.value = value.recipients.join('\n');
  el.daily.checked = value.daily;
  el.weekly.checked = value.weekly;
  el.sendAt.value = value.sendAt;
}

/** Recipients one per line; blank lines dropped, the server checks and tidies the rest. */
function readReport(): ReportScheduleSettings {
  return {
    recipients: el.recipients.value
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== ''),
    daily: el.daily.checked,
    weekly: el.weekly.checked,
    sendAt: el.sendAt.value.slice(0, 5),
  };
}

/**
 * Saves `section` from `form` on submit: the form shows what the server saved, with the
 * success message (or the refusal) under it; editing the form again clears the message.
 */
function wireForm<S extends SettingsSection>(
  form: HTMLFormElement,
  section: S,
  read: () => HotlineSettings[S],
  fill: (value: HotlineSettings[S]) => void,
  savedMessage: (value: HotlineSettings[S]) => string,
): void {
  const status = byId(`${form.id.replace(/-form$/, '')}-status`, HTMLParagraphElement);
  const error = byId(`${form.id.replace(/-form$/, '')}-error`, HTMLParagraphElement);
  const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  form.addEventListener('input', () => showMessage(status, null));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (submit) submit.disabled = true;
    showMessage(status, null);
    api.settings
      .save(section, read())
      .then((saved) => {
        fill(saved);
        showMessage(error, null);
        showMessage(status, savedMessage(saved));
      })
      .catch((err: unknown) => showMessage(error, errorMessage(err)))
      .finally(() => {
        if (submit) submit.disabled = false;
      });
  });
}

wireForm(el.coaching, 'coaching', readCoaching, fillCoaching, () => t('settings.coaching.saved'));
wireForm(el.wallboard, 'wallboard', readWallboard, fillWallboard, () => t('settings.wallboard.saved'));
wireForm(el.report, 'reportSchedule', readReport, fillReport, (saved) =>
  t(saved.daily || saved.weekly ? 'settings.report.saved' : 'settings.report.savedOff'),
);

async function main(): Promise<void> {
  const me = await requireUser(['admin']);
  if (!me) return;
  el.userName.textContent = me.user.displayName;
  wireLogout(el.logout, () => undefined);
  try {
    const settings = await api.settings.get();
    fillCoaching(settings.coaching);
    fillWallboard(settings.wallboard);
    fillReport(settings.reportSchedule);
    // Until the saved values are in, a save would overwrite them with an empty form.
    for (const submit of document.querySelectorAll<HTMLButtonElement>(
      '.settings-form button[type="submit"]',
    )) {
      submit.disabled = false;
    }
  } catch (err) {
    showMessage(el.error, errorMessage(err));
  }
}

main().catch(showFatal);
