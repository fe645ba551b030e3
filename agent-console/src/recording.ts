/**
 * Playback of a call's stored recording (the conversation, or an after-hours message), served by
 * `GET /api/calls/:id/recording` to supervisors, admins and the operator who handled the call (or
 * holds its callback); every play is logged by the server. A plain
 * `<audio controls preload="none">`: nothing is fetched until someone presses play; a refused one
 * says "Bạn không có quyền nghe bản ghi này".
 *
 * Lists on these pages are redrawn whenever a push arrives; a player is kept per call and moved
 * into the new row, so a recording being listened to does not stop when the list changes.
 */
import type { RecordingKind } from '../../common/domain.ts';
import { api, errorMessage } from './api.ts';
import { h } from './dom.ts';
import { t } from './i18n.ts';

/** By place and call id: one call may be shown in two lists of a page, each with its own player. */
const players = new Map<string, HTMLAudioElement>();
/** By place and call id: the box showing the recording, for calls known to have one. */
const slots = new Map<string, HTMLElement>();

export const recordingUrl = (callId: string): string => `/api/calls/${encodeURIComponent(callId)}/recording`;

/** The player for `callId`'s recording in `place`; the same element every time for the same call. */
export function recordingPlayer(
  place: string,
  callId: string,
  kind: RecordingKind,
  number: string,
): HTMLAudioElement {
  const key = `${place}\n${callId}`;
  const known = players.get(key);
  if (known) return known;
  const player = h('audio', {
    class: 'recording',
    controls: '',
    preload: 'none',
    src: recordingUrl(callId),
    'data-call-id': callId,
    'aria-label': t(kind === 'message' ? 'recording.message' : 'recording.conversation', { number }),
  });
  player.addEventListener('error', () => void explainFailure(player, callId));
  players.set(key, player);
  return player;
}

/** What the player shows when the server refuses the recording to this user (403). */
export const RECORDING_FORBIDDEN_TEXT = 'Bạn không có quyền nghe bản ghi này';

/**
 * An `<audio>` element does not say why it failed: the same URL is asked again with HEAD, which
 * answers the GET's status without playing (nor logging a play), and a refusal replaces the player.
 */
async function explainFailure(player: HTMLAudioElement, callId: string): Promise<void> {
  let status: number;
  try {
    status = (await fetch(recordingUrl(callId), { method: 'HEAD', credentials: 'same-origin' })).status;
  } catch {
    return;
  }
  if (status !== 403 || !player.isConnected) return;
  player.hidden = true;
  player.after(
    h(
      'span',
      { class: 'message-inline-error', role: 'alert', 'data-call-id': callId },
      RECORDING_FORBIDDEN_TEXT,
    ),
  );
}

/**
 * A box that shows the recording of `callId` once the call record says there is one, or why there
 * is none. The call record is asked only the first time for a call that has a recording.
 */
export function callRecordingSlot(place: string, callId: string): HTMLElement {
  const key = `${place}\n${callId}`;
  const known = slots.get(key);
  if (known) return known;
  const slot = h(
    'div',
    { class: 'recording-slot', 'data-call-id': callId },
    h('span', { class: 'muted' }, t('common.loading')),
  );
  api
    .call(callId)
    .then((call) => {
      if (!call.recording) {
        slot.replaceChildren(h('span', { class: 'muted' }, t('recording.none')));
        return;
      }
      slots.set(key, slot);
      slot.replaceChildren(recordingPlayer(place, callId, call.recording.kind, call.callerNumber));
    })
    .catch((err: unknown) => {
      slot.replaceChildren(h('span', { class: 'message-inline-error', role: 'alert' }, errorMessage(err)));
    });
  return slot;
}
