/**
 * The server is killed and stays down longer than the watchdog's time; nobody is there to answer.
 * A caller who was waiting is moved to the fallback queue by the watchdog, and a second caller
 * dials while the server is down; both hang up before it is back. When the server starts again,
 * it reads the fallback dialplan's journal in astdb: the first caller's record gets its end, the
 * second gets a record from arrival to end, and both get a callback task, as callers who hung
 * up waiting do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallbackTaskView, CallRecordDetail, CallRecordView, ListResponse } from '../../common/api.ts';
import { queueBridgeId } from '../../ivr/stasis-names.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { placeCitizenCall } from '../../scripts/lib/sipp.ts';
import { maskPhone } from '../../server/tickets/repository.ts';
import { apiSession } from '../support/api-session.ts';
import { type ProcessHotline, startProcessHotline } from '../support/e2e-processes.ts';

let hotline: ProcessHotline;

beforeAll(async () => {
  hotline = await startProcessHotline({ name: 'journal' });
}, 120_000);

afterAll(async () => {
  for (const line of hotline?.watchdogLog ?? []) console.log(`[watchdog] ${JSON.stringify(line)}`);
  await hotline?.close();
});

const WAITER = '0904000001';
const LATE = '0904000002';

async function call(callerNumber: string, key: string, holdMs: number, media: number) {
  return placeCitizenCall({
    target: `127.0.0.1:${hotline.asterisk.sipPort}`,
    callerNumber,
    keys: key,
    keyDelayMs: 1500,
    holdMs,
    localPort: await freePort(),
    mediaPort: media,
  });
}

const bridgeChannels = async (id: string) =>
  ((await hotline.ari('GET', `/bridges/${encodeURIComponent(id)}`)) as { channels: string[] }).channels;

describe('calls that come and go in the fallback while the server is down', () => {
  it('are recorded from the journal when the server is back, with callback tasks', async () => {
    await hotline.startServer({ restart: false });
    await hotline.startWatchdog(3);

    // The first caller waits in the controller's queue; nobody is ready.
    const waiter = call(WAITER, '0', 25_000, 16200);
    await expect.poll(() => bridgeChannels(queueBridgeId('general')), { timeout: 15_000 }).toHaveLength(1);

    process.kill(hotline.server!.pid!, 'SIGKILL');
    hotline.server = null;
    // The watchdog moves the waiting caller to the fallback queue; a second caller dials meanwhile
    // (reaching the fallback directly, or through the watchdog too).
    await new Promise((r) => setTimeout(r, 1000));
    const late = call(LATE, '0', 14_000, 16210);
    expect((await waiter).exitCode).toBe(0);
    expect((await late).exitCode).toBe(0);
    const moved = hotline.watchdogLog.filter((l) => l.msg === 'caller moved to the fallback queue');
    expect(moved.length).toBeGreaterThanOrEqual(1);

    // Both have hung up; the server is started again.
    await hotline.startServer({ restart: false });
    const supervisor = await apiSession(hotline.url, 'giamsat');
    const recordOf = async (number: string) =>
      (await supervisor.get<ListResponse<CallRecordView>>('/api/calls?limit=50')).data.find(
        (c) => c.callerNumber === maskPhone(number),
      );
    await expect
      .poll(() => recordOf(WAITER), { timeout: 15_000 })
      .toMatchObject({
        queue: 'general',
        endReason: 'abandoned_in_queue',
      });
    await expect
      .poll(() => recordOf(LATE), { timeout: 15_000 })
      .toMatchObject({
        queue: 'general',
        menuPath: '0',
        endReason: 'abandoned_in_queue',
      });
    const lateRecord = await supervisor.get<CallRecordDetail>(
      `/api/calls/${encodeURIComponent((await recordOf(LATE))!.id)}`,
    );
    expect(lateRecord.events.map((e) => e.type)).toEqual(['arrived', 'digit', 'queued', 'ended']);
    expect(lateRecord.waitSeconds).toBeGreaterThan(3);
    const tasks = (await supervisor.get<ListResponse<CallbackTaskView>>('/api/callbacks')).data;
    for (const number of [WAITER, LATE]) {
      expect(
        tasks.filter((t) => t.callerNumber === maskPhone(number)),
        number,
      ).toHaveLength(1);
    }
  }, 150_000);
});
