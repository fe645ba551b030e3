/**
 * The incoming-call panel: pairs the softphone's SIP session with the server's screen-pop.
 *
 * The two arrive independently and in either order, so the panel holds whichever it has:
 *   pop only      → ringing, "waiting for the line" until the INVITE lands
 *   session only  → ringing with the caller from SIP; a call from Asterisk's fallback queue
 *                   (the call controller is down, no pop will come) is labelled as such
 *   both          → the full screen-pop
 * The panel disappears when the session ends (or `call:ended` arrives with no session left).
 * An operator handles one call at a time: a second INVITE is refused as busy, and a pop for a
 * new call that arrives while the answered one is still up waits until that one ends. Once the
 * operator has pressed hang-up, the server offers the next call at once; its INVITE ends the
 * call being hung up instead of being refused.
 *
 * A ringing call rings (`ringing.ts`), takes the keyboard focus to "Trả lời" and answers to F2;
 * F4 hangs up. An answered call's audio path is shown in the network indicator; when the audio
 * is lost (`media-watch.ts`) the panel says so and ends the call without announcing a hang-up,
 * which the controller takes for a drop: the caller goes back to the head of the queue.
 */
import { QUEUES } from '../../common/domain.ts';
import type { CallPop } from '../../common/events.ts';
import { api, errorMessage } from './api.ts';
import { h } from './dom.ts';
import { formatMinutesSeconds } from './format.ts';
import { type MessageKey, t, ticketStatusLabel } from './i18n.ts';
import type { MediaPath } from './media-path.ts';
import { watchMedia } from './media-watch.ts';
import { byId } from './page.ts';
import { callRecordingSlot } from './recording.ts';
import { categoryName } from './reference.ts';
import type { RingAlert } from './ringing.ts';
import { audioPackets, type MediaOptions, playRemoteAudio, type RTCSession, sipCaller } from './softphone.ts';

/** Keys that do not type into the ticket form. */
export const ANSWER_KEY = 'F2';
export const HANGUP_KEY = 'F4';
/** ICE finds a working path well within this after the answer; a call that ends with none had no audio. */
const NO_AUDIO_YET_MS = 3000;

export interface CallPanel {
  offered(pop: CallPop): void;
  answered(pop: CallPop): void;
  ended(callId: string): void;
  incoming(session: RTCSession, fallback: boolean): void;
  /** The call the operator is handling now, if the server told us its id. */
  currentCallId(): string | null;
}

export interface CallPanelDeps {
  autoAnswer(): boolean;
  /** A pop became the current call: the ticket form takes its caller and queue. */
  onCallShown(pop: CallPop): void;
  /**
   * Tells the server the operator is hanging up this call, before the softphone does; without it
   * the server takes the end of the call for a drop and puts the caller back in the queue.
   */
  announceHangup(callId: string): Promise<void>;
  /** The softphone's current answer options (its TURN credentials are renewed while the page is open). */
  answerOptions(): MediaOptions;
  ring: RingAlert;
}

