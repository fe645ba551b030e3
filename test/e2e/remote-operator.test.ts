/**
 * An operator at home, through the shipped production edge: nginx (HTTPS + WSS /ws) and coturn on
 * the files deploy/render.ts renders, a test CA, and a home router that masquerades. The operator's
 * Chromium runs in a namespace of its own behind that router (test/support/nat-network.ts): it has
 * no route to the hotline's private network (10.20.0.0/24), only to the edge's public address, so
 * its audio can only be relayed by TURN. A sipp caller (in the hotline's namespace) reaches it;
 * RTP flows both ways through the relay; with coturn stopped the operator is told and the caller
 * goes back to the queue; ARI, AMI and Asterisk's HTTP are out of the operator's reach; the
 * proxy's answers carry the security headers. The relayed call's set-up time (answer click → first
 * audio packet each way, from the browser's getStats) is printed beside a direct one's (a browser
 * on the private network, same proxy, no NAT). `npm run bench -- remote` repeats both.
 */
import { connect } from 'node:tls';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeResponse } from '../../common/api.ts';
import { QUEUE_NAMES } from '../../common/domain.ts';
import { queueBridgeId } from '../../ivr/stasis-names.ts';
import { SESSION_COOKIE } from '../../server/auth/service.ts';
import { ADDRESSES, httpsGetFrom, probeTcp } from '../support/nat-network.ts';
import {
  answerCall,
  callHotline,
  goReady,
  hangUp,
  ORIGIN,
  type RemoteEdge,
  SERVER_NAME,
  setReady,
  startRemoteEdge,
  twoWayAudio,
} from '../support/remote-edge.ts';

let edge: RemoteEdge;
let homeContext: BrowserContext;
let homePage: Page;
const setupMs: { relay?: number; direct?: number } = {};

beforeAll(async () => {
  edge = await startRemoteEdge('remote', { HOTLINE_WRAP_UP_SECONDS: '1' });
  homeContext = (await edge.browser('home')).context;
  homePage = await homeContext.newPage();
  homePage.on('pageerror', (err) => console.error('[home console page error]', err));
});

afterAll(async () => {
  await edge?.close();
});

const portOf = (url: string) => Number(new URL(url).port);

