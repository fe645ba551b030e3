/**
 * Operators provisioned while the hotline runs, on the real parts (Asterisk, sipp, Chromium), with
 * no restart of anything: the admin creates an operator; they log in with the one-time password,
 * choose their own, their softphone registers (its account was pushed to Asterisk through ARI
 * once the login had a password of its own, and they joined the dialplan's fallback queue over
 * AMI) and they answer a citizen's call with audio both ways. The admin then disables them: their
 * console loses its session, their endpoint is gone from Asterisk and from the fallback queue
 * within seconds, and the next call waits in the queue instead of ringing them.
 *
 * Each login's SIP secret is its own: a second login of the same operator takes the softphone
 * over (the first login's secret is refused), and after logout the secret is refused and the
 * session's socket is gone within seconds.
 *
 * Runs inside the network namespace that scripts/e2e.sh creates.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AccountCreated,
  CallRecordDetail,
  CallRecordView,
  ListResponse,
  MeResponse,
} from '../../common/api.ts';
import type { WallboardSnapshot } from '../../common/events.ts';
import { placeCitizenCall } from '../../scripts/lib/sipp.ts';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import { maskPhone } from '../../server/tickets/repository.ts';
import { type ApiSession, apiSession } from '../support/api-session.ts';
import { type E2eHotline, launchChromium, startE2eHotline, type Telephony } from '../support/e2e.ts';

const USERNAME = 'tdv-moi';
const DISPLAY_NAME = 'Lê Thị Mai';
const NEW_PASSWORD = 'Cay-xoai-truoc-ngo-2026';
const FIRST_CALLER = '0911000001';
const SECOND_CALLER = '0911000002';

let env: E2eHotline;
let phone: Telephony;
let browser: Browser;
let supervisor: ApiSession;

beforeAll(async () => {
  env = await startE2eHotline({ name: 'accounts', telephony: true, env: { HOTLINE_WRAP_UP_SECONDS: '2' } });
  phone = env.telephony!;
  browser = await launchChromium();
  supervisor = await apiSession(env.hotline.url, 'giamsat');
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

/** The admin's session, for change requests (with the CSRF token the console sends). */
async function adminSession(baseUrl: string) {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'quantri', password: DEMO_PASSWORD }),
  });
  if (!res.ok) throw new Error(`admin login → ${res.status}`);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0] ?? '');
  const csrf = cookies.find((c) => c.startsWith('hotline_csrf='))?.slice('hotline_csrf='.length) ?? '';
  const cookie = cookies.join('; ');
  return async <T>(path: string, body: unknown = {}): Promise<T> => {
    const answer = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!answer.ok) throw new Error(`POST ${path} → ${answer.status} ${await answer.text()}`);
    return (await answer.json()) as T;
  };
}

/** What the page's own session can do now (`/api/me`'s status). */
const meStatus = (page: Page) => page.evaluate(async () => (await fetch('/api/me')).status);

/** ARI's answer for the endpoint: 200 while Asterisk has it, 404 once it is gone. */
async function endpointStatus(name: string): Promise<number> {
  const { ariUrl, ari } = phone.asterisk;
  const res = await fetch(`${ariUrl}/ari/endpoints/PJSIP/${encodeURIComponent(name)}`, {
    headers: { authorization: `Basic ${Buffer.from(`${ari.username}:${ari.password}`).toString('base64')}` },
  });
  await res.body?.cancel();
  return res.status;
}

/**
 * A REGISTER with the softphone's credentials (Expires 0, so no contact is left to displace the
 * browser's), sent by sipp over UDP: resolves with sipp's exit code (0: Asterisk answered 200).
 */
