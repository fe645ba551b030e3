/**
 * The `queued` state of the call flow: position announcements on joining and every period, the
 * callback offer and its key, other keys ignored, hang-ups during an announcement.
 */
import { describe, expect, it } from 'vitest';
import {
  type CallCommand,
  type CallInput,
  type CallState,
  initialState,
  type QueuedState,
  step,
  type WaitingOptions,
} from '../../ivr/flow.ts';
import { DEFAULT_MENU } from '../support/menu.ts';

const t0 = new Date('2024-05-01T08:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const W: WaitingOptions = { announceEveryMs: 60_000, callbackOfferAfterMs: 90_000 };

function queuedAt(second: number, waiting: WaitingOptions = W) {
  const menu = step(initialState(DEFAULT_MENU), { type: 'started' }, at(0), waiting).state;
  return step(menu, { type: 'dtmf', digit: '1' }, at(second), waiting);
}

function asQueued(state: CallState): QueuedState {
  if (state.name !== 'queued') throw new Error(`expected queued, got ${state.name}`);
  return state;
}

/** Fires the running queue timer at `second`. */
function fire(state: CallState, second: number, waiting: WaitingOptions = W) {
  const { timer } = asQueued(state);
  if (timer === null) throw new Error('no timer running');
  return step(state, { type: 'timeout', timer }, at(second), waiting);
}

const timerMs = (commands: CallCommand[]) => commands.flatMap((c) => (c.type === 'startTimer' ? [c.ms] : []));

describe('announcements while queued', () => {
  it('on joining: the "please wait" prompt with position and wait, then a timer to the next announcement', () => {
    const { state, commands } = queuedAt(2);
    const q = asQueued(state);
    expect(commands).toEqual([
      { type: 'stopPlayback', playback: 1 },
      { type: 'hold', queue: 'health' },
      { type: 'enqueue', queue: 'health', position: 'tail' },
      { type: 'announce', before: ['queued'], callbackOffer: false, playback: q.playing },
      { type: 'startTimer', ms: 60_000, timer: q.timer },
    ]);
    expect(q).toMatchObject({ queuedAt: at(2), announceAt: at(62), callbackOffered: false });
  });

  it('announces again every period, stopping a prompt still playing, and re-arms one timer', () => {
    const joined = queuedAt(0, { announceEveryMs: 60_000, callbackOfferAfterMs: 0 }).state;
    const first = fire(joined, 60, { announceEveryMs: 60_000, callbackOfferAfterMs: 0 });
    const q1 = asQueued(first.state);
    expect(first.commands).toEqual([
      { type: 'stopPlayback', playback: asQueued(joined).playing },
      { type: 'announce', before: [], callbackOffer: false, playback: q1.playing },
      { type: 'startTimer', ms: 60_000, timer: q1.timer },
    ]);
    const done = step(q1, { type: 'playbackFinished', playback: q1.playing ?? -1 }, at(70)).state;
    const second = fire(done, 120, { announceEveryMs: 60_000, callbackOfferAfterMs: 0 });
    expect(second.commands.map((c) => c.type)).toEqual(['announce', 'startTimer']);
    expect(asQueued(second.state).announceAt).toEqual(at(180));
  });

  it('ignores a stale timer', () => {
    const { state } = queuedAt(0);
    expect(step(state, { type: 'timeout', timer: -1 }, at(60))).toEqual({ state, commands: [] });
  });

  it('after a failed offer the caller is back at the head and announcements resume', () => {
    const joined = queuedAt(0).state;
    const offering = step(
      joined,
      { type: 'offer', operatorId: 7, agentChannelId: 'c-agent-1', ringSeconds: 15 },
      at(5),
    ).state;
    const back = step(offering, { type: 'agentFailed', agentChannelId: 'c-agent-1' }, at(20));
    const q = asQueued(back.state);
    expect(back.commands.slice(-2)).toEqual([
      { type: 'enqueue', queue: 'health', position: 'head' },
      { type: 'startTimer', ms: 60_000, timer: q.timer },
    ]);
    expect(q.announceAt).toEqual(at(80));
  });
});

describe('callback offer', () => {
  it('is made once at the offer time, then repeated with every announcement', () => {
    const joined = queuedAt(0).state;
    const at60 = fire(joined, 60);
    expect(timerMs(at60.commands)).toEqual([30_000]);
    expect(at60.commands).toContainEqual(expect.objectContaining({ type: 'announce', callbackOffer: false }));
    const at90 = fire(at60.state, 90);
    const q90 = asQueued(at90.state);
    expect(at90.commands).toEqual([
      { type: 'stopPlayback', playback: asQueued(at60.state).playing },
      { type: 'play', sounds: ['callbackOffer'], playback: q90.playing },
      { type: 'startTimer', ms: 30_000, timer: q90.timer },
    ]);
    expect(q90.callbackOffered).toBe(true);
    const at120 = fire(q90, 120);
    expect(at120.commands).toContainEqual(expect.objectContaining({ type: 'announce', callbackOffer: true }));
    expect(timerMs(at120.commands)).toEqual([60_000]);
  });

  it('comes with the announcement when both fall due together', () => {
    const w = { announceEveryMs: 60_000, callbackOfferAfterMs: 60_000 };
    const { commands, state } = fire(queuedAt(0, w).state, 60, w);
    expect(commands).toContainEqual(expect.objectContaining({ type: 'announce', callbackOffer: true }));
    expect(asQueued(state).callbackOffered).toBe(true);
  });

  it('is never made when switched off (0)', () => {
    const w = { announceEveryMs: 60_000, callbackOfferAfterMs: 0 };
    let state = queuedAt(0, w).state;
    for (const second of [60, 120, 180]) {
      const r = fire(state, second, w);
      expect(r.commands).toContainEqual(expect.objectContaining({ type: 'announce', callbackOffer: false }));
      expect(timerMs(r.commands)).toEqual([60_000]);
      state = r.state;
    }
    expect(step(state, { type: 'dtmf', digit: '1' }, at(200), w)).toEqual({ state, commands: [] });
  });

  it('key 1 after the offer: leave the queue, confirm, say goodbye, hang up with callback_requested', () => {
    const offered = fire(fire(queuedAt(0).state, 60).state, 90).state;
    const pressed = step(offered, { type: 'dtmf', digit: '1' }, at(95));
    expect(pressed.state).toMatchObject({ name: 'goodbye', reason: 'callback_requested' });
    expect(pressed.commands).toEqual([
      { type: 'stopPlayback', playback: offered.playing },
      { type: 'cancelTimer' },
      { type: 'leaveQueue' },
      { type: 'play', sounds: ['callbackConfirmed', 'goodbye'], playback: pressed.state.playing },
    ]);
    const done = step(
      pressed.state,
      { type: 'playbackFinished', playback: pressed.state.playing ?? -1 },
      at(100),
    );
    expect(done.state).toMatchObject({ name: 'ended', reason: 'callback_requested' });
    expect(done.commands).toEqual([
      { type: 'hangupCaller' },
      { type: 'finish', reason: 'callback_requested' },
    ]);
  });

  it('a caller who hangs up during the confirmation still asked for the callback', () => {
    const offered = fire(fire(queuedAt(0).state, 60).state, 90).state;
    const pressed = step(offered, { type: 'dtmf', digit: '1' }, at(95)).state;
    const { state, commands } = step(pressed, { type: 'callerHungUp' }, at(96));
    expect(state).toMatchObject({ name: 'ended', reason: 'callback_requested' });
    expect(commands).toEqual([{ type: 'finish', reason: 'callback_requested' }]);
  });

  it('an offer that was already on its way when the caller pressed 1 gives the operator back', () => {
    const offered = fire(fire(queuedAt(0).state, 60).state, 90).state;
    const pressed = step(offered, { type: 'dtmf', digit: '1' }, at(95)).state;
    const late = step(
      pressed,
      { type: 'offer', operatorId: 3, agentChannelId: 'c-agent-1', ringSeconds: 15 },
      at(95),
    );
    expect(late).toEqual({
      state: pressed,
      commands: [{ type: 'releaseOperator', operatorId: 3, to: 'ready' }],
    });
  });

  it.each(['1', '2', '0', '*', '#'])('key %s before the offer is ignored', (digit) => {
    const state = fire(queuedAt(0).state, 60).state;
    expect(step(state, { type: 'dtmf', digit }, at(70))).toEqual({ state, commands: [] });
  });

  it.each(['2', '9', '*', '#'])('other keys after the offer (%s) are ignored', (digit) => {
    const state = fire(fire(queuedAt(0).state, 60).state, 90).state;
    expect(step(state, { type: 'dtmf', digit }, at(95))).toEqual({ state, commands: [] });
  });

  it('key 1 while an operator is ringing is ignored (the offer stands)', () => {
    const offered = fire(fire(queuedAt(0).state, 60).state, 90).state;
    const ringing = step(
      offered,
      { type: 'offer', operatorId: 7, agentChannelId: 'c-agent-1', ringSeconds: 15 },
      at(92),
    ).state;
    expect(step(ringing, { type: 'dtmf', digit: '1' }, at(93))).toEqual({ state: ringing, commands: [] });
  });
});

describe('hang-ups while queued', () => {
  it.each<[string, (s: CallState) => CallState]>([
    ['while waiting', (s) => s],
    ['during an announcement', (s) => fire(s, 60).state],
    ['during the callback offer', (s) => fire(fire(s, 60).state, 90).state],
  ])('%s: leaves the queue, stops the timer, abandoned', (_label, make) => {
    const state = make(queuedAt(0).state);
    const input: CallInput = { type: 'callerHungUp' };
    const result = step(state, input, at(100));
    expect(result.state).toMatchObject({ name: 'ended', reason: 'abandoned_in_queue' });
    expect(result.commands).toEqual([
      { type: 'cancelTimer' },
      { type: 'leaveQueue' },
      { type: 'finish', reason: 'abandoned_in_queue' },
    ]);
  });
});
