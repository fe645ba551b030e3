/** What every signed-in page shares: finding its elements, checking the session, signing out. */
import type { MeResponse } from '../../common/api.ts';
import type { Role } from '../../common/domain.ts';
import { ApiRequestError, api } from './api.ts';
import type { ConsoleSocket } from './socket.ts';

/** The element with `id`, checked to be of the expected kind; a missing element is a markup bug. */
export function byId<T extends HTMLElement>(id: string, kind: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof kind)) throw new Error(`#${id} is missing or not a ${kind.name}`);
  return el;
}

/** Where a role works. */
export function homePageFor(role: Role): string {
  switch (role) {
    case 'operator':
      return '/operator.html';
    case 'supervisor':
      return '/supervisor.html';
    case 'admin':
      return '/admin.html';
    case 'agency':
      return '/agency.html';
  }
}

/** The page to open after signing in: the password form while a one-time password is in use. */
export function landingPageFor(me: MeResponse): string {
  return me.mustChangePassword ? PASSWORD_PAGE : homePageFor(me.user.role);
}

export const PASSWORD_PAGE = '/password.html';

/**
 * The signed-in user, if this page is theirs. Otherwise navigates away (to the login page when
 * signed out, to the password form while a one-time password is in use, to their own page when
 * it is another role's) and resolves to `null`.
 */
export async function requireUser(allowed: readonly Role[]): Promise<MeResponse | null> {
  try {
    const me = await api.me();
    if (me.mustChangePassword) {
      location.replace(PASSWORD_PAGE);
      return null;
    }
    if (allowed.includes(me.user.role)) return me;
    location.replace(homePageFor(me.user.role));
    return null;
  } catch (err) {
    if (err instanceof ApiRequestError && err.status === 401) {
      location.replace('/');
      return null;
    }
    throw err;
  }
}

/** Wires a "Đăng xuất" button; `beforeLeave` releases what the page holds (softphone, socket). */
export function wireLogout(button: HTMLButtonElement, beforeLeave: () => void): void {
  button.addEventListener('click', () => {
    button.disabled = true;
    beforeLeave();
    api
      .logout()
      .catch((err: unknown) => console.error('logout failed', err))
      .finally(() => location.replace('/'));
  });
}

/** Shows `banner` while the socket is down. */
export function showWhileDisconnected(socket: ConsoleSocket, banner: HTMLElement): void {
  socket.on('connect', () => {
    banner.hidden = true;
  });
  socket.on('disconnect', () => {
    banner.hidden = false;
  });
  socket.on('connect_error', () => {
    banner.hidden = false;
  });
}

/** Shows a fatal start-up error where the user will see it. */
export function showFatal(err: unknown): void {
  console.error(err);
  const message = err instanceof Error ? err.message : String(err);
  const box = document.createElement('p');
  box.className = 'banner banner-error';
  box.setAttribute('role', 'alert');
  box.textContent = message;
  document.body.prepend(box);
}
