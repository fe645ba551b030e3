/**
 * The first key of the first call after Asterisk starts is never lost: a sipp citizen presses a
 * menu key exactly once and starts talking right after it, as a caller does, on a fresh Asterisk
 * (the hotline's first call) and again as the first call after Asterisk restarts. The caller waits
 * in that key's queue (the ARI queue bridge), the call record has the key, and Asterisk received
 * the whole key press: its end, carrying the press's length, not a begin cut short by the voice.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueName } from '../../common/domain.ts';
import { STASIS_APP } from '../../ivr/constants.ts';
import { queueBridgeId } from '../../ivr/stasis-names.ts';
import { freePort, waitFor } from '../../scripts/lib/ports.ts';
import { dtmfPcap, keyPressDurationMs, placeCitizenCall } from '../../scripts/lib/sipp.ts';
import { type ApiSession, apiSession } from '../support/api-session.ts';
import { type AriObserver, observeAri } from '../support/ari-observer.ts';
import { callRecordsOf } from '../support/calls.ts';
import { type E2eHotline, startE2eHotline, type Telephony } from '../support/e2e.ts';

let env: E2eHotline;
let phone: Telephony;
let supervisor: ApiSession;

beforeAll(async () => {
  env = await startE2eHotline({ name: 'first-key', telephony: true });
  phone = env.telephony!;
  supervisor = await apiSession(env.hotline.url, 'giamsat');
});

afterAll(async () => {
  await env?.close();
});

const waitingIn = async (queue: QueueName) => {
  const bridge = (await phone.ariGet(`/bridges/${queueBridgeId(queue)}`)) as { channels: string[] };
  return bridge.channels.length;
};

/** One call pressing `key` once, during the welcome, then talking; it must wait in `queue`. */
async function pressOnce(observer: AriObserver, callerNumber: string, key: string, queue: QueueName) {
  const call = placeCitizenCall({
    target: `127.0.0.1:${phone.asterisk.sipPort}`,
    callerNumber,
    keys: key,
    keyDelayMs: 1500,
    hangup: 'caller',
    holdMs: 6000,
    localPort: await freePort(),
  });
  await expect.poll(() => waitingIn(queue), { timeout: 15_000 }).toBe(1);
  const result = await call;
  expect(result.exitCode, result.errors).toBe(0);

  const citizen = observer.channel((c) => c.caller?.number === callerNumber);
  expect(citizen.digits).toBe(key);
  expect(citizen.keyPresses.map(({ digit, durationMs }) => ({ digit, durationMs }))).toEqual([
    { digit: key, durationMs: keyPressDurationMs(readFileSync(dtmfPcap(key))) },
  ]);
  await expect
    .poll(async () => (await callRecordsOf(supervisor, callerNumber))[0]?.endReason, { timeout: 5000 })
    .toBe('abandoned_in_queue');
  expect((await callRecordsOf(supervisor, callerNumber))[0]).toMatchObject({ menuPath: key, queue });
  await phone.waitUntilClean(10_000);
}

describe('the first key of a fresh Asterisk', () => {
  it('the hotline’s first call: one press of 1 reaches the health queue', async () => {
    await pressOnce(phone.observer, '0913000001', '1', 'health');
  });

  it('the first call after Asterisk restarts: one press of 2 reaches the welfare queue', async () => {
    await phone.asterisk.restart();
    // The observer's event socket ended with the old Asterisk.
    const observer = await observeAri(phone.asterisk.ariUrl, phone.asterisk.ari);
    try {
      await waitFor(
        'the controller is back',
        async () =>
          ((await phone.ariGet('/applications')) as { name: string }[]).some((a) => a.name === STASIS_APP),
        20_000,
      );
      await pressOnce(observer, '0913000002', '2', 'welfare');
    } finally {
      observer.close();
    }
  });
});
