/** Operator console: state, softphone, screen-pop and ticket form. Composition root of the page. */
import type { AgentState } from '../../common/domain.ts';
import { createCallPanel } from './call-panel.ts';
import { stateLabel, t, translatePage } from './i18n.ts';
import { byId, requireUser, showFatal, showWhileDisconnected, wireLogout } from './page.ts';
import { type ConsoleSocket, connectSocket } from './socket.ts';
import { type Registration, type Softphone, startSoftphone } from './softphone.ts';
import { createTicketForm } from './ticket-form.ts';

const AUTO_ANSWER_KEY = 'hotline.autoAnswer';
const ACK_TIMEOUT_MS = 5000;

translatePage();

const el = {
  userName: byId('user-name', HTMLElement),
  logout: byId('logout', HTMLButtonElement),
  socketBanner: byId('socket-banner', HTMLParagraphElement),
  agentState: byId('agent-state', HTMLElement),
  phoneStatus: byId('phone-status', HTMLElement),
  setReady: byId('set-ready', HTMLButtonElement),
  setNotReady: byId('set-not-ready', HTMLButtonElement),
  stateError: byId('state-error', HTMLParagraphElement),
  autoAnswer: byId('auto-answer', HTMLInputElement),
};

function showAgentState(state: AgentState): void {
  el.agentState.textContent = stateLabel(state);
  el.agentState.dataset.state = state;
  el.setReady.setAttribute('aria-pressed', String(state === 'ready'));
  el.setNotReady.setAttribute('aria-pressed', String(state === 'not_ready'));
}

function showRegistration(state: Registration | 'noAccount'): void {
  el.phoneStatus.textContent = t(`phone.${state}`);
  el.phoneStatus.dataset.registration = state;
}

function wireStateButtons(socket: ConsoleSocket): void {
  const request = (state: 'ready' | 'not_ready') => {
    el.stateError.hidden = true;
    socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('agent:setState', state)
      .then((reply) => {
        if ('error' in reply) throw new Error(reply.error.message);
        showAgentState(reply.data.state);
      })
      .catch((err: unknown) => {
        el.stateError.textContent =
          err instanceof Error && !/timed out/.test(err.message) ? err.message : t('error.noReply');
        el.stateError.hidden = false;
      });
  };
  el.setReady.addEventListener('click', () => request('ready'));
  el.setNotReady.addEventListener('click', () => request('not_ready'));
}

async function start(): Promise<void> {
  const me = await requireUser(['operator']);
  if (!me) return;
  el.userName.textContent = me.user.displayName;
  showAgentState('offline');

  el.autoAnswer.checked = localStorage.getItem(AUTO_ANSWER_KEY) === '1';
  el.autoAnswer.addEventListener('change', () => {
    localStorage.setItem(AUTO_ANSWER_KEY, el.autoAnswer.checked ? '1' : '0');
  });

  const calls = createCallPanel({
    autoAnswer: () => el.autoAnswer.checked,
    onCallShown: (pop) => tickets.prefill(pop),
  });
  const tickets = createTicketForm({ currentCallId: calls.currentCallId });

  const socket = connectSocket();
  showWhileDisconnected(socket, el.socketBanner);
  socket.on('agent:state', (e) => showAgentState(e.state));
  socket.on('call:offered', (pop) => calls.offered(pop));
  socket.on('call:answered', (pop) => calls.answered(pop));
  socket.on('call:ended', (e) => calls.ended(e.callId));
  wireStateButtons(socket);

  let phone: Softphone | null = null;
  if (me.sip) {
    showRegistration('connecting');
    phone = startSoftphone(me.sip, {
      onRegistration: showRegistration,
      onIncoming: (s) => calls.incoming(s),
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
