/**
 * The caller's menu choice in the fallback queue. The fallback dialplan plays the top menu's
 * prompt and keeps the key pressed in `FALLBACK_CHOICE_VARIABLE` (unless it was set before the
 * caller got there); AMI reports the variable on every event of the caller's channel
 * (manager.conf `channelvars`). The key is read with the menu as it is now (it is reloaded at run
 * time), so the call is recorded in the queue the key leads to. Pure: no I/O.
 */
import type { QueueName } from '../common/domain.ts';
import type { AmiMessage } from './ami.ts';
import { FALLBACK_CHOICE_VARIABLE } from './constants.ts';
import type { MenuNode } from './menu.ts';

/** Where a fallback call goes without a usable choice: the queue everyone serves. */
export const FALLBACK_DEFAULT_QUEUE: QueueName = 'general';

/**
 * The key in an AMI event's `ChanVariable: HOTLINE_CHOICE=<key>` line; null without one. The AMI
 * library gathers those lines into an object (`chanvariable: { HOTLINE_CHOICE: '1' }`), despite
 * the messages' string type.
 */
export function choiceOf(event: AmiMessage): string | null {
  const vars: unknown = (event as Record<string, unknown>).chanvariable;
  const value =
    vars && typeof vars === 'object'
      ? (vars as Record<string, unknown>)[FALLBACK_CHOICE_VARIABLE]
      : typeof vars === 'string' && vars.startsWith(`${FALLBACK_CHOICE_VARIABLE}=`)
        ? vars.slice(FALLBACK_CHOICE_VARIABLE.length + 1)
        : undefined;
  return typeof value === 'string' && /^[0-9]$/.test(value) ? value : null;
}

/**
 * The queue a key of the top menu leads to. Without a key, or with one that leads to a sub-menu,
 * announcements or the status line (none of which the fallback can serve) or nowhere, the call
 * goes to `general`, where an operator can help with anything.
 */
export function queueOfChoice(menu: MenuNode, key: string | null): QueueName {
  const option = key === null ? undefined : menu.options[key];
  return option && 'queue' in option ? option.queue : FALLBACK_DEFAULT_QUEUE;
}
