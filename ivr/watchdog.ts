/**
 * The watchdog's rules: when the call controller counts as away, and what becomes of each channel
 * it left in its Stasis application. Pure: no I/O; `watchdog-run.ts` applies them.
 *
 * Asterisk itself does not tell an application whose event socket closed from one that is
 * connected: `GET /ari/applications/hotline` keeps listing it, with its channels, for as long as
 * any channel or bridge is subscribed to it (res_stasis only deactivates it). So the controller
 * proves it is there: while its event socket is up, the server writes a heartbeat into an
 * Asterisk global variable (`watchdog-beat.ts`). The watchdog reads it and counts, on its own
 * clock, how long it has not changed; a different clock on each side does not matter.
 *
 * What the controller left, once it is away (every channel is acted on at most once):
 * - a citizen in a queue bridge `hotline-queue-<queue>`: to the dialplan's fallback queue, with
 *   the top menu's key for that queue in `HOTLINE_CHOICE`, so the fallback does not ask again
 *   and records the call in its queue;
 * - a citizen in the menu or on the status line (in Stasis, in no bridge): to the fallback, which
 *   plays the menu's prompt and reads the key;
 * - a citizen alone in a talk bridge (the operator hung up or dropped): hung up, as the
 *   controller ends a talk when either side hangs up;
 * - a citizen still talking with an operator: left alone (Asterisk carries the talk); if one side
 *   hangs up later, the other is then alone and hung up;
 * - an operator's leg not talking with a citizen, a supervisor's leg or snoop channel whose call
 *   is no longer talked: hung up, so the softphone is free for the fallback queue.
 */
import { QUEUE_NAMES, type QueueName } from '../common/domain.ts';
import { STASIS_APP, STASIS_ROLE } from './constants.ts';
import type { MenuNode } from './menu.ts';
import { callOfTalkBridge, QUEUE_BRIDGE_PREFIX } from './stasis-names.ts';

/** The Asterisk global variable the controller's heartbeat is written to. */
export const CONTROLLER_BEAT_VARIABLE = 'HOTLINE_CONTROLLER_BEAT';
/** How often the heartbeat is written, and how often the watchdog reads it. */
export const CONTROLLER_BEAT_EVERY_MS = 1000;
/** Fewer seconds than this could take a slow beat for a dead controller. */
export const MIN_WATCHDOG_AFTER_SECONDS = 3;

/** The label of the fallback in `dialplan/extensions.conf`'s hotline number. */
export const FALLBACK_LABEL = 'fallback';

/** A channel as ARI lists it, reduced to what the rules read. */
export interface WatchedChannel {
  id: string;
  /** `Up`, `Ring`, `Ringing`… */
  state: string;
  /** The dialplan application it is in (`Stasis` while in an application). */
  app: string;
  /** That application's arguments, e.g. `hotline,citizen`. */
  appData: string;
  /** Where it is in the dialplan: the fallback label is found from there. */
  context: string;
  exten: string;
}

export interface WatchedBridge {
  id: string;
  channels: string[];
}

export type Rescue =
  | {
      kind: 'fallback';
      channelId: string;
      context: string;
      exten: string;
      /** The menu key set as `HOTLINE_CHOICE` first; null lets the fallback ask. */
      choice: string | null;
      /** The queue the caller waited in, if any. */
      queue: QueueName | null;
      why: 'waiting' | 'in_menu';
    }
  | { kind: 'hangup'; channelId: string; why: 'operator_gone' | 'caller_gone' | 'not_talking' };

type Role = (typeof STASIS_ROLE)[keyof typeof STASIS_ROLE];

/** The role and call of a channel in this application's Stasis; null for any other channel. */
export function stasisRole(channel: WatchedChannel): { role: Role; callId: string } | null {
  if (channel.app.toLowerCase() !== 'stasis') return null;
  const [app, role, callId] = channel.appData.split(',');
  if (app !== STASIS_APP) return null;
  const known = Object.values(STASIS_ROLE) as string[];
  if (!role || !known.includes(role)) return null;
  return { role: role as Role, callId: role === STASIS_ROLE.citizen ? channel.id : (callId ?? '') };
}

