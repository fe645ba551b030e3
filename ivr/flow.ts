/**
 * The call flow of ONE citizen call, as a pure state machine: `step(state, input, now)` returns the
 * next state and the commands the adapter must run. Nothing here talks to Asterisk, so every
 * transition is tested without mocks.
 *
 * ```
 *  answering ──started──► menu ──digit / 3 invalid / 2 timeouts──► queued ⇄ offering ──agentAnswered──► connected
 *      │                   │                                         │          │                          │
 *      └───────────────────┴──────────── callerHungUp ───────────────┴──────────┴── either side hangs up ──┴──► ended
 * ```
 * `offering → queued` when the operator's leg fails before answering (the call goes back to the
 * head of its queue). An `error` input (a command failed) puts a caller who had reached the queue
 * back at its head, and hangs up a caller who had not.
 */
import { QUEUES, type QueueName } from '../common/domain.ts';

/** Sound names the flow plays; `ivr/prompts.ts` holds their texts. */
export type Sound = 'welcome' | 'menu' | 'invalid' | 'queued' | 'goodbye';

/** How long the caller has to press a key once the menu has finished playing. */
export const MENU_TIMEOUT_MS = 8_000;
/** The call goes to `general` on this many invalid keys... */
export const MAX_INVALID = 3;
/** ...or on this many silent menus (the menu is replayed in between). */
export const MAX_TIMEOUTS = 2;
/** Where callers who choose nothing end up. */
export const FALLBACK_QUEUE: QueueName = 'general';
/** How long an operator's softphone rings before Asterisk gives up. */
export const RING_TIMEOUT_SECONDS = 15;
/** If Asterisk never reports the end of a ringing leg, the offer is withdrawn after this. */
export const RING_GUARD_MS = (RING_TIMEOUT_SECONDS + 5) * 1000;

/** Why a call ended, for logs and statistics. */
export type EndReason =
  | 'caller_hung_up_in_menu'
  | 'abandoned_in_queue'
  | 'caller_hung_up'
  | 'agent_hung_up'
  | 'error';

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
}

/** Created on StasisStart; waits for `started`. */
export interface AnsweringState extends Base {
  name: 'answering';
}

/** The menu is playing (`timer` null) or the caller has `MENU_TIMEOUT_MS` to press a key. */
export interface MenuState extends Base {
  name: 'menu';
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
}

/** In the queue's holding bridge, hearing music on hold, waiting for the ACD. */
export interface QueuedState extends InQueue {
  name: 'queued';
}

/** An operator's softphone is ringing; the caller still hears music on hold. */
export interface OfferingState extends InQueue, AgentLeg {
  name: 'offering';
  /** Guard against a ringing leg whose end Asterisk never reports. */
  timer: number | null;
}

