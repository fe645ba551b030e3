/**
 * Personal data in the real console (headless Chromium, no telephony needed):
 * - an operator pressing play on an after-hours message that a colleague's callback holds is told
 *   "Bạn không có quyền nghe bản ghi này", and the list shows the citizen's number masked;
 * - the admin sets on the agency page whether an agency's forwarded tickets carry the citizen's
 *   number, and the list says so.
 *
 * Runs inside the network namespace that scripts/e2e.sh creates, like the other e2e tests.
 */
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agencies, callbacks, calls, users } from '../../server/db/schema.ts';
import { type E2eHotline, launchChromium, signedInPage, startE2eHotline } from '../support/e2e.ts';

const CITIZEN = '0933444777';
let env: E2eHotline;
let browser: Browser;

beforeAll(async () => {
  env = await startE2eHotline({ name: 'personal-data', telephony: false });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const signIn = (username: string, home: string): Promise<Page> =>
  signedInPage(browser, env.hotline.url, username, home.replace(/^\//, ''), { width: 1366, height: 768 });

describe('personal data in the console', () => {
  it('tells an operator they may not hear a message a colleague’s callback holds', async () => {
    const { db } = env.hotline;
    const userId = (username: string) =>
      db.select({ id: users.id }).from(users).where(eq(users.username, username)).get()!.id;
    const now = new Date();
    db.insert(calls)
      .values({
        id: 'night-held',
        callerNumber: CITIZEN,
        arrivedAt: new Date(now.getTime() - 3600_000),
        recording: 'message-night-held',
        recordingKind: 'message',
      })
      .run();
    const task = db
      .insert(callbacks)
      .values({
        callerNumber: CITIZEN,
        queue: 'health',
        source: 'after_hours',
        callId: 'night-held',
        createdAt: now,
        waitingSince: now,
        lastRequestAt: now,
        recording: 'message-night-held',
        recordingCallId: 'night-held',
        claimedBy: userId('tdv02'),
        claimedUntil: new Date(now.getTime() + 3600_000),
      })
      .returning({ id: callbacks.id })
      .get();

    const operator = await signIn('tdv01', '/operator.html');
    const row = operator.locator(`[data-testid=callbacks] tr[data-callback-id="${task.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain('0933***777');
    expect(await row.textContent()).not.toContain(CITIZEN);
    const player = row.locator('audio.recording');
    await player.evaluate((audio: HTMLAudioElement) => audio.play().catch(() => undefined));
    const refusal = row.getByRole('alert');
    await expect
      .poll(() => refusal.textContent(), { timeout: 10_000 })
      .toBe('Bạn không có quyền nghe bản ghi này');
    expect(await player.isHidden()).toBe(true);
  });

  it('lets the admin choose whether an agency’s forwarded tickets carry the citizen’s number', async () => {
    const { db } = env.hotline;
    const receives = () =>
      db.select().from(agencies).where(eq(agencies.code, 'sct')).get()!.receivesCallerNumber;
    db.update(agencies).set({ receivesCallerNumber: false }).where(eq(agencies.code, 'sct')).run();

    const admin = await signIn('quantri', '/admin.html');
    await admin.goto(`${env.hotline.url}/admin-agencies.html`);
    const row = admin.locator('tr[data-code="sct"]');
    await row.waitFor();
    await row.getByRole('button', { name: 'Sửa' }).click();
    const box = admin.getByLabel('Phiếu chuyển đến có số điện thoại người dân');
    expect(await box.isChecked()).toBe(false);
    await box.check();
    await admin.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(receives).toBe(true);
    await expect.poll(() => row.textContent()).toContain('Nhận số điện thoại người dân');

    await row.getByRole('button', { name: 'Sửa' }).click();
    expect(await box.isChecked()).toBe(true);
    await box.uncheck();
    await admin.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(receives).toBe(false);
    await expect.poll(() => row.textContent()).not.toContain('Nhận số điện thoại người dân');
  });
});
