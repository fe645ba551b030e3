import { describe, expect, it } from 'vitest';
import {
  type CallCommand,
  type CallInput,
  type CallState,
  initialState,
  RECORDING_SETTLE_MS,
  step,
} from '../../ivr/flow.ts';
import { configOf, DEFAULT_MENU, defaultMenuJson } from '../support/menu.ts';

// 07:00–20:00 in Hồ Chí Minh City (UTC+7): 21:30 local is 14:30 UTC.
const NIGHT = new Date('2026-03-11T14:30:00Z');
const DAY = new Date('2026-03-11T03:00:00Z');
const CLOSED_HOLIDAY = configOf({
  ...defaultMenuJson(),
  hours: {
    timeZone: 'Asia/Ho_Chi_Minh',
    open: '07:00',
    close: '20:00',
    holidays: [{ date: '2026-03-11', closed: true }],
  },
});

function run(inputs: CallInput[], config = DEFAULT_MENU, now = NIGHT) {
  let state: CallState = initialState(config);
  const commands: CallCommand[] = [];
  for (const input of inputs) {
    const result = step(state, input, now);
    state = result.state;
    commands.push(...result.commands);
  }
  return { state, commands };
}

const started: CallInput = { type: 'started' };
const prompted = () => run([started]).state;
const recording = () => {
  const s = prompted();
  return step(s, { type: 'playbackFinished', playback: s.playing ?? -1 }, NIGHT).state;
};
const finished = (durationSeconds: number | null): CallInput => ({
  type: 'recordingFinished',
  name: 'message-c1',
  durationSeconds,
});
const timerOf = (s: CallState) => ('timer' in s ? (s.timer ?? -1) : -1);

describe('after hours', () => {
  it('answers with the welcome and the after-hours announcement instead of the menu', () => {
    const { state, commands } = run([started]);
    expect(state.name).toBe('afterHours');
    expect(commands).toEqual([
      { type: 'answer' },
      { type: 'play', sounds: ['config-welcome', 'config-after-hours'], playback: state.playing },
    ]);
  });

  it('plays the menu during opening hours', () => {
    expect(run([started], DEFAULT_MENU, DAY).state.name).toBe('menu');
  });

  it('treats a closed holiday as after hours, even at noon', () => {
    expect(run([started], CLOSED_HOLIDAY, new Date('2026-03-11T05:00:00Z')).state.name).toBe('afterHours');
  });

  it('records after the announcement, capped by the configuration, with a guard timer past the cap', () => {
    const s = prompted();
    const { state, commands } = step(s, { type: 'playbackFinished', playback: s.playing ?? -1 }, NIGHT);
    expect(state).toMatchObject({ name: 'recording', hungUp: false });
    expect(commands).toEqual([
      { type: 'recordMessage', maxDurationSeconds: 120, maxSilenceSeconds: 5 },
      { type: 'startTimer', ms: 130_000, timer: timerOf(state) },
    ]);
  });

  it('ignores keys during the announcement (the recording starts after it)', () => {
    const s = prompted();
    expect(step(s, { type: 'dtmf', digit: '1' }, NIGHT)).toEqual({ state: s, commands: [] });
  });

  it('a message: reports it, thanks the caller, says goodbye and ends with after_hours_message', () => {
    const done = step(recording(), finished(4), NIGHT);
    expect(done.state).toMatchObject({ name: 'goodbye', reason: 'after_hours_message' });
    expect(done.commands).toEqual([
      { type: 'cancelTimer' },
      { type: 'recorded', kind: 'message', name: 'message-c1' },
      { type: 'play', sounds: ['messageSaved', 'goodbye'], playback: done.state.playing },
    ]);
    const end = step(done.state, { type: 'playbackFinished', playback: done.state.playing ?? -1 }, NIGHT);
    expect(end.state).toMatchObject({ name: 'ended', reason: 'after_hours_message' });
    expect(end.commands).toEqual([
      { type: 'hangupCaller' },
      { type: 'finish', reason: 'after_hours_message' },
    ]);
  });

  it.each<[string, CallInput[], string, CallCommand['type'][]]>([
    ['silence (an empty recording)', [finished(0)], 'goodbye', ['cancelTimer', 'play']],
    ['a failed recording', [{ type: 'recordingFailed' }], 'goodbye', ['cancelTimer', 'play']],
    ['a hang-up during the announcement', [], 'ended', ['finish']],
  ])('%s ends without a message', (label, inputs, name, types) => {
    const from = label.includes('announcement') ? prompted() : recording();
    const all = label.includes('announcement') ? [{ type: 'callerHungUp' } as const] : inputs;
    let state = from;
    let commands: CallCommand[] = [];
    for (const input of all) ({ state, commands } = step(state, input, NIGHT));
    expect(state).toMatchObject({ name, reason: 'after_hours_no_message' });
    expect(commands.map((c) => c.type)).toEqual(types);
    expect(commands.some((c) => c.type === 'recorded')).toBe(false);
  });

  it('a hang-up mid-message waits for Asterisk to store it, then ends with after_hours_message', () => {
    const hungUp = step(recording(), { type: 'callerHungUp' }, NIGHT);
    expect(hungUp.state).toMatchObject({ name: 'recording', hungUp: true });
    expect(hungUp.commands).toEqual([
      { type: 'cancelTimer' },
      { type: 'startTimer', ms: RECORDING_SETTLE_MS, timer: timerOf(hungUp.state) },
    ]);
    expect(step(hungUp.state, { type: 'callerHungUp' }, NIGHT).commands).toEqual([]);
    const stored = step(hungUp.state, finished(3), NIGHT);
    expect(stored.state).toMatchObject({ name: 'ended', reason: 'after_hours_message' });
    expect(stored.commands).toEqual([
      { type: 'cancelTimer' },
      { type: 'recorded', kind: 'message', name: 'message-c1' },
      { type: 'finish', reason: 'after_hours_message' },
    ]);
  });

  it('a hang-up before saying anything ends with after_hours_no_message once Asterisk reports it', () => {
    const hungUp = step(recording(), { type: 'callerHungUp' }, NIGHT).state;
    expect(step(hungUp, finished(0), NIGHT).state).toMatchObject({
      name: 'ended',
      reason: 'after_hours_no_message',
    });
  });

  it('a recording whose end is never reported: the guard hangs up without a message', () => {
    const s = recording();
    const { state, commands } = step(s, { type: 'timeout', timer: timerOf(s) }, NIGHT);
    expect(state).toMatchObject({ name: 'ended', reason: 'after_hours_no_message' });
    expect(commands).toEqual([
      { type: 'hangupCaller' },
      { type: 'finish', reason: 'after_hours_no_message' },
    ]);
    const gone = step(s, { type: 'callerHungUp' }, NIGHT).state;
    expect(step(gone, { type: 'timeout', timer: timerOf(gone) }, NIGHT).commands).toEqual([
      { type: 'finish', reason: 'after_hours_no_message' },
    ]);
  });

  it('keys while recording are left to Asterisk (# stops it there)', () => {
    const s = recording();
    expect(step(s, { type: 'dtmf', digit: '#' }, NIGHT)).toEqual({ state: s, commands: [] });
  });

  it('an error hangs up', () => {
    expect(step(recording(), { type: 'error' }, NIGHT).commands.map((c) => c.type)).toEqual([
      'cancelTimer',
      'hangupCaller',
      'finish',
    ]);
  });
});
