/**
 * The password form: a user holding a one-time password (a new or reset account) chooses their
 * own here before anything else; any signed-in user may use it to change theirs.
 */
import { ApiRequestError, api, errorMessage } from './api.ts';
import { showMessage } from './dom.ts';
import { t, translatePage } from './i18n.ts';
import { byId, homePageFor, showFatal, wireLogout } from './page.ts';

/** The server's rule (`server/users/password-policy.ts`), checked here too to answer at once. */
const MIN_LENGTH = 12;

translatePage();

const el = {
  intro: byId('password-intro', HTMLParagraphElement),
  userName: byId('user-name', HTMLParagraphElement),
  form: byId('password-form', HTMLFormElement),
  current: byId('current-password', HTMLInputElement),
  next: byId('new-password', HTMLInputElement),
  repeat: byId('repeat-password', HTMLInputElement),
  submit: byId('password-submit', HTMLButtonElement),
  error: byId('password-error', HTMLParagraphElement),
  ok: byId('password-ok', HTMLParagraphElement),
  logout: byId('logout', HTMLButtonElement),
};

wireLogout(el.logout, () => {});

async function start(): Promise<void> {
  let me: Awaited<ReturnType<typeof api.me>>;
  try {
    me = await api.me();
  } catch (err) {
    if (err instanceof ApiRequestError && err.status === 401) {
      location.replace('/');
      return;
    }
    throw err;
  }
  el.userName.textContent = `${me.user.displayName} (${me.user.username})`;
  el.intro.hidden = !me.mustChangePassword;
  el.current.focus();

  el.form.addEventListener('submit', (event) => {
    event.preventDefault();
    showMessage(el.error, null);
    if ([...el.next.value].length < MIN_LENGTH) {
      showMessage(el.error, t('password.tooShort'));
      el.next.focus();
      return;
    }
    if (el.next.value !== el.repeat.value) {
      showMessage(el.error, t('password.mismatch'));
      el.repeat.focus();
      return;
    }
    el.submit.disabled = true;
    api
      .changePassword({ currentPassword: el.current.value, newPassword: el.next.value })
      .then((updated) => {
        showMessage(el.ok, t('password.done'));
        location.replace(homePageFor(updated.user.role));
      })
      .catch((err: unknown) => {
        showMessage(el.error, errorMessage(err));
        el.submit.disabled = false;
        if (err instanceof ApiRequestError && err.code === 'WRONG_PASSWORD') el.current.select();
        else el.next.select();
      });
  });
}

start().catch(showFatal);
