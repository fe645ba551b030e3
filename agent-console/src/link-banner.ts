/**
 * The operator's connection banner: "Mất kết nối, đang kết nối lại…" while the browser is
 * offline, the server's socket is down or the softphone is not registered (once each had been up),
 * then "Đã kết nối lại" for a few seconds when everything is back.
 */
import { t } from './i18n.ts';

const BACK_SHOWN_MS = 5000;

export interface LinkBanner {
  socket(up: boolean): void;
  /** The softphone's registration; never called on a page without a softphone. */
  phone(up: boolean): void;
}

export function createLinkBanner(banner: HTMLElement): LinkBanner {
  let online = navigator.onLine;
  /** `null` until first up: connecting at start is not a lost connection. */
  let socketUp: boolean | null = null;
  let phoneUp: boolean | null = null;
  let lost = false;
  let hideTimer: ReturnType<typeof setTimeout> | undefined;

  const update = () => {
    const down = !online || socketUp === false || phoneUp === false;
    if (down) {
      clearTimeout(hideTimer);
      lost = true;
      banner.dataset.link = 'lost';
      banner.textContent = t('link.lost');
      banner.hidden = false;
    } else if (lost && socketUp !== null) {
      lost = false;
      banner.dataset.link = 'back';
      banner.textContent = t('link.back');
      banner.hidden = false;
      hideTimer = setTimeout(() => {
        banner.hidden = true;
        banner.dataset.link = 'up';
      }, BACK_SHOWN_MS);
    }
  };

  window.addEventListener('offline', () => {
    online = false;
    update();
  });
  window.addEventListener('online', () => {
    online = true;
    update();
  });

  return {
    socket(up) {
      if (socketUp === null && !up) return;
      socketUp = up;
      update();
    },
    phone(up) {
      if (phoneUp === null && !up) return;
      phoneUp = up;
      update();
    },
  };
}
