/**
 * The call flow of ONE citizen call, as a pure state machine: `step(state, input, now)` returns the
 * next state and the commands the adapter must run. Nothing here talks to Asterisk, so every
 * transition is tested without mocks. A call carries the menu configuration it started with
 * (`ivr/menu.ts`) in its state; keys lead wherever that configuration says.
 *
 * ```
 *  answering ──started──► menu ──queue key / 3 invalid / 2 timeouts──► queued ⇄ offering ──agentAnswered──► connected
 *      │                   │                                           ▲ │          │                          │  │
 *      │                   │                                           │ │          │    operator drops (apology)  │
 *      │                   │                                           └─┼──────────┼──────────────────────────┘  │
 *      └───────────────────┴──────────── callerHungUp ───────────────────┴──────────┴── either side hangs up ─────┴──► ended
 *
 *  menu ──sub-menu key──► menu (one level down)      menu ──*──► menu (one level up)
 *  menu ──announcements key──► menu (the same one, after the announcements)
 *  menu ──status key──► codeEntry ──#──► lookingUp ──found──► statusRead ──silence──► goodbye ──played──► ended
 *                          ▲   │              │ wrong / unknown code (3rd time: codeRejected ──0──► queued)
 *                          └───┴──────────────┘
 *  `*` in codeEntry, statusRead or codeRejected goes back to the main menu; 2 silences in codeEntry, the
 *  general queue (a caller who pressed 9 by mistake reaches an operator, never a hang-up).
 *
 *  callingBack ──started: hold, greeting──► (played) offerReserved ──offer──► offering   (a citizen the hotline
 *      │                                                                          called back for their kept place)
 *      └── callerHungUp ──► ended (the reserved operator is given back)
 *
 *  answering ──started, closed──► afterHours ──played──► recording ──recordingFinished──► goodbye ──played──► ended
 *                                     │                     │  (a message: after_hours_message; nothing: after_hours_no_message)
 *                                     └── callerHungUp ──► ended      └── callerHungUp: waits for Asterisk to store the message
 * ```
 * While `queued` the caller hears their position and the estimated wait on joining and every
 * `announceEveryMs`; after `callbackOfferAfterMs` they are offered a callback (key 1, repeated
 * with each announcement), which ends the call with `callback_requested` after a confirmation.
 * `offering → queued` when the operator's leg fails before answering (the call goes back to the
 * head of its queue). An `error` input (a command failed) puts a caller who had reached the queue
 * back at its head, and hangs up a caller who had not. A status lookup that fails or hangs sends
 * the caller to an operator.
 *
 * Operators:
 * - An offer rings for `ringSeconds` (the `offer` input carries it); one that rings out or is
 *   declined sends the call back to the head of its queue and the operator to not ready
 *   (`missed_call`); a softphone Asterisk cannot reach, to not ready (`connection_lost`).
 * - After a talk the operator goes to wrap-up (the ACD times it).
 * - Hang-up versus drop: a talk ends for the caller only when the caller hangs up, or when the
 *   operator pressed hang-up on the console (`agentHangsUp`, which the console sends before its
 *   BYE). Any other end of the operator's leg (a BYE the console did not announce, e.g. the page
 *   was closed; an RTP timeout; the WebSocket transport closing), and the console's socket.io
 *   connection dropping (`agentLost`), is a drop: the caller hears an apology and goes back to
 *   the head of the queue, and the operator becomes not ready (`connection_lost`). A hang-up the
 *   console could not announce (its connection was down) is therefore taken as a drop: the
 *   caller gets another operator rather than being cut off. After an announced hang-up the
 *   operator's line counts as free at once (`lineFree`): the console ends its call when the next
 *   INVITE comes; after any other end the next offer waits for Asterisk to report the leg gone.
 */
import type { EndReason, QueueName, SystemNotReadyReason } from '../common/domain.ts';
import type { OperatorRelease } from './acd.ts';
import type { StatusLookup, TicketStatusGroup } from './api.ts';
import { isOpen } from './hours.ts';
import {
  AFTER_HOURS_SOUND,
  announcementSound,
  type IvrConfig,
  type MenuNode,
  menuAt,
  menuSound,
  WELCOME_SOUND,
} from './menu.ts';

/** Fixed sound names the flow plays; `ivr/prompts.ts` holds their texts. */
export type Sound =
  | 'invalid'
  | 'messageSaved'
  | 'queued'
  | 'goodbye'
  | 'enterCode'
  | 'wrongCode'
  | 'notFound'
  | 'reenterCode'
  | 'codeRejected'
  | 'lookupUnavailable'
  | 'smsSent'
  | 'backToMenu'
  | 'agentLost'
  | 'toOperator'
  | 'callbackGreeting'
  | QueueSound
  | StatusSound;

/** What a waiting caller hears besides music: position, estimated wait, the callback offer. */
export type QueueSound =
  | 'positionIs'
  | 'waitAbout'
  | 'minutes'
  | 'waitFewMinutes'
  | 'callbackOffer'
  | 'callbackConfirmed'
  | NumberSound;

/** A number said on its own, 1 to `MAX_SPOKEN_NUMBER` (`number-7` says "bảy"). */
export type NumberSound = `number-${number}`;
/** The largest number there is a prompt for. */
export const MAX_SPOKEN_NUMBER = 99;

export function numberSound(n: number): NumberSound {
  if (!Number.isInteger(n) || n < 1 || n > MAX_SPOKEN_NUMBER) throw new RangeError(`No prompt for ${n}`);
  return `number-${n}`;
}

/** One prompt per status group; see `STATUS_SOUNDS`. */
export type StatusSound =
  | 'statusReceived'
  | 'statusCallback'
  | 'statusAssigned'
  | 'statusInProgress'
  | 'statusResolved'
  | 'statusAnswered'
  | 'statusRejected'
  | 'statusDuplicate';

/** A sound whose text comes from the menu configuration (`ivr/menu.ts` names them). */
export type ConfigSound =
  | ReturnType<typeof menuSound>
  | ReturnType<typeof announcementSound>
  | typeof WELCOME_SOUND
  | typeof AFTER_HOURS_SOUND;

/** Any sound the flow may ask the adapter to play. */
export type SoundName = Sound | ConfigSound;

/** What the caller hears for each status group. */
export const STATUS_SOUNDS = {
  received: 'statusReceived',
  callback: 'statusCallback',
  assigned: 'statusAssigned',
  in_progress: 'statusInProgress',
  resolved: 'statusResolved',
  answered: 'statusAnswered',
  rejected: 'statusRejected',
  duplicate: 'statusDuplicate',
} as const satisfies Record<TicketStatusGroup, StatusSound>;

