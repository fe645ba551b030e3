/**
 * A supervisor listens, whispers and barges on a live call from the wallboard, on the real parts:
 * a sipp citizen, an operator and a supervisor each in their own headless Chromium, one Asterisk.
 *
 * Each party speaks a tone of its own: the caller 1000 Hz (RTP from sipp), the operator 650 Hz and
 * the supervisor 1550 Hz (Chromium's fake microphone, one browser each). What each party receives
 * is analysed for the three tones (Goertzel):
 * - the caller: what Asterisk sends to the caller's channel, recorded through a snoop (`spy: out`)
 *   of the test's own ARI application;
 * - the supervisor: the same on the supervisor's leg, and the RTP their browser receives;
 * - the operator: in the operator's browser, from the softphone's remote stream (a whisper joins
 *   the operator's audio after any snoop on that channel has heard it, so Asterisk cannot record it).
 * Listening: the supervisor hears both sides, nobody hears the supervisor. Whisper: the operator
 * hears the supervisor, the caller does not. Barge: all three hear each other. Every change keeps
 * the supervisor's leg; leaving hangs up only that leg; the audit log has each use.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditPage, CoachingMode } from '../../common/api.ts';
import { audibility } from '../../ivr/coaching-rules.ts';
import { apiSession } from '../support/api-session.ts';
import { type AriAccess, channelHears, pageHears, tonePcap, toneWav } from '../support/audio-probe.ts';
import { citizenChannel, dialHotline } from '../support/calls.ts';
import {
  CHROMIUM_FLAGS,
  type E2eHotline,
  signedInPage,
  startE2eHotline,
  type Telephony,
} from '../support/e2e.ts';

const CALLER = '0911222333';
/** No tone is another's intermodulation product (2f₁−f₂, f₁+f₂−f₃…): a mixing bridge makes a little of those. */
const TONE = { caller: 1000, operator: 650, supervisor: 1550 } as const;
const TONES = [TONE.caller, TONE.operator, TONE.supervisor];
/** A tone's share of what a party receives: above this it is heard, below `ABSENT` it is not. */
const PRESENT = 0.05;
const ABSENT = 0.01;

let env: E2eHotline;
let phone: Telephony;
let operatorBrowser: Browser;
let supervisorBrowser: Browser;
let access: AriAccess;
let callerPcap: string;

/** A Chromium whose fake microphone plays `wav` and whose pages may play audio unprompted. */
const launchWith = (wav: string) =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      ...CHROMIUM_FLAGS,
      `--use-file-for-fake-audio-capture=${wav}`,
      '--autoplay-policy=no-user-gesture-required',
    ],
  });

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-coaching-'));
  toneWav(join(dir, 'operator.wav'), TONE.operator);
  toneWav(join(dir, 'supervisor.wav'), TONE.supervisor);
  callerPcap = join(dir, 'caller.pcap');
  tonePcap(callerPcap, TONE.caller, 100_000);
  env = await startE2eHotline({ name: 'coaching', telephony: true, env: { HOTLINE_WRAP_UP_SECONDS: '3' } });
  phone = env.telephony!;
  access = { url: phone.asterisk.ariUrl, ...phone.asterisk.ari, app: 'e2e-observer' };
  [operatorBrowser, supervisorBrowser] = await Promise.all([
    launchWith(join(dir, 'operator.wav')),
    launchWith(join(dir, 'supervisor.wav')),
  ]);
});

afterAll(async () => {
  await operatorBrowser?.close();
  await supervisorBrowser?.close();
  await env?.close();
});

type Shares = Record<keyof typeof TONE, number>;
const named = ([caller, operator, supervisor]: number[]): Shares => ({
  caller: caller ?? 0,
  operator: operator ?? 0,
  supervisor: supervisor ?? 0,
});

/** What each party receives over the same 3 s. */
async function whoHearsWhom(operator: Page, callerId: string, legId: string) {
  const [caller, supervisor, operatorHears] = await Promise.all([
    channelHears(access, callerId, TONES),
    channelHears(access, legId, TONES),
    pageHears(operator, 'remote-audio', TONES),
  ]);
  return { caller: named(caller), supervisor: named(supervisor), operator: named(operatorHears) };
}

