/** The status line ("tra cứu kết quả", menu key 9) in the pure call flow. */
import { describe, expect, it } from 'vitest';
import type { StatusLookup, TicketStatusGroup } from '../../ivr/api.ts';
import {
  AFTER_STATUS_MS,
  type CallCommand,
  type CallInput,
  type CallState,
  CODE_TIMEOUT_MS,
  IllegalTransitionError,
  initialState,
  LOOKUP_GUARD_MS,
  MENU_TIMEOUT_MS,
  type SoundName,
  STATUS_SOUNDS,
  type StepResult,
  step,
} from '../../ivr/flow.ts';
import { DEFAULT_MENU } from '../support/menu.ts';

const t0 = new Date('2024-05-01T08:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const CODE = '123456782';

/** Feeds inputs one by one from `from`; returns the last state and every command, in order. */
function run(from: CallState, inputs: CallInput[]): StepResult {
  let state = from;
  const commands: CallCommand[] = [];
  for (const [i, input] of inputs.entries()) {
    const result = step(state, input, at(i));
    state = result.state;
    commands.push(...result.commands);
  }
  return { state, commands };
}

const dtmf = (keys: string): CallInput[] => [...keys].map((digit) => ({ type: 'dtmf', digit }));
const types = (commands: CallCommand[]) => commands.map((c) => c.type);
const played = (commands: CallCommand[]): SoundName[][] =>
  commands.flatMap((c) => (c.type === 'play' ? [c.sounds] : []));

function token(state: CallState, kind: 'playing' | 'timer' | 'lookup'): number {
  const value =
    kind === 'playing'
      ? state.playing
      : kind === 'timer'
        ? 'timer' in state
          ? state.timer
          : null
        : 'lookup' in state
          ? state.lookup
          : null;
  if (value === null) throw new Error(`no ${kind} in state ${state.name}`);
  return value;
}

const finishPlayback = (state: CallState): StepResult =>
  step(state, { type: 'playbackFinished', playback: token(state, 'playing') }, at(30));
const fireTimer = (state: CallState): StepResult =>
  step(state, { type: 'timeout', timer: token(state, 'timer') }, at(40));
const answer = (state: CallState, result: StatusLookup): StepResult =>
  step(state, { type: 'lookupResult', lookup: token(state, 'lookup'), result }, at(35));

/** The menu prompt is playing. */
const menu = () => step(initialState(DEFAULT_MENU), { type: 'started' }, at(0)).state;
/** 9 was pressed during the menu prompt (type-ahead); "enter your code" is playing. */
const codeEntry = () => run(menu(), dtmf('9')).state;
/** The code and # were keyed in; the lookup runs. */
const lookingUp = (keys = `${CODE}#`) => run(codeEntry(), dtmf(keys)).state;
const found = (group: TicketStatusGroup, smsSent = false) =>
  answer(lookingUp(), { kind: 'found', group, smsSent }).state;
/** Three codes were not accepted; "press 0 for an operator, * for the menu" is playing. */
const codeRejected = () => run(codeEntry(), dtmf('1#2#3#')).state;
const goodbye = () => fireTimer(finishPlayback(found('resolved')).state).state;

describe('choosing the status line', () => {
  it('takes 9 pressed during the menu prompt and asks for the code', () => {
    const m = menu();
    const { state, commands } = step(m, { type: 'dtmf', digit: '9' }, at(2));
    expect(state).toMatchObject({ name: 'codeEntry', digits: '', attempts: 0, timeouts: 0, timer: null });
    expect(commands).toEqual([
      { type: 'stopPlayback', playback: token(m, 'playing') },
      { type: 'play', sounds: ['enterCode'], playback: token(state, 'playing') },
    ]);
  });

  it('takes 9 after the menu, cancelling the menu timer', () => {
    const waiting = finishPlayback(menu()).state;
    const { state, commands } = step(waiting, { type: 'dtmf', digit: '9' }, at(12));
    expect(state.name).toBe('codeEntry');
    expect(types(commands)).toEqual(['cancelTimer', 'play']);
  });
});

describe('keying in the code', () => {
  it('keeps digits pressed during the prompt: the first stops it, each restarts the wait', () => {
    const entry = codeEntry();
    const { state, commands } = run(entry, dtmf('123'));
    expect(state).toMatchObject({ name: 'codeEntry', digits: '123', playing: null });
    expect(commands).toEqual([
      { type: 'stopPlayback', playback: token(entry, 'playing') },
      { type: 'startTimer', ms: CODE_TIMEOUT_MS, timer: expect.any(Number) },
      { type: 'startTimer', ms: CODE_TIMEOUT_MS, timer: expect.any(Number) },
      { type: 'startTimer', ms: CODE_TIMEOUT_MS, timer: token(state, 'timer') },
    ]);
  });

  it('waits for a key once the prompt has finished', () => {
    const { state, commands } = finishPlayback(codeEntry());
    expect(commands).toEqual([{ type: 'startTimer', ms: CODE_TIMEOUT_MS, timer: token(state, 'timer') }]);
  });

  it.each([
    ['while the prompt plays (type-ahead)', codeEntry],
    ['after the prompt', () => finishPlayback(codeEntry()).state],
  ])('looks up 9 digits and # keyed in %s, with a guard timer', (_label, make) => {
    const { state, commands } = run(make(), dtmf(`${CODE}#`));
    expect(state).toMatchObject({ name: 'lookingUp', attempts: 0 });
    const lookup = token(state, 'lookup');
    expect(commands.slice(-3)).toEqual([
      { type: 'cancelTimer' },
      { type: 'lookup', trackingCode: CODE, lookup },
      { type: 'startTimer', ms: LOOKUP_GUARD_MS, timer: lookup },
    ]);
  });

  it('takes a full code followed by silence as if # had been pressed', () => {
    const typed = run(codeEntry(), dtmf(CODE)).state;
    const { state, commands } = fireTimer(typed);
    expect(state.name).toBe('lookingUp');
    expect(commands.find((c) => c.type === 'lookup')).toMatchObject({ trackingCode: CODE });
  });

  it.each(['A', 'D'])('ignores key %s', (digit) => {
    const entry = run(codeEntry(), dtmf('12')).state;
    expect(step(entry, { type: 'dtmf', digit }, at(20))).toEqual({ state: entry, commands: [] });
  });

  it.each([
    ['too short', '12345678#'],
    ['too long', '1234567821#'],
    ['empty', '#'],
    ['far too long', `${'7'.repeat(40)}#`],
  ])('rejects a code that is %s without asking the status line', (_label, keys) => {
    const { state, commands } = run(codeEntry(), dtmf(keys));
    expect(state).toMatchObject({ name: 'codeEntry', digits: '', attempts: 1 });
    expect(types(commands)).not.toContain('lookup');
    expect(played(commands).at(-1)).toEqual(['wrongCode', 'reenterCode']);
  });

  it('keeps digits typed ahead during the "wrong code" prompt', () => {
    const { state, commands } = run(codeEntry(), dtmf(`12#${CODE}#`));
    expect(state.name).toBe('lookingUp');
    expect(commands.find((c) => c.type === 'lookup')).toMatchObject({ trackingCode: CODE });
  });
});

describe('silence while keying in the code', () => {
  it('asks again once, then puts the caller through to an operator in general', () => {
    const first = fireTimer(finishPlayback(codeEntry()).state);
    expect(first.state).toMatchObject({ name: 'codeEntry', timeouts: 1, digits: '' });
    expect(played(first.commands)).toEqual([['enterCode']]);

    const second = fireTimer(finishPlayback(first.state).state);
    // Pressed 9 by mistake and silent since: never hung up on, an operator takes the call.
    expect(second.state).toMatchObject({ name: 'queued', queue: 'general', menuChoice: '' });
    expect(second.commands).toContainEqual({ type: 'hold', queue: 'general' });
    expect(second.commands).toContainEqual({ type: 'enqueue', queue: 'general', position: 'tail' });
    expect(second.commands).toContainEqual(
      expect.objectContaining({ type: 'announce', before: ['toOperator'] }),
    );
    expect(types(second.commands)).not.toContain('hangupCaller');
  });

  it('forgets a partial code on silence and asks again', () => {
    const { state, commands } = fireTimer(run(codeEntry(), dtmf('1234')).state);
    expect(state).toMatchObject({ name: 'codeEntry', digits: '', timeouts: 1 });
    expect(played(commands)).toEqual([['enterCode']]);
  });

  it('ignores a timer that is no longer current', () => {
    const entry = run(codeEntry(), dtmf('12')).state;
    expect(step(entry, { type: 'timeout', timer: -1 }, at(20))).toEqual({ state: entry, commands: [] });
  });
});

describe('the status line answers', () => {
  it.each(Object.entries(STATUS_SOUNDS) as [TicketStatusGroup, SoundName][])(
    'group %s is read as %s, then the way back to the menu',
    (group, sound) => {
      const from = lookingUp();
      const { state, commands } = answer(from, { kind: 'found', group, smsSent: false });
      expect(state).toMatchObject({ name: 'statusRead', timer: null });
      expect(commands).toEqual([
        { type: 'cancelTimer' },
        { type: 'play', sounds: [sound, 'backToMenu'], playback: token(state, 'playing') },
      ]);
    },
  );

  it('says that the result was texted when it was', () => {
    const { commands } = answer(lookingUp(), { kind: 'found', group: 'resolved', smsSent: true });
    expect(played(commands)).toEqual([['statusResolved', 'smsSent', 'backToMenu']]);
  });

  it('waits for * after the status, then says goodbye and hangs up', () => {
    const read = finishPlayback(found('resolved'));
    expect(read.commands).toEqual([
      { type: 'startTimer', ms: AFTER_STATUS_MS, timer: token(read.state, 'timer') },
    ]);
    const bye = fireTimer(read.state);
    expect(bye.state).toMatchObject({ name: 'goodbye', reason: 'status_given' });
    expect(played(bye.commands)).toEqual([['goodbye']]);
    const end = finishPlayback(bye.state);
    expect(end.commands).toEqual([{ type: 'hangupCaller' }, { type: 'finish', reason: 'status_given' }]);
  });

  it.each<[StatusLookup['kind'], SoundName]>([
    ['invalid_code', 'wrongCode'],
    ['not_found', 'notFound'],
  ])('%s: plays %s and asks again', (kind, sound) => {
    const { state, commands } = answer(lookingUp(), { kind } as StatusLookup);
    expect(state).toMatchObject({ name: 'codeEntry', attempts: 1, digits: '', timeouts: 0 });
    expect(commands).toEqual([
      { type: 'cancelTimer' },
      { type: 'play', sounds: [sound, 'reenterCode'], playback: token(state, 'playing') },
    ]);
  });

  it('after three codes not accepted offers an operator instead', () => {
    let state = lookingUp();
    state = answer(state, { kind: 'invalid_code' }).state;
    state = run(state, dtmf(`${CODE}#`)).state;
    state = answer(state, { kind: 'not_found' }).state;
    state = run(state, dtmf(`${CODE}#`)).state;
    expect(state).toMatchObject({ name: 'lookingUp', attempts: 2 });
    const third = answer(state, { kind: 'invalid_code' });
    expect(third.state.name).toBe('codeRejected');
    expect(played(third.commands)).toEqual([['wrongCode', 'codeRejected']]);
  });

  it('a caller who gave up after three wrong codes reaches an operator with 0', () => {
    const rejected = codeRejected();
    expect(rejected.name).toBe('codeRejected');
    const { state, commands } = step(rejected, { type: 'dtmf', digit: '0' }, at(50));
    expect(state).toMatchObject({ name: 'queued', queue: 'general', menuChoice: '0', queuedAt: at(50) });
    expect(types(commands)).toEqual(['stopPlayback', 'hold', 'enqueue', 'announce', 'startTimer']);
  });

  it('a caller who gave up and stays silent hears goodbye', () => {
    const waiting = finishPlayback(codeRejected());
    expect(waiting.commands).toEqual([
      { type: 'startTimer', ms: CODE_TIMEOUT_MS, timer: token(waiting.state, 'timer') },
    ]);
    const bye = fireTimer(waiting.state);
    expect(bye.state).toMatchObject({ name: 'goodbye', reason: 'code_not_accepted' });
  });

  it.each([
    ['fails', (s: CallState) => step(s, { type: 'lookupFailed', lookup: token(s, 'lookup') }, at(36))],
    ['does not answer in time', (s: CallState) => fireTimer(s)],
  ])('when the status line %s, the caller goes to an operator', (label, fail) => {
    const { state, commands } = fail(lookingUp());
    expect(state).toMatchObject({ name: 'queued', queue: 'general', menuChoice: '' });
    expect(types(commands)).toEqual([
      ...(label === 'fails' ? ['cancelTimer'] : []),
      'hold',
      'enqueue',
      'announce',
      'startTimer',
    ]);
    expect(commands).toContainEqual(expect.objectContaining({ before: ['lookupUnavailable', 'queued'] }));
  });

  it.each<[string, () => CallState]>([
    ['an earlier lookup (wrong token)', lookingUp],
    ['a lookup given up (caller now queued)', () => fireTimer(lookingUp()).state],
    ['a lookup of a caller who hung up', () => step(lookingUp(), { type: 'callerHungUp' }, at(36)).state],
    ['a lookup already answered', () => found('assigned')],
  ])('ignores an answer for %s', (_label, make) => {
    const state = make();
    const late: CallInput = { type: 'lookupResult', lookup: -1, result: { kind: 'not_found' } };
    expect(step(state, late, at(60))).toEqual({ state, commands: [] });
    expect(step(state, { type: 'lookupFailed', lookup: -1 }, at(60))).toEqual({ state, commands: [] });
  });

  it('ignores keys while the lookup runs', () => {
    const state = lookingUp();
    for (const digit of ['1', '#', '*']) {
      expect(step(state, { type: 'dtmf', digit }, at(36))).toEqual({ state, commands: [] });
    }
  });
});

describe('* goes back to the menu', () => {
  it.each<[string, () => CallState]>([
    ['while keying in the code', () => run(codeEntry(), dtmf('123')).state],
    ['during the "enter your code" prompt', codeEntry],
    ['while the status is read', () => found('in_progress')],
    ['after the status was read', () => finishPlayback(found('in_progress')).state],
    ['after three codes not accepted', codeRejected],
  ])('%s', (_label, make) => {
    const from = make();
    const { state, commands } = step(from, { type: 'dtmf', digit: '*' }, at(50));
    expect(state).toMatchObject({ name: 'menu', invalidKeys: 0, timeouts: 0, timer: null });
    expect(commands.at(-1)).toEqual({
      type: 'play',
      sounds: ['menu-main'],
      playback: token(state, 'playing'),
    });
    const stops = types(commands.slice(0, -1)).sort();
    const expected = [
      ...(from.playing !== null ? ['stopPlayback'] : []),
      ...('timer' in from && from.timer !== null ? ['cancelTimer'] : []),
    ].sort();
    expect(stops).toEqual(expected);
    // The menu works as before.
    expect(finishPlayback(state).commands).toEqual([
      { type: 'startTimer', ms: MENU_TIMEOUT_MS, timer: expect.any(Number) },
    ]);
  });

  it('other keys after the status are ignored', () => {
    const state = found('received');
    expect(step(state, { type: 'dtmf', digit: '5' }, at(50))).toEqual({ state, commands: [] });
  });
});

describe('hangups and errors on the status line', () => {
  it.each<[string, () => CallState, CallCommand[]]>([
    ['code entry, prompt playing', codeEntry, []],
    ['code entry, waiting for a digit', () => run(codeEntry(), dtmf('1')).state, [{ type: 'cancelTimer' }]],
    ['lookup running', () => lookingUp(), [{ type: 'cancelTimer' }]],
    ['status being read', () => found('resolved'), []],
    ['after three wrong codes', codeRejected, []],
  ])('caller hangs up in %s', (_label, make, before) => {
    const { state, commands } = step(make(), { type: 'callerHungUp' }, at(60));
    expect(state).toMatchObject({ name: 'ended', reason: 'caller_hung_up_in_lookup' });
    expect(commands).toEqual([...before, { type: 'finish', reason: 'caller_hung_up_in_lookup' }]);
  });

  it('a caller who hangs up during goodbye ends with the goodbye reason', () => {
    const { state, commands } = step(goodbye(), { type: 'callerHungUp' }, at(60));
    expect(state).toMatchObject({ name: 'ended', reason: 'status_given' });
    expect(commands).toEqual([{ type: 'finish', reason: 'status_given' }]);
  });

  it.each<[string, () => CallState]>([
    ['code entry', codeEntry],
    ['lookup running', () => lookingUp()],
    ['status being read', () => found('resolved')],
    ['after three wrong codes', codeRejected],
    ['goodbye', goodbye],
  ])('a failed command in %s hangs up the caller', (_label, make) => {
    const { state, commands } = step(make(), { type: 'error' }, at(70));
    expect(state).toMatchObject({ name: 'ended', reason: 'error' });
    expect(types(commands).slice(-2)).toEqual(['hangupCaller', 'finish']);
  });

  it.each<[string, () => CallState, CallInput]>([
    ['codeEntry', codeEntry, { type: 'started' }],
    ['lookingUp', () => lookingUp(), { type: 'offer', operatorId: 1, agentChannelId: 'x', ringSeconds: 15 }],
    ['statusRead', () => found('resolved'), { type: 'agentAnswered', agentChannelId: 'x' }],
    ['codeRejected', codeRejected, { type: 'started' }],
    ['goodbye', goodbye, { type: 'started' }],
  ])('%s rejects an input it cannot get', (name, make, input) => {
    expect(() => step(make(), input, at(80))).toThrow(IllegalTransitionError);
    expect(() => step(make(), input, at(80))).toThrow(`state "${name}"`);
  });
});