/** How long the caller has to press a key once the menu has finished playing. */
export const MENU_TIMEOUT_MS = 8_000;
/** The call goes to `general` on this many invalid keys... */
export const MAX_INVALID = 3;
/** ...or on this many silent menus (the menu is replayed in between). */
export const MAX_TIMEOUTS = 2;
/** Where callers who choose nothing end up. */
export const FALLBACK_QUEUE: QueueName = 'general';
/** After a rejected code, this key reaches an operator (the `codeRejected` prompt says so). */
export const OPERATOR_DIGIT = '0';
/** Goes back to the menu above (in a sub-menu), or to the main menu (on the status line). */
export const BACK_KEY = '*';
/** Length of a tracking code (8 digits and a check digit); the status line checks the check digit. */
export const CODE_LENGTH = 9;
/** Silence allowed while keying in a code, after the prompt and between digits. */
export const CODE_TIMEOUT_MS = 8_000;
/** Wrong or unknown codes before the caller is offered an operator instead. */
export const MAX_CODE_ATTEMPTS = 3;
/** How long the caller has to press `*` for the menu once the status has been read. */
export const AFTER_STATUS_MS = 5_000;
/** A lookup that has not answered by then is given up, and the caller goes to an operator. */
export const LOOKUP_GUARD_MS = 5_000;
/** Digits kept while keying in a code; more than this can only be a wrong code anyway. */
const MAX_KEPT_DIGITS = CODE_LENGTH * 2;
/** After a hang-up mid-message, how long to wait for Asterisk to say whether it stored the message. */
export const RECORDING_SETTLE_MS = 5_000;
/** How long an operator's softphone rings before Asterisk gives up, unless configured otherwise. */
export const RING_TIMEOUT_SECONDS = 15;
/** If Asterisk never reports the end of a ringing leg, the offer is withdrawn this long after the ring timeout. */
export const RING_GUARD_EXTRA_MS = 5_000;
export const ringGuardMs = (ringSeconds: number) => ringSeconds * 1000 + RING_GUARD_EXTRA_MS;
/**
 * A leg that is gone this soon after the offer never rang: the softphone could not be reached
 * (not registered, its transport gone). Treated as unreachable, not as a missed call.
 */
export const LEG_SETUP_MS = 1_000;

/** Timing of what a waiting caller hears; the server's configuration sets it. */
export interface WaitingOptions {
  /** Position and estimated wait again this long after the last announcement. */
  announceEveryMs: number;
  /** The callback offer this long after joining the queue; 0 never offers it. */
  callbackOfferAfterMs: number;
}

export const DEFAULT_WAITING: WaitingOptions = { announceEveryMs: 60_000, callbackOfferAfterMs: 90_000 };

/** The key that accepts the callback offer. */
export const CALLBACK_DIGIT = '1';

/** Why a call ended, for logs, call records and statistics (defined in `common/domain.ts`). */
export type { EndReason };

/** A leg ringing or talking to an operator. */
interface AgentLeg {
  operatorId: number;
  agentChannelId: string;
}

interface Base {
  /** Counter for playback and timer tokens, so stale events can be recognised. */
  seq: number;
  /** Token of the playback the caller is hearing, if any. */
  playing: number | null;
  /** The menu and hours this call started with; a reload applies to later calls only. */
  config: IvrConfig;
}

/** Created on StasisStart; waits for `started`. */
export interface AnsweringState extends Base {
  name: 'answering';
}

/**
 * A menu's prompt is playing (`timer` null) or the caller has `MENU_TIMEOUT_MS` to press a key.
 * `path` is the keys that led from the main menu to this one (`[]` for the main menu).
 */
export interface MenuState extends Base {
  name: 'menu';
  path: string[];
  timer: number | null;
  invalidKeys: number;
  timeouts: number;
}

interface InQueue extends Base {
  queue: QueueName;
  /** The digit that chose the queue; '' when the caller fell through to the fallback queue. */
  menuChoice: string;
  /** When the caller first joined the queue; a failed offer does not reset it. */
  queuedAt: Date;
  /** Offers made so far, to number the agent legs. */
  offers: number;
  /** When the caller hears their position and the estimated wait next. */
  announceAt: Date;
  /** The callback offer has been made; from then on key 1 accepts it. */
  callbackOffered: boolean;
}

/**
 * In the queue's holding bridge, hearing music on hold, waiting for the ACD. `timer` runs until
 * the next announcement or the callback offer, whichever comes first.
 */
export interface QueuedState extends InQueue {
  name: 'queued';
  timer: number | null;
}

/** An operator's softphone is ringing; the caller still hears music on hold. */
export interface OfferingState extends InQueue, AgentLeg {
  name: 'offering';
  /** Guard against a ringing leg whose end Asterisk never reports. */
  timer: number | null;
  /** When the leg was originated: a leg gone within `LEG_SETUP_MS` never rang. */
  offeredAt?: Date;
}

/**
 * The hotline called a citizen back for their kept place (a queue callback) and they answered:
 * they hear `callbackGreeting` in the queue's bridge while the operator the ACD reserved for them
 * waits; then that operator's softphone rings as for any offer.
 */
export interface CallingBackState extends InQueue {
  name: 'callingBack';
  operatorId: number;
}

/** Caller and operator talk in a mixing bridge. */
export interface ConnectedState extends InQueue, AgentLeg {
  name: 'connected';
  answeredAt: Date;
}

/**
 * The status line: the caller keys in a tracking code ended by `#`. Digits pressed while a prompt
 * plays are kept (and stop it); `timer` runs whenever no prompt plays.
 */
export interface CodeEntryState extends Base {
  name: 'codeEntry';
  digits: string;
  timer: number | null;
  /** Wrong or unknown codes so far. */
  attempts: number;
  /** Silences so far. */
  timeouts: number;
}

/** The status line is looking the code up; keys are ignored. `lookup` is also the guard timer's token. */
export interface LookingUpState extends Base {
  name: 'lookingUp';
  lookup: number;
  timer: number | null;
  attempts: number;
}

/** The status is being read; then `AFTER_STATUS_MS` to press `*` for the menu before goodbye. */
export interface StatusReadState extends Base {
  name: 'statusRead';
  timer: number | null;
}

/** After `MAX_CODE_ATTEMPTS` failed codes: 0 for an operator, `*` for the menu, silence for goodbye. */
export interface CodeRejectedState extends Base {
  name: 'codeRejected';
  timer: number | null;
}

/** Outside opening hours: the welcome and the after-hours announcement play. */
export interface AfterHoursState extends Base {
  name: 'afterHours';
}

