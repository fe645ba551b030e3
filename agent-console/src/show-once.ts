/**
 * A secret the server shows once (a one-time password, an agency's signing secret, an app's API
 * key): a panel with `<prefix>-heading`, `-value`, `-copy`, `-dismiss` and `-status` inside
 * `<prefix>-panel`. Copy puts it on the clipboard; dismiss takes it off the page for good.
 */
import { showMessage } from './dom.ts';
import { t } from './i18n.ts';
import { byId } from './page.ts';

/** Wires the panel's buttons; the returned function shows a secret under a heading. */
export function showOncePanel(prefix: string): (heading: string, secret: string) => void {
  const panel = byId(`${prefix}-panel`, HTMLElement);
  const heading = byId(`${prefix}-heading`, HTMLHeadingElement);
  const value = byId(`${prefix}-value`, HTMLElement);
  const copy = byId(`${prefix}-copy`, HTMLButtonElement);
  const dismiss = byId(`${prefix}-dismiss`, HTMLButtonElement);
  const status = byId(`${prefix}-status`, HTMLParagraphElement);
  copy.addEventListener('click', () => {
    navigator.clipboard
      .writeText(value.textContent ?? '')
      .then(() => showMessage(status, t('users.copied')))
      .catch(() => showMessage(status, t('users.copyFailed')));
  });
  dismiss.addEventListener('click', () => {
    // Gone from the page for good: the server never shows it again.
    value.textContent = '';
    panel.hidden = true;
  });
  return (title, secret) => {
    heading.textContent = title;
    value.textContent = secret;
    showMessage(status, null);
    panel.hidden = false;
    copy.focus();
  };
}
