/**
 * One citizen's call, all the way through, on the real parts: sipp dials 1022 on a real Asterisk
 * and presses 1; an operator logged in to the real console in headless Chromium gets the
 * screen-pop and answers; audio flows both ways; the operator logs a ticket; the agency's HTTP
 * endpoint receives it, signed; the caller hangs up and Asterisk is left clean.
 *
 * Runs inside the network namespace that scripts/e2e.sh creates (WebRTC needs a non-loopback
 * address; ICE pairs on 192.0.2.10, everything else stays on the namespace's loopback).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecordDetail, CallRecordView, ListResponse, TicketView } from '../../common/api.ts';
import { placeCitizenCall } from '../../scripts/lib/sipp.ts';
import { maskPhone } from '../../server/tickets/repository.ts';
import { apiSession } from '../support/api-session.ts';
import { type E2eHotline, launchChromium, logInAs, startE2eHotline, type Telephony } from '../support/e2e.ts';

const CALLER = '0987654321';
/** Phường Biên Hòa's code in the national list of administrative units (server/units/dong-nai.csv). */
const BIEN_HOA = '26068';

let env: E2eHotline;
let phone: Telephony;
let browser: Browser;

beforeAll(async () => {
  // A short wrap-up, so the operator is seen going back to ready after the call.
  env = await startE2eHotline({ name: 'call', telephony: true, env: { HOTLINE_WRAP_UP_SECONDS: '3' } });
  phone = env.telephony!;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const logIn = (page: Page, username: string) => logInAs(page, env.hotline.url, username);

const packets = async (page: Page) => {
  const stats = page.getByTestId('audio-stats');
  return {
    sent: Number(await stats.getAttribute('data-packets-sent')),
    received: Number(await stats.getAttribute('data-packets-received')),
  };
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
      target: `127.0.0.1:${phone.asterisk.sipPort}`,
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
    const channels = (await phone.ariGet('/channels')) as { id: string; name: string }[];
    expect(channels).toHaveLength(2);
    // The operator's leg speaks the caller's codec: Asterisk passes the audio through untranscoded.
    const codecs = await Promise.all(
      channels.map(
        async (c) =>
          /NativeFormats: \((\w+)\)/.exec(await phone.asterisk.cli(`core show channel ${c.name}`))?.[1],
      ),
    );
    expect(codecs[0]).toMatch(/^(alaw|ulaw)$/);
    expect(codecs[1]).toBe(codecs[0]);
    for (const channel of channels) {
      const rtp = await phone.rtpPackets(channel.id);
      expect(rtp.received, `${channel.name} received`).toBeGreaterThan(50);
      expect(rtp.sent, `${channel.name} sent`).toBeGreaterThan(50);
    }
    // Asterisk set the operator's media up without asking DNS for this machine's own name.
    expect(readFileSync(phone.asteriskLog, 'utf8')).not.toContain(`Unable to lookup '${hostname()}'`);

    // The operator logs the request: the queue chose the category; the commune is typed without
    // diacritics and picked from the suggestions.
    await page.getByLabel('Số điện thoại').fill(CALLER);
    await expect.poll(() => page.getByLabel('Lĩnh vực').inputValue()).toBe('health');
    const commune = page.getByRole('combobox', { name: 'Xã, phường' });
    await commune.pressSequentially('bien hoa');
    const suggestions = page.getByRole('listbox');
    await suggestions.getByRole('option', { name: 'Phường Biên Hòa', exact: true }).click();
    await expect.poll(() => commune.inputValue()).toBe('Phường Biên Hòa');
    await expect.poll(() => commune.getAttribute('aria-expanded')).toBe('false');
    await page.getByLabel('Địa chỉ').fill('Khu phố 3');
    await page
      .getByLabel('Nội dung')
      .fill('Người dân báo có ca sốt cao tại khu phố 3, cần đội y tế đến kiểm tra.');
    const agency = page.getByLabel('Cơ quan xử lý');
    await expect.poll(() => agency.locator('option:checked').textContent()).toBe('Sở Y tế');
    await page.getByRole('button', { name: 'Tạo phiếu' }).click();
    const trackingCode =
      (await page.getByTestId('tracking-code').textContent({ timeout: 10_000 }))?.trim() ?? '';
    expect(trackingCode).toMatch(/^\d{9}$/);

    // The responsible agency receives it, correctly signed, once.
    const delivery = await env.agency.waitFor((d) => d.body.trackingCode === trackingCode, 15_000);
    expect(delivery.agencyCode).toBe('syt');
    expect(delivery.signatureValid).toBe(true);
    expect(delivery.headers['idempotency-key']).toMatch(/^ticket-\d+-a\d+$/);
    expect(delivery.body).toMatchObject({
      category: 'health',
      categoryName: 'Y tế, dịch bệnh',
      unit: { code: BIEN_HOA, name: 'Phường Biên Hòa' },
      address: 'Khu phố 3',
    });
    // The health department is not set to receive citizens' numbers (agencies.receives_caller_number).
    expect(delivery.body).not.toHaveProperty('callerNumber');
    const operatorApi = await apiSession(env.hotline.url, 'tdv01');
    const tickets = await operatorApi.get<ListResponse<TicketView>>('/api/tickets?limit=5');
    expect(tickets.data.find((t) => t.trackingCode === trackingCode)).toMatchObject({
      unit: { code: BIEN_HOA, name: 'Phường Biên Hòa' },
      agency: { code: 'syt' },
    });

    // The caller hangs up; nothing is left behind in Asterisk.
    const result = await call;
    expect(result.exitCode, result.errors).toBe(0);
    await phone.waitUntilClean(10_000);
    await expect
      .poll(() => page.getByTestId('agent-state').textContent(), { timeout: 10_000 })
      .toBe('Xử lý sau cuộc gọi');
    await expect
      .poll(() => page.getByTestId('agent-state').textContent(), { timeout: 10_000 })
      .toBe('Sẵn sàng');

    // The call record: answered by tdv01 after key 1 in health, talked, linked to the ticket.
    const supervisor = await apiSession(env.hotline.url, 'giamsat');
    const calls = (await supervisor.get<ListResponse<CallRecordView>>('/api/calls')).data;
    const record = calls.find((c) => c.callerNumber === maskPhone(CALLER));
    expect(record).toMatchObject({
      menuPath: '1',
      queue: 'health',
      operator: { displayName: 'Nguyễn Thị Hoa' },
      endReason: 'caller_hung_up',
    });
    expect(record?.answeredAt).not.toBeNull();
    expect(record?.talkSeconds).toBeGreaterThan(0);
    const detail = await supervisor.get<CallRecordDetail>(`/api/calls/${encodeURIComponent(record!.id)}`);
    expect(detail.offers.map((o) => o.outcome)).toEqual(['answered']);
    expect(detail.tickets.map((t) => t.trackingCode)).toEqual([trackingCode]);

    // The conversation was recorded to disk, linked to the call (and so to its ticket), and the
    // operator who made the ticket can play it.
    expect(record?.recording).toEqual({ kind: 'conversation', name: `conversation-${record?.id}-1` });
    const wav = await operatorApi.getRaw(`/api/calls/${encodeURIComponent(record!.id)}/recording`);
    expect(wav.status).toBe(200);
    const audio = Buffer.from(await wav.arrayBuffer());
    expect(audio.subarray(0, 4).toString()).toBe('RIFF');
    expect(audio.length).toBeGreaterThan(44);
    console.log(`[e2e] conversation recording: ${audio.length} bytes`);

    const citizen = phone.observer.channel((c) => c.caller?.number === CALLER);
    console.log(
      `[e2e] channel created → answered: ${citizen.answeredMs} ms; ` +
        `operator answer → console shows the call answered: ${Math.round(popAnsweredMs)} ms`,
    );
  });
});