function registerWith(username: string, password: string): Promise<{ exitCode: number; errors: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-register-'));
  const request = (cseq: number, auth: string) => `
      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:${username}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:${username}@[remote_ip]>
      Call-ID: [call_id]
      CSeq: ${cseq} REGISTER
      Contact: <sip:${username}@[local_ip]:[local_port]>
      ${auth}
      Max-Forwards: 70
      Expires: 0
      Content-Length: 0
`;
  writeFileSync(
    join(dir, 'register.xml'),
    `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register">
  <send retrans="500"><![CDATA[${request(1, '')}]]></send>
  <recv response="401" auth="true"/>
  <send retrans="500"><![CDATA[${request(2, `[authentication username=${username} password=${password}]`)}]]></send>
  <recv response="200"/>
</scenario>
`,
  );
  const args = [`127.0.0.1:${phone.asterisk.sipPort}`, '-sf', 'register.xml', '-m', '1', '-i', '127.0.0.1'];
  args.push('-timeout', '15s', '-timeout_error', '-nostdin', '-trace_err', '-error_file', 'errors.log');
  return new Promise((resolve, reject) => {
    const child = spawn('sipp', args, { stdio: 'ignore', cwd: dir });
    child.once('error', reject);
    child.once('exit', (code) => {
      let errors = '';
      try {
        errors = readFileSync(join(dir, 'errors.log'), 'utf8');
      } catch {
        // none
      }
      resolve({ exitCode: code ?? -1, errors });
    });
  });
}

/** The fallback queue's members, as Asterisk's CLI lists them. */
async function fallbackMembers(): Promise<string> {
  return (await phone.asterisk.cli('queue show hotline-fallback'))
    .split('\n')
    .flatMap((line) => /\((PJSIP\/[^ )]+)/.exec(line)?.[1] ?? [])
    .join(' ');
}

async function callRecordOf(callerNumber: string): Promise<CallRecordDetail> {
  const calls = (await supervisor.get<ListResponse<CallRecordView>>('/api/calls')).data;
  // Lists show the number masked; the call's own page shows it to a supervisor.
  const record = calls.find(
    (c) => c.callerNumber === callerNumber || c.callerNumber === maskPhone(callerNumber),
  );
  if (!record) throw new Error(`no call record for ${callerNumber}`);
  return supervisor.get<CallRecordDetail>(`/api/calls/${encodeURIComponent(record.id)}`);
}

