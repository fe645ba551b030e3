/** Operator console: state, softphone, screen-pop, ticket form and callbacks. Composition root of the page. */
import { CHOSEN_NOT_READY_REASONS, type ChosenNotReadyReason } from '../../common/domain.ts';
import type { Ack, AgentStateRequest, AgentStateView } from '../../common/events.ts';
import { createCallPanel } from './call-panel.ts';
import { createCallbackList } from './callbacks.ts';
import { formatMinutesSeconds } from './format.ts';
import { agentStateLabel, t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal, showWhileDisconnected, wireLogout } from './page.ts';
import { type ConsoleSocket, connectSocket } from './socket.ts';
import { type Registration, type Softphone, startSoftphone } from './softphone.ts';
import { createTicketForm } from './ticket-form.ts';

const AUTO_ANSWER_KEY = 'hotline.autoAnswer';
const ACK_TIMEOUT_MS = 5000;
/** How long hang-up waits for the server to take note before the softphone hangs up anyway. */
const HANGUP_ACK_TIMEOUT_MS = 2000;

translatePage();

const el = {
  userName: byId('user-name', HTMLElement),
  logout: byId('logout', HTMLButtonElement),
  socketBanner: byId('socket-banner', HTMLParagraphElement),
  agentState: byId('agent-state', HTMLElement),
  phoneStatus: byId('phone-status', HTMLElement),
  setReady: byId('set-ready', HTMLButtonElement),
  reasons: [...document.querySelectorAll<HTMLButtonElement>('button[data-reason]')],
  wrapUp: byId('wrap-up', HTMLDivElement),
  wrapUpLeft: byId('wrap-up-left', HTMLElement),
  extendWrapUp: byId('extend-wrap-up', HTMLButtonElement),
  afterWrapUp: byId('after-wrap-up', HTMLParagraphElement),
  notice: byId('state-notice', HTMLParagraphElement),
  stateError: byId('state-error', HTMLParagraphElement),
  autoAnswer: byId('auto-answer', HTMLInputElement),
};

/** The operator's state as the server last said. */
let current: AgentStateView | null = null;
/**
 * When this browser saw the current state begin: the wrap-up countdown runs on the local clock from
 * there, so a browser whose clock is off still counts the server's wrap-up time right.
 */
let anchor: { since: string; localStart: number } | null = null;
/** What the operator asked for during wrap-up; shown until wrap-up ends. */
let afterWrapUp: AgentStateRequest | null = null;

function showAgentState(status: AgentStateView): void {
  const { state, reason } = status;
  current = status;
  if (anchor?.since !== status.since) anchor = { since: status.since, localStart: Date.now() };
  if (state !== 'wrap_up') afterWrapUp = null;
  el.agentState.textContent = agentStateLabel(state, reason);
  el.agentState.dataset.state = state;
  el.agentState.dataset.reason = reason ?? '';
  el.setReady.setAttribute('aria-pressed', String(state === 'ready'));
  for (const button of el.reasons) {
    button.setAttribute('aria-pressed', String(state === 'not_ready' && button.dataset.reason === reason));
  }
  const notice =
    state === 'not_ready' && reason === 'missed_call'
      ? t('operator.missedCall')
      : state === 'not_ready' && reason === 'connection_lost'
        ? t('operator.connectionLost')
        : null;
  el.notice.textContent = notice ?? '';
  el.notice.hidden = notice === null;
  el.afterWrapUp.hidden = !(state === 'wrap_up' && afterWrapUp?.state === 'not_ready');
  if (afterWrapUp?.state === 'not_ready') {
    el.afterWrapUp.textContent = t('operator.afterWrapUp', {
      state: agentStateLabel('not_ready', afterWrapUp.reason),
    });
  }
  tickWrapUp();
}

/** Counts wrap-up down: its length as the server set it, less the time since it began here. */
function tickWrapUp(): void {
  const endsAt = current?.state === 'wrap_up' ? current.wrapUpEndsAt : null;
  el.wrapUp.hidden = endsAt === null;
  if (!current || !anchor || endsAt === null) return;
  const length = Date.parse(endsAt) - Date.parse(current.since);
  el.wrapUpLeft.textContent = formatMinutesSeconds(
    Math.ceil((length - (Date.now() - anchor.localStart)) / 1000),
  );
}

