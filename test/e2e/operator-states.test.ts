/**
 * The operator side on the real parts (Asterisk, sipp callers, consoles in headless Chromium), with
 * the ring timeout and wrap-up shortened through the hotline's own settings:
 * - ring timeout: tdv01 lets the call ring out; the supervisor sees tdv01 not ready (missed call)
 *   within a second, tdv01's console says so, and the call goes to tdv02;
 * - operator drop: tdv01's page is closed mid-call; the caller hears the apology and goes back to
 *   the head of the queue, tdv02 answers, tdv01 is not ready (connection lost);
 * - wrap-up: after a call tdv01 is in wrap-up (extendable), a call arriving meanwhile waits, and
 *   reaches tdv01 only when wrap-up ends; the console's hang-up ends that call for the caller.
 *
 * Runs inside the network namespace that scripts/e2e.sh creates.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentStatus, WallboardSnapshot } from '../../common/events.ts';
import type { CitizenCall } from '../../scripts/lib/sipp.ts';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import { type ApiSession, apiSession } from '../support/api-session.ts';
import { citizenChannel, dialHotline, latestCallRecord, operatorLegs } from '../support/calls.ts';
import { type E2eHotline, launchChromium, startE2eHotline, type Telephony } from '../support/e2e.ts';

const RING_SECONDS = 4;
const WRAP_UP_SECONDS = 5;
const EXTENSION_SECONDS = 3;
/** Display names of the demo operators (server/db/seed.ts). */
const HOA = 'Nguyễn Thị Hoa'; // tdv01: health, general
const MINH = 'Trần Văn Minh'; // tdv02: welfare, general

let env: E2eHotline;
let phone: Telephony;
let browser: Browser;
let supervisor: ApiSession;

