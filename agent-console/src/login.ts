/** Login page: signs in, then sends each role to its console (or first to the password form). */
import type { MeResponse } from '../../common/api.ts';
import { ApiRequestError, api } from './api.ts';
import { t, translatePage } from './i18n.ts';
import { byId, landingPageFor } from './page.ts';

translatePage();

const form = byId('login-form', HTMLFormElement);
const username = byId('username', HTMLInputElement);
const password = byId('password', HTMLInputElement);
const submit = byId('login-submit', HTMLButtonElement);
const message = byId('login-message', HTMLParagraphElement);
username.focus();

function showMessage(text: string): void {
  message.textContent = text;
  message.hidden = false;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  message.hidden = true;
  submit.disabled = true;
  api
    .login({ username: username.value.trim(), password: password.value })
    .then((me: MeResponse) => location.replace(landingPageFor(me)))
    .catch((err: unknown) => {
      showMessage(err instanceof ApiRequestError ? err.message : t('error.network'));
      password.select();
    })
    .finally(() => {
      submit.disabled = false;
    });
});