async function ari(method: 'GET' | 'DELETE', path: string): Promise<unknown> {
  const { ariUrl, ari: creds } = edge.phone.asterisk;
  const res = await fetch(`${ariUrl}/ari${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`,
    },
  });
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}`);
  return res.status === 204 ? null : res.json();
}

interface AriChannel {
  id: string;
  name: string;
  caller: { number: string };
}

const channels = async () => (await ari('GET', '/channels')) as AriChannel[];

const fromHome = (path: string) =>
  httpsGetFrom(edge.net, 'operator', {
    address: ADDRESSES.edgePublic,
    serverName: SERVER_NAME,
    path,
    caPem: edge.ca.caPem,
  });

describe('an operator at home, through the edge and NAT', () => {
  it('reaches only the proxy and TURN: ARI, AMI and Asterisk’s HTTP are out of reach', async () => {
    const { net, phone } = edge;
    const ariPort = portOf(phone.asterisk.ariUrl);
    const serverPort = portOf(edge.env.hotline.url);
    // The edge (on the private network) does reach them: what stops the operator is the layout.
    expect(await probeTcp(net, 'edge', ADDRESSES.hotline, ariPort)).toBe('connected');
    for (const port of [ariPort, phone.asterisk.ami.port, phone.asterisk.sipPort, serverPort]) {
      expect(await probeTcp(net, 'operator', ADDRESSES.hotline, port), `10.20.0.10:${port}`).toMatch(
        /^(unreachable|timeout)$/,
      );
      expect(await probeTcp(net, 'operator', ADDRESSES.edgePublic, port), `edge:${port}`).toBe('refused');
    }
    for (const path of ['/ari/asterisk/info', '/ari/events?app=x', '/ari', '/metrics']) {
      expect((await fromHome(path)).status, path).toBe(404);
    }
  });

  it('serves a certificate chain that verifies against the test CA for the host name', async () => {
    const verify = (withCa: boolean) =>
      new Promise<{ authorized: boolean; error: string | null }>((resolve, reject) => {
        const socket = connect({
          host: ADDRESSES.edgePrivate,
          port: 443,
          servername: SERVER_NAME,
          ...(withCa ? { ca: edge.ca.caPem } : {}),
          rejectUnauthorized: false,
        });
        socket.once('secureConnect', () => {
          resolve({ authorized: socket.authorized, error: socket.authorizationError?.message ?? null });
          socket.end();
        });
        socket.once('error', reject);
      });
    expect(await verify(true)).toEqual({ authorized: true, error: null });
    expect((await verify(false)).authorized).toBe(false);
  });

  it('answers a caller over TURN: the page is a secure context, RTP flows both ways, the indicator says relay', async () => {
    await goReady(homePage, 'tdv01');
    expect(await homePage.evaluate(() => window.isSecureContext)).toBe(true);
    // The console got short-lived TURN credentials (TURN REST: "<expiry>:<user>") with its login.
    const me = (await homePage.evaluate(async () => (await fetch('/api/me')).json())) as MeResponse;
    expect(me.sip?.iceServers[0]).toMatchObject({ username: expect.stringMatching(/^\d+:/) });

    const sipp = callHotline(edge, '0911000001');
    await answerCall(homePage);
    const audio = await twoWayAudio(homePage);
    setupMs.relay = audio.ms;
    expect(audio.localCandidate).toBe('relay');
    await expect
      .poll(() => homePage.getByTestId('network-indicator').getAttribute('data-path'), { timeout: 5000 })
      .toBe('relay');
    const stats = homePage.getByTestId('audio-stats');
    await expect
      .poll(async () => Number(await stats.getAttribute('data-packets-received')), { timeout: 10_000 })
      .toBeGreaterThan(50);
    expect(Number(await stats.getAttribute('data-packets-sent'))).toBeGreaterThan(50);
    // Asterisk's side: both legs (the caller's and the operator's, relayed) sent and received.
    const legs = await channels();
    expect(legs).toHaveLength(2);
    for (const leg of legs) {
      const rtp = await edge.phone.rtpPackets(leg.id);
      expect(rtp.received, `${leg.name} received`).toBeGreaterThan(50);
      expect(rtp.sent, `${leg.name} sent`).toBeGreaterThan(50);
    }
    await hangUp(edge, homePage, sipp);
  });

  it('sets up a direct call (no NAT, same proxy) for comparison, and prints both set-up times', async () => {
    // The operator at home takes a break, so the call rings the one at the office.
    await setReady(homePage, false);
    const office = await edge.browser('office');
    const page = await office.context.newPage();
    await goReady(page, 'tdv04');
    const sipp = callHotline(edge, '0911000003');
    await answerCall(page);
    const audio = await twoWayAudio(page);
    setupMs.direct = audio.ms;
    expect(audio.localCandidate).toBe('host');
    await hangUp(edge, page, sipp);
    await office.browser.close();
    await setReady(homePage, true);
    console.log(
      `[remote-operator] answer click → two-way audio: relayed (TURN, NAT) ${setupMs.relay?.toFixed(0) ?? '—'} ms, direct ${setupMs.direct.toFixed(0)} ms`,
    );
  });

  it('with TURN down, tells the operator the audio path is lost and puts the caller back in the queue', async () => {
    await edge.turn.stop();
    const caller = '0911000002';
    const sipp = callHotline(edge, caller);
    try {
      await answerCall(homePage);
      await expect
        .poll(() => homePage.getByTestId('network-indicator').getAttribute('data-path'), { timeout: 30_000 })
        .toBe('failed');
      await expect
        .poll(() => homePage.getByRole('alert').allTextContents())
        .toContainEqual(expect.stringContaining('Mất đường truyền âm thanh'));
      // Requeued: the caller's channel is up in a queue's holding bridge, no operator leg is left.
      const queueBridges = new Set(QUEUE_NAMES.map(queueBridgeId));
      await expect
        .poll(
          async () => {
            const all = await channels();
            const mine = all.find((c) => c.caller.number === caller);
            const bridges = (await ari('GET', '/bridges')) as { id: string; channels: string[] }[];
            const holding = bridges.find((b) => mine && b.channels.includes(mine.id));
            return {
              queued: holding ? queueBridges.has(holding.id) : false,
              operatorLegs: all.filter((c) => c.name.startsWith('PJSIP/tdv01')).length,
            };
          },
          { timeout: 20_000 },
        )
        .toEqual({ queued: true, operatorLegs: 0 });
    } finally {
      const mine = (await channels()).find((c) => c.caller.number === caller);
      if (mine) await ari('DELETE', `/channels/${mine.id}`);
      await sipp;
      await edge.phone.waitUntilClean(10_000);
    }
  });

  it('carries the security headers and Secure cookies through the proxy', async () => {
    const res = await fromHome('/');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/frame-ancestors 'none'|frame-ancestors 'self'/);
    expect(csp).not.toContain("'unsafe-inline'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBeDefined();
    const api = await homePage.evaluate(async () => (await fetch('/api/me')).headers.get('cache-control'));
    expect(api).toContain('no-store');
    const cookies = await homeContext.cookies(ORIGIN);
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie.secure, cookie.name).toBe(true);
    // The session cookie is out of the page's reach (the CSRF token is read by the page, by design).
    expect(cookies.find((c) => c.name === SESSION_COOKIE)).toMatchObject({ httpOnly: true });
  });
});
