import { describe, expect, it } from 'vitest';
import type { EndReason } from '../../common/domain.ts';
import {
  CALLBACK_MERGE_WINDOW_MS,
  type CallbackRequest,
  callbackRequestFor,
  decideOnRequest,
  type EndedCall,
  type MergeableTask,
  mergeRequest,
} from '../../server/callbacks/rules.ts';

const T = Date.parse('2025-06-10T03:00:00Z');
const MIN = 60_000;
const ago = (minutes: number) => new Date(T - minutes * MIN);
const task = (id: number, minutesAgo: number) => ({ id, lastRequestAt: ago(minutesAgo) });

describe('decideOnRequest: one open callback per number within 30 minutes', () => {
  it.each([
    { name: 'no open task: a new one', open: [], expected: { kind: 'create' } },
    { name: 'requested 10 min ago: merge', open: [task(1, 10)], expected: { kind: 'merge', callbackId: 1 } },
    { name: 'exactly 30 min ago: merge', open: [task(1, 30)], expected: { kind: 'merge', callbackId: 1 } },
    { name: '31 min ago: a new one', open: [task(1, 31)], expected: { kind: 'create' } },
    {
      name: 'several open tasks: the closest one within the window',
      open: [task(1, 50), task(2, 25), task(3, 5)],
      expected: { kind: 'merge', callbackId: 3 },
    },
    {
      name: 'an event that arrives out of order still merges',
      open: [task(4, -3)],
      expected: { kind: 'merge', callbackId: 4 },
    },
  ])('$name', ({ open, expected }) => {
    expect(decideOnRequest(open, new Date(T))).toEqual(expected);
  });

  it('the window is 30 minutes', () => {
    expect(CALLBACK_MERGE_WINDOW_MS).toBe(30 * MIN);
  });
});

describe('callbackRequestFor: which ended calls owe the citizen a call', () => {
  const queued: EndedCall = { id: 'c1', queue: 'health', queuedAt: ago(4), answeredAt: null };
  const answered: EndedCall = { ...queued, answeredAt: ago(3) };
  const menuOnly: EndedCall = { id: 'c1', queue: null, queuedAt: null, answeredAt: null };
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
