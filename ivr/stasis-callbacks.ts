/**
 * Queue callbacks in the adapter: a caller who pressed 1 while waiting keeps their place in the
 * ACD as an entry without a channel. When the entry is served, the operator the ACD picked stays
 * reserved while the hotline dials the citizen through the trunk (ARI originate into
 * `Stasis(hotline,callback,<entry>)`); the citizen who answers becomes a call of the controller
 * (`callingBack` in the flow: a greeting, then that operator rings as for any offer). An attempt
 * that does not reach the citizen gives the operator straight back (ready, not a missed call) and
 * the entry waits for the spacing, keeping its place; after the last attempt the task is left to a
 * person. The server's callback tasks are the truth: entries are rebuilt from them on every
 * (re)connect.
 */
import type { Logger } from 'pino';
import { type CallbackOutcome, isDialableNumber, type QueueName } from '../common/domain.ts';
import type { QueueStats } from '../common/events.ts';
import type { HeldCallback, QueueCallbackAttempt, QueueCallbackStore } from './api.ts';
import { STASIS_APP, STASIS_ROLE } from './constants.ts';
import type { KeptPlace } from './flow.ts';
import { AriRequestError } from './port.ts';
import {
  afterQueueAttempt,
  HOTLINE_CALLER_ID,
  outcomeOfCause,
  type QueueCallbackPolicy,
  queueCallbackChannelId,
  queueCallbackEntryId,
} from './queue-callback.ts';
import type { StasisDeps } from './stasis-call.ts';

/**
 * The wallboard's queue lengths with the kept places: a caller who asked to be called back still
 * holds a place in their queue (the longest wait stays that of callers on the line).
 */
export function withKeptPlaces(stats: QueueStats[], kept: { queue: QueueName }[]): QueueStats[] {
  return stats.map((q) => ({ ...q, waiting: q.waiting + kept.filter((k) => k.queue === q.queue).length }));
}

/** Beyond the ring time, an attempt whose end Asterisk never reports is given up after this. */
const DIAL_GUARD_EXTRA_MS = 15_000;

/** One kept place. */
interface Entry {
  id: string;
  callerNumber: string;
  place: KeptPlace;
  /** Attempts made so far (also those of a controller before a restart). */
  attempts: number;
  /** The task was closed or released elsewhere: the entry is never tried again. */
  closed?: boolean;
  /** The attempt in progress. */
  dialling: {
    channelId: string;
    operatorId: number;
    attempt: QueueCallbackAttempt;
    answered: boolean;
    guard: NodeJS.Timeout;
  } | null;
}

/** What the queue callbacks use of the controller. */
export interface QueueCallbackHost {
  agentStateChanged(operatorId: number): void;
  dispatch(): void;
  /** Whether a call of this number is live in the controller (it holds the place then). */
  hasLiveCall(callerNumber: string): boolean;
}

export class QueueCallbacks {
  private readonly entries = new Map<string, Entry>();
  /** Attempt channel id → entry id. */
  private readonly channels = new Map<string, string>();

  constructor(
    private readonly deps: Pick<StasisDeps, 'ari' | 'acd' | 'events' | 'now'> & {
      store: QueueCallbackStore | undefined;
      policy: QueueCallbackPolicy;
    },
    private readonly log: Logger,
    private readonly host: QueueCallbackHost,
  ) {
    deps.store?.watch?.((callerNumber) => this.closed(callerNumber));
  }

  /** Whether the hotline keeps places for callbacks (the server gave it the tasks to keep them by). */
  get enabled(): boolean {
    return this.deps.store !== undefined;
  }

  /** Whether this ACD id is a queue callback's entry. */
  owns(id: string): boolean {
    return this.entries.has(id);
  }

  /** Whether this channel is the hotline's call to a citizen being called back. */
  isAttempt(channelId: string): boolean {
    return this.channels.has(channelId);
  }

  /** Kept places, for the wallboard and tests: entry id, queue, when the caller joined, attempts. */
  list(): { id: string; queue: QueueName; queuedAt: Date; attempts: number; dialling: boolean }[] {
    return [...this.entries.values()].map((e) => ({
      id: e.id,
      queue: e.place.queue,
      queuedAt: e.place.queuedAt,
      attempts: e.attempts,
      dialling: e.dialling !== null,
    }));
  }

  /**
   * The caller of `callId` pressed 1 and the call is over: their place is kept in the ACD (only
   * for a number that can be dialled).
   */
  keep(callId: string, callerNumber: string, place: KeptPlace): void {
    if (!this.enabled || !isDialableNumber(callerNumber)) return;
    this.add({ id: queueCallbackEntryId(callId), callerNumber, place, attempts: 0, dialling: null }, null);
    this.log.info({ callId, queue: place.queue }, 'callback keeps the caller’s place');
    this.deps.events.wallboardChanged();
    this.host.dispatch();
  }

