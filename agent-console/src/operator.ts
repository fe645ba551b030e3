/**
 * Operator console: state, softphone, screen-pop, ticket form and callbacks. Composition root of the page.
 * Made for operators at home too: the microphone is checked before "Sẵn sàng", TURN credentials are
 * renewed while the page is open, and after a network drop the banner says so, socket.io
 * reconnects and the softphone starts afresh (its WebSocket may look open while dead).
 */
import { CHOSEN_NOT_READY_REASONS, type ChosenNotReadyReason } from '../../common/domain.ts';
import type { Ack, AgentStateRequest, AgentStateView } from '../../common/events.ts';
import { ApiRequestError, api } from './api.ts';
import { createCallPanel } from './call-panel.ts';
import { createCallbackList } from './callbacks.ts';
import { createCoachingIndicator } from './coaching-indicator.ts';
import { createDeskTasks } from './desk-tasks.ts';
import { formatMinutesSeconds } from './format.ts';
import { agentStateLabel, t, translatePage } from './i18n.ts';
import { createLinkBanner } from './link-banner.ts';
import { checkMicrophone } from './microphone.ts';
import { byId, requireUser, showFatal, wireLogout } from './page.ts';
import { createRingAlert } from './ringing.ts';
import { type ConsoleSocket, connectSocket } from './socket.ts';
import { type Registration, type Softphone, startSoftphone } from './softphone.ts';
import { createTicketForm } from './ticket-form.ts';
import { createWrittenRequestPanel } from './written-requests.ts';

const AUTO_ANSWER_KEY = 'hotline.autoAnswer';
const ACK_TIMEOUT_MS = 5000;
/** How long hang-up waits for the server to take note before the softphone hangs up anyway. */
const HANGUP_ACK_TIMEOUT_MS = 2000;
/** TURN credentials live for hours; renewing them well before keeps every new call relayable. */
const CREDENTIALS_REFRESH_MS = 20 * 60_000;

translatePage();