describe('operator accounts provisioned while the hotline runs', () => {
  it('a new operator takes a call without a restart; once disabled, they are cut off within seconds', async () => {
    const adminPost = await adminSession(env.hotline.url);
    expect(await endpointStatus(USERNAME)).toBe(404);

    // The admin creates the operator.
    const created = await adminPost<AccountCreated>('/api/admin/users', {
      username: USERNAME,
      displayName: DISPLAY_NAME,
      role: 'operator',
      skills: ['health', 'general'],
    });
    expect(created.data).toMatchObject({ username: USERNAME, role: 'operator' });
    // The dialplan's fallback queue (used while the controller is down) rings them too.
    await expect.poll(() => fallbackMembers(), { timeout: 5_000 }).toContain(`PJSIP/${USERNAME}`);
    // Their softphone account comes with their first login with a password of their own.
    expect(await endpointStatus(USERNAME)).toBe(404);

    // They log in with the one-time password and choose their own, in the browser.
    const page = await browser.newPage();
    page.on('pageerror', (err) => console.error('[new operator page error]', err));
    await page.goto(`${env.hotline.url}/`);
    const changed = await page.evaluate(
      async ({ username, oneTime, chosen }) => {
        const login = await fetch('/api/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: oneTime }),
        });
        if (!login.ok) return `login ${login.status}`;
        const csrf = /(?:^|; )hotline_csrf=([^;]*)/.exec(document.cookie)?.[1] ?? '';
        const change = await fetch('/api/auth/password', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(csrf) },
          body: JSON.stringify({ currentPassword: oneTime, newPassword: chosen }),
        });
        return change.ok ? 'ok' : `password ${change.status} ${await change.text()}`;
      },
      { username: USERNAME, oneTime: created.oneTimePassword, chosen: NEW_PASSWORD },
    );
    expect(changed).toBe('ok');
    // Asterisk had the account before the password change answered.
    expect(await endpointStatus(USERNAME)).toBe(200);
    // The softphone's credentials, as the console receives them, register with Asterisk.
    const sip = await page.evaluate(async () => {
      const me = (await (await fetch('/api/me')).json()) as {
        sip: { authorizationUser: string; password: string };
      };
      return me.sip;
    });
    const accepted = await registerWith(sip.authorizationUser, sip.password);
    expect(accepted.exitCode, accepted.errors).toBe(0);
    await page.goto(`${env.hotline.url}/operator.html`);
    await expect
      .poll(() => page.getByTestId('phone-status').getAttribute('data-registration'), { timeout: 15_000 })
      .toBe('registered');
    expect(await phone.asterisk.cli(`pjsip show endpoint ${USERNAME}`)).toMatch(
      new RegExp(`Contact:\\s+${USERNAME}/`),
    );
    await page.getByRole('button', { name: 'Sẵn sàng' }).click();
    await expect.poll(() => page.getByTestId('agent-state').textContent()).toBe('Sẵn sàng');

    // A citizen presses 1 (health): the new operator's browser rings and they answer.
    const first = placeCitizenCall({
      target: `127.0.0.1:${phone.asterisk.sipPort}`,
      callerNumber: FIRST_CALLER,
      keys: '1',
      keyDelayMs: 2500,
      holdMs: 8_000,
    });
    const pop = page.getByRole('region', { name: 'Cuộc gọi đến' });
    await pop.waitFor({ state: 'visible', timeout: 30_000 });
    await pop.getByRole('button', { name: 'Trả lời' }).click();
    await expect
      .poll(() => page.getByTestId('agent-state').textContent(), { timeout: 10_000 })
      .toBe('Đang nghe máy');
    const channels = (await phone.ariGet('/channels')) as { id: string; name: string }[];
    expect(channels.map((c) => c.name).some((n) => n.startsWith(`PJSIP/${USERNAME}-`))).toBe(true);
    await expect
      .poll(
        async () => {
          const counts = await Promise.all(channels.map((c) => phone.rtpPackets(c.id)));
          return counts.every((c) => c.sent > 50 && c.received > 50);
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    const firstResult = await first;
    expect(firstResult.exitCode, firstResult.errors).toBe(0);
    await phone.waitUntilClean(10_000);
    const firstRecord = await callRecordOf(FIRST_CALLER);
    expect(firstRecord.offers.map((o) => o.outcome)).toEqual(['answered']);
    await expect
      .poll(() => page.getByTestId('agent-state').textContent(), { timeout: 10_000 })
      .toBe('Sẵn sàng');

    // The admin disables them: session, softphone account and place on the wallboard go at once.
    const disabledAt = performance.now();
    await adminPost(`/api/admin/users/${created.data.id}/disable`);
    await expect.poll(() => endpointStatus(USERNAME), { timeout: 5_000 }).toBe(404);
    const goneMs = performance.now() - disabledAt;
    expect(await phone.asterisk.cli(`pjsip show endpoint ${USERNAME}`)).toContain('Unable to find object');
    await expect.poll(() => fallbackMembers(), { timeout: 5_000 }).not.toContain(`PJSIP/${USERNAME}`);
    const refused = await registerWith(sip.authorizationUser, sip.password);
    expect(refused.exitCode).not.toBe(0);
    // Refused: here 404 (sipp sends from the trunk's address, so the trunk endpoint takes the
    // request and finds no such AOR); from elsewhere, 401 or 403.
    expect(refused.errors).toMatch(/received 'SIP\/2\.0 40[134] /);
    expect(await fallbackMembers()).toContain('PJSIP/tdv01');
    await expect.poll(() => meStatus(page), { timeout: 5_000 }).toBe(401);
    // The console leaves for the login page, which stops its softphone.
    await page.waitForURL((url) => !url.pathname.endsWith('operator.html'), { timeout: 10_000 });
    await expect.poll(() => page.getByLabel('Tên đăng nhập').isVisible()).toBe(true);
    const wallboard = await supervisor.get<WallboardSnapshot>('/api/wallboard');
    expect(wallboard.agents.map((a) => a.operatorId)).not.toContain(created.data.id);
    console.log(`[e2e] operator disabled → endpoint gone from Asterisk: ${Math.round(goneMs)} ms`);

    // The next caller waits: nobody is rung, least of all the disabled operator.
    const second = placeCitizenCall({
      target: `127.0.0.1:${phone.asterisk.sipPort}`,
      callerNumber: SECOND_CALLER,
      keys: '1',
      keyDelayMs: 2500,
      holdMs: 6_000,
    });
    const secondResult = await second;
    expect(secondResult.exitCode, secondResult.errors).toBe(0);
    await phone.waitUntilClean(10_000);
    const secondRecord = await callRecordOf(SECOND_CALLER);
    expect(secondRecord.offers).toEqual([]);
  });

  it('a second login takes the softphone over; after logout its secret is refused within seconds', async () => {
    const loginStarted = performance.now();
    const first = await softphoneLogin('tdv02');
    const loginMs = performance.now() - loginStarted;
    // In Asterisk before the login answered: the console can register at once.
    expect(await endpointStatus('tdv02')).toBe(200);
    const firstAccepted = await registerWith('tdv02', first.sip.password);
    expect(firstAccepted.exitCode, firstAccepted.errors).toBe(0);

    const second = await softphoneLogin('tdv02');
    expect(second.sip.password).not.toBe(first.sip.password);
    const secondAccepted = await registerWith('tdv02', second.sip.password);
    expect(secondAccepted.exitCode, secondAccepted.errors).toBe(0);
    const taken = await registerWith('tdv02', first.sip.password);
    expect(taken.exitCode).not.toBe(0);
    expect(taken.errors).toMatch(/received 'SIP\/2\.0 40[134] /);
    // The first login goes on without the softphone.
    expect(await first.me()).toMatchObject({ status: 200, sip: null });

    const socket = await second.socket();
    const socketGone = new Promise<number>((resolve) =>
      socket.once('disconnect', () => resolve(performance.now())),
    );
    const loggedOutAt = performance.now();
    expect(await second.logout()).toBe(204);
    expect(await endpointStatus('tdv02')).toBe(404);
    let refused = await registerWith('tdv02', second.sip.password);
    while (refused.exitCode === 0 && performance.now() - loggedOutAt < 5_000) {
      refused = await registerWith('tdv02', second.sip.password);
    }
    const refusedMs = performance.now() - loggedOutAt;
    expect(refused.exitCode).not.toBe(0);
    expect(refusedMs).toBeLessThan(5_000);
    const socketMs = (await socketGone) - loggedOutAt;
    expect(socketMs).toBeLessThan(2_000);
    console.log(
      `[e2e] login with the account pushed to Asterisk: ${Math.round(loginMs)} ms; logout → old SIP secret refused by Asterisk: ${Math.round(refusedMs)} ms; socket dropped: ${Math.round(socketMs)} ms`,
    );
    // Nobody has tdv02's softphone now: the first login does not get it back.
    expect(await first.me()).toMatchObject({ status: 200, sip: null });
  });
});

/** A softphone user logged in over the API, as a console would be. */
async function softphoneLogin(username: string) {
  const base = env.hotline.url;
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  if (!res.ok) throw new Error(`login ${username} → ${res.status}`);
  const { sip } = (await res.json()) as MeResponse;
  if (!sip) throw new Error(`${username}: no softphone credentials`);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0] ?? '');
  const csrf = cookies.find((c) => c.startsWith('hotline_csrf='))?.slice('hotline_csrf='.length) ?? '';
  const cookie = cookies.join('; ');
  return {
    sip,
    async me() {
      const answer = await fetch(`${base}/api/me`, { headers: { cookie } });
      return { status: answer.status, sip: ((await answer.json()) as MeResponse).sip };
    },
    async logout() {
      const answer = await fetch(`${base}/api/auth/logout`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrf },
      });
      await answer.body?.cancel();
      return answer.status;
    },
    async socket(): Promise<Socket> {
      const socket = connectSocket(base, {
        transports: ['websocket'],
        extraHeaders: { cookie },
        reconnection: false,
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      return socket;
    },
  };
}
