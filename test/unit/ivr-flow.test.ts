import { describe, expect, it } from 'vitest';
import {
  type CallCommand,
  type CallInput,
  type CallState,
  FALLBACK_QUEUE,
  IllegalTransitionError,
  initialState,
  MENU_TIMEOUT_MS,
  ringGuardMs,
  step,
} from '../../ivr/flow.ts';
import { DEFAULT_MENU } from '../support/menu.ts';

const answering = () => initialState(DEFAULT_MENU);
const RING_SECONDS = 15;
const offer = (operatorId = 7, agentChannelId = 'c1-agent-1'): CallInput => ({
  type: 'offer',
  operatorId,
  agentChannelId,
  ringSeconds: RING_SECONDS,
});

const t0 = new Date('2024-05-01T08:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

/** Feeds inputs one by one; returns the last state and every command, in order. */
function run(inputs: CallInput[], from: CallState = initialState(DEFAULT_MENU)) {
  let state = from;
  const commands: CallCommand[] = [];
  inputs.forEach((input, i) => {
    const result = step(state, input, at(i));
    state = result.state;
    commands.push(...result.commands);
  });
  return { state, commands };
}

/** The playback or timer token of the last `play` / `startTimer` so far. */
function lastToken(state: CallState, kind: 'playing' | 'timer'): number {
  const value = kind === 'playing' ? state.playing : 'timer' in state ? state.timer : null;
  if (value === null) throw new Error(`no ${kind} in state ${state.name}`);
  return value;
}

const started: CallInput = { type: 'started' };
const menu = () => run([started]).state;
const menuFinished = () => {
  const s = menu();
  return step(s, { type: 'playbackFinished', playback: lastToken(s, 'playing') }, at(10)).state;
};
const queued = (digit = '1') => run([started, { type: 'dtmf', digit }]).state;
const offering = () => step(queued(), offer(), at(20)).state;
const connected = () =>
  step(offering(), { type: 'agentAnswered', agentChannelId: 'c1-agent-1' }, at(25)).state;
const types = (commands: CallCommand[]) => commands.map((c) => c.type);

describe('menu', () => {
  it('answers and plays the welcome and the menu', () => {
    const { state, commands } = run([started]);
    expect(state.name).toBe('menu');
    expect(commands).toEqual([
      { type: 'answer' },
      { type: 'play', sounds: ['config-welcome', 'menu-main'], playback: lastToken(state, 'playing') },
    ]);
  });

  it.each([
    ['1', 'health'],
    ['2', 'welfare'],
    ['3', 'goods'],
    ['4', 'infrastructure'],
    ['0', 'general'],
  ] as const)('digit %s after the menu joins queue %s', (digit, queue) => {
    const { state, commands } = step(menuFinished(), { type: 'dtmf', digit }, at(12));
    expect(state).toMatchObject({ name: 'queued', queue, menuChoice: digit, queuedAt: at(12) });
    expect(commands).toEqual([
      { type: 'cancelTimer' },
      { type: 'hold', queue },
      { type: 'enqueue', queue, position: 'tail' },
      { type: 'announce', before: ['queued'], callbackOffer: false, playback: lastToken(state, 'playing') },
      { type: 'startTimer', ms: 60_000, timer: lastToken(state, 'timer') },
    ]);
  });

  it('takes a key pressed during the prompt and stops the prompt (type-ahead)', () => {
    const s = menu();
    const { state, commands } = step(s, { type: 'dtmf', digit: '2' }, at(1));
    expect(state).toMatchObject({ name: 'queued', queue: 'welfare' });
    expect(commands[0]).toEqual({ type: 'stopPlayback', playback: lastToken(s, 'playing') });
    expect(types(commands)).toEqual(['stopPlayback', 'hold', 'enqueue', 'announce', 'startTimer']);
  });

  it.each(['6', '8', '*', '#'])('invalid key %s plays "invalid" and the menu again', (digit) => {
    const { state, commands } = step(menuFinished(), { type: 'dtmf', digit }, at(12));
    expect(state).toMatchObject({ name: 'menu', invalidKeys: 1, timer: null });
    expect(commands).toEqual([
      { type: 'cancelTimer' },
      { type: 'play', sounds: ['invalid', 'menu-main'], playback: lastToken(state, 'playing') },
    ]);
  });

  it('an invalid key during the prompt stops it before re-prompting', () => {
    const { commands } = run([started, { type: 'dtmf', digit: '8' }]);
    expect(types(commands)).toEqual(['answer', 'play', 'stopPlayback', 'play']);
  });

  it('sends the caller to the general queue after three invalid keys', () => {
    const { state, commands } = run([
      started,
      ...['7', '8', '6'].map((digit) => ({ type: 'dtmf', digit }) as const),
    ]);
    expect(state).toMatchObject({ name: 'queued', queue: FALLBACK_QUEUE, menuChoice: '' });
    expect(
      commands.flatMap((c) => (c.type === 'play' ? [c.sounds] : c.type === 'announce' ? [c.before] : [])),
    ).toEqual([
      ['config-welcome', 'menu-main'],
      ['invalid', 'menu-main'],
      ['invalid', 'menu-main'],
      ['queued'],
    ]);
  });

  it('waits after the menu, replays it once on silence, then queues to general', () => {
    let state = menuFinished();
    expect(state).toMatchObject({ name: 'menu', playing: null });
    const first = step(state, { type: 'timeout', timer: lastToken(state, 'timer') }, at(20));
    expect(first.commands).toEqual([
      { type: 'play', sounds: ['menu-main'], playback: lastToken(first.state, 'playing') },
    ]);
    const replayed = step(
      first.state,
      { type: 'playbackFinished', playback: lastToken(first.state, 'playing') },
      at(30),
    );
    state = replayed.state;
    expect(replayed.commands).toEqual([
      { type: 'startTimer', ms: MENU_TIMEOUT_MS, timer: lastToken(state, 'timer') },
    ]);
    expect(state).toMatchObject({ name: 'menu', timeouts: 1 });
    const second = step(state, { type: 'timeout', timer: lastToken(state, 'timer') }, at(38));
    expect(second.state).toMatchObject({ name: 'queued', queue: 'general', menuChoice: '' });
    expect(types(second.commands)).toEqual(['hold', 'enqueue', 'announce', 'startTimer']);
  });

  it.each([
    ['a finished playback that is no longer current', { type: 'playbackFinished', playback: -1 }],
    ['a timeout of an earlier timer', { type: 'timeout', timer: -1 }],
  ] as const)('ignores %s', (_label, input) => {
    const state = menuFinished();
    expect(step(state, input, at(11))).toEqual({ state, commands: [] });
  });
});

describe('queue and offers', () => {
  it('rings the offered operator for the ring timeout, with a guard timer a little longer', () => {
    const { state, commands } = step(queued(), { ...offer(), ringSeconds: 4 } as CallInput, at(20));
    expect(state).toMatchObject({ name: 'offering', operatorId: 7, agentChannelId: 'c1-agent-1', offers: 1 });
    expect(commands).toEqual([
      { type: 'ring', operatorId: 7, agentChannelId: 'c1-agent-1', ringSeconds: 4 },
      { type: 'startTimer', ms: ringGuardMs(4), timer: lastToken(state, 'timer') },
    ]);
    expect(ringGuardMs(4)).toBeGreaterThan(4000);
  });

  it('bridges when the operator answers, stopping the "please wait" prompt', () => {
    const { state, commands } = step(
      offering(),
      { type: 'agentAnswered', agentChannelId: 'c1-agent-1' },
      at(25),
    );
    expect(state).toMatchObject({ name: 'connected', answeredAt: at(25), queue: 'health' });
    expect(types(commands)).toEqual(['cancelTimer', 'stopPlayback', 'bridge']);
    expect(commands.at(-1)).toEqual({ type: 'bridge', operatorId: 7, agentChannelId: 'c1-agent-1' });
  });

  it.each<[string, CallInput | null, string, boolean]>([
    [
      'the offer rings out or is declined',
      { type: 'agentFailed', agentChannelId: 'c1-agent-1' },
      'missed_call',
      false,
    ],
    ['the ring guard fires', null, 'missed_call', false],
    [
      'Asterisk cannot reach the softphone',
      { type: 'agentFailed', agentChannelId: 'c1-agent-1', unreachable: true },
      'connection_lost',
      true,
    ],
    [
      'the operator’s console drops while ringing',
      { type: 'agentLost', agentChannelId: 'c1-agent-1' },
      'connection_lost',
      false,
    ],
  ])(
    'goes back to the head of the queue when %s; the operator becomes not ready (%s)',
    (_label, input, reason, unreachable) => {
      const from = offering();
      const failure = input ?? { type: 'timeout', timer: lastToken(from, 'timer') };
      const { state, commands } = step(from, failure, at(40));
      expect(state).toMatchObject({ name: 'queued', queue: 'health', queuedAt: at(1), offers: 1 });
      expect(commands).toEqual([
        { type: 'cancelTimer' },
        { type: 'stopPlayback', playback: from.playing },
        { type: 'cancelRing', agentChannelId: 'c1-agent-1' },
        {
          type: 'releaseOperator',
          operatorId: 7,
          to: 'not_ready',
          reason,
          ...(unreachable ? { unreachable } : {}),
        },
        { type: 'enqueue', queue: 'health', position: 'head' },
        // Until the callback offer, 90 s after joining at 1 s.
        { type: 'startTimer', ms: 51_000, timer: lastToken(state, 'timer') },
      ]);
    },
  );

  it.each<[string, number, boolean]>([
    ['gone 30 ms after the offer: never rang, the softphone is unreachable', 30, true],
    ['gone 999 ms after the offer: still too soon to have rung', 999, true],
    ['gone 1 s after the offer: it rang and was declined', 1000, false],
  ])('a leg %s', (_label, afterMs, unreachable) => {
    const from = offering();
    const failedAt = new Date(at(20).getTime() + afterMs);
    const { state, commands } = step(from, { type: 'agentFailed', agentChannelId: 'c1-agent-1' }, failedAt);
    expect(state).toMatchObject({ name: 'queued', offers: 1 });
    expect(commands.find((c) => c.type === 'releaseOperator')).toEqual(
      unreachable
        ? {
            type: 'releaseOperator',
            operatorId: 7,
            to: 'not_ready',
            reason: 'connection_lost',
            unreachable: true,
          }
        : { type: 'releaseOperator', operatorId: 7, to: 'not_ready', reason: 'missed_call' },
    );
  });

  it('hangs up a leg from an earlier offer that answers late', () => {
    const requeued = step(offering(), { type: 'agentFailed', agentChannelId: 'c1-agent-1' }, at(40)).state;
    const { state, commands } = step(
      requeued,
      { type: 'agentAnswered', agentChannelId: 'c1-agent-1' },
      at(41),
    );
    expect(state).toBe(requeued);
    expect(commands).toEqual([{ type: 'hangupAgent', agentChannelId: 'c1-agent-1' }]);
  });

  it.each<[string, () => CallState]>([
    ['queued', queued],
    ['offering', offering],
    ['connected', connected],
  ])('ignores keys pressed while %s', (_label, make) => {
    const state = make();
    expect(step(state, { type: 'dtmf', digit: '1' }, at(50))).toEqual({ state, commands: [] });
  });
});

describe('operator drop versus hang-up', () => {
  it.each<[string, CallInput]>([
    [
      'the operator’s leg ends without an announced hang-up',
      { type: 'agentHungUp', agentChannelId: 'c1-agent-1' },
    ],
    ['the operator’s console drops', { type: 'agentLost', agentChannelId: 'c1-agent-1' }],
  ])('when %s, the caller hears an apology and goes back to the head of the queue', (_label, input) => {
    const from = connected();
    const { state, commands } = step(from, input, at(90));
    expect(state).toMatchObject({
      name: 'queued',
      queue: 'health',
      menuChoice: '1',
      queuedAt: at(1),
      offers: 1,
      playing: lastToken(state, 'playing'),
    });
    expect(commands).toEqual([
      { type: 'hangupAgent', agentChannelId: 'c1-agent-1' },
      { type: 'releaseOperator', operatorId: 7, to: 'not_ready', reason: 'connection_lost' },
      { type: 'hold', queue: 'health' },
      { type: 'play', sounds: ['agentLost'], playback: lastToken(state, 'playing') },
      { type: 'enqueue', queue: 'health', position: 'head' },
      // The callback offer was due 90 s after joining at 1 s.
      { type: 'startTimer', ms: 1_000, timer: lastToken(state, 'timer') },
    ]);
  });

  it('after a drop, the next operator answers and the apology stops; the lost leg’s late end changes nothing', () => {
    const dropped = step(connected(), { type: 'agentLost', agentChannelId: 'c1-agent-1' }, at(90)).state;
    expect(step(dropped, { type: 'agentHungUp', agentChannelId: 'c1-agent-1' }, at(91))).toEqual({
      state: dropped,
      commands: [],
    });
    const ringing = step(dropped, offer(8, 'c1-agent-2'), at(92));
    expect(ringing.state).toMatchObject({ name: 'offering', operatorId: 8, offers: 2 });
    const answered = step(ringing.state, { type: 'agentAnswered', agentChannelId: 'c1-agent-2' }, at(95));
    expect(answered.state).toMatchObject({ name: 'connected', operatorId: 8, answeredAt: at(95) });
    expect(answered.commands).toContainEqual({ type: 'stopPlayback', playback: dropped.playing });
  });

  it.each<[string, () => CallState, CallInput]>([
    ['another operator', connected, { type: 'agentHangsUp', operatorId: 8 }],
    ['an operator whose phone still rings', offering, { type: 'agentHangsUp', operatorId: 7 }],
    ['a caller back in the queue', () => queued(), { type: 'agentHangsUp', operatorId: 7 }],
    ['a console lost for an earlier leg', connected, { type: 'agentLost', agentChannelId: 'c1-agent-0' }],
  ])('a hang-up or loss that is not the current operator’s (%s) changes nothing', (_label, make, input) => {
    const state = make();
    expect(step(state, input, at(70))).toEqual({ state, commands: [] });
  });
});

describe('hangups', () => {
  const cases: [string, () => CallState, CallInput, CallCommand[]][] = [
    [
      'answering',
      answering,
      { type: 'callerHungUp' },
      [{ type: 'finish', reason: 'caller_hung_up_in_menu' }],
    ],
    [
      'menu (prompt playing)',
      menu,
      { type: 'callerHungUp' },
      [{ type: 'finish', reason: 'caller_hung_up_in_menu' }],
    ],
    [
      'menu (waiting for a key)',
      menuFinished,
      { type: 'callerHungUp' },
      [{ type: 'cancelTimer' }, { type: 'finish', reason: 'caller_hung_up_in_menu' }],
    ],
    [
      'queued',
      () => queued(),
      { type: 'callerHungUp' },
      [{ type: 'cancelTimer' }, { type: 'leaveQueue' }, { type: 'finish', reason: 'abandoned_in_queue' }],
    ],
    [
      'offering',
      offering,
      { type: 'callerHungUp' },
      [
        { type: 'cancelTimer' },
        { type: 'cancelRing', agentChannelId: 'c1-agent-1' },
        { type: 'releaseOperator', operatorId: 7, to: 'ready' },
        { type: 'finish', reason: 'abandoned_in_queue' },
      ],
    ],
    [
      'connected, caller hangs up (operator to wrap-up)',
      connected,
      { type: 'callerHungUp' },
      [
        { type: 'releaseOperator', operatorId: 7, to: 'wrap_up' },
        { type: 'hangupAgent', agentChannelId: 'c1-agent-1' },
        { type: 'finish', reason: 'caller_hung_up' },
      ],
    ],
    [
      'connected, operator presses hang-up (operator to wrap-up, line free at once)',
      connected,
      { type: 'agentHangsUp', operatorId: 7 },
      [
        { type: 'releaseOperator', operatorId: 7, to: 'wrap_up', lineFree: true },
        { type: 'hangupAgent', agentChannelId: 'c1-agent-1' },
        { type: 'hangupCaller' },
        { type: 'finish', reason: 'agent_hung_up' },
      ],
    ],
  ];

  it.each(cases)('in %s ends the call and cleans up', (_label, make, input, expected) => {
    const { state, commands } = step(make(), input, at(60));
    expect(state.name).toBe('ended');
    expect(commands).toEqual(expected);
  });

  it.each<[string, () => CallState, string]>([
    ['answering', answering, 'error'],
    ['menu (prompt playing)', menu, 'error'],
    ['menu (waiting for a key)', menuFinished, 'error'],
    ['queued', () => queued(), 'abandoned_in_queue'],
    ['connected', connected, 'caller_hung_up'],
  ])('in %s, a caller Asterisk cut off as it shut down ends as %s', (_label, make, reason) => {
    const { commands } = step(make(), { type: 'callerHungUp', byAsterisk: true }, at(60));
    expect(commands.at(-1)).toEqual({ type: 'finish', reason });
  });

  it.each<CallInput>([
    { type: 'callerHungUp' },
    { type: 'agentHungUp', agentChannelId: 'c1-agent-1' },
    { type: 'agentFailed', agentChannelId: 'c1-agent-1' },
    { type: 'dtmf', digit: '1' },
    { type: 'playbackFinished', playback: 1 },
    { type: 'timeout', timer: 1 },
    { type: 'error' },
  ])('after the end ignores late $type', (input) => {
    const end = step(connected(), { type: 'callerHungUp' }, at(60)).state;
    expect(step(end, input, at(61))).toEqual({ state: end, commands: [] });
  });

  it('after the end gives back an operator whose offer was still waiting its turn', () => {
    const end = step(queued(), { type: 'callerHungUp' }, at(60)).state;
    const { commands } = step(end, offer(3), at(61));
    expect(commands).toEqual([{ type: 'releaseOperator', operatorId: 3, to: 'ready' }]);
  });
});

describe('errors', () => {
  it.each<[string, () => CallState, CallCommand['type'][], CallState['name']]>([
    ['answering', answering, ['hangupCaller', 'finish'], 'ended'],
    ['menu', menu, ['hangupCaller', 'finish'], 'ended'],
    ['queued', () => queued(), ['hold', 'enqueue'], 'queued'],
    [
      'offering',
      offering,
      ['cancelTimer', 'stopPlayback', 'cancelRing', 'releaseOperator', 'hold', 'enqueue', 'startTimer'],
      'queued',
    ],
    ['connected', connected, ['hangupAgent', 'releaseOperator', 'hold', 'enqueue', 'startTimer'], 'queued'],
  ])('a failed command in %s ends in a defined place', (_label, make, expected, name) => {
    const { state, commands } = step(make(), { type: 'error' }, at(70));
    expect(state.name).toBe(name);
    expect(types(commands)).toEqual(expected);
    const enqueue = commands.find((c) => c.type === 'enqueue');
    if (enqueue) expect(enqueue).toMatchObject({ position: 'head' });
  });
});

describe('illegal transitions', () => {
  it.each<[string, () => CallState, CallInput]>([
    ['answering', answering, { type: 'dtmf', digit: '1' }],
    ['answering', answering, offer(1, 'x')],
    ['menu', menu, { type: 'started' }],
    ['menu', menu, offer(1, 'x')],
    ['queued', () => queued(), { type: 'started' }],
    ['offering', offering, offer(2, 'c1-agent-2')],
    ['offering', offering, { type: 'agentHungUp', agentChannelId: 'c1-agent-1' }],
    ['connected', connected, { type: 'agentAnswered', agentChannelId: 'c1-agent-1' }],
    ['connected', connected, offer(2, 'c1-agent-2')],
    ['ended', () => run([{ type: 'callerHungUp' }]).state, { type: 'started' }],
  ])('%s rejects %o', (name, make, input) => {
    const state = make();
    expect(() => step(state, input, at(80))).toThrow(IllegalTransitionError);
    try {
      step(state, input, at(80));
    } catch (err) {
      expect(err).toMatchObject({ code: 'ILLEGAL_TRANSITION', state: name, input: input.type });
    }
  });
});