export function createCallPanel(deps: CallPanelDeps): CallPanel {
  const el = {
    region: byId('call', HTMLElement),
    announce: byId('call-announce', HTMLParagraphElement),
    caller: byId('call-caller', HTMLElement),
    queue: byId('call-queue', HTMLElement),
    menu: byId('call-menu', HTMLElement),
    waited: byId('call-waited', HTMLParagraphElement),
    lineWait: byId('call-line-wait', HTMLParagraphElement),
    fallback: byId('call-fallback', HTMLParagraphElement),
    answer: byId('answer', HTMLButtonElement),
    reject: byId('reject', HTMLButtonElement),
    mute: byId('mute', HTMLButtonElement),
    hangup: byId('hangup', HTMLButtonElement),
    timerLine: byId('call-timer-line', HTMLParagraphElement),
    timer: byId('call-timer', HTMLElement),
    stats: byId('audio-stats', HTMLParagraphElement),
    history: byId('call-history', HTMLUListElement),
    error: byId('call-error', HTMLParagraphElement),
    audio: byId('remote-audio', HTMLAudioElement),
    network: byId('network-indicator', HTMLElement),
  };
  labelShortcut(el.answer, 'call.answer', ANSWER_KEY);
  labelShortcut(el.hangup, 'call.hangup', HANGUP_KEY);

  let session: RTCSession | null = null;
  /** The session the operator pressed hang-up on, while the server is told. */
  let hangingUp: RTCSession | null = null;
  /** The session came from the fallback queue. */
  let fallbackCall = false;
  let pop: CallPop | null = null;
  let nextPop: CallPop | null = null;
  let connectedAt: number | null = null;
  let ticker: ReturnType<typeof setInterval> | undefined;
  let path: MediaPath = 'none';

  const live = (s: RTCSession | null): s is RTCSession => s !== null && !s.isEnded();
  const inCall = () => (live(session) ? session.isEstablished() : connectedAt !== null);

  function showError(message: string | null): void {
    el.error.textContent = message ?? '';
    el.error.hidden = message === null;
  }

  function showPath(next: MediaPath): void {
    path = next;
    el.network.dataset.path = next;
    // Not known yet during a call: ringing, or ICE still looking for a path.
    el.network.textContent = next === 'none' && live(session) ? t('network.pending') : t(`network.${next}`);
  }

  function showPop(next: CallPop): void {
    pop = next;
    el.caller.textContent = next.caller;
    el.queue.textContent = QUEUES[next.queue].label;
    el.menu.textContent = next.menuChoice;
    // A queue callback: the hotline called the citizen back for the place they kept.
    el.waited.textContent = t(next.callback ? 'call.callback' : 'call.waited', {
      seconds: next.waitedSeconds,
    });
    el.region.dataset.callback = next.callback ? 'true' : 'false';
    el.history.replaceChildren(...historyItems(next));
    deps.onCallShown(next);
  }

  function render(): void {
    const ringing = live(session) && !session.isEstablished();
    const talking = inCall();
    const caller = pop?.caller ?? (session ? sipCaller(session) : '');
    el.region.hidden = pop === null && !live(session);
    el.caller.textContent = caller;
    const announce = el.region.hidden ? '' : t(talking ? 'call.inCall' : 'call.incoming', { caller });
    if (el.announce.textContent !== announce) el.announce.textContent = announce;
    for (const node of el.region.querySelectorAll<HTMLElement>('.pop-only')) node.hidden = pop === null;
    el.lineWait.hidden = !(pop !== null && !live(session) && !talking);
    el.fallback.hidden = !(fallbackCall && pop === null && live(session));
    el.answer.hidden = !ringing;
    el.reject.hidden = !ringing;
    el.mute.hidden = !(live(session) && session.isEstablished());
    el.hangup.hidden = el.mute.hidden;
    el.mute.textContent = live(session) && session.isMuted().audio ? t('call.unmute') : t('call.mute');
    el.timerLine.hidden = !talking;
    el.stats.hidden = el.mute.hidden;
    if (ringing && deps.ring.state() === 'off') {
      deps.ring.start(caller, () => el.answer.focus());
    } else if (!ringing && deps.ring.state() !== 'off') {
      deps.ring.stop();
    }
    el.region.dataset.ringtone = deps.ring.state();
    if (talking && ticker === undefined) {
      ticker = setInterval(tick, 1000);
      tick();
    } else if (!talking && ticker !== undefined) {
      clearInterval(ticker);
      ticker = undefined;
    }
  }

  function tick(): void {
    if (connectedAt !== null) el.timer.textContent = formatMinutesSeconds((Date.now() - connectedAt) / 1000);
    const current = session;
    if (!live(current) || !current.isEstablished()) return;
    audioPackets(current)
      .then(({ sent, received }) => {
        if (current !== session) return;
        el.stats.dataset.packetsSent = String(sent);
        el.stats.dataset.packetsReceived = String(received);
        el.stats.textContent = t('call.audioStats', { sent, received });
      })
      .catch((err: unknown) => console.warn('getStats failed', err));
  }

  function answer(): void {
    if (!live(session) || session.isEstablished()) return;
    try {
      session.answer(deps.answerOptions());
    } catch (err) {
      showError(t('call.answerFailed', { reason: err instanceof Error ? err.message : String(err) }));
    }
  }

  function sessionGone(ended: RTCSession, cause: string, wasConnected: boolean): void {
    if (ended !== session) return;
    if (!wasConnected && ended.direction === 'incoming' && cause !== 'Canceled' && cause !== 'Rejected') {
      showError(t('call.missed', { reason: cause }));
    }
    // Whoever ended it (the console, or Asterisk noticing first), the audio had gone: it was
    // lost, or it never came (no path was found in the seconds after the answer).
    const neverCame = path === 'none' && connectedAt !== null && Date.now() - connectedAt >= NO_AUDIO_YET_MS;
    if (wasConnected && (path === 'failed' || neverCame)) {
      showPath('failed');
      showError(t('call.mediaLost'));
    }
    session = null;
    connectedAt = null;
    pop = null;
    if (path !== 'failed') showPath('none');
    if (nextPop) {
      const waiting = nextPop;
      nextPop = null;
      showPop(waiting);
    }
    render();
  }

  /**
   * The audio is gone: the operator is told, and the call ends without the hang-up being
   * announced, so the controller puts the caller back at the head of the queue.
   */
  function mediaLost(lostSession: RTCSession): void {
    if (lostSession !== session || !live(lostSession)) return;
    showError(t('call.mediaLost'));
    lostSession.terminate();
  }

  el.answer.addEventListener('click', answer);
  document.addEventListener('keydown', (event) => {
    if (event.key === ANSWER_KEY && !el.answer.hidden) {
      event.preventDefault();
      answer();
    } else if (event.key === HANGUP_KEY && !el.hangup.hidden && !el.hangup.disabled) {
      event.preventDefault();
      el.hangup.click();
    }
  });
  el.reject.addEventListener('click', () => {
    if (live(session)) session.terminate();
  });
  el.hangup.addEventListener('click', () => {
    const callId = pop?.callId;
    const current = session;
    if (!live(current)) return;
    el.hangup.disabled = true;
    hangingUp = current;
    const told = callId
      ? deps.announceHangup(callId).catch((err: unknown) => console.warn('hang-up not announced', err))
      : Promise.resolve();
    void told.finally(() => {
      el.hangup.disabled = false;
      if (hangingUp === current) hangingUp = null;
      if (live(current)) current.terminate();
    });
  });
  el.mute.addEventListener('click', () => {
    if (!live(session)) return;
    if (session.isMuted().audio) session.unmute({ audio: true });
    else session.mute({ audio: true });
  });

  return {
    offered(next) {
      const busyWithAnother =
        pop !== null && pop.callId !== next.callId && live(session) && session.isEstablished();
      if (busyWithAnother) {
        nextPop = next;
        return;
      }
      showError(null);
      showPop(next);
      render();
    },

    answered(next) {
      if (pop !== null && pop.callId !== next.callId) return;
      if (pop === null) showPop(next);
      else pop = next;
      connectedAt ??= Date.now();
      render();
    },

    ended(callId) {
      if (nextPop?.callId === callId) nextPop = null;
      if (pop?.callId !== callId) return;
      pop = null;
      if (!live(session)) connectedAt = null;
      render();
    },

    incoming(next, fallback) {
      if (live(session) && session === hangingUp) {
        // The next call, offered as soon as the server heard the hang-up.
        hangingUp = null;
        session.terminate();
      }
      if (live(session)) {
        next.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
        return;
      }
      session = next;
      fallbackCall = fallback;
      showError(null);
      showPath('none');
      let wasConnected = false;
      playRemoteAudio(next, el.audio);
      watchMedia(next, showPath, () => mediaLost(next));
      el.stats.dataset.packetsSent = '0';
      el.stats.dataset.packetsReceived = '0';
      el.stats.textContent = t('call.audioStats', { sent: 0, received: 0 });
      next.on('accepted', () => {
        wasConnected = true;
        connectedAt ??= Date.now();
        render();
      });
      next.on('confirmed', render);
      next.on('muted', render);
      next.on('unmuted', render);
      next.on('ended', (e) => sessionGone(next, e.cause, wasConnected));
      next.on('failed', (e) => sessionGone(next, e.cause, wasConnected));
      next.on('getusermediafailed', (err) => {
        showError(t('call.answerFailed', { reason: err instanceof Error ? err.message : String(err) }));
      });
      render();
      if (deps.autoAnswer()) answer();
      else el.answer.focus();
    },

    currentCallId: () => pop?.callId ?? null,
  };
}

