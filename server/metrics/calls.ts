/**
 * Counters of answered and abandoned calls per queue, counted from the call record events the
 * controller and the fallback queue's watch send, by the wallboard's rule (`calls/service.ts`):
 * a call counts as answered at its first answer after joining a queue, as abandoned when it ends
 * `abandoned_in_queue` without an answer. They start at 0 with the process, as counters may; a
 * call first seen after its `arrived` (adopted by a restarted controller) starts from its record.
 */
import { Counter, type Registry } from 'prom-client';
import { QUEUE_NAMES, type QueueName } from '../../common/domain.ts';
import type { CallRecordEvent, CallRecorder } from '../../ivr/api.ts';

export interface CallCounters {
  /** `inner`, counting each event it is given before passing it on. */
  counting(inner: CallRecorder): CallRecorder;
}

/** What a call in progress has shown so far: its queue (the latest joined) and whether answered. */
interface CallSoFar {
  queue: QueueName | null;
  answered: boolean;
}

export function registerCallCounters(registry: Registry): CallCounters {
  const answered = new Counter({
    name: 'hotline_calls_answered_total',
    help: 'Calls an operator answered, by the queue the caller waited in.',
    labelNames: ['queue'],
    registers: [registry],
  });
  const abandoned = new Counter({
    name: 'hotline_calls_abandoned_total',
    help: 'Callers who hung up while waiting in a queue, by queue.',
    labelNames: ['queue'],
    registers: [registry],
  });
  // Every queue from the start, so rate() sees the first call of a queue too.
  for (const queue of QUEUE_NAMES) {
    answered.inc({ queue }, 0);
    abandoned.inc({ queue }, 0);
  }

  const calls = new Map<string, CallSoFar>();
  const count = (inner: CallRecorder, e: CallRecordEvent) => {
    let call = calls.get(e.callId);
    if (!call) {
      // A call whose `ended` never came must not hold memory for ever.
      if (calls.size >= MAX_CALLS_FOLLOWED) {
        const oldest = calls.keys().next();
        if (!oldest.done) calls.delete(oldest.value);
      }
      const recorded = e.type === 'arrived' ? null : (inner.recall?.(e.callId) ?? null);
      call = { queue: recorded?.queue ?? null, answered: (recorded?.answeredAt ?? null) !== null };
      calls.set(e.callId, call);
    }
    if (e.type === 'queued') call.queue = e.queue;
    else if (e.type === 'answered') {
      if (call.queue && !call.answered) answered.inc({ queue: call.queue });
      call.answered = true;
    } else if (e.type === 'ended') {
      if (e.reason === 'abandoned_in_queue' && call.queue && !call.answered)
        abandoned.inc({ queue: call.queue });
      calls.delete(e.callId);
    }
  };

  return {
    counting(inner) {
      return {
        record(e) {
          count(inner, e);
          inner.record(e);
        },
        ...(inner.recall ? { recall: inner.recall.bind(inner) } : {}),
        ...(inner.recentWaits ? { recentWaits: inner.recentWaits.bind(inner) } : {}),
      };
    },
  };
}

/** Far above the calls a provincial hotline has in progress at once. */
const MAX_CALLS_FOLLOWED = 10_000;
