/**
 * One citizen's call, all the way through, on the real parts: sipp dials 1022 on a real Asterisk
 * and presses 1; an operator logged in to the real console in headless Chromium gets the
 * screen-pop and answers; audio flows both ways; the operator logs a ticket; the agency's HTTP
 * endpoint receives it, signed; the caller hangs up and Asterisk is left clean.
 *
 * Runs inside the network namespace that scripts/e2e.sh creates (WebRTC needs a non-loopback
 * address; ICE pairs on 192.0.2.10, everything else stays on the namespace's loopback).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../common/domain.ts';
import { queueBridgeId } from '../../ivr/stasis.ts';
import { type AgencyReceiver, agencySecret, startAgencyReceiver } from '../../scripts/lib/agency-receiver.ts';
import { DEFAULT_ASTERISK_ROOT, type RunningAsterisk, startAsterisk } from '../../scripts/lib/asterisk.ts';
import { freePort, waitFor } from '../../scripts/lib/ports.ts';
import { type RunningRedis, startRedis } from '../../scripts/lib/redis.ts';
import { placeCitizenCall } from '../../scripts/lib/sipp.ts';
import { loadConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/db/index.ts';
import { DEMO_PASSWORD, seedDemo } from '../../server/db/seed.ts';
import { startHotline } from '../../server/main.ts';
import { sipAccounts } from '../../server/operators/sip-accounts.ts';
import { type AriObserver, observeAri } from '../support/ari-observer.ts';

const CALLER = '0987654321';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

let redis: RunningRedis;
let asterisk: RunningAsterisk;
let agency: AgencyReceiver;
let hotline: Awaited<ReturnType<typeof startHotline>>;
let browser: Browser;
let observer: AriObserver;
const workDir = mkdtempSync(join(tmpdir(), 'hotline-e2e-'));

beforeAll(async () => {
  redis = await startRedis();
  const dbPath = join(workDir, 'hotline.sqlite');
  const db = openDatabase(dbPath);
  agency = await startAgencyReceiver({ secretFor: (code) => agencySecret(db, code) });
  await seedDemo(db, { agencyUrl: agency.url });
  const httpPort = await freePort();
  asterisk = await startAsterisk({
    root: process.env.HOTLINE_ASTERISK_ROOT ?? DEFAULT_ASTERISK_ROOT,
    instance: `e2e-${process.pid}`,
    sipPort: await freePort(),
    httpPort,
    amiPort: await freePort(),
    rtpStart: 30000,
    rtpEnd: 30200,
    operators: sipAccounts(db),
    logFile: join(workDir, 'asterisk.log'),
  });
  observer = await observeAri(asterisk.ariUrl, asterisk.ari);
  hotline = await startHotline(
    loadConfig({
      HOTLINE_HTTP_PORT: '0',
      HOTLINE_DB_PATH: dbPath,
      HOTLINE_REDIS_URL: redis.url,
      HOTLINE_QUEUE_PREFIX: `e2e-${process.pid}`,
      HOTLINE_ARI_URL: asterisk.ariUrl,
      HOTLINE_ARI_USERNAME: asterisk.ari.username,
      HOTLINE_ARI_PASSWORD: asterisk.ari.password,
      HOTLINE_SIP_WS_URL: asterisk.sipWsUrl,
      HOTLINE_DEMO_AGENCY_URL: agency.url,
      HOTLINE_FORWARD_BACKOFF_MS: '200',
      LOG_LEVEL: 'warn',
    }),
  );
  // Playwright gives every launch a fresh, throw-away profile.
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
});

afterAll(async () => {
  await browser?.close();
  await hotline?.close();
  observer?.close();
  await asterisk?.stop();
  await agency?.close();
  await redis?.stop();
});

async function logIn(page: Page, username: string) {
  await page.goto(`${hotline.url}/`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL('**/operator.html');
}

const packets = async (page: Page) => {
  const stats = page.getByTestId('audio-stats');
  return {
    sent: Number(await stats.getAttribute('data-packets-sent')),
    received: Number(await stats.getAttribute('data-packets-received')),
  };
};

const ariGet = async (path: string) => {
  const auth = Buffer.from(`${asterisk.ari.username}:${asterisk.ari.password}`).toString('base64');
  const res = await fetch(`${asterisk.ariUrl}/ari${path}`, { headers: { authorization: `Basic ${auth}` } });
  expect(res.ok, `GET ${path} → ${res.status}`).toBe(true);
  return res.json();
};

