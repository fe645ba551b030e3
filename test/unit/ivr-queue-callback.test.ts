/**
 * The queue callback's pure rules: the flow of a citizen the hotline called back, the ACD's order
 * of kept places among waiting calls, and what each attempt's end means.
 */
import { describe, expect, it } from 'vitest';
import { Acd } from '../../ivr/acd.ts';
import {
  type CallInput,
  type CallState,
  callingBackState,
  DEFAULT_WAITING,
  initialState,
  step,
  waitingFor,
} from '../../ivr/flow.ts';
import {
  afterQueueAttempt,
  DEFAULT_QUEUE_CALLBACK,
  DIAL_BOOT,
  outcomeOfCause,
  queueCallbackChannelId,
} from '../../ivr/queue-callback.ts';
import { DEFAULT_MENU } from '../support/menu.ts';

const t0 = new Date('2024-05-01T08:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const place = { queue: 'health' as const, menuChoice: '1', queuedAt: at(-300) };

describe('a citizen who answered the queue callback', () => {
  const answered = () => callingBackState(DEFAULT_MENU, place, 7, at(0));

  it('waits in the queue bridge hearing the greeting, then the reserved operator rings', () => {
    const started = step(answered(), { type: 'started' }, at(0));
    expect(started.commands).toEqual([
      { type: 'hold', queue: 'health' },
      { type: 'play', sounds: ['callbackGreeting'], playback: 1 },
    ]);
    const greeted = step(started.state, { type: 'playbackFinished', playback: 1 }, at(4));
    expect(greeted.commands).toEqual([{ type: 'offerReserved', operatorId: 7 }]);
    const offered = step(
      greeted.state,
      { type: 'offer', operatorId: 7, agentChannelId: 'x-agent-1', ringSeconds: 15 },
      at(4),
    );
    expect(offered.state).toMatchObject({
      name: 'offering',
      operatorId: 7,
      queue: 'health',
      menuChoice: '1',
      queuedAt: place.queuedAt,
    });
    expect(offered.commands[0]).toEqual({
      type: 'ring',
      operatorId: 7,
      agentChannelId: 'x-agent-1',
      ringSeconds: 15,
    });
    // Answered: connected exactly as any offer.
    const talk = step(offered.state, { type: 'agentAnswered', agentChannelId: 'x-agent-1' }, at(6));
    expect(talk.state.name).toBe('connected');
    expect(talk.commands).toContainEqual({ type: 'bridge', operatorId: 7, agentChannelId: 'x-agent-1' });
  });

  it('ignores keys and a stale playback while the greeting plays', () => {
    const started = step(answered(), { type: 'started' }, at(0)).state;
    for (const input of [
      { type: 'dtmf', digit: '1' },
      { type: 'playbackFinished', playback: 99 },
    ] satisfies CallInput[]) {
      expect(step(started, input, at(1))).toEqual({ state: started, commands: [] });
    }
  });

  it('gives the reserved operator back when the citizen hangs up during the greeting', () => {
    const started = step(answered(), { type: 'started' }, at(0)).state;
    const gone = step(started, { type: 'callerHungUp' }, at(2));
    expect(gone.state).toMatchObject({ name: 'ended', reason: 'abandoned_in_queue' });
    expect(gone.commands).toContainEqual({ type: 'releaseOperator', operatorId: 7, to: 'ready' });
  });

  it('puts the citizen at the head of the queue when a command fails, the operator given back', () => {
    const started = step(answered(), { type: 'started' }, at(0)).state;
    const failed = step(started, { type: 'error' }, at(1));
    expect(failed.state).toMatchObject({ name: 'queued', queue: 'health', queuedAt: place.queuedAt });
    expect(failed.commands).toContainEqual({ type: 'releaseOperator', operatorId: 7, to: 'ready' });
    expect(failed.commands).toContainEqual({ type: 'enqueue', queue: 'health', position: 'head' });
  });

  it('is not offered a callback again if they wait again', () => {
    const started = step(answered(), { type: 'started' }, at(0)).state;
    const back = step(started, { type: 'error' }, at(1)).state;
    expect(back).toMatchObject({ name: 'queued', callbackOffered: true });
  });
});

describe('the callback offer and the caller number', () => {
  /** A caller in `health` after `waitSeconds`, with the options `waitingFor` gives their number. */
  function waited(dialable: boolean, waitSeconds: number): CallState {
    const waiting = waitingFor({ announceEveryMs: 60_000, callbackOfferAfterMs: 30_000 }, dialable);
    let state: CallState = step(initialState(DEFAULT_MENU), { type: 'started' }, at(0), waiting).state;
    state = step(state, { type: 'dtmf', digit: '1' }, at(1), waiting).state;
    const timer = (s: CallState) => ('timer' in s ? s.timer : null) ?? -1;
    for (let s = 1; s <= waitSeconds; s += 10) {
      state = step(state, { type: 'timeout', timer: timer(state) }, at(s + 10), waiting).state;
    }
    return state;
  }

  it('offers a callback to a caller whose number can be dialled', () => {
    expect(waited(true, 40)).toMatchObject({ name: 'queued', callbackOffered: true });
  });

  it('never offers it to a withheld number: they keep waiting, and key 1 does nothing', () => {
    const state = waited(false, 120);
    expect(state).toMatchObject({ name: 'queued', callbackOffered: false });
    const pressed = step(state, { type: 'dtmf', digit: '1' }, at(200), waitingFor(DEFAULT_WAITING, false));
    expect(pressed.state.name).toBe('queued');
  });
});

describe('kept places in the ACD', () => {
  const operators = [
    { operatorId: 7, displayName: 'Lan', sipEndpoint: 'tdv07', skills: ['health' as const] },
  ];

  it('a rebuilt place goes in by when its caller joined, ahead of callers who joined later', () => {
    const acd = new Acd(operators, at(0));
    acd.enqueue({ callId: 'later-1', queue: 'health', queuedAt: at(-100) }, 'tail');
    acd.enqueue({ callId: 'later-2', queue: 'health', queuedAt: at(-50) }, 'tail');
    acd.enqueue({ callId: 'qcb-old', queue: 'health', queuedAt: at(-300), callback: true }, 'tail');
    acd.enqueue({ callId: 'qcb-mid', queue: 'health', queuedAt: at(-70), callback: true }, 'tail');
    expect(['qcb-old', 'later-1', 'qcb-mid', 'later-2'].map((id) => acd.position(id))).toEqual([1, 2, 3, 4]);
  });

  it('a place waiting for its spacing keeps its position but is passed over until then', () => {
    const acd = new Acd(operators, at(0));
    acd.enqueue(
      { callId: 'qcb-a', queue: 'health', queuedAt: at(-300), callback: true, notBefore: at(120) },
      'tail',
    );
    acd.enqueue({ callId: 'call-b', queue: 'health', queuedAt: at(-10) }, 'tail');
    acd.request(7, { state: 'ready' }, at(0));
    expect(acd.nextOverflowAt(at(0))).toEqual(at(50));
    expect(acd.assign(at(1)).map((a) => a.call.callId)).toEqual(['call-b']);
    expect(acd.position('qcb-a')).toBe(1);
    acd.release(7, { to: 'ready' }, at(2));
    expect(acd.assign(at(60))).toEqual([]);
    // The dispatch timer wakes at the spacing's end.
    expect(acd.nextOverflowAt(at(60))).toEqual(at(120));
    expect(acd.assign(at(120)).map((a) => a.call.callId)).toEqual(['qcb-a']);
    expect(acd.state(7)).toBe('ringing');
  });

  it('the operator reserved for a place holds the citizen’s call once it is dialled', () => {
    const acd = new Acd(operators, at(0));
    acd.enqueue({ callId: 'qcb-a', queue: 'health', queuedAt: at(-30), callback: true }, 'tail');
    acd.request(7, { state: 'ready' }, at(0));
    acd.assign(at(0));
    acd.rebind(7, 'qcb-a-1');
    expect(acd.callOf(7)).toBe('qcb-a-1');
  });
});

describe('attempts', () => {
  it.each([
    [17, 'busy'],
    [19, 'no_answer'],
    [18, 'no_answer'],
    [21, 'no_answer'],
    [16, 'no_answer'],
    [1, 'failed'],
    [34, 'failed'],
    [38, 'failed'],
  ] as const)('cause %i before an answer is %s', (cause, outcome) => {
    expect(outcomeOfCause(cause)).toBe(outcome);
  });

  const policy = { maxAttempts: 3, retryMs: 120_000 };
  it.each([
    [1, 'busy', { next: 'retry', notBefore: at(120) }],
    [2, 'no_answer', { next: 'retry', notBefore: at(120) }],
    [3, 'failed', { next: 'person' }],
    [1, 'reached', { next: 'done' }],
    [3, 'reached', { next: 'done' }],
  ] as const)('after attempt %i (%s)', (attempts, outcome, expected) => {
    expect(afterQueueAttempt(attempts, outcome, at(0), policy)).toEqual(expected);
  });

  it('defaults: 3 attempts, 2 minutes apart', () => {
    expect(DEFAULT_QUEUE_CALLBACK).toMatchObject({ maxAttempts: 3, retryMs: 120_000 });
  });
});

describe('attempt channel ids', () => {
  it('carry the process token, so they never meet a channel a controller before a restart dialled', () => {
    expect(queueCallbackChannelId('qcb-c1', 2, 'a1b2c3')).toBe('qcb-c1-2-a1b2c3');
    expect(DIAL_BOOT).toMatch(/^[0-9a-f]{6}$/);
    expect(queueCallbackChannelId('qcb-c1', 2)).toBe(`qcb-c1-2-${DIAL_BOOT}`);
    expect(queueCallbackChannelId('qcb-c1', 2)).not.toBe('qcb-c1-2');
  });
});