  /**
   * After every (re)connect: the places of the server's held tasks that this controller does not
   * keep yet (a restart), with their first joining time and the spacing of their last attempt.
   */
  rebuild(): void {
    const { store } = this.deps;
    if (!store) return;
    let held: HeldCallback[];
    try {
      held = store.held();
    } catch (err) {
      this.log.error({ err }, 'could not read the held callbacks');
      return;
    }
    const known = new Set([...this.entries.values()].map((e) => e.callerNumber));
    let added = 0;
    for (const task of held) {
      if (known.has(task.callerNumber) || this.host.hasLiveCall(task.callerNumber)) continue;
      const place = { queue: task.queue, menuChoice: task.menuChoice, queuedAt: task.waitingSince };
      this.add(
        {
          id: queueCallbackEntryId(task.callId),
          callerNumber: task.callerNumber,
          place,
          attempts: task.attempts,
          dialling: null,
        },
        task.nextAttemptAt,
      );
      added++;
    }
    if (added > 0) this.log.info({ entries: added }, 'rebuilt callback places from the open tasks');
  }

  /**
   * A new call of this number joins a queue while its place is kept (and not being dialled): the
   * call takes the place (the earlier joining time) and the entry goes, so the citizen never holds
   * two places. Returns the joining time to keep, or null.
   */
  takeOver(callerNumber: string): Date | null {
    for (const entry of this.entries.values()) {
      if (entry.callerNumber !== callerNumber || entry.dialling) continue;
      this.drop(entry);
      try {
        this.deps.store?.release(callerNumber, this.deps.now());
      } catch (err) {
        this.log.error({ err }, 'could not release a held callback');
      }
      this.log.info({ entry: entry.id }, 'the citizen called again: their new call takes the kept place');
      return entry.place.queuedAt;
    }
    return null;
  }

  /**
   * The number's task was closed or released by someone else than the controller (a supervisor
   * gave it up, a later call reached the citizen): its place leaves the ACD at once, so the
   * wallboard's queue shrinks and no operator is reserved for it. An attempt still ringing is hung
   * up (its operator ready again); one the citizen answered goes on, and is not tried again.
   */
  closed(callerNumber: string): void {
    let dropped = 0;
    for (const entry of [...this.entries.values()]) {
      if (entry.callerNumber !== callerNumber) continue;
      entry.closed = true;
      if (entry.dialling && !entry.dialling.answered) {
        this.failed(entry.dialling.channelId, 'failed', 'the task was closed while dialling');
      } else if (!entry.dialling) {
        this.drop(entry);
        dropped++;
      }
      this.log.info({ entry: entry.id }, 'the callback task was closed: the kept place left the ACD');
    }
    if (dropped > 0) this.deps.events.wallboardChanged();
  }

  /**
   * The ACD served the entry and reserved `operatorId`: an attempt opens and the citizen's phone
   * rings. A task closed meanwhile (the citizen got through) drops the entry and frees the operator.
   */
  dial(entryId: string, operatorId: number): void {
    const entry = this.entries.get(entryId);
    const { acd, ari, store } = this.deps;
    const now = this.deps.now();
    let attempt: QueueCallbackAttempt | null = null;
    try {
      attempt = entry && store ? store.attemptStarted(entry.callerNumber, operatorId, now) : null;
    } catch (err) {
      this.log.error({ err, entry: entryId }, 'could not open a callback attempt');
    }
    if (!entry || !attempt) {
      if (entry) this.drop(entry);
      acd.release(operatorId, { to: 'ready' }, now);
      this.host.agentStateChanged(operatorId);
      this.host.dispatch();
      return;
    }
    entry.attempts += 1;
    const channelId = queueCallbackChannelId(entry.id, entry.attempts);
    acd.rebind(operatorId, channelId);
    this.channels.set(channelId, entry.id);
    const guard = setTimeout(
      () => this.failed(channelId, 'failed', 'no end reported'),
      this.deps.policy.ringSeconds * 1000 + DIAL_GUARD_EXTRA_MS,
    );
    entry.dialling = { channelId, operatorId, attempt, answered: false, guard };
    this.log.info({ entry: entry.id, attempt: entry.attempts, operatorId }, 'calling the citizen back');
    ari
      .originate({
        endpoint: `PJSIP/${entry.callerNumber}@trunk`,
        channelId,
        app: STASIS_APP,
        appArgs: `${STASIS_ROLE.callback},${entry.id}`,
        callerId: HOTLINE_CALLER_ID,
        timeout: this.deps.policy.ringSeconds,
      })
      .catch((err: unknown) => {
        // Refused at once (no route, bad number): failed. A timeout may still ring: the guard decides.
        if (err instanceof AriRequestError) this.failed(channelId, 'failed', err.message);
        else this.log.warn({ err, entry: entry.id }, 'originate of a callback did not answer');
      });
  }

