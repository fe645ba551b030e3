/**
 * A remote operator's day on the real parts (Asterisk, sipp callers, the console in headless
 * Chromium):
 * - a ringing call takes the focus to "Trả lời" and rings; F2 answers it, the network indicator
 *   says the audio goes direct (the namespace's veth), F4 hangs up;
 * - a Wi-Fi drop while a call rings (every WebSocket of the page goes silent, new connections
 *   fail): the banner says so, the controller takes the call back within about 10 s and keeps the
 *   caller at the head of the queue; back online, the softphone registers again by itself, the
 *   banner says "Đã kết nối lại", and the call is offered again;
 * - the audio path dies mid-call (UDP to the veth address dropped): the indicator and an error
 *   say so, and the console ends the call so the caller hears the apology and is requeued;
 * - a browser that refuses the microphone, or has none: the operator stays not ready, told why;
 * - every page runs under the server's Content-Security-Policy (no inline script or style)
 *   without a violation.
 *
 * Runs inside the network namespace that scripts/e2e.sh creates (iptables acts on it alone).
 */
import { execFileSync } from 'node:child_process';
import { type Browser, type BrowserContext, chromium, type Page, type WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentStatus, WallboardSnapshot } from '../../common/events.ts';
import type { CitizenCall } from '../../scripts/lib/sipp.ts';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import { type ApiSession, apiSession } from '../support/api-session.ts';
import { citizenChannel, dialHotline, latestCallRecord, operatorLegs } from '../support/calls.ts';
import {
  CHROMIUM_FLAGS,
  type E2eHotline,
  launchChromium,
  startE2eHotline,
  type Telephony,
} from '../support/e2e.ts';

/** Long, so that only the lost connection can take a ringing call back in time. */
const RING_SECONDS = 40;
const HOA = 'Nguyễn Thị Hoa'; // tdv01: health, general
const MEDIA_RULE = ['INPUT', '-p', 'udp', '-d', '192.0.2.10', '-j', 'DROP'];

let env: E2eHotline;
let phone: Telephony;
let browser: Browser;
let supervisor: ApiSession;

