/**
 * The operator's callback list: open tasks oldest first, kept live by `callback:updated`.
 * "Gọi lại" claims the task (the server refuses with 409 when another operator has it), dials the
 * citizen from the softphone through the trunk, and reports how the attempt went: answered is
 * `reached`; a call that never connected is mapped from JsSIP's cause (`outcomeOfFailure`).
 */
import type { CallbackTaskView } from '../../common/api.ts';
import { type CallbackOutcome, QUEUES } from '../../common/domain.ts';
import { api, errorMessage } from './api.ts';
import { callbackRowState, outcomeOfFailure, sortCallbacks } from './callback-rules.ts';
import { emptyRow, h, showMessage } from './dom.ts';
import { formatDateTime } from './format.ts';
import { callbackSourceLabel, t } from './i18n.ts';
import { byId } from './page.ts';
import { recordingPlayer } from './recording.ts';
import { playRemoteAudio, type RTCSession, type Softphone } from './softphone.ts';

export interface CallbackList {
  /** A task was opened or changed. */
  updated(task: CallbackTaskView): void;
  /** Reloads the whole list (start, socket reconnect). */
  reload(): Promise<void>;
  /** A callback call is up on the softphone: incoming calls are refused meanwhile. */
  inCall(): boolean;
}

const REFRESH_MS = 30_000;

export function createCallbackList(deps: {
  operatorId: number;
  phone: () => Softphone | null;
}): CallbackList {
  const el = {
    rows: byId('callbacks-rows', HTMLTableSectionElement),
    active: byId('callback-active', HTMLElement),
    activeText: byId('callback-active-text', HTMLParagraphElement),
    hangup: byId('callback-hangup', HTMLButtonElement),
    message: byId('callback-message', HTMLParagraphElement),
    error: byId('callback-error', HTMLParagraphElement),
    audio: byId('callback-audio', HTMLAudioElement),
  };
  const tasks = new Map<number, CallbackTaskView>();
  let session: RTCSession | null = null;

  const live = () => session !== null && !session.isEnded();

  function render(): void {
    const now = new Date();
    const open = sortCallbacks([...tasks.values()]);
    if (open.length === 0) {
      el.rows.replaceChildren(emptyRow(7, t('callbacks.empty')));
      return;
    }
    el.rows.replaceChildren(...open.map((task) => row(task, now)));
  }

  function row(task: CallbackTaskView, now: Date): HTMLTableRowElement {
    const state = callbackRowState(task, deps.operatorId, now);
    let action: Node;
    if (state === 'inQueue') {
      action = h('span', { class: 'muted', 'data-in-queue': '' }, t('callbacks.inQueue'));
    } else if (state === 'taken') {
      action = h(
        'span',
        { class: 'muted' },
        t('callbacks.takenBy', { name: task.claimedBy?.displayName ?? '' }),
      );
    } else if (state === 'later' && task.nextAttemptAt) {
      const time = new Date(task.nextAttemptAt).toLocaleTimeString('vi-VN', {
        hour: '2-digit',
        minute: '2-digit',
      });
      action = h('span', { class: 'muted' }, t('callbacks.later', { time }));
    } else {
      const button = h('button', { type: 'button', class: 'primary' }, t('callbacks.call'));
      button.disabled = live();
      button.addEventListener('click', () => void dial(task));
      action = button;
    }
    const recording: Node = task.recording
      ? recordingPlayer('callbacks', task.recording.callId, 'message', task.callerNumber)
      : h('span', { class: 'muted' }, '—');
    return h(
      'tr',
      { 'data-callback-id': String(task.id), 'data-source': task.source },
      h('td', {}, h('time', { datetime: task.waitingSince }, formatDateTime(task.waitingSince))),
      h('td', {}, callbackSourceLabel(task.source)),
      h('td', {}, QUEUES[task.queue]?.label ?? task.queue),
      h('td', { class: 'number' }, task.callerNumber),
      h(
        'td',
        { 'data-attempts': String(task.attempts) },
        t('callbacks.attemptsOf', { attempts: task.attempts }),
      ),
      h('td', {}, recording),
      h('td', {}, action),
    );
  }

  function showActive(text: string | null): void {
    el.active.hidden = text === null;
    el.activeText.textContent = text ?? '';
  }

  async function report(
    taskId: number,
    attemptId: number,
    number: string,
    outcome: CallbackOutcome,
    reason: string,
  ) {
    try {
      updated(
        await api.callbackOutcome(taskId, {
          attemptId,
          outcome,
          ...(outcome === 'reached' ? {} : { detail: reason.slice(0, 200) }),
        }),
      );
      showMessage(el.message, t(`callbacks.outcome.${outcome}`, { number, reason }));
    } catch (err) {
      showMessage(el.error, errorMessage(err));
    }
  }

  async function dial(task: CallbackTaskView): Promise<void> {
    showMessage(el.error, null);
    showMessage(el.message, null);
    const phone = deps.phone();
    if (!phone || live()) {
      showMessage(el.error, t('callbacks.noPhone'));
      return;
    }
    let claim: Awaited<ReturnType<typeof api.claimCallback>>;
    try {
      claim = await api.claimCallback(task.id);
    } catch (err) {
      showMessage(el.error, errorMessage(err));
      void reload();
      return;
    }
    updated(claim.task);
    const number = claim.dial;
    let next: RTCSession;
    try {
      next = phone.call(number);
    } catch (err) {
      await report(
        task.id,
        claim.attemptId,
        number,
        'failed',
        err instanceof Error ? err.message : String(err),
      );
      return;
    }
    session = next;
    playRemoteAudio(next, el.audio);
    showActive(t('callbacks.dialling', { number }));
    render();
    next.on('accepted', () => {
      showActive(t('callbacks.talking', { number }));
      void report(task.id, claim.attemptId, number, 'reached', '');
    });
    next.on('failed', (e) => {
      session = null;
      showActive(null);
      void report(task.id, claim.attemptId, number, outcomeOfFailure(e.cause), e.cause);
      render();
    });
    next.on('ended', () => {
      session = null;
      showActive(null);
      render();
    });
  }

  el.hangup.addEventListener('click', () => {
    if (live()) session?.terminate();
  });

  function updated(task: CallbackTaskView): void {
    if (task.status === 'open') tasks.set(task.id, task);
    else tasks.delete(task.id);
    render();
  }

  async function reload(): Promise<void> {
    try {
      const open = await api.openCallbacks();
      tasks.clear();
      for (const task of open) tasks.set(task.id, task);
      render();
    } catch (err) {
      showMessage(el.error, errorMessage(err));
    }
  }

  // Rows waiting for the spacing become callable without any push.
  setInterval(render, REFRESH_MS);

  return { updated, reload, inCall: live };
}
