/**
 * The controller restarts mid-shift: one citizen talks to tdv01 (real console in Chromium) and
 * five wait with no operator free. The hotline is closed and started again against the same
 * Asterisk, Redis and database. The talk is untouched (RTP keeps flowing both ways), the console
 * keeps showing it, the operator shows on the call, and its record gets its end; the five waiting
 * callers are then offered in the order they joined the queue.
 * Operators who were ready, or not ready for a reason, before a restart are so after it, without
 * touching their console, and a ready one takes the next call.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecordDetail, CallRecordView, ListResponse } from '../../common/api.ts';
import type { WallboardSnapshot } from '../../common/events.ts';
import { STASIS_APP } from '../../ivr/constants.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { placeCitizenCall, type SippResult } from '../../scripts/lib/sipp.ts';
import { ASTERISK_REALTIME_PRIORITY } from '../../server/priority.ts';
import { RESTORED_CONSOLE_GRACE_MS } from '../../server/realtime.ts';
import { maskPhone } from '../../server/tickets/repository.ts';
import { apiSession } from '../support/api-session.ts';
import { type E2eHotline, launchChromium, logInAs, startE2eHotline, type Telephony } from '../support/e2e.ts';
import { SCHED_RR, scheduling } from '../support/scheduling.ts';

const TALKER = '0901000000';
const WAITERS = ['0901000001', '0901000002', '0901000003', '0901000004', '0901000005'];

let env: E2eHotline;
let phone: Telephony;
let browser: Browser;

beforeAll(async () => {
  // No wrap-up, so the operator takes the waiting callers one after another.
  env = await startE2eHotline({ name: 'restart', telephony: true, env: { HOTLINE_WRAP_UP_SECONDS: '0' } });
  phone = env.telephony!;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const logIn = (page: Page, username: string) => logInAs(page, env.hotline.url, username);

const agentState = (page: Page) => page.getByTestId('agent-state').textContent();

/** The wallboard as the supervisor's socket gets it on connecting. */
async function wallboard(): Promise<WallboardSnapshot> {
  const supervisor = await apiSession(env.hotline.url, 'giamsat');
  const watch = await supervisor.watchWallboard();
  try {
    await expect.poll(() => watch.snapshots.length).toBeGreaterThan(0);
    return watch.snapshots[0]!.snapshot;
  } finally {
    watch.close();
  }
}

/** RTP packets Asterisk sent and received on each channel of the talk bridge. */
function rtp(channelIds: string[]): Promise<{ sent: number; received: number }[]> {
  return Promise.all(channelIds.map((id) => phone.rtpPackets(id)));
}

