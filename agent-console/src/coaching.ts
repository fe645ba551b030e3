/**
 * A supervisor on calls in progress, from the wallboard: their softphone (registered while the
 * page is open) answers by itself only the coaching leg of the call they asked to join — the
 * INVITE names that call in `X-Hotline-Coaching` — and declines anything else, so it never takes
 * a citizen's call. Each operator on a call gets the buttons Nghe / Nhắc / Tham gia, and
 * "Rời cuộc gọi" while the supervisor is on that call; a change of mode keeps the same leg.
 */
import {
  COACHING_CALL_HEADER,
  COACHING_MODES,
  type CoachingMode,
  type SipCredentials,
} from '../../common/api.ts';
import type { AgentStatus, CoachingNotice } from '../../common/events.ts';
import { api, errorMessage } from './api.ts';
import { t } from './i18n.ts';
import {
  audioPackets,
  playRemoteAudio,
  type Registration,
  type RTCSession,
  startSoftphone,
} from './softphone.ts';

/** The call the supervisor is on (or joining: `mode` null). */
interface OnCall {
  callId: string;
  operatorId: number;
  name: string;
  mode: CoachingMode | null;
}

export interface CoachingElements {
  phone: HTMLElement;
  status: HTMLElement;
  error: HTMLElement;
  audio: HTMLAudioElement;
}

export interface CoachingPanel {
  /** The coaching cell of an operator's wallboard row, kept across redraws (a click is never lost). */
  cell(agent: AgentStatus): HTMLTableCellElement;
  /** A `coaching:changed` for this supervisor. */
  changed(notice: CoachingNotice): void;
  stop(): void;
}

const STATS_EVERY_MS = 1000;

export function createCoachingPanel(sip: SipCredentials | null, el: CoachingElements): CoachingPanel {
  let onCall: OnCall | null = null;
  let leg: RTCSession | null = null;
  let busy = false;
  const cells = new Map<number, { cell: HTMLTableCellElement; agent: AgentStatus }>();

  const showRegistration = (state: Registration | 'noAccount') => {
    el.phone.textContent = t(`phone.${state}`);
    el.phone.dataset.registration = state;
  };
  const showError = (message: string | null) => {
    el.error.textContent = message ?? '';
    el.error.hidden = message === null;
  };
  const hangUpLeg = () => {
    if (leg && !leg.isEnded()) leg.terminate();
    leg = null;
  };

  const phone = sip
    ? startSoftphone(sip, {
        onRegistration: showRegistration,
        onIncoming: (session, _fallback, header) => {
          const callId = header(COACHING_CALL_HEADER);
          if (!onCall || callId !== onCall.callId || (leg && !leg.isEnded())) {
            session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
            return;
          }
          leg = session;
          playRemoteAudio(session, el.audio);
          session.on('ended', () => {
            if (leg === session) leg = null;
          });
          session.on('failed', () => {
            if (leg === session) leg = null;
          });
          session.answer(phone?.answerOptions());
        },
      })
    : null;
  showRegistration(sip ? 'connecting' : 'noAccount');

  const render = () => {
    const mode = onCall?.mode ?? null;
    el.status.dataset.mode = onCall ? (mode ?? 'joining') : 'none';
    el.status.dataset.callId = onCall?.callId ?? '';
    el.status.textContent = !onCall
      ? t('coaching.idle')
      : mode === null
        ? t('coaching.joining', { name: onCall.name })
        : t(`coaching.status.${mode}`, { name: onCall.name });
    for (const { cell, agent } of cells.values()) fill(cell, agent);
  };

  const ask = async (agent: AgentStatus, mode: CoachingMode) => {
    const callId = agent.callId;
    if (!callId || busy) return;
    busy = true;
    showError(null);
    const joining = onCall?.callId !== callId;
    // Known before the request: the coaching leg may ring before the answer comes.
    if (joining) onCall = { callId, operatorId: agent.operatorId, name: agent.displayName, mode: null };
    render();
    try {
      const view = await api.coach(callId, mode);
      if (onCall?.callId === callId) onCall.mode = view.mode;
    } catch (err) {
      if (joining && onCall?.callId === callId) {
        onCall = null;
        hangUpLeg();
      }
      showError(errorMessage(err));
    } finally {
      busy = false;
      render();
    }
  };

  const leave = async () => {
    if (!onCall || busy) return;
    busy = true;
    showError(null);
    const { callId } = onCall;
    try {
      await api.leaveCoaching(callId);
    } catch (err) {
      showError(errorMessage(err));
    } finally {
      if (onCall?.callId === callId) onCall = null;
      hangUpLeg();
      busy = false;
      render();
    }
  };

  function fill(cell: HTMLTableCellElement, agent: AgentStatus): void {
    const group = cell.firstElementChild as HTMLElement;
    group.setAttribute('aria-label', t('coaching.actions', { name: agent.displayName }));
    const here = onCall !== null && onCall.callId === agent.callId;
    group.hidden = !agent.callId;
    for (const button of group.querySelectorAll<HTMLButtonElement>('button')) {
      const mode = button.dataset.mode as CoachingMode | 'leave';
      if (mode === 'leave') {
        button.hidden = !here;
        button.disabled = busy;
        continue;
      }
      button.setAttribute('aria-pressed', String(here && onCall?.mode === mode));
      button.disabled = busy || (onCall !== null && !here) || !phone;
    }
  }

  const build = (agent: AgentStatus): HTMLTableCellElement => {
    const cell = document.createElement('td');
    cell.className = 'coaching-cell';
    const group = document.createElement('div');
    group.setAttribute('role', 'group');
    group.className = 'coaching-actions';
    for (const mode of [...COACHING_MODES, 'leave'] as const) {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.mode = mode;
      button.className = mode === 'leave' ? 'secondary' : 'coaching-mode';
      button.textContent = t(`coaching.${mode}`);
      button.addEventListener('click', () => {
        const current = cells.get(agent.operatorId)?.agent ?? agent;
        void (mode === 'leave' ? leave() : ask(current, mode));
      });
      group.append(button);
    }
    cell.append(group);
    return cell;
  };

  const stats = setInterval(() => {
    if (!leg?.isEstablished()) {
      el.status.dataset.packetsReceived = '0';
      return;
    }
    void audioPackets(leg).then((p) => {
      el.status.dataset.packetsReceived = String(p.received);
      el.status.dataset.packetsSent = String(p.sent);
    });
  }, STATS_EVERY_MS);

  render();
  return {
    cell(agent) {
      const known = cells.get(agent.operatorId);
      const cell = known?.cell ?? build(agent);
      cells.set(agent.operatorId, { cell, agent });
      fill(cell, agent);
      return cell;
    },
    changed(notice) {
      if (!onCall || onCall.callId !== notice.callId) return;
      if (notice.mode === null) {
        // Off the call: the supervisor left, hung up, or the talk ended.
        onCall = null;
        hangUpLeg();
      } else {
        onCall.mode = notice.mode;
      }
      render();
    },
    stop() {
      clearInterval(stats);
      hangUpLeg();
      phone?.stop();
    },
  };
}