/**
 * The caller's message is being recorded (after a beep; `#`, silence or the time cap ends it).
 * `timer` guards a recording whose end Asterisk never reports; `hungUp` once the caller has left
 * and the flow only waits to learn whether anything was stored.
 */
export interface RecordingState extends Base {
  name: 'recording';
  timer: number | null;
  hungUp: boolean;
}

/** Goodbye is playing; the hotline hangs up when it ends. */
export interface GoodbyeState extends Base {
  name: 'goodbye';
  reason: EndReason;
}

/** Nothing left to do; late events are ignored. */
export interface EndedState extends Base {
  name: 'ended';
  reason: EndReason;
}

export type CallState =
  | AnsweringState
  | MenuState
  | QueuedState
  | CallingBackState
  | OfferingState
  | ConnectedState
  | CodeEntryState
  | LookingUpState
  | StatusReadState
  | CodeRejectedState
  | AfterHoursState
  | RecordingState
  | GoodbyeState
  | EndedState;
export type CallStateName = CallState['name'];

export type CallInput =
  | { type: 'started' }
  | { type: 'playbackFinished'; playback: number }
  | { type: 'dtmf'; digit: string }
  | { type: 'timeout'; timer: number }
  /** The ACD picked an operator; the adapter has reserved them. Their softphone rings `ringSeconds`. */
  | { type: 'offer'; operatorId: number; agentChannelId: string; ringSeconds: number }
  | { type: 'agentAnswered'; agentChannelId: string }
  /** The agent leg is gone before answering: no answer, declined, or (`unreachable`) Asterisk could not reach the softphone. */
  | { type: 'agentFailed'; agentChannelId: string; unreachable?: boolean }
  /** The agent leg ended (once answered, a drop unless the operator announced the hang-up). */
  | { type: 'agentHungUp'; agentChannelId: string }
  /** The operator's console dropped while their softphone rang or talked. */
  | { type: 'agentLost'; agentChannelId: string }
  /** The operator pressed hang-up on the console. */
  | { type: 'agentHangsUp'; operatorId: number }
  /**
   * The caller's channel is gone; `byAsterisk` when Asterisk itself hung it up as it shut down
   * (a restart): a caller cut off before reaching a queue is owed a call (ended `error`).
   */
  | { type: 'callerHungUp'; byAsterisk?: boolean }
  /** The status line's answer to the `lookup` command with the same token. */
  | { type: 'lookupResult'; lookup: number; result: StatusLookup }
  /** The status line threw; the caller goes to an operator. */
  | { type: 'lookupFailed'; lookup: number }
  /** The caller's message stopped and Asterisk stored it as `name`; 0 s means nothing was said. */
  | { type: 'recordingFinished'; name: string; durationSeconds: number | null }
  | { type: 'recordingFailed' }
  /** A command failed; the flow decides where the caller ends up. */
  | { type: 'error' };

export type CallCommand =
  | { type: 'answer' }
  | { type: 'play'; sounds: SoundName[]; playback: number }
  | { type: 'stopPlayback'; playback: number }
  | { type: 'startTimer'; ms: number; timer: number }
  | { type: 'cancelTimer' }
  /**
   * Play `before`, then the caller's position and estimated wait (the adapter works them out from
   * the ACD), then the callback offer if `callbackOffer`; one playback.
   */
  | { type: 'announce'; before: SoundName[]; callbackOffer: boolean; playback: number }
  /** Put the caller into the queue's holding bridge (music on hold). */
  | { type: 'hold'; queue: QueueName }
  /** Add the call to the ACD's waiting list. */
  | { type: 'enqueue'; queue: QueueName; position: 'tail' | 'head' }
  /** Take the call off the ACD's waiting list. */
  | { type: 'leaveQueue' }
  /**
   * The operator the ACD reserved for a queue callback may now be rung: the adapter answers with
   * an `offer` input for them (it numbers the agent leg).
   */
  | { type: 'offerReserved'; operatorId: number }
  /** Originate the agent leg, ringing for `ringSeconds`. */
  | { type: 'ring'; operatorId: number; agentChannelId: string; ringSeconds: number }
  /** Hang up an agent leg that has not answered. */
  | { type: 'cancelRing'; agentChannelId: string }
  /** Put the caller and the agent leg into one mixing bridge. */
  | { type: 'bridge'; operatorId: number; agentChannelId: string }
  | { type: 'hangupCaller' }
  /** Ask the status line about a code; its answer comes back as `lookupResult` / `lookupFailed`. */
  | { type: 'lookup'; trackingCode: string; lookup: number }
  | { type: 'hangupAgent'; agentChannelId: string }
  /**
   * The call lets the operator go: to wrap-up, ready, or not ready with the hotline's reason.
   * `lineFree`: the console is hanging up and takes the next INVITE at once, so the next offer
   * need not wait for Asterisk to report the leg gone. `unreachable`: the offer failed before
   * ringing (see `LEG_SETUP_MS`); the ACD keeps that operator from offers for a while.
   */
  | ({ type: 'releaseOperator'; operatorId: number; lineFree?: true; unreachable?: true } & OperatorRelease)
  /** Record the caller's message after a beep (the adapter names the stored recording). */
  | { type: 'recordMessage'; maxDurationSeconds: number; maxSilenceSeconds: number }
  /** A recording of this call is stored: for the call record. */
  | { type: 'recorded'; kind: 'message' | 'conversation'; name: string }
  /** Release everything the call still holds (timers, talk bridge, ACD entry) and forget it. */
  | { type: 'finish'; reason: EndReason };

export interface StepResult {
  state: CallState;
  commands: CallCommand[];
}

/** A transition the flow does not allow: a bug in the adapter or an unexpected Asterisk event. */
export class IllegalTransitionError extends Error {
  readonly code = 'ILLEGAL_TRANSITION';
  constructor(
    readonly state: CallStateName,
    readonly input: CallInput['type'],
  ) {
    super(`Input "${input}" is not allowed in state "${state}"`);
  }
}

/** A new call, which keeps `config` (the menu and hours current when it arrived) to its end. */
export function initialState(config: IvrConfig): AnsweringState {
  return { name: 'answering', seq: 0, playing: null, config };
}

/** The place a queue callback keeps: its queue, menu key and when the citizen first joined. */
export interface KeptPlace {
  queue: QueueName;
  menuChoice: string;
  queuedAt: Date;
}

/**
 * A citizen who answered the hotline's queue callback, with `operatorId` reserved for them; waits
 * for `started`. Their place (queue, menu key, first joining time) is the one the callback kept.
 */