const el = {
  userName: byId('user-name', HTMLElement),
  logout: byId('logout', HTMLButtonElement),
  linkBanner: byId('link-banner', HTMLParagraphElement),
  agentState: byId('agent-state', HTMLElement),
  phoneStatus: byId('phone-status', HTMLElement),
  setReady: byId('set-ready', HTMLButtonElement),
  reasons: [...document.querySelectorAll<HTMLButtonElement>('button[data-reason]')],
  wrapUp: byId('wrap-up', HTMLDivElement),
  wrapUpLeft: byId('wrap-up-left', HTMLElement),
  extendWrapUp: byId('extend-wrap-up', HTMLButtonElement),
  afterWrapUp: byId('after-wrap-up', HTMLParagraphElement),
  notice: byId('state-notice', HTMLParagraphElement),
  coaching: byId('coaching-indicator', HTMLParagraphElement),
  stateError: byId('state-error', HTMLParagraphElement),
  autoAnswer: byId('auto-answer', HTMLInputElement),
  micLine: byId('mic-line', HTMLParagraphElement),
  micLevel: byId('mic-level', HTMLMeterElement),
  micStatus: byId('mic-status', HTMLSpanElement),
  micError: byId('mic-error', HTMLParagraphElement),
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

/**
 * Opens the microphone before going ready: an operator whose browser refuses it, or who has
 * none, stays not ready and is told why.
 */
async function microphoneReady(): Promise<boolean> {
  el.micError.hidden = true;
  el.micStatus.textContent = t('mic.checking');
  el.micLine.hidden = false;
  el.setReady.disabled = true;
  try {
    const check = await checkMicrophone(el.micLevel, () => {
      el.micLine.hidden = true;
    });
    if (check.ok) {
      el.micStatus.textContent = t('mic.ok');
      return true;
    }
    el.micLine.hidden = true;
    el.micError.textContent = t(check.problem);
    el.micError.hidden = false;
    return false;
  } finally {
    el.setReady.disabled = false;
  }
}

function wireStateButtons(socket: ConsoleSocket, beforeReady: () => void): void {
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
  el.setReady.addEventListener('click', () => {
    beforeReady();
    void microphoneReady().then((ok) => {
      if (ok) request({ state: 'ready' });
    });
  });
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
  const banner = createLinkBanner(el.linkBanner);
  const ring = createRingAlert();
  let phone: Softphone | null = null;
  const calls = createCallPanel({
    ring,
    answerOptions: () => {
      if (!phone) throw new Error(t('phone.noAccount'));
      return phone.answerOptions();
    },
    autoAnswer: () => el.autoAnswer.checked,
    onCallShown: (pop) => {
      tickets.prefill(pop);
      deskTasks.callShown(pop.contacts);
    },
    // The server takes a hang-up it was told about as the end of the talk; any other end of the
    // softphone's call is a drop, and the caller goes back to the queue.
    announceHangup: async (callId) => {
      await socket.timeout(HANGUP_ACK_TIMEOUT_MS).emitWithAck('call:hangup', { callId });
    },
  });
  const tickets = createTicketForm({
    currentCallId: calls.currentCallId,
    onCreated: () => void written.reload(),
  });
  const written = createWrittenRequestPanel({
    rows: byId('written-rows', HTMLTableSectionElement),
    message: byId('written-message', HTMLParagraphElement),
    error: byId('written-error', HTMLParagraphElement),
    makeTicket: (request) => {
      tickets.fromWrittenRequest(request);
      deskTasks.opened(request);
    },
  });
  // Written tasks beside calls ("Việc của tôi"), and the citizen's contacts on every channel.
  const deskTasks = createDeskTasks({
    socket,
    panel: byId('written-requests', HTMLElement),
    callRegion: byId('call', HTMLElement),
    ticketForm: byId('ticket-form', HTMLFormElement),
    makeTicket: (request) => tickets.fromWrittenRequest(request),
    changed: () => void written.reload(),
  });
  // The Zalo page's "Tạo phiếu" links here with the conversation's request.
  const linked = Number(new URLSearchParams(location.search).get('writtenRequest'));
  if (Number.isInteger(linked) && linked > 0) void deskTasks.openRequest(linked, { take: true });

  const callbacks = createCallbackList({ operatorId: me.user.id, phone: () => phone });

  /**
   * After socket.io had to reconnect, the softphone's WebSocket may be dead without knowing it (a
   * Wi-Fi drop, a new address behind the router): unless Asterisk still answers on it, the
   * softphone starts afresh, and the banner says "back" only then.
   */
  const reviveSoftphone = async () => {
    if (!phone || (await phone.probe())) return;
    if (phone.restart()) {
      showRegistration('connecting');
      banner.phone(false);
    }
  };
  let wasConnected = false;
  socket.on('connect', () => {
    const revived = wasConnected ? reviveSoftphone() : Promise.resolve();
    if (wasConnected) void renewCredentials();
    wasConnected = true;
    void revived.finally(() => {
      if (socket.connected) banner.socket(true);
    });
    void callbacks.reload();
  });
  socket.on('disconnect', () => banner.socket(false));
  socket.on('connect_error', () => banner.socket(false));
  socket.on('callback:updated', (task) => callbacks.updated(task));
  socket.on('agent:state', (e) => showAgentState(e));
  socket.on('call:offered', (pop) => calls.offered(pop));
  socket.on('call:answered', (pop) => calls.answered(pop));
  const coached = createCoachingIndicator(el.coaching);
  socket.on('call:ended', (e) => {
    calls.ended(e.callId);
    coached.callEnded(e.callId);
  });
  socket.on('coaching:changed', (notice) => coached.changed(notice));
  wireStateButtons(socket, () => ring.prepare());

  const renewCredentials = async () => {
    try {
      const fresh = await api.me();
      if (fresh.sip) phone?.setIceServers(fresh.sip.iceServers);
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 401) location.replace('/');
      else console.warn('could not renew the TURN credentials', err);
    }
  };
  setInterval(() => void renewCredentials(), CREDENTIALS_REFRESH_MS);

  if (me.sip) {
    showRegistration('connecting');
    phone = startSoftphone(me.sip, {
      onRegistration: (state) => {
        showRegistration(state);
        banner.phone(state === 'registered');
      },
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