describe('a citizen call becomes a forwarded ticket', () => {
  it('rings the operator, carries audio both ways, forwards the ticket and leaves Asterisk clean', async () => {
    const page = await browser.newPage();
    page.on('pageerror', (err) => console.error('[console page error]', err));
    await logIn(page, 'tdv01');
    await expect
      .poll(() => page.getByTestId('phone-status').getAttribute('data-registration'), { timeout: 15_000 })
      .toBe('registered');
    await page.getByRole('button', { name: 'Sẵn sàng' }).click();
    await expect.poll(() => page.getByTestId('agent-state').textContent()).toBe('Sẵn sàng');

    const call = placeCitizenCall({
      target: `127.0.0.1:${asterisk.sipPort}`,
      callerNumber: CALLER,
      keys: '1',
      keyDelayMs: 1500,
      holdMs: 22_000,
    });

    // Screen-pop: caller's number, the menu choice's queue, offered while ringing.
    const pop = page.getByRole('region', { name: 'Cuộc gọi đến' });
    await pop.waitFor({ state: 'visible', timeout: 30_000 });
    await expect.poll(() => page.getByTestId('call-caller').textContent()).toContain(CALLER);
    await expect.poll(() => pop.textContent()).toContain('Y tế');

    const answeredAt = performance.now();
    await pop.getByRole('button', { name: 'Trả lời' }).click();
    await expect
      .poll(() => page.getByTestId('agent-state').textContent(), { timeout: 10_000 })
      .toBe('Đang nghe máy');
    const popAnsweredMs = performance.now() - answeredAt;

    // Two-way audio, seen by the browser…
    await expect
      .poll(async () => packets(page), { timeout: 15_000 })
      .toMatchObject({
        sent: expect.toSatisfy((n: number) => n > 50),
        received: expect.toSatisfy((n: number) => n > 50),
      });
    // …and by Asterisk, on both legs.
    const channels = (await ariGet('/channels')) as { id: string; name: string }[];
    expect(channels).toHaveLength(2);
    for (const channel of channels) {
      const rtp = (await ariGet(`/channels/${channel.id}/rtp_statistics`)) as {
        txcount: number;
        rxcount: number;
      };
      expect(rtp.rxcount, `${channel.name} received`).toBeGreaterThan(50);
      expect(rtp.txcount, `${channel.name} sent`).toBeGreaterThan(50);
    }

    // The operator logs the request.
    await page.getByLabel('Số điện thoại').fill(CALLER);
    await page.getByLabel('Lĩnh vực').selectOption('health');
    await page.getByLabel('Địa bàn').selectOption('bien_hoa');
    await page
      .getByLabel('Nội dung')
      .fill('Người dân báo có ca sốt cao tại khu phố 3, cần đội y tế đến kiểm tra.');
    await expect.poll(() => page.getByLabel('Cơ quan xử lý').inputValue()).not.toBe('');
    await page.getByRole('button', { name: 'Tạo phiếu' }).click();
    const trackingCode =
      (await page.getByTestId('tracking-code').textContent({ timeout: 10_000 }))?.trim() ?? '';
    expect(trackingCode).toMatch(/^\d{9}$/);

    // The responsible agency receives it, correctly signed, once.
    const delivery = await agency.waitFor((d) => d.body.trackingCode === trackingCode, 15_000);
    expect(delivery.agencyCode).toBe('syt');
    expect(delivery.signatureValid).toBe(true);
    expect(delivery.headers['idempotency-key']).toMatch(/^ticket-\d+$/);
    expect(delivery.body).toMatchObject({ category: 'health', district: 'bien_hoa', callerNumber: CALLER });

    // The caller hangs up; nothing is left behind in Asterisk.
    const result = await call;
    expect(result.exitCode, result.errors).toBe(0);
    // The queues' holding bridges are permanent (fixed ids, so waiting callers survive a
    // controller restart); every other bridge must be gone, and the queue bridges empty.
    const queueBridges = QUEUE_NAMES.map(queueBridgeId).sort().join();
    await waitFor(
      'no channels and no bridges left but the empty queue bridges',
      async () => {
        const left = (await ariGet('/channels')) as unknown[];
        const bridges = (await ariGet('/bridges')) as { id: string; channels: string[] }[];
        const ids = bridges
          .map((b) => b.id)
          .sort()
          .join();
        return left.length === 0 && ids === queueBridges && bridges.every((b) => b.channels.length === 0);
      },
      10_000,
    );
    await expect
      .poll(() => page.getByTestId('agent-state').textContent(), { timeout: 10_000 })
      .toBe('Sẵn sàng');

    const citizen = observer.channel((c) => c.caller?.number === CALLER);
    console.log(
      `[e2e] channel created → answered: ${citizen.answeredMs} ms; ` +
        `operator answer → console shows the call answered: ${Math.round(popAnsweredMs)} ms`,
    );
  });
});
