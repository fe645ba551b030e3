/** Callback tasks and queue callbacks as tests reach them. */
import type { CallbackTaskView, ListResponse } from '../../common/api.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { placeCitizenCall } from '../../scripts/lib/sipp.ts';
import { maskPhone } from '../../server/tickets/repository.ts';

/** A citizen's callback task, whatever its status, as `GET /api/callbacks` lists it to `get`'s user. */
export async function callbackTaskOf(
  get: (path: string) => Promise<ListResponse<CallbackTaskView>>,
  number: string,
): Promise<CallbackTaskView | undefined> {
  for (const status of ['open', 'reached', 'given_up'] as const) {
    const list = await get(`/api/callbacks?status=${status}`);
    const found = list.data.find((t) => t.callerNumber === maskPhone(number));
    if (found) return found;
  }
  return undefined;
}

/** A sipp citizen who chooses health (1), waits for the offer, presses 1 once and waits for the hotline's goodbye. */
export async function takeQueueCallback(sipPort: number, callerNumber: string, mediaPort: number) {
  return placeCitizenCall({
    target: `127.0.0.1:${sipPort}`,
    callerNumber,
    localPort: await freePort(),
    mediaPort,
    keys: '11',
    firstKeyDelayMs: 1500,
    keyDelayMs: 6000,
    hangup: 'hotline',
    holdMs: 25_000,
  });
}