/** Shows a button's shortcut: in its tooltip, to assistive technology, and as a key cap. */
function labelShortcut(button: HTMLButtonElement, action: MessageKey, key: string): void {
  button.title = t('call.shortcut', { action: t(action), key });
  button.setAttribute('aria-keyshortcuts', key);
  // The key cap is decoration: the button's accessible name stays the action alone.
  button.append(' ', h('kbd', { 'aria-hidden': 'true' }, key));
}

function historyItems(pop: CallPop): HTMLLIElement[] {
  if (pop.history.length === 0) {
    const empty = document.createElement('li');
    empty.className = 'muted';
    empty.textContent = t('call.noHistory');
    return [empty];
  }
  return pop.history.map((ticket) => {
    const item = document.createElement('li');
    const head = document.createElement('p');
    const code = document.createElement('strong');
    code.textContent = ticket.trackingCode;
    const date = new Date(ticket.createdAt).toLocaleDateString('vi-VN');
    head.append(code, ` · ${categoryName(ticket.category)} · ${ticketStatusLabel(ticket.status)} · ${date}`);
    const text = document.createElement('p');
    text.textContent = ticket.description;
    item.append(head, text, listenButton(ticket.id, ticket.trackingCode));
    return item;
  });
}

/**
 * "Nghe ghi âm" under an earlier ticket: asks for the ticket's call, then shows its recording in
 * place of the button (or why there is none).
 */
function listenButton(ticketId: number, trackingCode: string): HTMLButtonElement {
  const button = h(
    'button',
    { type: 'button', class: 'link', 'aria-label': t('recording.listenFor', { code: trackingCode }) },
    t('recording.listen'),
  );
  const failure = h('p', { class: 'message-inline-error', role: 'alert' });
  button.addEventListener('click', () => {
    button.disabled = true;
    failure.remove();
    api
      .ticket(ticketId)
      .then((ticket) =>
        button.replaceWith(
          ticket.callId
            ? callRecordingSlot(`history-${ticketId}`, ticket.callId)
            : h('p', { class: 'muted' }, t('recording.noCall')),
        ),
      )
      .catch((err: unknown) => {
        button.disabled = false;
        failure.textContent = errorMessage(err);
        if (!failure.isConnected) button.after(failure);
      });
  });
  return button;
}