describe('controller restart with calls waiting and bridged', () => {
  it('keeps the talk and its record, and serves the waiting callers in their order', async () => {
    const page = await browser.newPage();
    page.on('pageerror', (err) => console.error('[console page error]', err));
    await logIn(page, 'tdv01');
    await expect
      .poll(() => page.getByTestId('phone-status').getAttribute('data-registration'), { timeout: 15_000 })
      .toBe('registered');
    await page.getByLabel('Tự động trả lời').check();
    await page.getByRole('button', { name: 'Sẵn sàng' }).click();
    await expect.poll(() => agentState(page)).toBe('Sẵn sàng');

    const target = `127.0.0.1:${phone.asterisk.sipPort}`;
    const talk = placeCitizenCall({
      target,
      callerNumber: TALKER,
      keys: '1',
      keyDelayMs: 1500,
      holdMs: 24_000,
      localPort: await freePort(),
      mediaPort: 16000,
    });
    await expect.poll(() => agentState(page), { timeout: 15_000 }).toBe('Đang nghe máy');

    // Five callers join the general queue one after another; nobody is free to answer.
    const waiters: Promise<SippResult>[] = [];
    for (const [i, callerNumber] of WAITERS.entries()) {
      waiters.push(
        placeCitizenCall({
          target,
          callerNumber,
          keys: '0',
          keyDelayMs: 1200,
          hangup: 'hotline',
          holdMs: 45_000,
          localPort: await freePort(),
          mediaPort: 16100 + i * 10,
        }),
      );
      await new Promise((r) => setTimeout(r, 400));
    }
    await expect
      .poll(async () => (await wallboard()).queues.find((q) => q.queue === 'general')?.waiting, {
        timeout: 10_000,
      })
      .toBe(5);

    const bridges = (await phone.ariGet('/bridges')) as { id: string; channels: string[] }[];
    const talkBridge = bridges.find((b) => /-talk-\d+$/.test(b.id));
    expect(talkBridge?.channels).toHaveLength(2);
    const talkChannels = talkBridge!.channels;
    const before = await rtp(talkChannels);

    const restartedAt = performance.now();
    await env.restartHotline();
    const restartMs = Math.round(performance.now() - restartedAt);

    // Asterisk kept the talk bridge as it was; media keeps flowing both ways on both legs.
    const after = (await phone.ariGet(`/bridges/${talkBridge!.id}`)) as { channels: string[] };
    expect(after.channels.sort()).toEqual([...talkChannels].sort());
    // Asterisk's counters on both legs keep rising after the restart: every leg is seen sending
    // and receiving between two samples half a second apart. (sipp's recording has gaps between
    // its replays and a new replay may restart a counter, so each direction is watched on its own.)
    const flowing = talkChannels.map(() => ({ tx: false, rx: false }));
    let previous = await rtp(talkChannels);
    const samples = [before, previous];
    for (let i = 0; i < 20 && !flowing.every((f) => f.tx && f.rx); i++) {
      await new Promise((r) => setTimeout(r, 500));
      const current = await rtp(talkChannels);
      samples.push(current);
      for (const [leg, now] of current.entries()) {
        if (now.sent >= previous[leg]!.sent + 10) flowing[leg]!.tx = true;
        if (now.received >= previous[leg]!.received + 10) flowing[leg]!.rx = true;
      }
      previous = current;
    }
    console.log(
      `[e2e] RTP sent/received per leg before the restart, then every 0.5 s after: ${JSON.stringify(samples)}`,
    );
    expect(flowing).toEqual(talkChannels.map(() => ({ tx: true, rx: true })));
    // The new controller knows the talk: the operator is on the call, the console still shows it.
    const adopted = await wallboard();
    expect(adopted.agents.find((a) => a.displayName === 'Nguyễn Thị Hoa')?.state).toBe('on_call');
    expect(adopted.queues.find((q) => q.queue === 'general')?.waiting).toBe(5);
    await expect.poll(() => agentState(page), { timeout: 10_000 }).toBe('Đang nghe máy');
    expect(await page.getByTestId('call-caller').textContent()).toContain(TALKER);
    const browserPackets = async () => ({
      sent: Number(await page.getByTestId('audio-stats').getAttribute('data-packets-sent')),
      received: Number(await page.getByTestId('audio-stats').getAttribute('data-packets-received')),
    });
    const seen = await browserPackets();
    await expect.poll(browserPackets).toMatchObject({
      sent: expect.toSatisfy((n: number) => n > seen.sent + 20),
      received: expect.toSatisfy((n: number) => n > seen.received + 20),
    });

    // The talker hangs up; the record is complete.
    const talked = await talk;
    expect(talked.exitCode, talked.errors).toBe(0);
    const supervisor = await apiSession(env.hotline.url, 'giamsat');
    const calls = (await supervisor.get<ListResponse<CallRecordView>>('/api/calls')).data;
    const talkRecord = calls.find((c) => c.callerNumber === maskPhone(TALKER));
    expect(talkRecord).toMatchObject({
      menuPath: '1',
      queue: 'health',
      operator: { displayName: 'Nguyễn Thị Hoa' },
      endReason: 'caller_hung_up',
    });
    expect(talkRecord?.talkSeconds).toBeGreaterThan(15);
    const detail = await supervisor.get<CallRecordDetail>(`/api/calls/${encodeURIComponent(talkRecord!.id)}`);
    expect(detail.events.map((e) => e.type)).toEqual([
      'arrived',
      'digit',
      'queued',
      'offered',
      'offerEnded',
      'answered',
      'recorded',
      'ended',
    ]);

    // The operator is ready again: the waiting callers come one by one, oldest first.
    const served: string[] = [];
    const talkingTo = async () =>
      (await agentState(page)) === 'Đang nghe máy'
        ? ((await page.getByTestId('call-caller').textContent())?.trim() ?? '')
        : '';
    for (let i = 0; i < WAITERS.length; i++) {
      let caller = '';
      await expect
        .poll(
          async () => {
            caller = await talkingTo();
            return caller;
          },
          { timeout: 10_000 },
        )
        .toSatisfy((c: string) => c !== '' && c !== served.at(-1));
      served.push(caller);
      await page.getByRole('button', { name: 'Kết thúc' }).click();
    }
    expect(served).toEqual(WAITERS);
    // The restarted controller asked Asterisk again to send only the events it reads.
    const app = (await phone.ariGet(`/applications/${STASIS_APP}`)) as { events_allowed: { type: string }[] };
    const allowed = app.events_allowed.map((e) => e.type);
    expect(allowed).toEqual(expect.arrayContaining(['StasisStart', 'ChannelDestroyed', 'PlaybackFinished']));
    expect(allowed).not.toContain('ChannelVarset');
    // The restarted server's call control shares Asterisk's real-time priority (server/priority.ts).
    expect(scheduling(process.pid)).toEqual({ policy: SCHED_RR, priority: ASTERISK_REALTIME_PRIORITY });
    expect(scheduling(phone.asterisk.pid!)).toEqual(scheduling(process.pid));
    for (const result of await Promise.all(waiters)) expect(result.exitCode, result.errors).toBe(0);
    await phone.waitUntilClean(10_000);
    console.log(`[e2e] hotline restart (close + start + controller registered): ${restartMs} ms`);
    await page.close();
  });

  it('operators keep their state across a restart, and a ready one takes the next call', async () => {
    const hoa = await browser.newPage();
    const minh = await browser.newPage();
    try {
      for (const [page, username] of [
        [hoa, 'tdv01'],
        [minh, 'tdv02'],
      ] as const) {
        page.on('pageerror', (err) => console.error(`[${username} page error]`, err));
        await logIn(page, username);
        await expect
          .poll(() => page.getByTestId('phone-status').getAttribute('data-registration'), { timeout: 15_000 })
          .toBe('registered');
      }
      await hoa.getByLabel('Tự động trả lời').check();
      await hoa.getByRole('button', { name: 'Sẵn sàng' }).click();
      await minh.getByRole('button', { name: 'Nghỉ giải lao' }).click();
      await expect.poll(() => agentState(hoa)).toBe('Sẵn sàng');
      await expect.poll(() => agentState(minh)).toBe('Tạm nghỉ: Nghỉ giải lao');

      await env.restartHotline();
      const restartedAt = Date.now();

      // Nobody touched a console: the restarted hotline gives each operator their state back.
      const agents = (await wallboard()).agents;
      expect(agents.find((a) => a.displayName === 'Nguyễn Thị Hoa')).toMatchObject({ state: 'ready' });
      expect(agents.find((a) => a.displayName === 'Trần Văn Minh')).toMatchObject({
        state: 'not_ready',
        reason: 'break',
      });
      await expect.poll(() => agentState(hoa)).toBe('Sẵn sàng');
      await expect.poll(() => agentState(minh)).toBe('Tạm nghỉ: Nghỉ giải lao');

      const caller = '0901000009';
      const placed = placeCitizenCall({
        target: `127.0.0.1:${phone.asterisk.sipPort}`,
        callerNumber: caller,
        keys: '0',
        keyDelayMs: 1500,
        holdMs: 4000,
        localPort: await freePort(),
        mediaPort: 16200,
      });
      await expect.poll(() => agentState(hoa), { timeout: 15_000 }).toBe('Đang nghe máy');
      expect(await hoa.getByTestId('call-caller').textContent()).toContain(caller);
      const result = await placed;
      expect(result.exitCode, result.errors).toBe(0);
      // Past the restart's grace for consoles to come back, both are still as they chose.
      await new Promise((r) =>
        setTimeout(r, Math.max(0, restartedAt + RESTORED_CONSOLE_GRACE_MS + 500 - Date.now())),
      );
      await expect.poll(() => agentState(hoa)).toBe('Sẵn sàng');
      expect(await agentState(minh)).toBe('Tạm nghỉ: Nghỉ giải lao');
      await phone.waitUntilClean(10_000);
    } finally {
      await hoa.close();
      await minh.close();
    }
  });
});