const heard = (share: number, expected: boolean) => (expected ? share > PRESENT : share < ABSENT);

/** The shares as the mode says they must be (see `audibility` in ivr/coaching-rules.ts). */
function expectAudibility(mode: CoachingMode, got: Awaited<ReturnType<typeof whoHearsWhom>>): void {
  const rule = audibility(mode);
  console.info(`[coaching] ${mode}`, JSON.stringify(got));
  expect(heard(got.supervisor.caller, rule.supervisorHearsCaller), `${mode}: supervisor hears caller`).toBe(
    true,
  );
  expect(
    heard(got.supervisor.operator, rule.supervisorHearsOperator),
    `${mode}: supervisor hears operator`,
  ).toBe(true);
  expect(
    heard(got.operator.supervisor, rule.operatorHearsSupervisor),
    `${mode}: operator hears supervisor`,
  ).toBe(true);
  expect(heard(got.caller.supervisor, rule.callerHearsSupervisor), `${mode}: caller hears supervisor`).toBe(
    true,
  );
  // The conversation itself goes on in every mode.
  expect(got.caller.operator, `${mode}: caller hears operator`).toBeGreaterThan(PRESENT);
  expect(got.operator.caller, `${mode}: operator hears caller`).toBeGreaterThan(PRESENT);
  // Nobody hears themselves: of a three-way mix Asterisk's bridge leaves about 1% of one's own
  // audio (it subtracts each party's frame from the sum), far below a tone one would notice.
  expect(got.caller.caller, `${mode}: caller's own tone`).toBeLessThan(PRESENT);
  expect(got.operator.operator, `${mode}: operator's own tone`).toBeLessThan(PRESENT);
}

