/**
 * A kept place leaves the ACD as soon as its task closes, on the real parts: with no operator
 * ready, two sipp callers wait in `health`, hear the callback offer and press 1; the wallboard
 * counts both places. The supervisor gives up the first task: the wallboard's push shows one place
 * within a second, and when tdv01 becomes ready the hotline dials the second citizen (whose phone
 * is busy), never the first, whose task stays given up without an attempt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallbackTaskDetail, CallbackTaskView, ListResponse } from '../../common/api.ts';
import type { WallboardSnapshot } from '../../common/events.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { startCitizenPhone } from '../../scripts/lib/sipp.ts';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import { type ApiSession, apiSession } from '../support/api-session.ts';
import { callbackTaskOf, takeQueueCallback } from '../support/callbacks.ts';
import { type E2eHotline, startE2eHotline, type Telephony } from '../support/e2e.ts';

const GIVEN_UP = '0911000555';
const KEPT = '0911000666';

let env: E2eHotline;
let phone: Telephony;
let trunkPort: number;
let supervisor: ApiSession;

beforeAll(async () => {
  trunkPort = await freePort();
  env = await startE2eHotline({
    name: 'queue-callback-closed',
    telephony: true,
    trunkPort,
    env: {
      HOTLINE_CALLBACK_OFFER_AFTER_SECONDS: '2',
      HOTLINE_QUEUE_CALLBACK_RETRY_SECONDS: '60',
      HOTLINE_QUEUE_CALLBACK_ATTEMPTS: '3',
      HOTLINE_QUEUE_CALLBACK_RING_SECONDS: '10',
    },
  });
  phone = env.telephony!;
  supervisor = await apiSession(env.hotline.url, 'giamsat');
});

afterAll(async () => {
  await env?.close();
});

const takeCallback = (callerNumber: string, mediaPort: number) =>
  takeQueueCallback(phone.asterisk.sipPort, callerNumber, mediaPort);

const taskOf = (number: string) =>
  callbackTaskOf((path) => supervisor.get<ListResponse<CallbackTaskView>>(path), number);

const healthWaiting = (s: WallboardSnapshot) => s.queues.find((q) => q.queue === 'health')?.waiting;

/** tdv01 asks to be ready over the API (no softphone needed: the citizen is dialled first). */
async function operatorReady(): Promise<void> {
  const login = await fetch(`${env.hotline.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'tdv01', password: DEMO_PASSWORD }),
  });
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf = /(?:^|; )hotline_csrf=([^;]+)/.exec(cookie)?.[1] ?? '';
  const res = await fetch(`${env.hotline.url}/api/agent/state`, {
    method: 'PUT',
    headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: JSON.stringify({ state: 'ready' }),
  });
  expect(res.status, await res.text()).toBe(200);
}

describe('a kept place whose task closes', () => {
  it('leaves the ACD at once when the supervisor gives the task up; only the other citizen is dialled', async () => {
    const first = takeCallback(GIVEN_UP, 16300);
    await new Promise((r) => setTimeout(r, 1000));
    const second = takeCallback(KEPT, 16400);
    for (const result of await Promise.all([first, second])) expect(result.exitCode, result.errors).toBe(0);
    await expect
      .poll(() => taskOf(KEPT), { timeout: 5000 })
      .toMatchObject({ status: 'open', heldInQueue: true });
    await expect
      .poll(async () => healthWaiting(await supervisor.get<WallboardSnapshot>('/api/wallboard')), {
        timeout: 5000,
      })
      .toBe(2);
    const givenUp = (await taskOf(GIVEN_UP))!;
    expect(givenUp).toMatchObject({ status: 'open', heldInQueue: true });

    const wallboard = await supervisor.watchWallboard();
    const sentAt = Date.now();
    const closed = await supervisor.post<CallbackTaskView>(`/api/callbacks/${givenUp.id}/give-up`, {
      reason: 'Người dân đã được hỗ trợ qua kênh khác',
    });
    expect(closed).toMatchObject({ status: 'given_up', heldInQueue: false });
    // The wallboard is told at once, not when the place would have come.
    await expect
      .poll(() => wallboard.snapshots.find((s) => healthWaiting(s.snapshot) === 1), { timeout: 1500 })
      .toBeDefined();
    const droppedMs = (wallboard.snapshots.find((s) => healthWaiting(s.snapshot) === 1)?.at ?? 0) - sentAt;
    wallboard.close();
    expect(healthWaiting(await supervisor.get<WallboardSnapshot>('/api/wallboard'))).toBe(1);

    // The operator becomes ready: the hotline calls the citizen still held, never the one given up.
    const busy = startCitizenPhone({ port: trunkPort, answer: 'busy' });
    await operatorReady();
    const refused = await busy.done;
    expect(refused.exitCode, refused.errors).toBe(0);
    const kept = (await taskOf(KEPT))!;
    await expect
      .poll(async () => (await supervisor.get<CallbackTaskDetail>(`/api/callbacks/${kept.id}`)).history, {
        timeout: 5000,
      })
      .toMatchObject([{ kind: 'queue', outcome: 'busy' }]);
    const after = await supervisor.get<CallbackTaskDetail>(`/api/callbacks/${givenUp.id}`);
    expect(after).toMatchObject({ status: 'given_up', attempts: 0, history: [] });
    expect(phone.observer.channels((c) => c.id.startsWith('qcb-'))).toHaveLength(1);
    await phone.waitUntilClean(10_000);
    console.log(`[e2e] give-up → wallboard without the place: ${droppedMs} ms`);
  });
});
