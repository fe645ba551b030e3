/**
 * The Stasis application and its arguments. `dialplan/extensions.conf` is rendered from these,
 * so the dialplan and the controller cannot disagree.
 */
export const STASIS_APP = 'hotline';

/** First Stasis argument: which leg entered the application. */
export const STASIS_ROLE = {
  /** A citizen dialled the hotline: `Stasis(hotline,citizen)`. */
  citizen: 'citizen',
  /** An operator leg the controller originated: `hotline,agent,<callId>`. */
  agent: 'agent',
  /** A supervisor's softphone leg listening in on a call: `hotline,coach,<callId>`. */
  coach: 'coach',
  /** A snoop channel on an operator's leg, carrying a supervisor's listen or whisper: `hotline,snoop,<callId>`. */
  snoop: 'snoop',
  /** The hotline's call to a citizen whose place a queue callback kept: `hotline,callback,<entry>`. */
  callback: 'callback',
} as const;

/**
 * SIP header on the INVITE of a supervisor's coaching leg, carrying the call id: the supervisor's
 * console answers it by itself only for the call its supervisor asked to join.
 */
export { COACHING_CALL_HEADER } from '../common/api.ts';

/** The PJSIP endpoint a channel belongs to, from its name: `PJSIP/tdv01-0000001a` → `tdv01`. */
export function endpointOf(channelName: string): string {
  return channelName.replace(/^[^/]*\//, '').replace(/-[0-9a-f]+$/, '');
}

/** Sound files live under this folder of Asterisk's sounds directory (`sound:hotline/vi/welcome`). */
export const PROMPT_DIR = 'hotline/vi';

/** Asterisk's own queue the dialplan falls back to when the controller is not connected. */
export const FALLBACK_QUEUE_NAME = 'hotline-fallback';

/** Set by the dialplan on the fallback queue's calls to operators (the console reads it). */
export { FALLBACK_CALL_HEADER } from '../common/domain.ts';

/**
 * Channel variable holding the caller's menu key (a digit) for the fallback queue. The fallback
 * dialplan's `Read()` sets it, unless it is set already: whoever sends a caller to the fallback
 * (e.g. from the controller) sets it first and the caller is not asked again. AMI reports it on
 * the caller's events (manager.conf `channelvars`), and `ivr/fallback.ts` records the call in the
 * queue that key leads to in the current menu.
 */
export const FALLBACK_CHOICE_VARIABLE = 'HOTLINE_CHOICE';

/**
 * What the fallback dialplan plays while it waits for the key: the top menu's prompt, under the
 * default menu's id (`main`), as the prompt writer names it (`menu-<id>`).
 */
export const FALLBACK_MENU_SOUND = `${PROMPT_DIR}/menu-main`;

/** How long the fallback dialplan waits for a key after the menu's prompt, in seconds. */
export const FALLBACK_CHOICE_SECONDS = 3;

/**
 * The fallback dialplan's journal in astdb: one family per day, `hotline-fallback-YYYYMMDD` (UTC),
 * kept this many days (see `ivr/fallback-journal.ts`).
 */
export const FALLBACK_JOURNAL_FAMILY = 'hotline-fallback';
export const FALLBACK_JOURNAL_DAYS = 7;

/**
 * Where the watchdog sends a caller the controller left: the extension is the caller's menu key
 * (one digit, kept in `FALLBACK_CHOICE_VARIABLE` there) or `none`, then on to the fallback. The
 * key travels in the extension because a variable set on the channel through ARI would leave its
 * thread barred from the dialplan's astdb writes (the fallback journal).
 */
export const FALLBACK_MOVED_CONTEXT = 'fallback-moved';