/** Caller and operator talk in a mixing bridge. */
export interface ConnectedState extends InQueue, AgentLeg {
  name: 'connected';
  answeredAt: Date;
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
  | OfferingState
  | ConnectedState
  | EndedState;
export type CallStateName = CallState['name'];

export type CallInput =
  | { type: 'started' }
  | { type: 'playbackFinished'; playback: number }
  | { type: 'dtmf'; digit: string }
  | { type: 'timeout'; timer: number }
  /** The ACD picked an operator; the adapter has reserved them. */
  | { type: 'offer'; operatorId: number; agentChannelId: string }
  | { type: 'agentAnswered'; agentChannelId: string }
  /** The agent leg is gone before answering: no answer, rejected, unreachable. */
  | { type: 'agentFailed'; agentChannelId: string }
  | { type: 'agentHungUp'; agentChannelId: string }
  | { type: 'callerHungUp' }
  /** A command failed; the flow decides where the caller ends up. */
  | { type: 'error' };

export type CallCommand =
  | { type: 'answer' }
  | { type: 'play'; sounds: Sound[]; playback: number }
  | { type: 'stopPlayback'; playback: number }
  | { type: 'startTimer'; ms: number; timer: number }
  | { type: 'cancelTimer' }
  /** Put the caller into the queue's holding bridge (music on hold). */
  | { type: 'hold'; queue: QueueName }
  /** Add the call to the ACD's waiting list. */
  | { type: 'enqueue'; queue: QueueName; position: 'tail' | 'head' }
  /** Take the call off the ACD's waiting list. */
  | { type: 'leaveQueue' }
  /** Originate the agent leg. */
  | { type: 'ring'; operatorId: number; agentChannelId: string }
  /** Hang up an agent leg that has not answered. */
  | { type: 'cancelRing'; agentChannelId: string }
  /** Put the caller and the agent leg into one mixing bridge. */
  | { type: 'bridge'; operatorId: number; agentChannelId: string }
  | { type: 'hangupCaller' }
  | { type: 'hangupAgent'; agentChannelId: string }
  /** The operator is free again; `not_ready` after a failed offer so an absent operator is not rung forever. */
  | { type: 'releaseOperator'; operatorId: number; to: 'ready' | 'not_ready' }
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

export function initialState(): AnsweringState {
  return { name: 'answering', seq: 0, playing: null };
}

/** Queue chosen by a menu digit, or undefined for an invalid key. */
export function queueForDigit(digit: string): QueueName | undefined {
  for (const [queue, { digit: d }] of Object.entries(QUEUES)) {
    if (d === digit) return queue as QueueName;
  }
  return undefined;
}

/** The id of the agent leg of the n-th offer of a call. */
export function agentChannelIdFor(callId: string, offer: number): string {
  return `${callId}-agent-${offer}`;
}

const same = (state: CallState): StepResult => ({ state, commands: [] });

function stopPlaying(state: Base): CallCommand[] {
  return state.playing === null ? [] : [{ type: 'stopPlayback', playback: state.playing }];
}

function play(state: MenuState, sounds: Sound[]): StepResult {
  const playback = state.seq + 1;
  return {
    state: { ...state, seq: playback, playing: playback, timer: null },
    commands: [{ type: 'play', sounds, playback }],
  };
}

function joinQueue(state: MenuState, queue: QueueName, menuChoice: string, now: Date): StepResult {
  const playback = state.seq + 1;
  return {
    state: { name: 'queued', seq: playback, playing: playback, queue, menuChoice, queuedAt: now, offers: 0 },
    commands: [
      ...stopPlaying(state),
      ...(state.timer === null ? [] : [{ type: 'cancelTimer' } as const]),
      { type: 'hold', queue },
      { type: 'enqueue', queue, position: 'tail' },
      { type: 'play', sounds: ['queued'], playback },
    ],
  };
}

function ended(state: CallState, reason: EndReason, before: CallCommand[]): StepResult {
  return {
    state: { name: 'ended', seq: state.seq, playing: null, reason },
    commands: [...before, { type: 'finish', reason }],
  };
}

function stepMenu(state: MenuState, input: CallInput, now: Date): StepResult {
  switch (input.type) {
    case 'playbackFinished': {
      if (input.playback !== state.playing) return same(state);
      const timer = state.seq + 1;
      return {
        state: { ...state, seq: timer, playing: null, timer },
        commands: [{ type: 'startTimer', ms: MENU_TIMEOUT_MS, timer }],
      };
    }
    case 'dtmf': {
      const queue = queueForDigit(input.digit);
      if (queue) return joinQueue(state, queue, input.digit, now);
      const invalidKeys = state.invalidKeys + 1;
      const interrupted = { ...state, invalidKeys };
      if (invalidKeys >= MAX_INVALID) return joinQueue(interrupted, FALLBACK_QUEUE, '', now);
      const replay = play(interrupted, ['invalid', 'menu']);
      const cancel: CallCommand[] = state.timer === null ? [] : [{ type: 'cancelTimer' }];
      return { state: replay.state, commands: [...stopPlaying(state), ...cancel, ...replay.commands] };
    }
    case 'timeout': {
      if (input.timer !== state.timer) return same(state);
      const timeouts = state.timeouts + 1;
      const silent = { ...state, timeouts, timer: null };
      if (timeouts >= MAX_TIMEOUTS) return joinQueue(silent, FALLBACK_QUEUE, '', now);
      return play(silent, ['menu']);
    }
    case 'callerHungUp':
      return ended(state, 'caller_hung_up_in_menu', state.timer === null ? [] : [{ type: 'cancelTimer' }]);
    case 'error':
      return ended(state, 'error', [{ type: 'hangupCaller' }]);
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
    case 'agentHungUp': {
      const current = state.name !== 'queued' && state.agentChannelId === input.agentChannelId;
      if (current) return null;
      // A leg of an earlier offer: it answered too late, or its end is already handled.
      return input.type === 'agentAnswered'
        ? { state, commands: [{ type: 'hangupAgent', agentChannelId: input.agentChannelId }] }
        : same(state);
    }
    default:
      return null;
  }
}

function cancelGuard(state: CallState): CallCommand[] {
  return state.name === 'offering' && state.timer !== null ? [{ type: 'cancelTimer' }] : [];
}

function backToQueue(
  state: OfferingState | ConnectedState,
  to: 'ready' | 'not_ready',
  hold: boolean,
): StepResult {
  const { operatorId, agentChannelId, seq, queue, menuChoice, queuedAt, offers } = state;
  return {
    state: { name: 'queued', seq, playing: null, queue, menuChoice, queuedAt, offers },
    commands: [
      ...cancelGuard(state),
      ...stopPlaying(state),
      state.name === 'offering'
        ? { type: 'cancelRing', agentChannelId }
        : { type: 'hangupAgent', agentChannelId },
      { type: 'releaseOperator', operatorId, to },
      ...(hold ? [{ type: 'hold', queue: state.queue } as const] : []),
      { type: 'enqueue', queue: state.queue, position: 'head' },
    ],
  };
}

/**
 * Advances one call. Pure: the same state, input and time always give the same result.
 * Throws `IllegalTransitionError` for an input the state does not allow.
 */
export function step(state: CallState, input: CallInput, now: Date): StepResult {
  switch (state.name) {
    case 'answering': {
      if (input.type === 'started') {
        const playback = state.seq + 1;
        return {
          state: { name: 'menu', seq: playback, playing: playback, timer: null, invalidKeys: 0, timeouts: 0 },
          commands: [{ type: 'answer' }, { type: 'play', sounds: ['welcome', 'menu'], playback }],
        };
      }
      if (input.type === 'callerHungUp') return ended(state, 'caller_hung_up_in_menu', []);
      if (input.type === 'error') return ended(state, 'error', [{ type: 'hangupCaller' }]);
      throw new IllegalTransitionError(state.name, input.type);
    }

    case 'menu':
      return stepMenu(state, input, now);

    case 'queued': {
      const shared = stepInQueue(state, input);
      if (shared) return shared;
      switch (input.type) {
        case 'offer': {
          const timer = state.seq + 1;
          const { operatorId, agentChannelId } = input;
          return {
            state: {
              ...state,
              name: 'offering',
              seq: timer,
              timer,
              offers: state.offers + 1,
              operatorId,
              agentChannelId,
            },
            commands: [
              { type: 'ring', operatorId, agentChannelId },
              { type: 'startTimer', ms: RING_GUARD_MS, timer },
            ],
          };
        }
        case 'callerHungUp':
          return ended(state, 'abandoned_in_queue', [{ type: 'leaveQueue' }]);
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

    case 'offering': {
      const shared = stepInQueue(state, input);
      if (shared) return shared;
      switch (input.type) {
        case 'agentAnswered': {
          const { name: _name, timer: _timer, ...rest } = state;
          return {
            state: { ...rest, name: 'connected', playing: null, answeredAt: now },
            commands: [
              ...cancelGuard(state),
              ...stopPlaying(state),
              { type: 'bridge', operatorId: state.operatorId, agentChannelId: state.agentChannelId },
            ],
          };
        }
        case 'agentFailed':
        case 'timeout':
          return backToQueue(state, 'not_ready', false);
        case 'callerHungUp':
          return ended(state, 'abandoned_in_queue', [
            ...cancelGuard(state),
            { type: 'cancelRing', agentChannelId: state.agentChannelId },
            { type: 'releaseOperator', operatorId: state.operatorId, to: 'ready' },
          ]);
        case 'error':
          return backToQueue(state, 'not_ready', true);
        default:
          throw new IllegalTransitionError(state.name, input.type);
      }
    }

    case 'connected': {
      const shared = stepInQueue(state, input);
      if (shared) return shared;
      const release = { type: 'releaseOperator', operatorId: state.operatorId, to: 'ready' } as const;
      switch (input.type) {
        case 'agentHungUp':
          return ended(state, 'agent_hung_up', [{ type: 'hangupCaller' }, release]);
        case 'callerHungUp':
          return ended(state, 'caller_hung_up', [
            { type: 'hangupAgent', agentChannelId: state.agentChannelId },
            release,
          ]);
        case 'error':
          return backToQueue(state, 'not_ready', true);
        default:
          throw new IllegalTransitionError(state.name, input.type);
      }
    }

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
