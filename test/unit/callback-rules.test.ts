import { describe, expect, it } from 'vitest';
import type { EndReason } from '../../common/domain.ts';
import {
  afterAttempt,
  type CallbackRequest,
  callbackRequestFor,
  claimRefusal,
  decideOnRequest,
  type EndedCall,
  type MergeableTask,
  mergeRequest,
} from '../../server/callbacks/rules.ts';

const T = Date.parse('2025-06-10T03:00:00Z');
const MIN = 60_000;
const ago = (minutes: number) => new Date(T - minutes * MIN);

describe('decideOnRequest: one open callback per citizen, whatever the time', () => {
  it.each([
    { name: 'no open task: a new one', open: [], expected: { kind: 'create' } },
    {
      name: 'an open task, however old: merge',
      open: [{ id: 1 }],
      expected: { kind: 'merge', callbackId: 1 },
    },
  ])('$name', ({ open, expected }) => {
    expect(decideOnRequest(open)).toEqual(expected);
  });
});

describe('callbackRequestFor: which ended calls owe the citizen a call', () => {
  const queued: EndedCall = {
    id: 'c1',
    callerNumber: '0912345678',
    queue: 'health',
    queuedAt: ago(4),
    answeredAt: null,
  };
  const answered: EndedCall = { ...queued, answeredAt: ago(3) };
  const menuOnly: EndedCall = {
    id: 'c1',
    callerNumber: '0912345678',
    queue: null,
    queuedAt: null,
    answeredAt: null,
  };
  const withheld = (call: EndedCall, callerNumber: string): EndedCall => ({ ...call, callerNumber });
  const at = new Date(T);
  it.each<{ name: string; call: EndedCall; reason: EndReason; message: string | null; expected: unknown }>([
    {
      name: 'hung up while waiting → abandoned, waiting since the hang-up',
      call: queued,
      reason: 'abandoned_in_queue',
      message: null,
      expected: { source: 'abandoned', queue: 'health', waitingSince: at, recording: null },
    },
    {
      name: 'an answered call that ends as abandoned (talk lost) owes nothing',
      call: answered,
      reason: 'abandoned_in_queue',
      message: null,
      expected: null,
    },
    {
      name: 'pressed 1 at the offer → offer, keeping the place in the queue',
      call: queued,
      reason: 'callback_requested',
      message: null,
      expected: { source: 'offer', queue: 'health', waitingSince: ago(4) },
    },
    {
      name: 'after-hours message → after_hours with its recording, any operator',
      call: menuOnly,
      reason: 'after_hours_message',
      message: 'msg-c1',
      expected: { source: 'after_hours', queue: 'general', waitingSince: at, recording: 'msg-c1' },
    },
    {
      name: 'an after-hours message whose recording was not stored still becomes a task',
      call: menuOnly,
      reason: 'after_hours_message',
      message: null,
      expected: { source: 'after_hours', recording: null },
    },
    ...['anonymous', 'Anonymous', 'unknown', 'restricted', '', '0', '12'].map((number) => ({
      name: `a withheld number ("${number}") that hung up while waiting gets no task: nobody could dial it`,
      call: withheld(queued, number),
      reason: 'abandoned_in_queue' as const,
      message: null,
      expected: null,
    })),
    {
      name: 'a withheld number leaving an after-hours message gets no task either',
      call: withheld(menuOnly, 'anonymous'),
      reason: 'after_hours_message',
      message: 'msg-c1',
      expected: null,
    },
    {
      name: 'an international number is dialable',
      call: withheld(queued, '+84912345678'),
      reason: 'abandoned_in_queue',
      message: null,
      expected: { source: 'abandoned' },
    },
    {
      name: 'the hotline could not recover a waiting call and hung up → dropped, in its queue',
      call: queued,
      reason: 'error',
      message: null,
      expected: { source: 'dropped', queue: 'health', waitingSince: at },
    },
    {
      name: 'the hotline hung up on a caller still in the menu → dropped, any operator',
      call: menuOnly,
      reason: 'error',
      message: null,
      expected: { source: 'dropped', queue: 'general' },
    },
    {
      name: 'a withheld number the hotline hung up on gets no task: nobody could dial it',
      call: withheld(queued, 'anonymous'),
      reason: 'error',
      message: null,
      expected: null,
    },
    {
      name: 'a talk that ended normally',
      call: answered,
      reason: 'caller_hung_up',
      message: null,
      expected: null,
    },
    {
      name: 'hung up in the menu',
      call: menuOnly,
      reason: 'caller_hung_up_in_menu',
      message: null,
      expected: null,
    },
  ])('$name', ({ call, reason, message, expected }) => {
    const request = callbackRequestFor(call, reason, at, message);
    if (expected === null) expect(request).toBeNull();
    else expect(request).toMatchObject({ callId: 'c1', at, ...(expected as object) });
  });
});