export function callingBackState(
  config: IvrConfig,
  place: KeptPlace,
  operatorId: number,
  now: Date,
): CallingBackState {
  return {
    name: 'callingBack',
    seq: 0,
    playing: null,
    config,
    ...place,
    offers: 0,
    announceAt: now,
    // They asked for this call: no second offer of a callback if they wait again.
    callbackOffered: true,
    operatorId,
  };
}

/** Whether the current offer's leg ended too soon after the offer to have rung (`LEG_SETUP_MS`). */
export function failedBeforeRinging(state: OfferingState, now: Date): boolean {
  return state.offeredAt !== undefined && now.getTime() - state.offeredAt.getTime() < LEG_SETUP_MS;
}

/** The id of the agent leg of the n-th offer of a call. */
export function agentChannelIdFor(callId: string, offer: number): string {
  return `${callId}-agent-${offer}`;
}

/** The offer number an agent leg's id carries (0 for an id that is not an agent leg's). */
export function offerOfAgentChannel(agentChannelId: string): number {
  return Number(/-agent-(\d+)$/.exec(agentChannelId)?.[1] ?? 0);
}

/** The call an agent leg's id belongs to, or null for an id that is not an agent leg's. */
export function callOfAgentChannel(channelId: string): string | null {
  return /^(.+)-agent-\d+$/.exec(channelId)?.[1] ?? null;
}

const same = (state: CallState): StepResult => ({ state, commands: [] });

function stopPlaying(state: Base): CallCommand[] {
  return state.playing === null ? [] : [{ type: 'stopPlayback', playback: state.playing }];
}

function play(state: MenuState, sounds: SoundName[]): StepResult {
  const playback = state.seq + 1;
  return {
    state: { ...state, seq: playback, playing: playback, timer: null },
    commands: [{ type: 'play', sounds, playback }],
  };
}

/** A state that may have a prompt playing and a timer running. */
type Waiting = Base & { timer: number | null };

function cancelTimer(state: Waiting): CallCommand[] {
  return state.timer === null ? [] : [{ type: 'cancelTimer' }];
}

/** Stops whatever prompt and timer are running, before the call moves on. */
function interrupt(state: Waiting): CallCommand[] {
  return [...stopPlaying(state), ...cancelTimer(state)];
}

function joinQueue(
  state: Waiting,
  queue: QueueName,
  menuChoice: string,
  now: Date,
  sounds: Sound[] = ['queued'],
): StepResult {
  const playback = state.seq + 1;
  return {
    state: {
      name: 'queued',
      seq: playback,
      playing: playback,
      config: state.config,
      timer: null,
      queue,
      menuChoice,
      queuedAt: now,
      offers: 0,
      // Set when the timer is armed (`step`), from the options.
      announceAt: now,
      callbackOffered: false,
    },
    commands: [
      ...interrupt(state),
      { type: 'hold', queue },
      { type: 'enqueue', queue, position: 'tail' },
      { type: 'announce', before: sounds, callbackOffer: false, playback },
    ],
  };
}

/** Plays the menu at `path` (after `before`), with fresh counters. */
function enterMenu(state: Waiting, path: string[], before: SoundName[] = []): StepResult {
  const menu = menuAt(state.config, path) ?? state.config.menu;
  const playback = state.seq + 1;
  return {
    state: {
      name: 'menu',
      seq: playback,
      playing: playback,
      config: state.config,
      path: menu === state.config.menu ? [] : path,
      timer: null,
      invalidKeys: 0,
      timeouts: 0,
    },
    commands: [...interrupt(state), { type: 'play', sounds: [...before, menuSound(menu)], playback }],
  };
}

/** Back to the main menu (`*` on the status line). */
function backToMenu(state: Waiting): StepResult {
  return enterMenu(state, []);
}

/** Asks for a code (again), forgetting any digits pressed so far. */
function promptForCode(
  state: Waiting,
  sounds: Sound[],
  counters: { attempts: number; timeouts: number },
): StepResult {
  const playback = state.seq + 1;
  return {
    state: {
      name: 'codeEntry',
      seq: playback,
      playing: playback,
      config: state.config,
      timer: null,
      digits: '',
      ...counters,
    },
    commands: [...interrupt(state), { type: 'play', sounds, playback }],
  };
}

function sayGoodbye(state: Waiting, reason: EndReason, before: Sound[] = []): StepResult {
  const playback = state.seq + 1;
  return {
    state: { name: 'goodbye', seq: playback, playing: playback, config: state.config, reason },
    commands: [...interrupt(state), { type: 'play', sounds: [...before, 'goodbye'], playback }],
  };
}

/** The prompt finished: start the wait for a key. */
function awaitKey(
  state: MenuState | CodeEntryState | StatusReadState | CodeRejectedState,
  ms: number,
): StepResult {
  const timer = state.seq + 1;
  return {
    state: { ...state, seq: timer, playing: null, timer },
    commands: [{ type: 'startTimer', ms, timer }],
  };
}

function ended(state: CallState, reason: EndReason, before: CallCommand[]): StepResult {
  return {
    state: { name: 'ended', seq: state.seq, playing: null, config: state.config, reason },
    commands: [...before, { type: 'finish', reason }],
  };
}

/** The menu the caller is in; a path that no longer leads anywhere cannot happen (the config is frozen). */
function currentMenu(state: MenuState): MenuNode {
  return menuAt(state.config, state.path) ?? state.config.menu;
}

function stepMenu(state: MenuState, input: CallInput, now: Date): StepResult {
  switch (input.type) {
    case 'playbackFinished':
      return input.playback === state.playing ? awaitKey(state, MENU_TIMEOUT_MS) : same(state);
    case 'dtmf': {
      const menu = currentMenu(state);
      const { digit } = input;
      if (digit === BACK_KEY && state.path.length > 0) return enterMenu(state, state.path.slice(0, -1));
      const option = menu.options[digit];
      if (option && 'queue' in option)
        return joinQueue(state, option.queue, [...state.path, digit].join(''), now);
      if (option && 'menu' in option) return enterMenu(state, [...state.path, digit]);
      if (option && 'announcements' in option) {
        const sounds = [...option.announcements.map(announcementSound), menuSound(menu)];
        const replay = play({ ...state, timeouts: 0 }, sounds);
        return { state: replay.state, commands: [...interrupt(state), ...replay.commands] };
      }
      if (option && 'statusLookup' in option)
        return promptForCode(state, ['enterCode'], { attempts: 0, timeouts: 0 });
      const invalidKeys = state.invalidKeys + 1;
      const interrupted = { ...state, invalidKeys };
      if (invalidKeys >= MAX_INVALID) return joinQueue(interrupted, FALLBACK_QUEUE, '', now);
      const replay = play(interrupted, ['invalid', menuSound(menu)]);
      return { state: replay.state, commands: [...interrupt(state), ...replay.commands] };
    }
    case 'timeout': {
      if (input.timer !== state.timer) return same(state);
      const timeouts = state.timeouts + 1;
      const silent = { ...state, timeouts, timer: null };
      if (timeouts >= MAX_TIMEOUTS) return joinQueue(silent, FALLBACK_QUEUE, '', now);
      return play(silent, [menuSound(currentMenu(state))]);
    }
    case 'callerHungUp':
      return ended(state, input.byAsterisk ? 'error' : 'caller_hung_up_in_menu', cancelTimer(state));
    case 'error':
      return ended(state, 'error', [{ type: 'hangupCaller' }]);
    default:
      throw new IllegalTransitionError(state.name, input.type);
  }
}