function queueOfBridge(bridgeId: string): QueueName | null {
  if (!bridgeId.startsWith(QUEUE_BRIDGE_PREFIX)) return null;
  const queue = bridgeId.slice(QUEUE_BRIDGE_PREFIX.length);
  return (QUEUE_NAMES as readonly string[]).includes(queue) ? (queue as QueueName) : null;
}

/**
 * The top menu's key for a queue, as the fallback reads `HOTLINE_CHOICE` (`fallback-choice.ts`):
 * the lowest key leading straight to it; for a queue only a sub-menu leads to, the key of
 * `general` (where any operator helps); null when neither exists (the fallback then asks).
 */
export function choiceForQueue(menu: MenuNode, queue: QueueName): string | null {
  const keys = Object.keys(menu.options)
    .filter((k) => /^[0-9]$/.test(k))
    .sort();
  const leadsTo = (q: QueueName) =>
    keys.find((k) => {
      const option = menu.options[k];
      return option !== undefined && 'queue' in option && option.queue === q;
    }) ?? null;
  return leadsTo(queue) ?? leadsTo('general');
}

/**
 * What to do with each channel the controller left, given Asterisk's channels and bridges as
 * they are now; channels in `done` (acted on before) and those to leave alone get nothing.
 */
export function planRescues(
  channels: WatchedChannel[],
  bridges: WatchedBridge[],
  menu: MenuNode,
  done: ReadonlySet<string>,
): Rescue[] {
  const roles = new Map<string, { role: Role; callId: string }>();
  for (const c of channels) {
    const r = stasisRole(c);
    if (r) roles.set(c.id, r);
  }
  const bridgeOf = new Map<string, WatchedBridge>();
  for (const b of bridges) for (const id of b.channels) bridgeOf.set(id, b);
  const hasRole = (b: WatchedBridge, role: Role) => b.channels.some((id) => roles.get(id)?.role === role);
  // Calls whose citizen and operator still share a talk bridge.
  const talking = new Set<string>();
  for (const b of bridges) {
    const call = callOfTalkBridge(b.id);
    if (call && b.channels.includes(call) && hasRole(b, STASIS_ROLE.agent)) talking.add(call);
  }

  const rescues: Rescue[] = [];
  for (const c of channels) {
    const r = roles.get(c.id);
    if (!r || done.has(c.id)) continue;
    const bridge = bridgeOf.get(c.id);
    if (r.role === STASIS_ROLE.citizen) {
      if (talking.has(c.id)) continue;
      if (bridge && callOfTalkBridge(bridge.id) !== null) {
        rescues.push({ kind: 'hangup', channelId: c.id, why: 'operator_gone' });
        continue;
      }
      const queue = bridge ? queueOfBridge(bridge.id) : null;
      rescues.push({
        kind: 'fallback',
        channelId: c.id,
        context: c.context,
        exten: c.exten,
        choice: queue ? choiceForQueue(menu, queue) : null,
        queue,
        why: queue ? 'waiting' : 'in_menu',
      });
      continue;
    }
    // An operator's leg stays while it talks in its call's bridge; a supervisor's while the call is talked.
    const inOwnTalk = bridge !== undefined && callOfTalkBridge(bridge.id) === r.callId;
    const keep = talking.has(r.callId) && (r.role !== STASIS_ROLE.agent || inOwnTalk);
    if (keep) continue;
    const why = r.role === STASIS_ROLE.agent && inOwnTalk ? 'caller_gone' : 'not_talking';
    rescues.push({ kind: 'hangup', channelId: c.id, why });
  }
  return rescues;
}

/**
 * The controller's heartbeat as the watchdog last saw it: the value, and when (on the watchdog's
 * clock) it last changed. A watchdog that starts gives the controller the full time from then.
 */
export interface BeatWatch {
  value: string | null;
  changedAt: number;
}

export const startBeatWatch = (now: number): BeatWatch => ({ value: null, changedAt: now });

/** The watch after reading the variable (`''` when unset, as ARI answers). */
export function observeBeat(watch: BeatWatch, value: string, now: number): BeatWatch {
  if (value === '' || value === watch.value) return watch;
  return { value, changedAt: now };
}

/** Away: the heartbeat has not changed for `afterMs`. */
export const controllerAway = (watch: BeatWatch, now: number, afterMs: number): boolean =>
  now - watch.changedAt >= afterMs;