function isReason(value: string | undefined): value is ChosenNotReadyReason {
  return CHOSEN_NOT_READY_REASONS.some((r) => r === value);
}

function showRegistration(state: Registration | 'noAccount'): void {
  el.phoneStatus.textContent = t(`phone.${state}`);
  el.phoneStatus.dataset.registration = state;
}

function wireStateButtons(socket: ConsoleSocket): void {
  const settle = (sent: Promise<Ack<AgentStateView>>, asked?: AgentStateRequest) => {
    el.stateError.hidden = true;
    sent
      .then((reply) => {
        if ('error' in reply) throw new Error(reply.error.message);
        if (asked && reply.data.state === 'wrap_up') afterWrapUp = asked;
        showAgentState(reply.data);
      })
      .catch((err: unknown) => {
        el.stateError.textContent =
          err instanceof Error && !/timed out/.test(err.message) ? err.message : t('error.noReply');
        el.stateError.hidden = false;
      });
  };
  const request = (asked: AgentStateRequest) =>
    settle(socket.timeout(ACK_TIMEOUT_MS).emitWithAck('agent:setState', asked), asked);
  el.setReady.addEventListener('click', () => request({ state: 'ready' }));
  for (const button of el.reasons) {
    const reason = button.dataset.reason;
    if (isReason(reason)) button.addEventListener('click', () => request({ state: 'not_ready', reason }));
  }
  el.extendWrapUp.addEventListener('click', () =>
    settle(socket.timeout(ACK_TIMEOUT_MS).emitWithAck('agent:extendWrapUp')),
  );
  setInterval(tickWrapUp, 1000);
}

async function start(): Promise<void> {
  const me = await requireUser(['operator']);
  if (!me) return;
  el.userName.textContent = me.user.displayName;
  showAgentState({ state: 'offline', since: new Date().toISOString(), reason: null, wrapUpEndsAt: null });

  el.autoAnswer.checked = localStorage.getItem(AUTO_ANSWER_KEY) === '1';
  el.autoAnswer.addEventListener('change', () => {
    localStorage.setItem(AUTO_ANSWER_KEY, el.autoAnswer.checked ? '1' : '0');
  });

  const socket = connectSocket();
  const calls = createCallPanel({
    autoAnswer: () => el.autoAnswer.checked,
    onCallShown: (pop) => tickets.prefill(pop),
    // The server takes a hang-up it was told about as the end of the talk; any other end of the
    // softphone's call is a drop, and the caller goes back to the queue.
    announceHangup: async (callId) => {
      await socket.timeout(HANGUP_ACK_TIMEOUT_MS).emitWithAck('call:hangup', { callId });
    },
  });
  const tickets = createTicketForm({ currentCallId: calls.currentCallId });

  let phone: Softphone | null = null;
  const callbacks = createCallbackList({ operatorId: me.user.id, phone: () => phone });

  showWhileDisconnected(socket, el.socketBanner);
  socket.on('connect', () => void callbacks.reload());
  socket.on('callback:updated', (task) => callbacks.updated(task));
  socket.on('agent:state', (e) => showAgentState(e));
  socket.on('call:offered', (pop) => calls.offered(pop));
  socket.on('call:answered', (pop) => calls.answered(pop));
  socket.on('call:ended', (e) => calls.ended(e.callId));
  wireStateButtons(socket);

  if (me.sip) {
    showRegistration('connecting');
    phone = startSoftphone(me.sip, {
      onRegistration: showRegistration,
      onIncoming: (s, fallback) => {
        // One call at a time: a queue call does not ring over a callback call.
        if (callbacks.inCall()) s.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
        else calls.incoming(s, fallback);
      },
    });
  } else {
    showRegistration('noAccount');
  }

  wireLogout(el.logout, () => {
    phone?.stop();
    socket.disconnect();
  });
  window.addEventListener('pagehide', () => phone?.stop());
}

start().catch(showFatal);