beforeAll(async () => {
  env = await startE2eHotline({
    name: 'operators',
    telephony: true,
    env: {
      HOTLINE_RING_TIMEOUT_SECONDS: String(RING_SECONDS),
      HOTLINE_WRAP_UP_SECONDS: String(WRAP_UP_SECONDS),
      HOTLINE_WRAP_UP_EXTENSION_SECONDS: String(EXTENSION_SECONDS),
    },
  });
  phone = env.telephony!;
  browser = await launchChromium();
  supervisor = await apiSession(env.hotline.url, 'giamsat');
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

/** An operator's console in a browser context of its own, softphone registered. */
async function openConsole(username: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (err) => console.error(`[${username} page error]`, err));
  await page.goto(`${env.hotline.url}/`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL('**/operator.html');
  await expect
    .poll(() => page.getByTestId('phone-status').getAttribute('data-registration'), { timeout: 15_000 })
    .toBe('registered');
  return page;
}

const stateOf = (page: Page) => page.getByTestId('agent-state').getAttribute('data-state');

async function ready(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sẵn sàng' }).click();
  await expect.poll(() => stateOf(page)).toBe('ready');
}

async function answer(page: Page): Promise<void> {
  const pop = page.getByRole('region', { name: 'Cuộc gọi đến' });
  await pop.getByRole('button', { name: 'Trả lời' }).click({ timeout: 30_000 });
  await expect.poll(() => stateOf(page), { timeout: 10_000 }).toBe('on_call');
}

async function agent(displayName: string): Promise<AgentStatus | undefined> {
  return (await supervisor.get<WallboardSnapshot>('/api/wallboard')).agents.find(
    (a) => a.displayName === displayName,
  );
}

const call = (callerNumber: string, opts: Partial<CitizenCall>) => dialHotline(phone, callerNumber, opts);
const legsOf = (endpoint: string) => operatorLegs(phone, endpoint);
const citizen = (callerNumber: string) => citizenChannel(phone, callerNumber);
const record = (callerNumber: string) => latestCallRecord(supervisor, callerNumber);

describe('operators', () => {
  it('a call that rings out makes the operator not ready (missed call) and goes to the next operator', async () => {
    const CALLER = '0911000001';
    const tdv01 = await openConsole('tdv01');
    const tdv02 = await openConsole('tdv02');
    const wallboard = await supervisor.watchWallboard();
    try {
      await ready(tdv01);
      await ready(tdv02);
      const placed = call(CALLER, { holdMs: 15_000 });

      // tdv01, ready the longest, rings and does not answer.
      await tdv01
        .getByRole('region', { name: 'Cuộc gọi đến' })
        .waitFor({ state: 'visible', timeout: 30_000 });
      await expect
        .poll(() => agent(HOA), { timeout: (RING_SECONDS + 10) * 1000 })
        .toMatchObject({ state: 'not_ready', reason: 'missed_call' });
      const [missed] = legsOf('tdv01');
      expect(missed?.destroyedAt).not.toBeNull();
      const rang = missed!.destroyedAt! - missed!.createdAt!;
      expect(rang).toBeGreaterThanOrEqual(RING_SECONDS * 1000 - 500);
      expect(rang).toBeLessThan(RING_SECONDS * 1000 + 2000);

      // The supervisor's wallboard showed it within a second of the leg's end.
      const pushed = wallboard.snapshots.find(
        (s) => s.snapshot.agents.find((a) => a.displayName === HOA)?.reason === 'missed_call',
      );
      expect(pushed).toBeDefined();
      expect(pushed!.at - missed!.destroyedAt!).toBeLessThan(1000);

      // tdv01's console says why, in Vietnamese, next to the one-click "Sẵn sàng".
      await expect
        .poll(() => tdv01.getByTestId('agent-state').textContent())
        .toBe('Tạm nghỉ: Không trả lời cuộc gọi');
      await expect.poll(() => tdv01.getByTestId('state-notice').isVisible()).toBe(true);
      expect(await tdv01.getByTestId('state-notice').textContent()).toContain('không trả lời cuộc gọi');

      // The call went back to the head of the queue and to tdv02, who answers.
      await answer(tdv02);
      await ready(tdv01);
      expect(await tdv01.getByTestId('state-notice').isVisible()).toBe(false);

      const result = await placed;
      expect(result.exitCode, result.errors).toBe(0);
      await phone.waitUntilClean(10_000);
      const detail = await record(CALLER);
      expect(detail.offers.map((o) => o.outcome)).toEqual(['no_answer', 'answered']);
      expect(detail.operator?.displayName).toBe(MINH);
      console.log(
        `[e2e] ring out after ${rang} ms; wallboard showed it ${pushed!.at - missed!.destroyedAt!} ms later`,
      );
    } finally {
      wallboard.close();
      await tdv01.close();
      await tdv02.close();
    }
  });

  it('an operator whose page closes mid-call: the caller hears an apology and the next operator answers', async () => {
    const CALLER = '0911000002';
    const tdv01 = await openConsole('tdv01');
    const tdv02 = await openConsole('tdv02');
    try {
      await ready(tdv01);
      const placed = call(CALLER, { holdMs: 18_000 });
      await answer(tdv01);
      // tdv02 is ready, but tdv01 already has the call.
      await ready(tdv02);
      expect(citizen(CALLER).media).not.toContain('sound:hotline/vi/agentLost');

      await tdv01.close();
      await expect
        .poll(() => citizen(CALLER).media, { timeout: 20_000 })
        .toContain('sound:hotline/vi/agentLost');
      await expect.poll(() => agent(HOA)).toMatchObject({ state: 'not_ready', reason: 'connection_lost' });

      // Back at the head of the queue, straight to tdv02.
      await answer(tdv02);
      const result = await placed;
      expect(result.exitCode, result.errors).toBe(0);
      await phone.waitUntilClean(10_000);

      const detail = await record(CALLER);
      expect(detail.events.map((e) => e.type)).toContain('operatorLost');
      expect(detail.offers.map((o) => o.outcome)).toEqual(['answered', 'answered']);
      expect(detail.operator?.displayName).toBe(MINH);
      expect(detail.endReason).toBe('caller_hung_up');
    } finally {
      if (!tdv01.isClosed()) await tdv01.close();
      await tdv02.close();
    }
  });

  it('after a call the operator wraps up; a call arriving meanwhile waits until wrap-up ends', async () => {
    const FIRST = '0911000003';
    const SECOND = '0911000004';
    const tdv01 = await openConsole('tdv01');
    try {
      await ready(tdv01);
      const first = call(FIRST, { keys: '1', holdMs: 5000 });
      await answer(tdv01);
      expect((await first).exitCode).toBe(0);

      // Wrap-up: countdown and "Thêm thời gian" in the console, never offered a call.
      await expect.poll(() => stateOf(tdv01), { timeout: 10_000 }).toBe('wrap_up');
      await expect.poll(() => tdv01.getByTestId('wrap-up-left').isVisible()).toBe(true);
      const started = await agent(HOA);
      expect(started).toMatchObject({ state: 'wrap_up' });
      const startedEnd = Date.parse(started!.wrapUpEndsAt!);
      expect(startedEnd - Date.parse(started!.since)).toBe(WRAP_UP_SECONDS * 1000);
      await tdv01.getByRole('button', { name: 'Thêm thời gian' }).click();
      await expect
        .poll(async () => (await agent(HOA))?.wrapUpEndsAt)
        .toBe(new Date(startedEnd + EXTENSION_SECONDS * 1000).toISOString());

      const second = call(SECOND, { keys: '1', hangup: 'hotline', holdMs: 30_000, mediaPort: 16100 });
      await expect
        .poll(
          async () =>
            (await supervisor.get<WallboardSnapshot>('/api/wallboard')).queues.find(
              (q) => q.queue === 'health',
            )?.waiting,
          { timeout: 15_000 },
        )
        .toBe(1);
      expect(await agent(HOA)).toMatchObject({ state: 'wrap_up' });

      // Wrap-up ends by itself; only then is tdv01 offered the waiting call.
      await answer(tdv01);
      const wrapUpEnd = startedEnd + EXTENSION_SECONDS * 1000;
      const legs = legsOf('tdv01').filter((leg) => leg.createdAt! > Date.parse(started!.since));
      expect(legs).toHaveLength(1);
      expect(legs[0]!.createdAt!).toBeGreaterThanOrEqual(wrapUpEnd - 50);

      // The console's hang-up ends the call for the caller too, and wrap-up starts again.
      await tdv01.getByRole('button', { name: 'Kết thúc' }).click();
      const result = await second;
      expect(result.exitCode, result.errors).toBe(0);
      await expect.poll(() => stateOf(tdv01), { timeout: 10_000 }).toBe('wrap_up');
      await phone.waitUntilClean(10_000);
      expect((await record(SECOND)).endReason).toBe('agent_hung_up');
      console.log(`[e2e] waiting call offered ${legs[0]!.createdAt! - wrapUpEnd} ms after wrap-up ended`);
    } finally {
      await tdv01.close();
    }
  });
});