  /**
   * The citizen answered (`StasisStart` of the attempt's channel): the entry's place and the
   * operator reserved for it, or null for a channel of no attempt in progress.
   */
  answered(channelId: string): { callerNumber: string; place: KeptPlace; operatorId: number } | null {
    const entry = this.entryOf(channelId);
    if (!entry?.dialling || entry.dialling.answered) return null;
    entry.dialling.answered = true;
    clearTimeout(entry.dialling.guard);
    return { callerNumber: entry.callerNumber, place: entry.place, operatorId: entry.dialling.operatorId };
  }

  /** The citizen and an operator are talking: the callback reached them and the task closes. */
  connected(channelId: string): void {
    const entry = this.entryOf(channelId);
    if (!entry?.dialling) return;
    this.settle(entry, 'reached', null, channelId);
  }

  /**
   * The attempt's channel ended. Before an answer: busy, no answer or failed, from the cause. After
   * an answer but before an operator talked to them (they hung up, or the call failed): failed.
   */
  ended(channelId: string, cause: number | null): void {
    const entry = this.entryOf(channelId);
    if (!entry?.dialling || entry.dialling.channelId !== channelId) return;
    if (entry.dialling.answered) {
      this.settle(entry, 'failed', 'hung up before an operator answered', channelId);
      return;
    }
    this.failed(
      channelId,
      cause === null ? 'failed' : outcomeOfCause(cause),
      cause === null ? null : `cause ${cause}`,
    );
  }

  /** Stops every guard timer; the entries stay (rebuilt from the tasks after a restart). */
  close(): void {
    for (const entry of this.entries.values()) if (entry.dialling) clearTimeout(entry.dialling.guard);
  }

  private failed(
    channelId: string,
    outcome: Exclude<CallbackOutcome, 'reached'>,
    detail: string | null,
  ): void {
    const entry = this.entryOf(channelId);
    if (!entry?.dialling || entry.dialling.channelId !== channelId || entry.dialling.answered) return;
    const { operatorId } = entry.dialling;
    // The citizen did not answer: the operator is ready again at once, not penalised.
    this.deps.acd.release(operatorId, { to: 'ready' }, this.deps.now());
    this.host.agentStateChanged(operatorId);
    this.deps.ari.hangup(channelId).catch(() => undefined);
    this.settle(entry, outcome, detail, null);
  }

  /** Records the attempt's outcome; the entry waits for the spacing, or leaves the ACD. */
  private settle(entry: Entry, outcome: CallbackOutcome, detail: string | null, callId: string | null): void {
    const dialling = entry.dialling;
    if (!dialling) return;
    clearTimeout(dialling.guard);
    this.channels.delete(dialling.channelId);
    entry.dialling = null;
    const now = this.deps.now();
    const step = afterQueueAttempt(entry.attempts, outcome, now, {
      maxAttempts: this.deps.policy.maxAttempts,
      retryMs: this.deps.policy.retryMs,
    });
    this.log.info(
      { entry: entry.id, attempt: entry.attempts, outcome, next: step.next },
      'callback attempt ended',
    );
    try {
      this.deps.store?.attemptEnded(dialling.attempt, {
        outcome,
        detail,
        at: now,
        callId,
        next: step.next,
        notBefore: step.next === 'retry' ? step.notBefore : null,
      });
    } catch (err) {
      this.log.error({ err, entry: entry.id }, 'could not record a callback attempt');
    }
    // A task closed meanwhile (also while its outcome was being written) is not tried again.
    if (step.next === 'retry' && !entry.closed) this.add(entry, step.notBefore);
    else this.drop(entry);
    this.deps.events.wallboardChanged();
    this.host.dispatch();
  }

  private add(entry: Entry, notBefore: Date | null): void {
    this.entries.set(entry.id, entry);
    this.deps.acd.enqueue(
      {
        callId: entry.id,
        queue: entry.place.queue,
        queuedAt: entry.place.queuedAt,
        callback: true,
        ...(notBefore ? { notBefore } : {}),
      },
      'tail',
    );
  }

  private drop(entry: Entry): void {
    if (entry.dialling) {
      clearTimeout(entry.dialling.guard);
      this.channels.delete(entry.dialling.channelId);
    }
    this.entries.delete(entry.id);
    this.deps.acd.remove(entry.id);
  }

  private entryOf(channelId: string): Entry | undefined {
    const id = this.channels.get(channelId);
    return id ? this.entries.get(id) : undefined;
  }
}
