/**
 * The fallback queue respects operators and keeps the caller's choice (real Asterisk, sipp callers,
 * consoles in Chromium). Two operators are logged in, tdv01 ready and tdv02 on a break; the
 * controller is taken away, so 1022 falls back to Asterisk's own queue:
 * - tdv02's member is paused with the reason `break` (AMI QueueStatus);
 * - a caller presses 1 (health) during the fallback menu's prompt; tdv01 lets it ring through a
 *   whole ring round (app_queue would try the next member then), and tdv02's softphone is never
 *   rung; tdv01 answers, and the call record says queue health, menu key 1;
 * - tdv02 becomes ready and tdv01 takes a break while the controller is still away: the members
 *   follow (Paused: 0 for tdv02), and the next fallback call (key 2, welfare) rings tdv02 alone.
 */

import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AmiConnection, createAmiConnection } from '../../ivr/ami.ts';
import { FALLBACK_QUEUE_NAME } from '../../ivr/constants.ts';
import { type ApiSession, apiSession } from '../support/api-session.ts';
import { callRecordsOf, dialHotline, operatorLegs } from '../support/calls.ts';
import {
  type E2eHotline,
  launchChromium,
  signedInPage,
  startE2eHotline,
  type Telephony,
} from '../support/e2e.ts';

let env: E2eHotline;
let phone: Telephony;
let browser: Browser;
let hoa: Page;
let minh: Page;
let supervisor: ApiSession;
let ami: AmiConnection;

beforeAll(async () => {
  env = await startE2eHotline({ name: 'fallback-pause', telephony: true });
  phone = env.telephony!;
  browser = await launchChromium();
  [hoa, minh] = await Promise.all([
    signedInPage(browser, env.hotline.url, 'tdv01', 'operator.html'),
    signedInPage(browser, env.hotline.url, 'tdv02', 'operator.html'),
  ]);
  supervisor = await apiSession(env.hotline.url, 'giamsat');
  ami = createAmiConnection({ ...phone.asterisk.ami, logger: pino({ level: 'silent' }) });
  await new Promise<void>((resolve) =>
    ami.start({ event: () => {}, connected: () => resolve(), disconnected: () => {} }),
  );
});

afterAll(async () => {
  await ami?.stop();
  await browser?.close();
  await env?.close();
});

/** Each member of the fallback queue: `ready`, or `paused <reason>`, as Asterisk has it. */
async function members(): Promise<Record<string, string>> {
  const entries = await ami.list({ action: 'QueueStatus', queue: FALLBACK_QUEUE_NAME });
  return Object.fromEntries(
    entries
      .filter((e) => e.event === 'QueueMember')
      .map((e) => [e.name, e.paused === '1' ? `paused ${e.pausedreason}` : 'ready']),
  );
}

const registered = (page: Page) =>
  expect
    .poll(() => page.getByTestId('phone-status').getAttribute('data-registration'), { timeout: 20_000 })
    .toBe('registered');

async function choose(page: Page, button: 'Sẵn sàng' | 'Nghỉ giải lao', shown: string) {
  await page.getByRole('button', { name: button }).click();
  await expect.poll(() => page.getByTestId('agent-state').textContent()).toBe(shown);
}

const incoming = (page: Page) => page.getByRole('region', { name: 'Cuộc gọi đến' });

describe('the fallback queue respects operators', () => {
  it('rings only ready operators, keeps the caller’s choice, and follows state changes while the controller is away', async () => {
    await Promise.all([registered(hoa), registered(minh)]);
    await choose(hoa, 'Sẵn sàng', 'Sẵn sàng');
    await choose(minh, 'Nghỉ giải lao', 'Tạm nghỉ: Nghỉ giải lao');
    await env.hotline.controller.stop();
    await expect.poll(members).toMatchObject({ tdv01: 'ready', tdv02: 'paused break' });

    // The caller presses 1 during the fallback menu's prompt. tdv01 lets the call ring out once
    // (15 s): app_queue then rings the next member it may, and comes back to tdv01.
    const first = '0903000001';
    const call = dialHotline(phone, first, { keys: '1', firstKeyDelayMs: 2000, holdMs: 30_000 });
    const rung = () => [...operatorLegs(phone, 'tdv01'), ...operatorLegs(phone, 'tdv02')];
    await expect.poll(() => rung().length, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(operatorLegs(phone, 'tdv02'), 'tdv02 is paused and never rung').toEqual([]);
    await incoming(hoa).waitFor({ state: 'visible', timeout: 5000 });
    await expect.poll(() => operatorLegs(phone, 'tdv01').length, { timeout: 25_000 }).toBeGreaterThan(1);
    await incoming(hoa).waitFor({ state: 'visible', timeout: 5000 });
    expect(operatorLegs(phone, 'tdv02'), 'tdv02 is paused and never rung').toEqual([]);
    expect(await incoming(minh).isVisible()).toBe(false);
    await incoming(hoa).getByRole('button', { name: 'Trả lời' }).click();
    await expect
      .poll(async () => (await callRecordsOf(supervisor, first)).at(-1)?.answeredAt ?? null)
      .not.toBeNull();
    expect(operatorLegs(phone, 'tdv02')).toEqual([]);
    expect((await callRecordsOf(supervisor, first)).at(-1)).toMatchObject({
      queue: 'health',
      menuPath: '1',
      operator: { displayName: 'Nguyễn Thị Hoa' },
    });

    // While the controller is still away, tdv02 becomes ready and tdv01 takes a break.
    await choose(minh, 'Sẵn sàng', 'Sẵn sàng');
    await choose(hoa, 'Nghỉ giải lao', 'Tạm nghỉ: Nghỉ giải lao');
    await expect.poll(members).toMatchObject({ tdv01: 'paused break', tdv02: 'ready' });
    expect((await call).exitCode).toBe(0);

    const second = '0903000002';
    const legsBefore = operatorLegs(phone, 'tdv01').length;
    const next = dialHotline(phone, second, { keys: '2', firstKeyDelayMs: 2000, holdMs: 8000 });
    await incoming(minh).waitFor({ state: 'visible', timeout: 15_000 });
    await incoming(minh).getByRole('button', { name: 'Trả lời' }).click();
    const result = await next;
    expect(result.exitCode, result.errors).toBe(0);
    expect(operatorLegs(phone, 'tdv01')).toHaveLength(legsBefore);
    await expect
      .poll(async () => (await callRecordsOf(supervisor, second)).at(-1)?.endReason ?? null)
      .toBe('caller_hung_up');
    expect((await callRecordsOf(supervisor, second)).at(-1)).toMatchObject({
      queue: 'welfare',
      menuPath: '2',
      operator: { displayName: 'Trần Văn Minh' },
    });
  });
});
