/**
 * The production layout on one machine, for the remote-operator test and `npm run bench --
 * remote`: the hotline on its private address (test/support/e2e.ts), the edge's nginx and coturn
 * on the shipped files with a test CA (edge.ts), a home router with NAT (nat-network.ts), and
 * helpers for a call answered in a browser with its media set-up timed (remote-browser.ts). Runs
 * inside the e2e namespace (scripts/e2e.sh) or another fresh one.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { waitFor } from '../../scripts/lib/ports.ts';
import { placeCitizenCall, type SippResult } from '../../scripts/lib/sipp.ts';
import { type E2eHotline, logInAs, startE2eHotline, type Telephony } from './e2e.ts';
import { makeTestCa, type RunningService, startCoturn, startNginx, type TestCa } from './edge.ts';
import { ADDRESSES, createNatNetwork, type NatNetwork } from './nat-network.ts';
import { launchChromiumAt, mediaSetup, resetMediaSetup, withMediaSetupProbe } from './remote-browser.ts';

export const SERVER_NAME = 'hotline.test';
export const ORIGIN = `https://${SERVER_NAME}`;
export const TURN_PORT = 3478;

export interface RemoteEdge {
  net: NatNetwork;
  ca: TestCa;
  env: E2eHotline;
  phone: Telephony;
  nginx: RunningService;
  turn: RunningService;
  /** Chromium in the operator's home (behind the router), or on the private network. */
  browser(where: 'home' | 'office'): Promise<{ browser: Browser; context: BrowserContext }>;
  close(): Promise<void>;
}

const portOf = (url: string) => Number(new URL(url).port);

export async function startRemoteEdge(name: string, env: Record<string, string> = {}): Promise<RemoteEdge> {
  const dir = mkdtempSync(join(tmpdir(), `hotline-${name}-`));
  const secret = randomBytes(24).toString('base64url');
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((err) => console.error(err));
  };
  try {
    const net = await createNatNetwork(name);
    stops.push(net.close);
    const ca = await makeTestCa(join(dir, 'ca'), SERVER_NAME);
    const hotline = await startE2eHotline({
      name,
      telephony: true,
      bindAddress: ADDRESSES.hotline,
      env: {
        HOTLINE_SIP_WS_URL: `wss://${SERVER_NAME}/ws`,
        HOTLINE_TURN_URLS: ['udp', 'tcp']
          .map((transport) => `turn:${ADDRESSES.edgePublic}:${TURN_PORT}?transport=${transport}`)
          .join(','),
        HOTLINE_TURN_SECRET: secret,
        HOTLINE_TURN_TTL_SECONDS: '600',
        HOTLINE_TRUST_PROXY: ADDRESSES.edgePrivate,
        ...env,
      },
    });
    stops.push(hotline.close);
    const phone = hotline.telephony!;
    const nginx = await startNginx(
      net,
      'edge',
      join(dir, 'nginx'),
      {
        serverName: SERVER_NAME,
        httpListen: '80',
        httpsListen: '443',
        tlsCertificate: ca.certificateFile,
        tlsCertificateKey: ca.keyFile,
        serverUpstream: new URL(hotline.hotline.url).host,
        asteriskHttpUpstream: `${ADDRESSES.hotline}:${portOf(phone.asterisk.ariUrl)}`,
      },
      { address: ADDRESSES.edgePublic, port: 443, from: 'operator' },
    );
    stops.push(nginx.stop);
    const turn = await startCoturn(
      net,
      'edge',
      join(dir, 'coturn'),
      {
        listenIp: ADDRESSES.edgePublic,
        port: TURN_PORT,
        relayIp: ADDRESSES.edgePrivate,
        relayPorts: { min: 49160, max: 49260 },
        realm: SERVER_NAME,
        secret,
        asteriskMediaIp: ADDRESSES.hotline,
      },
      'operator',
    );
    stops.push(turn.stop);
    return {
      net,
      ca,
      env: hotline,
      phone,
      nginx,
      turn,
      async browser(where) {
        const browser = await launchChromiumAt({
          ...(where === 'home' ? { netns: net.ns.operator } : {}),
          serverName: SERVER_NAME,
          address: where === 'home' ? ADDRESSES.edgePublic : ADDRESSES.edgePrivate,
          spkiHash: ca.leafSpkiHash,
        });
        stops.push(() => browser.close());
        const context = await browser.newContext();
        await withMediaSetupProbe(context);
        return { browser, context };
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** sipp, on the hotline's host, dials 1022 on Asterisk's private address and presses 1 (Y tế). */
export function callHotline(edge: RemoteEdge, callerNumber: string): Promise<SippResult> {
  return placeCitizenCall({
    target: `${ADDRESSES.hotline}:${edge.phone.asterisk.sipPort}`,
    callerNumber,
    keys: '1',
    keyDelayMs: 1500,
    holdMs: 40_000,
  });
}

/** Logs in through the proxy, waits for the softphone to register, and goes ready. */
export async function goReady(page: Page, username: string): Promise<void> {
  await logInAs(page, ORIGIN, username);
  await waitFor(
    `${username}'s softphone registered`,
    async () => (await page.getByTestId('phone-status').getAttribute('data-registration')) === 'registered',
    15_000,
  );
  await page.getByRole('button', { name: 'Sẵn sàng' }).click();
  await waitFor(
    `${username} ready`,
    async () => (await page.getByTestId('agent-state').textContent()) === 'Sẵn sàng',
    10_000,
  );
}

/** Puts a logged-in operator in Sẵn sàng, or on a break (Tạm nghỉ), once out of wrap-up. */
export async function setReady(page: Page, ready: boolean): Promise<void> {
  const state = () => page.getByTestId('agent-state').textContent();
  await waitFor('out of wrap-up', async () => (await state()) !== 'Xử lý sau cuộc gọi', 15_000);
  if (ready === ((await state()) === 'Sẵn sàng')) return;
  await page.getByRole('button', { name: ready ? 'Sẵn sàng' : 'Nghỉ giải lao' }).click();
  await waitFor('the new state', async () => ((await state()) === 'Sẵn sàng') === ready, 10_000);
}

/** Waits for the call to ring with its screen-pop and presses "Trả lời". */
export async function answerCall(page: Page): Promise<void> {
  const pop = page.getByRole('region', { name: 'Cuộc gọi đến' });
  await pop.waitFor({ state: 'visible', timeout: 30_000 });
  await resetMediaSetup(page);
  await pop.getByRole('button', { name: 'Trả lời' }).click();
}

/**
 * Answer click → audio flowing both ways (the later of the first inbound and first outbound
 * packet in getStats), in ms, and the local candidate type of the pair ICE chose.
 */
export async function twoWayAudio(page: Page): Promise<{ ms: number; localCandidate: string | null }> {
  await waitFor('two-way audio in the browser', async () => (await mediaSetup(page)) !== null, 20_000);
  await waitFor('the selected ICE pair', async () => (await mediaSetup(page))?.localCandidate != null, 5000);
  const setup = (await mediaSetup(page))!;
  return { ms: setup.twoWayMs, localCandidate: setup.localCandidate };
}

/** The operator hangs up; resolves once sipp has ended and Asterisk is clean. */
export async function hangUp(edge: RemoteEdge, page: Page, sipp: Promise<SippResult>): Promise<void> {
  await page.getByRole('button', { name: 'Kết thúc' }).click();
  // The caller's script expected to hang up itself; the hotline's BYE ends it early.
  await sipp;
  await edge.phone.waitUntilClean(10_000);
}
