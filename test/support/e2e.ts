/**
 * The hotline on real parts for end-to-end tests: a private Redis, a SQLite file with the demo
 * data, an agency webhook receiver, optionally a real Asterisk (with an ARI event observer), and
 * the server with the freshly built console. Runs inside the network namespace scripts/e2e.sh
 * creates.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { QUEUE_NAMES } from '../../common/domain.ts';
import { STASIS_APP } from '../../ivr/constants.ts';
import { queueBridgeId } from '../../ivr/stasis-names.ts';
import type { AgencyReceiver } from '../../scripts/lib/agency-receiver.ts';
import type { RunningAsterisk } from '../../scripts/lib/asterisk.ts';
import { waitFor } from '../../scripts/lib/ports.ts';
import type { RunningRedis } from '../../scripts/lib/redis.ts';
import { loadConfig } from '../../server/config.ts';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import { startHotline } from '../../server/main.ts';
import { type AriObserver, observeAri } from './ari-observer.ts';
import { startE2eParts } from './e2e-parts.ts';

export const CHROMIUM_FLAGS = [
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

/** Debian's Chromium; Playwright gives every launch a fresh, throw-away profile. */
/** Logs a demo user in through the login page and waits for the page their role lands on. */
export async function logInAs(page: Page, baseUrl: string, username: string, landing = 'operator.html') {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(`**/${landing}`);
}

/** A fresh browser context (its own cookies) logged in as `username`, on the page their role lands on. */
export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  username: string,
  landing: string,
  viewport = { width: 1280, height: 800 },
): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'vi-VN' });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[${username} page error]`, err));
  await logInAs(page, baseUrl, username, landing);
  return page;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
}

export interface Telephony {
  asterisk: RunningAsterisk;
  /** Asterisk's console output. */
  asteriskLog: string;
  observer: AriObserver;
  /** GET on Asterisk's REST interface; throws on a non-2xx answer. */
  ariGet(path: string): Promise<unknown>;
  /** The RTP packets Asterisk has sent to and received from a channel so far. */
  rtpPackets(channelId: string): Promise<{ sent: number; received: number }>;
  /** Resolves once no channel is left and only the empty, permanent queue bridges remain. */
  waitUntilClean(timeoutMs: number): Promise<void>;
}

export interface E2eHotline {
  redis: RunningRedis;
  agency: AgencyReceiver;
  /** The running server; a new one after `restartHotline()`. */
  hotline: Awaited<ReturnType<typeof startHotline>>;
  /** Present when started with `telephony: true`. */
  telephony: Telephony | null;
  /**
   * Closes the server (call controller included) and starts it again on the same address,
   * against the same Asterisk, Redis and database; resolves once the controller is registered.
   */
  restartHotline(): Promise<void>;
  close(): Promise<void>;
}

export async function startE2eHotline(opts: {
  name: string;
  telephony: boolean;
  /** More settings for the server, e.g. shorter ring and wrap-up times, or `HOTLINE_IVR_MENU`. */
  env?: Record<string, string>;
  /** Where Asterisk sends callback calls (a sipp citizen's phone on loopback). */
  trunkPort?: number;
  /**
   * Address Asterisk (SIP, HTTP, AMI) and the server listen on instead of loopback: a private
   * network address that a reverse proxy in front of them reaches. sipp callers still dial from
   * loopback.
   */
  bindAddress?: string;
}): Promise<E2eHotline> {
  const parts = await startE2eParts(opts);
  try {
    const { redis, agency, asterisk } = parts;
    const env: Record<string, string> = {
      ...parts.env,
      HOTLINE_HTTP_PORT: '0',
      HOTLINE_FORWARD_BACKOFF_MS: '200',
      ...(opts.bindAddress ? { HOTLINE_HTTP_HOST: opts.bindAddress } : {}),
    };
    let telephony: Telephony | null = null;
    if (asterisk) {
      const observer = await observeAri(asterisk.ariUrl, asterisk.ari);
      parts.onClose(observer.close);
      telephony = telephonyOf(asterisk, parts.asteriskLog, observer);
    }
    // The test's own settings win, e.g. the softphone's address through a proxy.
    Object.assign(env, opts.env);

    const registered = async () => {
      if (!telephony) return;
      const { ariGet } = telephony;
      // The controller connects in the background; until then calls go to the dialplan fallback.
      await waitFor(
        'the hotline Stasis application is registered',
        async () =>
          ((await ariGet('/applications')) as { name: string }[]).some((a) => a.name === STASIS_APP),
        15_000,
      );
    };
    const e2e: E2eHotline = {
      redis,
      agency,
      hotline: await startHotline(loadConfig(env)),
      telephony,
      async restartHotline() {
        const port = new URL(e2e.hotline.url).port;
        await e2e.hotline.close();
        e2e.hotline = await startHotline(loadConfig({ ...env, HOTLINE_HTTP_PORT: port }));
        await registered();
      },
      close: parts.close,
    };
    parts.onClose(() => e2e.hotline.close());
    await registered();
    return e2e;
  } catch (err) {
    await parts.close();
    throw err;
  }
}

function telephonyOf(asterisk: RunningAsterisk, asteriskLog: string, observer: AriObserver): Telephony {
  const auth = `Basic ${Buffer.from(`${asterisk.ari.username}:${asterisk.ari.password}`).toString('base64')}`;
  const ariGet = async (path: string) => {
    const res = await fetch(`${asterisk.ariUrl}/ari${path}`, { headers: { authorization: auth } });
    if (!res.ok) throw new Error(`GET ${path} → ${res.status}`);
    return res.json() as Promise<unknown>;
  };
  // The queues' holding bridges are permanent (fixed ids, so waiting callers survive a
  // controller restart); every other bridge must be gone, and the queue bridges empty.
  const queueBridges = QUEUE_NAMES.map(queueBridgeId).sort().join();
  const waitUntilClean = (timeoutMs: number) =>
    waitFor(
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
      timeoutMs,
    );
  const rtpPackets = async (channelId: string) => {
    const stats = (await ariGet(`/channels/${encodeURIComponent(channelId)}/rtp_statistics`)) as {
      txcount: number;
      rxcount: number;
    };
    return { sent: stats.txcount, received: stats.rxcount };
  };
  return { asterisk, asteriskLog, observer, ariGet, rtpPackets, waitUntilClean };
}