/** A code the status line did not accept (`wrongCode`) or does not know (`notFound`). */
function codeNotAccepted(state: Waiting & { attempts: number }, sound: 'wrongCode' | 'notFound'): StepResult {
  const attempts = state.attempts + 1;
  if (attempts < MAX_CODE_ATTEMPTS)
    return promptForCode(state, [sound, 'reenterCode'], { attempts, timeouts: 0 });
  const playback = state.seq + 1;
  return {
    state: { name: 'codeRejected', seq: playback, playing: playback, config: state.config, timer: null },
    commands: [...interrupt(state), { type: 'play', sounds: [sound, 'codeRejected'], playback }],
  };
}

/** `#`, or silence after a full code: look it up, or reject a code of the wrong length at once. */
function submitCode(state: CodeEntryState): StepResult {
  if (state.digits.length !== CODE_LENGTH) return codeNotAccepted(state, 'wrongCode');
  const lookup = state.seq + 1;
  return {
    state: {
      name: 'lookingUp',
      seq: lookup,
      playing: null,
      config: state.config,
      lookup,
      timer: lookup,
      attempts: state.attempts,
    },
    commands: [
      ...interrupt(state),
      { type: 'lookup', trackingCode: state.digits, lookup },
      { type: 'startTimer', ms: LOOKUP_GUARD_MS, timer: lookup },
    ],
  };
}

/** Inputs every status-line state treats alike; null when the state decides. */
function stepStatusLine(
  state: CodeEntryState | LookingUpState | StatusReadState | CodeRejectedState | GoodbyeState,
  input: CallInput,
): StepResult | null {
  const waiting: Waiting = state.name === 'goodbye' ? { ...state, timer: null } : state;
  switch (input.type) {
    case 'playbackFinished':
      return input.playback === state.playing ? null : same(state);
    case 'timeout':
      return state.name !== 'goodbye' && input.timer === state.timer ? null : same(state);
    case 'callerHungUp':
      return ended(
        state,
        state.name === 'goodbye' ? state.reason : input.byAsterisk ? 'error' : 'caller_hung_up_in_lookup',
        cancelTimer(waiting),
      );
    case 'error':
      return ended(state, 'error', [...cancelTimer(waiting), { type: 'hangupCaller' }]);
    case 'dtmf':
    case 'lookupResult':
    case 'lookupFailed':
      return null;
    default:
      throw new IllegalTransitionError(state.name, input.type);
  }
}

function stepCodeEntry(state: CodeEntryState, input: CallInput, now: Date): StepResult {
  switch (input.type) {
    case 'playbackFinished':
      return awaitKey(state, CODE_TIMEOUT_MS);
    case 'dtmf': {
      const { digit } = input;
      if (digit === '#') return submitCode(state);
      if (digit === BACK_KEY) return backToMenu(state);
      if (!/^[0-9]$/.test(digit)) return same(state);
      // The first digit stops the prompt; every digit restarts the wait for the next one.
      const timer = state.seq + 1;
      const digits = (state.digits + digit).slice(0, MAX_KEPT_DIGITS);
      return {
        state: { ...state, seq: timer, playing: null, timer, digits },
        commands: [...stopPlaying(state), { type: 'startTimer', ms: CODE_TIMEOUT_MS, timer }],
      };
    }
    case 'timeout': {
      // A full code followed by silence is taken as if `#` had been pressed.
      if (state.digits.length === CODE_LENGTH) return submitCode({ ...state, timer: null });
      const timeouts = state.timeouts + 1;
      const silent = { ...state, timer: null };
      // A caller who says nothing here may have pressed 9 by mistake: an operator takes the call.
      if (timeouts >= MAX_TIMEOUTS) return joinQueue(silent, FALLBACK_QUEUE, '', now, ['toOperator']);
      return promptForCode(silent, ['enterCode'], { attempts: state.attempts, timeouts });
    }
    default:
      return same(state);
  }
}

function stepLookingUp(state: LookingUpState, input: CallInput, now: Date): StepResult {
  switch (input.type) {
    case 'lookupResult': {
      const { result } = input;
      const settled = { ...state, timer: null };
      const guard = cancelTimer(state);
      if (result.kind === 'invalid_code' || result.kind === 'not_found') {
        const next = codeNotAccepted(settled, result.kind === 'invalid_code' ? 'wrongCode' : 'notFound');
        return { state: next.state, commands: [...guard, ...next.commands] };
      }
      const playback = state.seq + 1;
      const sounds: Sound[] = [
        STATUS_SOUNDS[result.group],
        ...(result.smsSent ? (['smsSent'] as const) : []),
        'backToMenu',
      ];
      return {
        state: { name: 'statusRead', seq: playback, playing: playback, config: state.config, timer: null },
        commands: [...guard, { type: 'play', sounds, playback }],
      };
    }
    case 'lookupFailed':
    case 'timeout': {
      // The status line is broken or stuck: an operator can look the code up instead.
      const waiting = input.type === 'timeout' ? { ...state, timer: null } : state;
      return joinQueue(waiting, FALLBACK_QUEUE, '', now, ['lookupUnavailable', 'queued']);
    }
    default:
      // Keys pressed while the lookup runs are dropped: the code has been submitted.
      return same(state);
  }
}

function stepStatusRead(state: StatusReadState, input: CallInput): StepResult {
  switch (input.type) {
    case 'playbackFinished':
      return awaitKey(state, AFTER_STATUS_MS);
    case 'timeout':
      return sayGoodbye(state, 'status_given');
    case 'dtmf':
      return input.digit === BACK_KEY ? backToMenu(state) : same(state);
    default:
      return same(state);
  }
}

