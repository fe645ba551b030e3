/**
 * A citizen who calls after hours leaves a message: with the menu file's hours closed every day,
 * sipp dials 1022 on a real Asterisk, hears the welcome and the after-hours announcement, talks
 * for a few seconds after the beep and hangs up. The call record ends `after_hours_message` and
 * names the stored recording, and the WAV is fetched through the API (through the controller).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecordDetail, CallRecordView, ListResponse } from '../../common/api.ts';
import { PROMPT_DIR } from '../../ivr/constants.ts';
import { WEEKDAYS } from '../../ivr/menu.ts';
import { placeCitizenCall } from '../../scripts/lib/sipp.ts';
import { maskPhone } from '../../server/tickets/repository.ts';
import { apiSession } from '../support/api-session.ts';
import { type E2eHotline, startE2eHotline, type Telephony } from '../support/e2e.ts';

const CALLER = '0933444555';
const sound = (name: string) => `sound:${PROMPT_DIR}/${name}`;

let env: E2eHotline;
let phone: Telephony;

beforeAll(async () => {
  const menu = JSON.parse(readFileSync('ivr/menu.json', 'utf8'));
  menu.hours.weekdays = Object.fromEntries(WEEKDAYS.map((d) => [d, { closed: true }]));
  menu.hours.holidayHours = { closed: true };
  const menuPath = join(mkdtempSync(join(tmpdir(), 'hotline-after-hours-')), 'menu.json');
  writeFileSync(menuPath, JSON.stringify(menu));
  env = await startE2eHotline({ name: 'after-hours', telephony: true, env: { HOTLINE_IVR_MENU: menuPath } });
  phone = env.telephony!;
});

afterAll(async () => {
  await env?.close();
});

describe('a citizen who calls after hours', () => {
  it('hears the after-hours announcement and leaves a message that the call record links and the API serves', async () => {
    const result = await placeCitizenCall({
      target: `127.0.0.1:${phone.asterisk.sipPort}`,
      callerNumber: CALLER,
      keys: '',
      keyDelayMs: 0,
      hangup: 'caller',
      // ≈ 17 s of welcome and announcement, then about 8 s of the caller talking after the beep.
      holdMs: 25_000,
    });
    const citizen = phone.observer.channel((c) => c.caller?.number === CALLER);
    expect(result.exitCode, `${result.errors}\nplayed ${citizen.media.join(' ')}`).toBe(0);
    expect(citizen.media).toEqual([sound('config-welcome'), sound('config-after-hours')]);

    const supervisor = await apiSession(env.hotline.url, 'giamsat');
    let record: CallRecordView | undefined;
    await expect
      .poll(
        async () => {
          const calls = (await supervisor.get<ListResponse<CallRecordView>>('/api/calls')).data;
          record = calls.find((c) => c.callerNumber === maskPhone(CALLER));
          return record?.endReason;
        },
        { timeout: 10_000 },
      )
      .toBe('after_hours_message');
    expect(record).toMatchObject({
      menuPath: '',
      queue: null,
      recording: { kind: 'message', name: `message-${record?.id}` },
    });
    const detail = await supervisor.get<CallRecordDetail>(`/api/calls/${encodeURIComponent(record!.id)}`);
    expect(detail.events.map((e) => e.type)).toEqual(['arrived', 'recorded', 'ended']);

    const operator = await apiSession(env.hotline.url, 'tdv01');
    const wav = await operator.getRaw(`/api/calls/${encodeURIComponent(record!.id)}/recording`);
    expect(wav.status).toBe(200);
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    const body = Buffer.from(await wav.arrayBuffer());
    expect(body.subarray(0, 4).toString()).toBe('RIFF');
    // 8 kHz, 16-bit mono: a few seconds of the caller's voice is tens of kilobytes.
    expect(body.length).toBeGreaterThan(16_000);
    console.log(`[e2e] after-hours message: ${body.length} bytes`);

    await phone.waitUntilClean(10_000);
  });
});