describe('supervisors on a live call', () => {
  it('listens, whispers and barges from the wallboard, switching on one leg, and leaves the call as it was', async () => {
    const operator = await signedInPage(operatorBrowser, env.hotline.url, 'tdv01', 'operator.html');
    await expect
      .poll(() => operator.getByTestId('phone-status').getAttribute('data-registration'), { timeout: 15_000 })
      .toBe('registered');
    await operator.getByRole('button', { name: 'Sẵn sàng' }).click();
    await expect.poll(() => operator.getByTestId('agent-state').textContent()).toBe('Sẵn sàng');

    const wallboard = await signedInPage(supervisorBrowser, env.hotline.url, 'giamsat', 'supervisor.html');
    await expect
      .poll(() => wallboard.getByTestId('coaching-phone').getAttribute('data-registration'), {
        timeout: 15_000,
      })
      .toBe('registered');
    // The supervisor's softphone is no operator: the ACD never lists it, nor offers it calls.
    await expect.poll(() => wallboard.locator('#agents-body').textContent()).toContain('Nguyễn Thị Hoa');
    expect(await wallboard.locator('#agents-body').textContent()).not.toContain('Võ Thị Hạnh');

    const call = dialHotline(phone, CALLER, { holdMs: 90_000, voicePcap: callerPcap, hangup: 'hotline' });
    void call.then((r) => {
      if (r.exitCode !== 0) console.error('[sipp]', r);
    });
    const pop = operator.getByRole('region', { name: 'Cuộc gọi đến' });
    await pop.waitFor({ state: 'visible', timeout: 30_000 });
    await pop.getByRole('button', { name: 'Trả lời' }).click();
    await expect
      .poll(() => operator.getByTestId('agent-state').textContent(), { timeout: 10_000 })
      .toBe('Đang nghe máy');
    const callId = citizenChannel(phone, CALLER).id;

    const row = wallboard.getByRole('group', { name: 'Giám sát cuộc gọi của Nguyễn Thị Hoa' });
    const status = wallboard.getByTestId('coaching-status');
    const indicator = operator.getByTestId('coaching-indicator');

    // Listen.
    await row.getByRole('button', { name: 'Nghe' }).click();
    await expect.poll(() => status.getAttribute('data-mode'), { timeout: 20_000 }).toBe('listen');
    expect(await status.getAttribute('data-call-id')).toBe(callId);
    const legs = () => phone.observer.channels((c) => c.name?.startsWith('PJSIP/giamsat-') ?? false);
    expect(legs()).toHaveLength(1);
    const leg = legs()[0]!;
    expect(leg.id).toContain(`${callId}-coach-`);
    // RTP reaches the supervisor: Asterisk sends it on the leg and the browser receives it.
    await expect
      .poll(async () => (await phone.rtpPackets(leg.id)).sent, { timeout: 10_000 })
      .toBeGreaterThan(50);
    await expect
      .poll(async () => Number(await status.getAttribute('data-packets-received')), { timeout: 10_000 })
      .toBeGreaterThan(50);
    expectAudibility('listen', await whoHearsWhom(operator, callId, leg.id));
    // The province's default: operators are told of whispers and barges, not of listening.
    expect(await indicator.isHidden()).toBe(true);

    // Whisper, on the same leg.
    await row.getByRole('button', { name: 'Nhắc' }).click();
    await expect.poll(() => status.getAttribute('data-mode'), { timeout: 10_000 }).toBe('whisper');
    await expect.poll(() => indicator.textContent(), { timeout: 5_000 }).toBe('Giám sát viên đang nhắc');
    expectAudibility('whisper', await whoHearsWhom(operator, callId, leg.id));

    // Barge, on the same leg.
    await row.getByRole('button', { name: 'Tham gia' }).click();
    await expect.poll(() => status.getAttribute('data-mode'), { timeout: 10_000 }).toBe('barge');
    await expect
      .poll(() => indicator.textContent(), { timeout: 5_000 })
      .toBe('Giám sát viên đang tham gia cuộc gọi');
    expectAudibility('barge', await whoHearsWhom(operator, callId, leg.id));
    expect(legs().map((l) => l.id)).toEqual([leg.id]);
    expect(phone.observer.channel((c) => c.id === leg.id).destroyedAt).toBeNull();

    // Leave: the supervisor's leg goes, the caller and the operator go on talking.
    await row.getByRole('button', { name: 'Rời cuộc gọi' }).click();
    await expect.poll(() => status.getAttribute('data-mode'), { timeout: 10_000 }).toBe('none');
    await expect
      .poll(() => phone.observer.channel((c) => c.id === leg.id).destroyedAt, { timeout: 10_000 })
      .not.toBeNull();
    await expect.poll(() => indicator.isHidden(), { timeout: 5_000 }).toBe(true);
    const bridges = (await phone.ariGet('/bridges')) as { id: string; channels: string[] }[];
    expect(bridges.filter((b) => b.id.includes('-coach-'))).toEqual([]);
    const talk = bridges.find((b) => b.id.startsWith(`${callId}-talk-`));
    expect(talk?.channels).toHaveLength(2);
    expect(talk?.channels).toContain(callId);
    expect(phone.observer.channel((c) => c.id === callId).destroyedAt).toBeNull();
    const after = await channelHears(access, callId, TONES);
    expect(after[1], 'caller still hears the operator').toBeGreaterThan(PRESENT);
    expect(after[2], 'caller no longer hears the supervisor').toBeLessThan(ABSENT);

    // Every use is in the audit log, with the call and the operator.
    const admin = await apiSession(env.hotline.url, 'quantri');
    const log = await admin.get<AuditPage>(
      `/api/admin/audit?entity=call&entityId=${encodeURIComponent(callId)}`,
    );
    const entries = log.data.filter((e) => e.action.startsWith('coaching.')).reverse();
    expect(entries.map((e) => e.action)).toEqual([
      'coaching.listen',
      'coaching.whisper',
      'coaching.barge',
      'coaching.leave',
    ]);
    expect(entries.every((e) => e.actor?.username === 'giamsat')).toBe(true);
    const operatorId = Number((entries[0]!.after as { operatorId: number }).operatorId);
    expect(
      entries.slice(0, 3).every((e) => (e.after as { operatorId: number }).operatorId === operatorId),
    ).toBe(true);

    // The operator ends the call; Asterisk is left clean.
    await operator.locator('#hangup').click();
    const result = await call;
    expect(result.exitCode, result.errors).toBe(0);
    await phone.waitUntilClean(15_000);
  });
});