function stepCodeRejected(state: CodeRejectedState, input: CallInput, now: Date): StepResult {
  switch (input.type) {
    case 'playbackFinished':
      return awaitKey(state, CODE_TIMEOUT_MS);
    case 'timeout':
      return sayGoodbye(state, 'code_not_accepted');
    case 'dtmf':
      if (input.digit === OPERATOR_DIGIT) return joinQueue(state, FALLBACK_QUEUE, input.digit, now);
      return input.digit === BACK_KEY ? backToMenu(state) : same(state);
    default:
      return same(state);
  }
}

function stepGoodbye(state: GoodbyeState, input: CallInput): StepResult {
  // Only the end of the goodbye prompt reaches here: the hotline hangs up.
  return input.type === 'playbackFinished'
    ? ended(state, state.reason, [{ type: 'hangupCaller' }])
    : same(state);
}

function stepAfterHours(state: AfterHoursState, input: CallInput): StepResult {
  switch (input.type) {
    case 'playbackFinished': {
      if (input.playback !== state.playing) return same(state);
      const { maxMessageSeconds, maxSilenceSeconds } = state.config.afterHours;
      const timer = state.seq + 1;
      return {
        state: { name: 'recording', seq: timer, playing: null, config: state.config, timer, hungUp: false },
        commands: [
          { type: 'recordMessage', maxDurationSeconds: maxMessageSeconds, maxSilenceSeconds },
          // Beyond the cap Asterisk must have stopped; the margin covers the beep and a slow answer.
          { type: 'startTimer', ms: (maxMessageSeconds + 10) * 1000, timer },
        ],
      };
    }
    case 'dtmf':
    case 'timeout':
      return same(state);
    case 'callerHungUp':
      return ended(state, 'after_hours_no_message', []);
    case 'error':
      return ended(state, 'error', [{ type: 'hangupCaller' }]);
    default:
      throw new IllegalTransitionError(state.name, input.type);
  }
}

function stepRecording(state: RecordingState, input: CallInput): StepResult {
  const done = (reason: EndReason, before: CallCommand[] = []): StepResult => {
    const settled = { ...state, timer: null };
    const stop = cancelTimer(state);
    if (state.hungUp) return ended(settled, reason, [...stop, ...before]);
    const goodbye = sayGoodbye(settled, reason, reason === 'after_hours_message' ? ['messageSaved'] : []);
    return { state: goodbye.state, commands: [...stop, ...before, ...goodbye.commands] };
  };
  switch (input.type) {
    case 'recordingFinished':
      // Asterisk keeps an empty file when nothing was said; a missing duration is taken as a message.
      return input.durationSeconds === 0
        ? done('after_hours_no_message')
        : done('after_hours_message', [{ type: 'recorded', kind: 'message', name: input.name }]);
    case 'recordingFailed':
      return done('after_hours_no_message');
    case 'callerHungUp': {
      if (state.hungUp) return same(state);
      const timer = state.seq + 1;
      return {
        state: { ...state, seq: timer, timer, hungUp: true },
        commands: [...cancelTimer(state), { type: 'startTimer', ms: RECORDING_SETTLE_MS, timer }],
      };
    }
    case 'timeout':
      if (input.timer !== state.timer) return same(state);
      return ended(state, 'after_hours_no_message', state.hungUp ? [] : [{ type: 'hangupCaller' }]);
    case 'dtmf':
    case 'playbackFinished':
      // `#` ends the recording in Asterisk itself.
      return same(state);
    case 'error':
      return ended(state, 'error', [...cancelTimer(state), { type: 'hangupCaller' }]);
    default:
      throw new IllegalTransitionError(state.name, input.type);
  }
}

/** Inputs every state that has reached the queue treats alike. */
function stepInQueue(
  state: QueuedState | OfferingState | ConnectedState,
  input: CallInput,
): StepResult | null {
  switch (input.type) {
    case 'dtmf':
      return same(state);
    case 'playbackFinished':
      return same(input.playback === state.playing ? { ...state, playing: null } : state);
    case 'timeout':
      return state.name === 'offering' && input.timer === state.timer ? null : same(state);
    case 'agentAnswered':
    case 'agentFailed':
    case 'agentHungUp':
    case 'agentLost': {
      const current = state.name !== 'queued' && state.agentChannelId === input.agentChannelId;
      if (current) return null;
      // A leg of an earlier offer: it answered too late, or its end is already handled.
      return input.type === 'agentAnswered'
        ? { state, commands: [{ type: 'hangupAgent', agentChannelId: input.agentChannelId }] }
        : same(state);
    }
    case 'agentHangsUp':
      // Only the operator talking to the caller can end the talk; a late or stray request changes nothing.
      return state.name === 'connected' && state.operatorId === input.operatorId ? null : same(state);
    default:
      return null;
  }
}

function cancelGuard(state: CallState): CallCommand[] {
  return state.name === 'offering' && state.timer !== null ? [{ type: 'cancelTimer' }] : [];
}

/**
 * The caller goes back to the head of the queue and the operator becomes not ready with `reason`.
 * `hold` puts the caller back into the queue's bridge (they had left it); `apology` tells them the
 * talk was cut and another operator will answer.
 */
function backToQueue(
  state: OfferingState | ConnectedState,
  reason: SystemNotReadyReason,
  { hold, apology, unreachable = false }: { hold: boolean; apology: boolean; unreachable?: boolean },
): StepResult {
  const {
    operatorId,
    agentChannelId,
    seq,
    config,
    queue,
    menuChoice,
    queuedAt,
    offers,
    announceAt,
    callbackOffered,
  } = state;
  const playback = seq + 1;
  return {
    state: {
      name: 'queued',
      seq: apology ? playback : seq,
      playing: apology ? playback : null,
      config,
      timer: null,
      queue,
      menuChoice,
      queuedAt,
      offers,
      announceAt,
      callbackOffered,
    },
    commands: [
      ...cancelGuard(state),
      ...stopPlaying(state),
      state.name === 'offering'
        ? { type: 'cancelRing', agentChannelId }
        : { type: 'hangupAgent', agentChannelId },
      unreachable
        ? { type: 'releaseOperator', operatorId, to: 'not_ready', reason, unreachable: true }
        : { type: 'releaseOperator', operatorId, to: 'not_ready', reason },
      ...(hold ? [{ type: 'hold', queue: state.queue } as const] : []),
      ...(apology ? [{ type: 'play', sounds: ['agentLost'], playback } satisfies CallCommand] : []),
      { type: 'enqueue', queue: state.queue, position: 'head' },
    ],
  };
}