beforeAll(async () => {
  env = await startE2eHotline({
    name: 'remote-day',
    telephony: true,
    env: { HOTLINE_RING_TIMEOUT_SECONDS: String(RING_SECONDS), HOTLINE_WRAP_UP_SECONDS: '2' },
  });
  phone = env.telephony!;
  browser = await launchChromium();
  supervisor = await apiSession(env.hotline.url, 'giamsat');
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

async function logIn(page: Page, username: string): Promise<void> {
  await page.goto(`${env.hotline.url}/`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

/**
 * tdv01's console in `context`, softphone registered, on a break: an earlier test's console may
 * have left the operator ready.
 */
async function openConsole(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('[tdv01 page error]', err));
  page.on('console', (m) => {
    if (process.env.E2E_PAGE_LOG) console.log(`[tdv01 ${m.type()}] ${m.text()}`);
  });
  await logIn(page, 'tdv01');
  await page.waitForURL('**/operator.html');
  await expect.poll(() => registration(page), { timeout: 15_000 }).toBe('registered');
  await page.getByRole('button', { name: 'Nghỉ giải lao' }).click();
  await expect.poll(() => stateOf(page)).toBe('not_ready');
  return page;
}

const registration = (page: Page) => page.getByTestId('phone-status').getAttribute('data-registration');
const stateOf = (page: Page) => page.getByTestId('agent-state').getAttribute('data-state');
const pathOf = (page: Page) => page.getByTestId('network-indicator').getAttribute('data-path');
const callRegion = (page: Page) => page.getByRole('region', { name: 'Cuộc gọi đến' });

async function ready(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sẵn sàng' }).click();
  await expect.poll(() => stateOf(page)).toBe('ready');
}

async function agent(displayName: string): Promise<AgentStatus | undefined> {
  return (await supervisor.get<WallboardSnapshot>('/api/wallboard')).agents.find(
    (a) => a.displayName === displayName,
  );
}

async function waiting(): Promise<number> {
  const { queues } = await supervisor.get<WallboardSnapshot>('/api/wallboard');
  return queues.reduce((sum, q) => sum + q.waiting, 0);
}

const call = (callerNumber: string, opts: Partial<CitizenCall>) => dialHotline(phone, callerNumber, opts);
const legsOf = (endpoint: string) => operatorLegs(phone, endpoint);
const citizen = (callerNumber: string) => citizenChannel(phone, callerNumber);
const record = (callerNumber: string) => latestCallRecord(supervisor, callerNumber);

/**
 * The home Wi-Fi of one browser context. Every WebSocket of its pages (socket.io and SIP) passes
 * through the test. `drop()` takes the context offline and makes the open WebSockets silent in
 * both directions, as a dead link does (no close reaches either end); new connections fail.
 * `restore()` brings the network back behind a new router address: new connections work, the
 * old ones stay silent forever (nobody tells either end), so the console must notice by itself.
 * `opened(url)` counts the WebSockets opened to addresses that start with `url`.
 */
async function wifi(context: BrowserContext) {
  interface Pair {
    page: WebSocketRoute;
    server: WebSocketRoute;
    silent: boolean;
  }
  const pairs = new Set<Pair>();
  const urls: string[] = [];
  let down = false;
  await context.routeWebSocket(/^wss?:\/\//, (ws) => {
    urls.push(ws.url());
    if (down) {
      void ws.close();
      return;
    }
    const pair: Pair = { page: ws, server: ws.connectToServer(), silent: false };
    pairs.add(pair);
    ws.onMessage((m) => {
      if (!pair.silent) pair.server.send(m);
    });
    pair.server.onMessage((m) => {
      if (!pair.silent) ws.send(m);
    });
    ws.onClose(() => {
      pairs.delete(pair);
      if (!pair.silent) void pair.server.close();
    });
    pair.server.onClose(() => {
      pairs.delete(pair);
      if (!pair.silent) void ws.close();
    });
  });
  return {
    async drop() {
      down = true;
      for (const pair of pairs) pair.silent = true;
      await context.setOffline(true);
    },
    async restore() {
      down = false;
      await context.setOffline(false);
    },
    opened: (url: string) => urls.filter((u) => u.startsWith(url)).length,
  };
}

describe('a remote operator', () => {
  it('answers a ringing call with F2 from the focused "Trả lời", hears it direct, and hangs up with F4', async () => {
    const CALLER = '0912000001';
    const context = await browser.newContext();
    // The console's tab is in the background, and notifications are allowed: each one is kept.
    await context.addInitScript(() => {
      Object.defineProperty(document, 'hidden', { get: () => true });
      const shown: { title: string; body: string }[] = [];
      (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
      class RecordingNotification extends EventTarget {
        static permission = 'granted';
        static requestPermission = async () => 'granted';
        constructor(title: string, options: { body: string }) {
          super();
          shown.push({ title, body: options.body });
        }
        close() {}
      }
      Object.defineProperty(window, 'Notification', { value: RecordingNotification });
    });
    const tdv01 = await openConsole(context);
    try {
      expect(await tdv01.locator('#answer').getAttribute('aria-keyshortcuts')).toBe('F2');
      expect(await tdv01.locator('#hangup').getAttribute('title')).toContain('F4');
      await ready(tdv01);
      // The operator is typing in the ticket form when the call comes.
      await tdv01.getByLabel('Nội dung').click();
      const placed = call(CALLER, { hangup: 'hotline', holdMs: 30_000 });
      await callRegion(tdv01).getByRole('button', { name: 'Trả lời' }).waitFor({ timeout: 30_000 });
      await expect.poll(() => tdv01.evaluate(() => document.activeElement?.id)).toBe('answer');
      await expect.poll(() => callRegion(tdv01).getAttribute('data-ringtone')).toBe('playing');
      expect(await pathOf(tdv01)).toBe('none');
      expect(await tdv01.getByTestId('network-indicator').textContent()).toBe('Đang chờ âm thanh…');
      const notifications = await tdv01.evaluate(
        () => (window as unknown as { shownNotifications: unknown[] }).shownNotifications,
      );
      expect(notifications).toEqual([
        { title: 'Cuộc gọi đến — Tổng đài 1022', body: `Số ${CALLER} đang gọi. Bấm để trả lời.` },
      ]);

      await tdv01.keyboard.press('F2');
      await expect.poll(() => stateOf(tdv01), { timeout: 10_000 }).toBe('on_call');
      await expect.poll(() => callRegion(tdv01).getAttribute('data-ringtone')).toBe('off');
      await expect.poll(() => pathOf(tdv01), { timeout: 10_000 }).toBe('direct');
      expect(await tdv01.getByTestId('network-indicator').textContent()).toBe('Trực tiếp');
      await expect
        .poll(async () =>
          Number(await tdv01.getByTestId('audio-stats').getAttribute('data-packets-received')),
        )
        .toBeGreaterThan(20);
      await tdv01.screenshot({ path: '/tmp/hotline-operator-remote-day.png', fullPage: true });

      await tdv01.keyboard.press('F4');
      const result = await placed;
      expect(result.exitCode, result.errors).toBe(0);
      await phone.waitUntilClean(10_000);
      expect((await record(CALLER)).endReason).toBe('agent_hung_up');
    } finally {
      await context.close();
    }
  });

  it('loses Wi-Fi while a call rings: told, the call requeued within ~10 s, then re-registered and offered it again', async () => {
    const CALLER = '0912000002';
    const context = await browser.newContext();
    const link = await wifi(context);
    const tdv01 = await openConsole(context);
    try {
      await ready(tdv01);
      const placed = call(CALLER, { hangup: 'hotline', holdMs: 90_000 });
      await callRegion(tdv01).getByRole('button', { name: 'Trả lời' }).waitFor({ timeout: 30_000 });
      const firstLeg = legsOf('tdv01').at(-1)!;
      expect(firstLeg.destroyedAt).toBeNull();
      const legDestroyedAt = () => legsOf('tdv01').find((l) => l.id === firstLeg.id)?.destroyedAt;

      const droppedAt = Date.now();
      await link.drop();
      const banner = tdv01.getByTestId('link-banner');
      await expect.poll(() => banner.textContent()).toBe('Mất kết nối, đang kết nối lại…');
      expect(await banner.isVisible()).toBe(true);

      // socket.io's heartbeat notices the silent console; after its grace the operator is lost,
      // the ringing leg withdrawn and the caller kept at the head of the queue.
      await expect
        .poll(() => agent(HOA), { timeout: 20_000, interval: 250 })
        .toMatchObject({ state: 'not_ready', reason: 'connection_lost' });
      const requeuedAfter = Date.now() - droppedAt;
      expect(requeuedAfter).toBeLessThan(13_000);
      await expect.poll(legDestroyedAt, { timeout: 5_000 }).not.toBeNull();
      expect(await waiting()).toBe(1);

      const sipUrl = phone.asterisk.sipWsUrl;
      const sipBefore = link.opened(sipUrl);
      const restoredAt = Date.now();
      await link.restore();
      await expect.poll(() => banner.textContent(), { timeout: 20_000 }).toBe('Đã kết nối lại');
      await expect.poll(() => registration(tdv01), { timeout: 15_000 }).toBe('registered');
      const backAfter = Date.now() - restoredAt;
      // On a new WebSocket: the old one is still open, and silent.
      expect(link.opened(sipUrl)).toBeGreaterThan(sipBefore);
      await expect
        .poll(() => tdv01.getByTestId('agent-state').getAttribute('data-reason'))
        .toBe('connection_lost');
      expect(await tdv01.getByTestId('state-notice').textContent()).toContain('Kết nối của bạn bị gián đoạn');

      // Ready again: the waiting caller is offered to the operator's new registration.
      await ready(tdv01);
      await callRegion(tdv01).getByRole('button', { name: 'Trả lời' }).waitFor({ timeout: 15_000 });
      await tdv01.keyboard.press('F2');
      await expect.poll(() => stateOf(tdv01), { timeout: 10_000 }).toBe('on_call');
      await expect.poll(() => pathOf(tdv01), { timeout: 10_000 }).toBe('direct');
      await tdv01.keyboard.press('F4');
      const result = await placed;
      expect(result.exitCode, result.errors).toBe(0);
      await phone.waitUntilClean(10_000);

      const detail = await record(CALLER);
      expect(detail.offers.map((o) => o.outcome)).toEqual(['no_answer', 'answered']);
      expect(detail.endReason).toBe('agent_hung_up');
      console.log(
        `[e2e] Wi-Fi drop: ringing call requeued ${requeuedAfter} ms after the drop; console back and registered ${backAfter} ms after the network`,
      );
    } finally {
      await context.close();
    }
  });

  it('loses the audio path mid-call: told "Mất đường truyền âm thanh", and the caller is requeued', async () => {
    const CALLER = '0912000003';
    const context = await browser.newContext();
    const tdv01 = await openConsole(context);
    let blocked = false;
    try {
      await ready(tdv01);
      const placed = call(CALLER, { holdMs: 35_000 });
      await callRegion(tdv01).getByRole('button', { name: 'Trả lời' }).click({ timeout: 30_000 });
      await expect.poll(() => pathOf(tdv01), { timeout: 10_000 }).toBe('direct');

      execFileSync('iptables', ['-A', ...MEDIA_RULE]);
      blocked = true;
      const cutAt = Date.now();
      await expect.poll(() => pathOf(tdv01), { timeout: 20_000 }).toBe('failed');
      expect(await tdv01.getByTestId('network-indicator').textContent()).toBe('Mất đường truyền âm thanh');
      await expect
        .poll(() => tdv01.locator('#call-error').textContent(), { timeout: 20_000 })
        .toContain('Mất đường truyền âm thanh');
      const endedAfter = Date.now() - cutAt;
      // Not the operator's hang-up: the caller hears the apology and waits at the head of the queue.
      await expect
        .poll(() => citizen(CALLER).media, { timeout: 10_000 })
        .toContain('sound:hotline/vi/agentLost');
      await expect.poll(() => agent(HOA)).toMatchObject({ state: 'not_ready', reason: 'connection_lost' });
      expect(await callRegion(tdv01).isVisible()).toBe(false);
      expect(await pathOf(tdv01)).toBe('failed');

      execFileSync('iptables', ['-D', ...MEDIA_RULE]);
      blocked = false;
      await ready(tdv01);
      await callRegion(tdv01).getByRole('button', { name: 'Trả lời' }).click({ timeout: 15_000 });
      await expect.poll(() => pathOf(tdv01), { timeout: 10_000 }).toBe('direct');
      const result = await placed;
      expect(result.exitCode, result.errors).toBe(0);
      await phone.waitUntilClean(10_000);
      const detail = await record(CALLER);
      expect(detail.events.map((e) => e.type)).toContain('operatorLost');
      expect(detail.offers.map((o) => o.outcome)).toEqual(['answered', 'answered']);
      // Asterisk's rtp_timeout (10 s) and the console's own limit race to end the leg; either way
      // the operator is told and the caller requeued.
      console.log(`[e2e] audio cut: the call ended and the operator was told ${endedAfter} ms later`);
    } finally {
      if (blocked) execFileSync('iptables', ['-D', ...MEDIA_RULE]);
      await context.close();
    }
  });

  it('stays not ready, told why, when the browser refuses the microphone or has none', async () => {
    const launch = (without: string) =>
      chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: CHROMIUM_FLAGS.filter((f) => f !== without),
      });
    // Headless Chromium with nobody to answer the permission prompt refuses the microphone.
    const refusing = await launch('--use-fake-ui-for-media-stream');
    // Without the fake capture device (and no sound card in the namespace) there is none.
    const deviceless = await launch('--use-fake-device-for-media-stream');
    try {
      for (const [browserUnderTest, message] of [
        [refusing, 'Trình duyệt không cho trang này dùng micrô'],
        [deviceless, 'Không tìm thấy micrô'],
      ] as const) {
        const page = await openConsole(await browserUnderTest.newContext());
        await page.getByRole('button', { name: 'Sẵn sàng' }).click();
        await expect.poll(() => page.getByTestId('mic-error').textContent()).toContain(message);
        expect(await page.getByTestId('mic-error').isVisible()).toBe(true);
        await new Promise((r) => setTimeout(r, 1000));
        expect(await stateOf(page)).toBe('not_ready');
        expect(await agent(HOA)).toMatchObject({ state: 'not_ready', reason: 'break' });
        await page.close();
      }
    } finally {
      await refusing.close();
      await deviceless.close();
    }
  });

  it("runs every page under the server's Content-Security-Policy without a violation", async () => {
    const visits: [user: string | null, paths: string[]][] = [
      [null, ['/']],
      ['tdv01', ['/operator.html']],
      [
        'quantri',
        [
          '/admin.html',
          '/admin-units.html',
          '/admin-users.html',
          '/admin-agencies.html',
          '/admin-audit.html',
          '/admin-calendar.html',
          '/supervisor.html',
          '/tickets.html',
          '/calls.html',
        ],
      ],
      ['syt', ['/agency.html']],
    ];
    const violations: string[] = [];
    for (const [user, paths] of visits) {
      const context = await browser.newContext();
      try {
        await context.exposeBinding('reportViolation', (_source, text: string) => {
          violations.push(text);
        });
        await context.addInitScript(() => {
          document.addEventListener('securitypolicyviolation', (e) => {
            const report = (window as unknown as { reportViolation(t: string): void }).reportViolation;
            report(
              `${location.pathname}: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`,
            );
          });
        });
        const page = await context.newPage();
        page.on('pageerror', (err) => violations.push(`${page.url()}: ${err.message}`));
        if (user) {
          await logIn(page, user);
          await page.waitForURL((url) => url.pathname !== '/');
        }
        for (const path of paths) {
          const response = await page.goto(`${env.hotline.url}${path}`);
          const policy = response?.headers()['content-security-policy'] ?? '';
          expect(policy, path).toContain("script-src 'self'");
          expect(policy, path).not.toContain('unsafe-inline');
          await page.waitForLoadState('networkidle');
          expect(new URL(page.url()).pathname, `${user} stays on ${path}`).toBe(path);
        }
      } finally {
        await context.close();
      }
    }
    expect(violations).toEqual([]);
  });
});
