/**
 * The server process is killed (SIGKILL) with one citizen talking to tdv01 (real console in
 * Chromium) and two waiting; the server and the watchdog run as processes of their own, as
 * `npm start` runs them (scripts/lib/supervise.ts).
 * - Supervised: the server is started again within seconds, its controller adopts the calls, the
 *   talk goes on to its end and is recorded, then the operator serves the two waiting callers.
 *   The watchdog (30 s here, for a busy machine) never acts.
 * - Not restarted: Asterisk still lists the application with its channels (it cannot tell that
 *   the controller is gone). Within the watchdog's time (4 s) and a little, the two waiting
 *   callers are in the fallback queue with their menu key; the talk goes on untouched until the
 *   operator hangs up, then the caller left alone is hung up at once. The fallback queue then
 *   rings the operator's softphone with each waiting caller in turn.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecordView, ListResponse } from '../../common/api.ts';
import { STASIS_APP } from '../../ivr/constants.ts';
import { queueBridgeId } from '../../ivr/stasis-names.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { placeCitizenCall, type SippResult } from '../../scripts/lib/sipp.ts';
import { maskPhone } from '../../server/tickets/repository.ts';
import { apiSession } from '../support/api-session.ts';
import { launchChromium, logInAs } from '../support/e2e.ts';
import { type ProcessHotline, startProcessHotline } from '../support/e2e-processes.ts';

/** The watchdog's time while the server is restarted: the production default's order, with room for a busy machine. */
const AWAY_SECONDS_A = 30;

let hotline: ProcessHotline;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  // No wrap-up, so the operator takes the waiting callers one after another.
  hotline = await startProcessHotline({ name: 'killed', env: { HOTLINE_WRAP_UP_SECONDS: '0' } });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  for (const line of hotline?.watchdogLog ?? []) console.log(`[watchdog] ${JSON.stringify(line)}`);
  await browser?.close();
  await hotline?.close();
});

const agentState = () => page.getByTestId('agent-state').textContent();

interface AriChannel {
  id: string;
  caller: { number: string };
  dialplan: { app_name: string };
}
const channelOf = async (callerNumber: string) =>
  ((await hotline.ari('GET', '/channels')) as AriChannel[]).find((c) => c.caller.number === callerNumber);

const bridgeChannels = async (id: string) =>
  ((await hotline.ari('GET', `/bridges/${encodeURIComponent(id)}`)) as { channels: string[] }).channels;

async function call(
  callerNumber: string,
  key: string,
  hangup: 'caller' | 'hotline',
  holdMs: number,
  media: number,
) {
  return placeCitizenCall({
    target: `127.0.0.1:${hotline.asterisk.sipPort}`,
    callerNumber,
    keys: key,
    keyDelayMs: 1500,
    hangup,
    holdMs,
    localPort: await freePort(),
    mediaPort: media,
  });
}

/** The caller the console talks to now, '' when it talks to nobody. */
const talkingTo = async () =>
  (await agentState()) === 'Đang nghe máy'
    ? ((await page.getByTestId('call-caller').textContent())?.trim() ?? '')
    : '';

/** The operator takes each caller the console rings, ends the talk, and says whom they served. */
async function serve(count: number): Promise<string[]> {
  const served: string[] = [];
  for (let i = 0; i < count; i++) {
    let caller = '';
    await expect
      .poll(
        async () => {
          caller = await talkingTo();
          return caller;
        },
        { timeout: 20_000 },
      )
      .toSatisfy((c: string) => c !== '' && c !== served.at(-1));
    served.push(caller);
    await page.getByRole('button', { name: 'Kết thúc' }).click();
  }
  return served;
}

/** The server and the watchdog started anew, and tdv01's console loaded, registered and ready. */
async function freshStart(opts: { restart: boolean; awaySeconds: number }) {
  await hotline.stopWatchdog();
  await hotline.stopServer();
  await hotline.startServer({ restart: opts.restart });
  await hotline.startWatchdog(opts.awaySeconds);
  await page?.close();
  page = await browser.newPage();
  page.on('pageerror', (err) => console.error('[console page error]', err));
  await logInAs(page, hotline.url, 'tdv01');
  await expect
    .poll(() => page.getByTestId('phone-status').getAttribute('data-registration'), { timeout: 15_000 })
    .toBe('registered');
  await page.getByLabel('Tự động trả lời').check();
  await page.getByRole('button', { name: 'Sẵn sàng' }).click();
  await expect.poll(agentState).toBe('Sẵn sàng');
}