/** The ACD's operator for this call: their softphone rings, guarded against a leg whose end never comes. */
function ringOperator(
  state: QueuedState | CallingBackState,
  input: Extract<CallInput, { type: 'offer' }>,
  now: Date,
): StepResult {
  const timer = state.seq + 1;
  const { operatorId, agentChannelId, ringSeconds } = input;
  const { name: _name, operatorId: _reserved, ...rest } = state as CallingBackState;
  return {
    state: {
      ...rest,
      timer,
      name: 'offering',
      seq: timer,
      offers: state.offers + 1,
      operatorId,
      agentChannelId,
      offeredAt: now,
    },
    commands: [
      { type: 'ring', operatorId, agentChannelId, ringSeconds },
      { type: 'startTimer', ms: ringGuardMs(ringSeconds), timer },
    ],
  };
}

/**
 * A citizen who answered the hotline's queue callback: the greeting plays in the queue's bridge,
 * then the reserved operator is rung. If they hang up first the call ends as a hang-up while
 * waiting; if a command fails they wait at the head of the queue like any caller (the reserved
 * operator is given back).
 */
function stepCallingBack(state: CallingBackState, input: CallInput, now: Date): StepResult {
  const giveBack = { type: 'releaseOperator', operatorId: state.operatorId, to: 'ready' } as const;
  switch (input.type) {
    case 'started': {
      const playback = state.seq + 1;
      return {
        state: { ...state, seq: playback, playing: playback },
        commands: [
          { type: 'hold', queue: state.queue },
          { type: 'play', sounds: ['callbackGreeting'], playback },
        ],
      };
    }
    case 'playbackFinished':
      if (input.playback !== state.playing) return same(state);
      return {
        state: { ...state, playing: null },
        commands: [{ type: 'offerReserved', operatorId: state.operatorId }],
      };
    case 'offer':
      return ringOperator(state, input, now);
    case 'callerHungUp':
      return ended(state, 'abandoned_in_queue', [...stopPlaying(state), giveBack]);
    case 'error': {
      const { name: _name, operatorId: _operatorId, ...rest } = state;
      return {
        state: { ...rest, name: 'queued', playing: null, timer: null },
        commands: [
          giveBack,
          { type: 'hold', queue: state.queue },
          { type: 'enqueue', queue: state.queue, position: 'head' },
        ],
      };
    }
    case 'agentAnswered':
      // A leg of no offer of this call's.
      return { state, commands: [{ type: 'hangupAgent', agentChannelId: input.agentChannelId }] };
    case 'dtmf':
    case 'timeout':
    case 'agentFailed':
    case 'agentHungUp':
    case 'agentLost':
    case 'agentHangsUp':
      return same(state);
    default:
      throw new IllegalTransitionError(state.name, input.type);
  }
}

/**
 * The waiting options for one caller: a caller whose number cannot be dialled back (withheld) is
 * never offered a callback and simply keeps waiting.
 */
export function waitingFor(waiting: WaitingOptions, dialable: boolean): WaitingOptions {
  return dialable ? waiting : { ...waiting, callbackOfferAfterMs: 0 };
}

/**
 * Advances one call. Pure: the same state, input, time and options always give the same result.
 * Throws `IllegalTransitionError` for an input the state does not allow.
 */
export function step(
  state: CallState,
  input: CallInput,
  now: Date,
  waiting: WaitingOptions = DEFAULT_WAITING,
): StepResult {
  const result = advance(state, input, now, waiting);
  // However the caller got (back) into the queue, the announcement timer runs while they wait.
  if (result.state.name !== 'queued' || result.state.timer !== null) return result;
  const armed = armQueueTimer(result.state, state.name === 'queued' ? null : now, now, waiting);
  return { state: armed.state, commands: [...result.commands, ...armed.commands] };
}

/** When the callback offer is due, or null once made or when it is off. */
function callbackOfferAt(state: InQueue, waiting: WaitingOptions): Date | null {
  if (state.callbackOffered || waiting.callbackOfferAfterMs <= 0) return null;
  return new Date(state.queuedAt.getTime() + waiting.callbackOfferAfterMs);
}

/**
 * Starts the timer for the next announcement or the callback offer. `joinedAt` (a caller who
 * has just come into the queue, or back to it) restarts the announcement period from then.
 */
function armQueueTimer(
  state: QueuedState,
  joinedAt: Date | null,
  now: Date,
  waiting: WaitingOptions,
): StepResult {
  const announceAt = joinedAt ? new Date(joinedAt.getTime() + waiting.announceEveryMs) : state.announceAt;
  const offerAt = callbackOfferAt(state, waiting);
  const next = offerAt && offerAt < announceAt ? offerAt : announceAt;
  const timer = state.seq + 1;
  return {
    state: { ...state, seq: timer, timer, announceAt },
    commands: [{ type: 'startTimer', ms: Math.max(0, next.getTime() - now.getTime()), timer }],
  };
}

/** What only a waiting caller does: hear announcements, take the callback offer. Null: not handled here. */
function stepQueued(
  state: QueuedState,
  input: CallInput,
  now: Date,
  waiting: WaitingOptions,
): StepResult | null {
  switch (input.type) {
    case 'timeout': {
      if (input.timer !== state.timer) return same(state);
      const offerAt = callbackOfferAt(state, waiting);
      const offerNow = offerAt !== null && offerAt <= now;
      const announceNow = state.announceAt <= now;
      const due = { ...state, timer: null, callbackOffered: state.callbackOffered || offerNow };
      if (!announceNow && !offerNow) return { state: due, commands: [] };
      const playback = state.seq + 1;
      const command: CallCommand = announceNow
        ? { type: 'announce', before: [], callbackOffer: due.callbackOffered, playback }
        : { type: 'play', sounds: ['callbackOffer'], playback };
      const next: QueuedState = {
        ...due,
        seq: playback,
        playing: playback,
        announceAt: announceNow ? new Date(now.getTime() + waiting.announceEveryMs) : state.announceAt,
      };
      return { state: next, commands: [...stopPlaying(state), command] };
    }
    case 'dtmf': {
      // Other keys while waiting are ignored, as is key 1 before the offer.
      if (input.digit !== CALLBACK_DIGIT || !state.callbackOffered) return same(state);
      const playback = state.seq + 1;
      return {
        state: {
          name: 'goodbye',
          seq: playback,
          playing: playback,
          config: state.config,
          reason: 'callback_requested',
        },
        commands: [
          ...stopPlaying(state),
          ...cancelTimer(state),
          { type: 'leaveQueue' },
          { type: 'play', sounds: ['callbackConfirmed', 'goodbye'], playback },
        ],
      };
    }
    case 'callerHungUp':
      return ended(state, 'abandoned_in_queue', [...cancelTimer(state), { type: 'leaveQueue' }]);
    default:
      return null;
  }
}