describe('mergeRequest: a request joining an open task', () => {
  const open: MergeableTask = {
    source: 'after_hours',
    callId: 'first',
    queue: 'general',
    lastRequestAt: ago(20),
    waitingSince: ago(20),
    requests: 1,
    recording: 'msg-first',
    recordingCallId: 'first',
  };
  const request = (over: Partial<CallbackRequest>): CallbackRequest => ({
    source: 'abandoned',
    callId: 'second',
    queue: 'health',
    at: ago(5),
    waitingSince: ago(5),
    recording: null,
    ...over,
  });

  it('a later abandon takes the call, queue and source but keeps the older place and the message', () => {
    expect(mergeRequest(open, request({}))).toEqual({
      source: 'abandoned',
      callId: 'second',
      queue: 'health',
      lastRequestAt: ago(5),
      waitingSince: ago(20),
      requests: 2,
      recording: 'msg-first',
      recordingCallId: 'first',
    });
  });

  it('an offer whose caller joined the queue earlier moves the task up', () => {
    const merged = mergeRequest(open, request({ source: 'offer', waitingSince: ago(25) }));
    expect(merged.waitingSince).toEqual(ago(25));
  });

  it('a later message replaces the recording', () => {
    const merged = mergeRequest(open, request({ source: 'after_hours', recording: 'msg-second' }));
    expect(merged).toMatchObject({ recording: 'msg-second', recordingCallId: 'second' });
  });

  it('an earlier request arriving late counts but changes neither the call nor the source', () => {
    const merged = mergeRequest(open, request({ at: ago(22), waitingSince: ago(22) }));
    expect(merged).toMatchObject({
      source: 'after_hours',
      callId: 'first',
      lastRequestAt: ago(20),
      waitingSince: ago(22),
      requests: 2,
    });
  });

  it('an earlier message arriving late fills a task that has none', () => {
    const merged = mergeRequest(
      { ...open, recording: null, recordingCallId: null },
      request({ at: ago(22), recording: 'msg-early' }),
    );
    expect(merged).toMatchObject({ recording: 'msg-early', recordingCallId: 'second', callId: 'first' });
  });
});

describe('claimRefusal: one operator per citizen, and only when due', () => {
  const now = new Date(T);
  const free = { status: 'open' as const, claimedBy: null, claimedUntil: null, nextAttemptAt: null };
  it.each([
    { name: 'open and free: may claim', task: free, expected: null },
    { name: 'reached: closed', task: { ...free, status: 'reached' as const }, expected: 'closed' },
    { name: 'given up: closed', task: { ...free, status: 'given_up' as const }, expected: 'closed' },
    {
      name: 'its place is kept in the queue: the hotline dials it itself',
      task: { ...free, queueHeld: true },
      expected: 'in_queue',
    },
    { name: 'no longer held by the queue: may claim', task: { ...free, queueHeld: false }, expected: null },
    {
      name: 'another operator holds a live claim: taken',
      task: { ...free, claimedBy: 2, claimedUntil: ago(-1) },
      expected: 'taken',
    },
    {
      name: 'another operator’s claim lapsed: may claim',
      task: { ...free, claimedBy: 2, claimedUntil: ago(1) },
      expected: null,
    },
    {
      name: 'my own live claim: may claim again',
      task: { ...free, claimedBy: 1, claimedUntil: ago(-1) },
      expected: null,
    },
    { name: 'spacing not over: not due', task: { ...free, nextAttemptAt: ago(-1) }, expected: 'not_due' },
    { name: 'spacing over: may claim', task: { ...free, nextAttemptAt: ago(0) }, expected: null },
  ])('$name', ({ task, expected }) => {
    expect(claimRefusal(task, 1, now)).toBe(expected);
  });
});

describe('afterAttempt: attempts, spacing and giving up', () => {
  const now = new Date(T);
  const policy = { maxAttempts: 3, spacingMs: 10 * MIN };
  it.each([
    {
      name: 'reached on the first attempt closes the task',
      before: 0,
      outcome: 'reached' as const,
      expected: { status: 'reached', attempts: 1, nextAttemptAt: null, closedAt: now, givenUpReason: null },
    },
    {
      name: 'busy on the first: due again after the spacing',
      before: 0,
      outcome: 'busy' as const,
      expected: { status: 'open', attempts: 1, nextAttemptAt: ago(-10), closedAt: null, givenUpReason: null },
    },
    {
      name: 'no answer on the second: due again after the spacing',
      before: 1,
      outcome: 'no_answer' as const,
      expected: { status: 'open', attempts: 2, nextAttemptAt: ago(-10), closedAt: null, givenUpReason: null },
    },
    {
      name: 'failed on the last allowed attempt: given up',
      before: 2,
      outcome: 'failed' as const,
      expected: {
        status: 'given_up',
        attempts: 3,
        nextAttemptAt: null,
        closedAt: now,
        givenUpReason: 'attempts_exhausted',
      },
    },
    {
      name: 'reached on the last allowed attempt still counts as reached',
      before: 2,
      outcome: 'reached' as const,
      expected: { status: 'reached', attempts: 3, nextAttemptAt: null, closedAt: now, givenUpReason: null },
    },
  ])('$name', ({ before, outcome, expected }) => {
    expect(afterAttempt(before, outcome, now, policy)).toEqual(expected);
  });

  it('a single allowed attempt gives up at once', () => {
    expect(afterAttempt(0, 'busy', now, { maxAttempts: 1, spacingMs: MIN }).status).toBe('given_up');
  });
});