describe('the server killed with a talk and two callers waiting', () => {
  it('supervised: it is back within seconds, adopts the calls, the talk ends recorded and the waiting are served', async () => {
    await freshStart({ restart: true, awaySeconds: AWAY_SECONDS_A });

    const talker = '0903000000';
    const waiters = ['0903000001', '0903000002'];
    // Long enough to outlast the restart on a busy machine.
    const talk = call(talker, '1', 'caller', 40_000, 16000);
    await expect.poll(agentState, { timeout: 15_000 }).toBe('Đang nghe máy');
    const waiting: Promise<SippResult>[] = [];
    for (const [i, number] of waiters.entries()) {
      waiting.push(call(number, '0', 'hotline', 90_000, 16100 + i * 10));
      await new Promise((r) => setTimeout(r, 400));
    }
    await expect.poll(() => bridgeChannels(queueBridgeId('general')), { timeout: 10_000 }).toHaveLength(2);
    const talkBridge = ((await hotline.ari('GET', '/bridges')) as { id: string; channels: string[] }[]).find(
      (b) => /-talk-\d+$/.test(b.id),
    );
    expect(talkBridge?.channels).toHaveLength(2);

    const killed = hotline.server!.pid!;
    const killedAt = Date.now();
    process.kill(killed, 'SIGKILL');
    await hotline.controllerRegistered(AWAY_SECONDS_A * 1000);
    const backMs = Date.now() - killedAt;
    console.log(`[e2e] server SIGKILLed → restarted, controller registered and beating: ${backMs} ms`);
    expect(hotline.restarts).toMatchObject([{ reason: 'SIGKILL' }]);
    expect(hotline.server!.pid).not.toBe(killed);
    // Mostly the time to load the server's code; on a busy machine, several seconds.
    expect(backMs).toBeLessThan(AWAY_SECONDS_A * 1000);

    // Asterisk kept the talk; the new controller follows it and the callers still wait in its queue.
    expect((await bridgeChannels(talkBridge!.id)).sort()).toEqual([...talkBridge!.channels].sort());
    expect(await bridgeChannels(queueBridgeId('general'))).toHaveLength(2);
    await expect.poll(agentState, { timeout: 10_000 }).toBe('Đang nghe máy');

    const talked = await talk;
    expect(talked.exitCode, talked.errors).toBe(0);
    expect(await serve(waiters.length)).toEqual(waiters);
    for (const result of await Promise.all(waiting)) expect(result.exitCode, result.errors).toBe(0);

    const supervisor = await apiSession(hotline.url, 'giamsat');
    const calls = (await supervisor.get<ListResponse<CallRecordView>>('/api/calls')).data;
    expect(calls.find((c) => c.callerNumber === maskPhone(talker))).toMatchObject({
      queue: 'health',
      operator: { displayName: 'Nguyễn Thị Hoa' },
      endReason: 'caller_hung_up',
    });
    for (const number of waiters)
      expect(calls.find((c) => c.callerNumber === maskPhone(number))).toMatchObject({
        queue: 'general',
        operator: { displayName: 'Nguyễn Thị Hoa' },
      });
    // The controller was back before the watchdog's time: it moved nobody.
    expect(hotline.watchdogLog.filter((l) => /moved|hung up|away/.test(l.msg))).toEqual([]);
    await expect.poll(async () => ((await hotline.ari('GET', '/channels')) as unknown[]).length).toBe(0);
  }, 150_000);

  it('not restarted: the watchdog sends the waiting to the fallback queue and releases the caller left alone', async () => {
    await freshStart({ restart: false, awaySeconds: 4 });

    const talker = '0903000010';
    const waiters = [
      { number: '0903000011', key: '2', queue: 'welfare' },
      { number: '0903000012', key: '0', queue: 'general' },
    ];
    const talk = call(talker, '1', 'hotline', 60_000, 16200);
    await expect.poll(agentState, { timeout: 15_000 }).toBe('Đang nghe máy');
    const waiting: Promise<SippResult>[] = [];
    for (const [i, w] of waiters.entries())
      waiting.push(call(w.number, w.key, 'hotline', 60_000, 16300 + i * 10));
    for (const w of waiters)
      await expect
        .poll(() => bridgeChannels(queueBridgeId(w.queue as 'general')), { timeout: 10_000 })
        .toHaveLength(1);

    const killedAt = Date.now();
    process.kill(hotline.server!.pid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    // Asterisk cannot tell: the application is still listed, with the channels in it.
    const app = (await hotline.ari('GET', `/applications/${STASIS_APP}`)) as { channel_ids: string[] };
    const waiterIds = await Promise.all(waiters.map(async (w) => (await channelOf(w.number))!.id));
    expect(app.channel_ids).toEqual(expect.arrayContaining(waiterIds));

    // Both waiting callers reach the fallback queue within the watchdog's time and a little.
    await expect
      .poll(
        async () => Promise.all(waiters.map(async (w) => (await channelOf(w.number))?.dialplan.app_name)),
        {
          timeout: 10_000,
          interval: 200,
        },
      )
      .toEqual(['Queue', 'Queue']);
    const movedMs = Date.now() - killedAt;
    const awayAt = hotline.watchdogLog.find((l) => /away/.test(l.msg))?.time as number;
    console.log(
      `[e2e] server SIGKILLed → watchdog counts the controller away: ${awayAt - killedAt} ms, both waiting callers in the fallback queue: ${movedMs} ms (watchdog: 4 s)`,
    );
    // The heartbeat is written and read every second (timers slip on a busy machine).
    expect(awayAt - killedAt).toBeLessThan(4000 + 4000);
    // Asterisk runs the move once the prompt the caller hears has ended (here the position and wait
    // they are told on joining the queue), so no one hears silence meanwhile.
    expect(movedMs).toBeLessThan(4000 + 12_000);
    for (const [i, w] of waiters.entries()) {
      const choice = (await hotline.ari(
        'GET',
        `/channels/${waiterIds[i]}/variable?variable=HOTLINE_CHOICE`,
      )) as {
        value: string;
      };
      expect(choice.value).toBe(w.key);
    }
    // The talk is left alone while both sides are on it.
    expect((await channelOf(talker))?.dialplan.app_name).toBe('Stasis');
    expect(await talkingTo()).toContain(talker);

    // The operator hangs up: the caller, alone, is hung up at once (sipp gets the BYE).
    const hungUpAt = Date.now();
    await page.getByRole('button', { name: 'Kết thúc' }).click();
    const talked = await talk;
    expect(talked.exitCode, talked.errors).toBe(0);
    const releasedMs = Date.now() - hungUpAt;
    console.log(`[e2e] operator hung up → caller left alone released: ${releasedMs} ms`);
    expect(releasedMs).toBeLessThan(3000);

    // The fallback queue rings the operator's softphone with each waiting caller.
    const served = await serve(waiters.length);
    expect(served.sort()).toEqual(waiters.map((w) => w.number).sort());
    for (const result of await Promise.all(waiting)) expect(result.exitCode, result.errors).toBe(0);

    const acts = hotline.watchdogLog.filter((l) => /moved|hung up/.test(l.msg));
    expect(acts).toHaveLength(3);
    expect(acts.filter((l) => l.msg === 'caller moved to the fallback queue')).toEqual(
      expect.arrayContaining(
        waiters.map((w) => expect.objectContaining({ queue: w.queue, choice: w.key, why: 'waiting' })),
      ),
    );
    expect(acts.find((l) => l.msg === 'channel left alone hung up')).toMatchObject({ why: 'operator_gone' });
    await expect.poll(async () => ((await hotline.ari('GET', '/channels')) as unknown[]).length).toBe(0);
  }, 150_000);
});