/**
 * A caller who took the callback offer hears goodbye after leaving the queue; what the queue still
 * sends meanwhile is wound down: an offer on its way gives the operator back, a late leg is hung up.
 */
function stepLeftQueue(state: GoodbyeState, input: CallInput): StepResult | null {
  switch (input.type) {
    case 'offer':
      return { state, commands: [{ type: 'releaseOperator', operatorId: input.operatorId, to: 'ready' }] };
    case 'agentAnswered':
      return { state, commands: [{ type: 'hangupAgent', agentChannelId: input.agentChannelId }] };
    case 'agentFailed':
    case 'agentHungUp':
      return same(state);
    default:
      return null;
  }
}

function advance(state: CallState, input: CallInput, now: Date, waiting: WaitingOptions): StepResult {
  if (input.type === 'lookupResult' || input.type === 'lookupFailed') {
    // An answer for a lookup this call is no longer waiting for (given up, or the caller left).
    if (state.name !== 'lookingUp' || input.lookup !== state.lookup) return same(state);
  }
  switch (state.name) {
    case 'answering': {
      if (input.type === 'started') {
        if (!isOpen(state.config.hours, now)) {
          const playback = state.seq + 1;
          return {
            state: { name: 'afterHours', seq: playback, playing: playback, config: state.config },
            commands: [
              { type: 'answer' },
              { type: 'play', sounds: [WELCOME_SOUND, AFTER_HOURS_SOUND], playback },
            ],
          };
        }
        const menu = enterMenu({ ...state, timer: null }, [], [WELCOME_SOUND]);
        return { state: menu.state, commands: [{ type: 'answer' }, ...menu.commands] };
      }
      if (input.type === 'callerHungUp')
        return ended(state, input.byAsterisk ? 'error' : 'caller_hung_up_in_menu', []);
      if (input.type === 'error') return ended(state, 'error', [{ type: 'hangupCaller' }]);
      throw new IllegalTransitionError(state.name, input.type);
    }

    case 'menu':
      return stepMenu(state, input, now);

    case 'queued': {
      const shared = stepQueued(state, input, now, waiting) ?? stepInQueue(state, input);
      if (shared) return shared;
      switch (input.type) {
        case 'offer':
          return ringOperator(state, input, now);
        case 'error':
          // Whatever failed, the caller keeps their place: back into the bridge, at the head.
          return {
            state: { ...state, playing: null },
            commands: [
              { type: 'hold', queue: state.queue },
              { type: 'enqueue', queue: state.queue, position: 'head' },
            ],
          };
        default:
          throw new IllegalTransitionError(state.name, input.type);
      }
    }

    case 'callingBack':
      return stepCallingBack(state, input, now);

    case 'offering': {
      const shared = stepInQueue(state, input);
      if (shared) return shared;
      switch (input.type) {
        case 'agentAnswered': {
          const { name: _name, timer: _timer, offeredAt: _offeredAt, ...rest } = state;
          return {
            state: { ...rest, name: 'connected', playing: null, answeredAt: now },
            commands: [
              ...cancelGuard(state),
              ...stopPlaying(state),
              { type: 'bridge', operatorId: state.operatorId, agentChannelId: state.agentChannelId },
            ],
          };
        }
        case 'agentFailed': {
          // Refused by Asterisk, or gone before it could ring: the softphone cannot be reached.
          const unreachable = input.unreachable === true || failedBeforeRinging(state, now);
          return backToQueue(state, unreachable ? 'connection_lost' : 'missed_call', {
            hold: false,
            apology: false,
            unreachable,
          });
        }
        case 'timeout':
          return backToQueue(state, 'missed_call', { hold: false, apology: false });
        case 'agentLost':
          return backToQueue(state, 'connection_lost', { hold: false, apology: false });
        case 'callerHungUp':
          return ended(state, 'abandoned_in_queue', [
            ...cancelGuard(state),
            { type: 'cancelRing', agentChannelId: state.agentChannelId },
            { type: 'releaseOperator', operatorId: state.operatorId, to: 'ready' },
          ]);
        case 'error':
          return backToQueue(state, 'connection_lost', { hold: true, apology: false });
        default:
          throw new IllegalTransitionError(state.name, input.type);
      }
    }

    case 'connected': {
      const shared = stepInQueue(state, input);
      if (shared) return shared;
      const release = { type: 'releaseOperator', operatorId: state.operatorId, to: 'wrap_up' } as const;
      const hangupAgent = { type: 'hangupAgent', agentChannelId: state.agentChannelId } as const;
      // The operator is released first, so the next waiting call is offered without waiting for
      // the hang-ups to return.
      switch (input.type) {
        case 'agentHangsUp':
          return ended(state, 'agent_hung_up', [
            { ...release, lineFree: true },
            hangupAgent,
            { type: 'hangupCaller' },
          ]);
        case 'callerHungUp':
          return ended(state, 'caller_hung_up', [release, hangupAgent]);
        case 'agentHungUp':
        case 'agentLost':
          // Not announced by the console: a drop (see the rule at the top of this file).
          return backToQueue(state, 'connection_lost', { hold: true, apology: true });
        case 'error':
          return backToQueue(state, 'connection_lost', { hold: true, apology: false });
        default:
          throw new IllegalTransitionError(state.name, input.type);
      }
    }

    case 'codeEntry':
      return stepStatusLine(state, input) ?? stepCodeEntry(state, input, now);
    case 'lookingUp':
      return stepStatusLine(state, input) ?? stepLookingUp(state, input, now);
    case 'statusRead':
      return stepStatusLine(state, input) ?? stepStatusRead(state, input);
    case 'codeRejected':
      return stepStatusLine(state, input) ?? stepCodeRejected(state, input, now);
    case 'goodbye':
      return stepLeftQueue(state, input) ?? stepStatusLine(state, input) ?? stepGoodbye(state, input);

    case 'afterHours':
      return stepAfterHours(state, input);
    case 'recording':
      return stepRecording(state, input);

    case 'ended':
      switch (input.type) {
        case 'offer':
          // The caller left while the offer waited its turn: give the operator back.
          return {
            state,
            commands: [{ type: 'releaseOperator', operatorId: input.operatorId, to: 'ready' }],
          };
        case 'agentAnswered':
          return { state, commands: [{ type: 'hangupAgent', agentChannelId: input.agentChannelId }] };
        case 'started':
          throw new IllegalTransitionError(state.name, input.type);
        default:
          return same(state);
      }
  }
}
