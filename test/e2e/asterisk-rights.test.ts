/**
 * What the hotline asks of a real Asterisk 22 with the shipped `dialplan/manager.conf`:
 * - every AMI action the code sends (found in `ivr/ami.ts` and `ivr/fallback*.ts`) is permitted, and
 *   the events it reads arrive (FullyBooted: system; queue member events: agent), while actions
 *   of the classes left out (originate, call, command, system, config) are refused;
 * - the ARI adapter's `deleteStoredRecording` deletes a stored recording, and a missing one counts
 *   as deleted.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AmiConnection, type AmiMessage, createAmiConnection } from '../../ivr/ami.ts';
import { createAriConnection } from '../../ivr/ari.ts';
import { FALLBACK_QUEUE_NAME } from '../../ivr/constants.ts';
import type { AriConnection } from '../../ivr/port.ts';
import { DEFAULT_ASTERISK_ROOT, type RunningAsterisk, startAsterisk } from '../../scripts/lib/asterisk.ts';
import { freePort } from '../../scripts/lib/ports.ts';

const ROOT = process.env.HOTLINE_ASTERISK_ROOT ?? DEFAULT_ASTERISK_ROOT;
const INSTANCE = `rights-${process.pid}`;
const logger = pino({ level: 'silent' });

/** Every AMI action the hotline sends, with a harmless example of each. */
const USED_ACTIONS: Record<string, Record<string, string>> = {
  Ping: { action: 'Ping' },
  QueueStatus: { action: 'QueueStatus', queue: FALLBACK_QUEUE_NAME },
  CoreShowChannels: { action: 'CoreShowChannels' },
  QueueAdd: {
    action: 'QueueAdd',
    queue: FALLBACK_QUEUE_NAME,
    interface: 'PJSIP/rights-test',
    membername: 'rights-test',
    stateinterface: 'PJSIP/rights-test',
  },
  QueuePause: {
    action: 'QueuePause',
    queue: FALLBACK_QUEUE_NAME,
    interface: 'PJSIP/rights-test',
    paused: 'true',
    reason: 'break',
  },
  QueueRemove: { action: 'QueueRemove', queue: FALLBACK_QUEUE_NAME, interface: 'PJSIP/rights-test' },
  DBGetTree: { action: 'DBGetTree', family: 'hotline-fallback-20000101' },
};
const LIST_ACTIONS = new Set(['QueueStatus', 'CoreShowChannels', 'DBGetTree']);

/** One action of each class the AMI user must not have. */
const REFUSED_ACTIONS: [string, Record<string, string>][] = [
  ['originate', { action: 'Originate', channel: 'Local/s@nowhere', application: 'Wait', data: '1' }],
  ['call', { action: 'Hangup', channel: 'PJSIP/nobody-00000000' }],
  ['command', { action: 'Command', command: 'core show version' }],
  ['system', { action: 'Reload' }],
  ['config', { action: 'GetConfig', filename: 'manager.conf' }],
];

let asterisk: RunningAsterisk;
let ami: AmiConnection;
let ari: AriConnection;
const events: AmiMessage[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'asterisk-rights-'));
  asterisk = await startAsterisk({
    root: ROOT,
    instance: INSTANCE,
    sipPort: await freePort(),
    httpPort: await freePort(),
    amiPort: await freePort(),
    rtpStart: 30600,
    rtpEnd: 30700,
    operators: [],
    logFile: join(dir, 'asterisk.log'),
  });
  ami = createAmiConnection({ ...asterisk.ami, logger, actionTimeoutMs: 5000 });
  await new Promise<void>((resolve) =>
    ami.start({ event: (e) => events.push(e), connected: () => resolve(), disconnected: () => {} }),
  );
  ari = createAriConnection({
    url: asterisk.ariUrl,
    username: asterisk.ari.username,
    password: asterisk.ari.password,
    app: 'rights-test',
    logger,
  });
  let up: () => void = () => {};
  const connected = new Promise<void>((resolve) => {
    up = resolve;
  });
  ari.start({ event: () => {}, connected: () => up(), disconnected: () => {} });
  await connected;
});

afterAll(async () => {
  await ami?.stop();
  await ari?.stop();
  await asterisk?.stop();
});

describe('the AMI user’s rights (dialplan/manager.conf)', () => {
  it('the test knows every action the hotline sends', () => {
    const sent = new Set<string>();
    const ivr = join(import.meta.dirname, '../../ivr');
    const files = ['ami.ts', ...readdirSync(ivr).filter((f) => /^fallback.*\.ts$/.test(f))];
    for (const file of files) {
      const source = readFileSync(join(ivr, file), 'utf8');
      for (const m of source.matchAll(/action: '([A-Za-z]+)'/g)) sent.add(m[1]!);
    }
    expect([...sent].sort()).toEqual(Object.keys(USED_ACTIONS).sort());
  });

  it('permits every action the hotline sends', async () => {
    for (const [name, fields] of Object.entries(USED_ACTIONS)) {
      const answer = LIST_ACTIONS.has(name) ? ami.list(fields) : ami.action(fields);
      await expect(answer, name).resolves.toBeDefined();
    }
  });

  it('delivers the events the fallback watch reads: FullyBooted (system) and queue events (agent)', async () => {
    await expect.poll(() => events.some((e) => e.event === 'FullyBooted')).toBe(true);
    await ami.action(USED_ACTIONS.QueueAdd!);
    await expect
      .poll(() => events.some((e) => e.event === 'QueueMemberAdded' && e.queue === FALLBACK_QUEUE_NAME))
      .toBe(true);
    await ami.action(USED_ACTIONS.QueueRemove!);
  });

  it.each(REFUSED_ACTIONS)('refuses an action of the %s class', async (_class, fields) => {
    await expect(ami.action(fields)).rejects.toThrow(/Permission denied/i);
  });
});

describe('deleting stored recordings through ARI', () => {
  it('deletes a stored recording; a missing one counts as deleted', async () => {
    const folder = join(ROOT, 'var/lib/hotline', INSTANCE, 'data/spool/recording');
    writeFileSync(join(folder, 'conversation-rights-1.wav'), wav(8000));
    expect(await ari.storedRecording('conversation-rights-1')).not.toBeNull();

    expect(await ari.deleteStoredRecording('conversation-rights-1')).toBe(true);
    expect(await ari.storedRecording('conversation-rights-1')).toBeNull();
    expect(await ari.deleteStoredRecording('conversation-rights-1')).toBe(true);
  });
});

/** A second of silence as 8 kHz 16-bit mono WAV. */
function wav(samples: number): Buffer {
  const data = Buffer.alloc(samples * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
