/**
 * The ARI adapter against a real Asterisk addresses the channels it has seen by name: Asterisk
 * finds a channel by name in a hash table, but by id only by locking every channel in turn.
 * - a channel in the application is hung up by its name, and is gone;
 * - an operator leg's originator (the caller) is given by name, and Asterisk accepts it;
 * - a channel the application never saw is hung up by its id.
 * The requests are read on the way to Asterisk by a logging TCP proxy.
 */

import { mkdtempSync } from 'node:fs';
import { createServer, type Server, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAriConnection } from '../../ivr/ari.ts';
import type { AriConnection, AriEvent } from '../../ivr/port.ts';
import { DEFAULT_ASTERISK_ROOT, type RunningAsterisk, startAsterisk } from '../../scripts/lib/asterisk.ts';
import { freePort } from '../../scripts/lib/ports.ts';

const APP = 'names-test';
/** A channel that answers and waits: `Local/s@wait` puts its other half in the application. */
const EXTENSIONS = '[wait]\nexten => s,1,Answer()\n same => n,Wait(120)\n';

let asterisk: RunningAsterisk;
let proxy: Server;
let adapter: AriConnection;
const requests: string[] = [];
const events: AriEvent[] = [];

/** Forwards TCP to Asterisk's HTTP port, noting each request line the client sends. */
function loggingProxy(targetPort: number): Promise<{ server: Server; port: number }> {
  const server = createServer((client) => {
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    client.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString('latin1').matchAll(/^(GET|POST|PUT|DELETE) (\S+) HTTP/gm))
        requests.push(`${m[1]} ${m[2]}`);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    }),
  );
}

async function ari(method: string, path: string): Promise<Response> {
  const auth = Buffer.from(`${asterisk.ari.username}:${asterisk.ari.password}`).toString('base64');
  return fetch(`${asterisk.ariUrl}/ari${path}`, { method, headers: { authorization: `Basic ${auth}` } });
}

async function channelIds(): Promise<string[]> {
  return ((await (await ari('GET', '/channels')).json()) as { id: string }[]).map((c) => c.id);
}

/** Starts `Local/s@wait` with its first half in the application; resolves with that half's StasisStart. */
async function callerInApp(appArgs: string): Promise<Extract<AriEvent, { type: 'StasisStart' }>> {
  const seen = events.length;
  const res = await ari('POST', `/channels?endpoint=Local%2Fs%40wait&app=${APP}&appArgs=${appArgs}`);
  expect(res.status).toBe(200);
  const { id } = (await res.json()) as { id: string };
  const started = () =>
    events
      .slice(seen)
      .find(
        (e): e is Extract<AriEvent, { type: 'StasisStart' }> =>
          e.type === 'StasisStart' && e.channelId === id,
      );
  await expect.poll(started).toBeDefined();
  return started()!;
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ari-names-'));
  asterisk = await startAsterisk({
    root: process.env.HOTLINE_ASTERISK_ROOT ?? DEFAULT_ASTERISK_ROOT,
    instance: `names-${process.pid}`,
    sipPort: await freePort(),
    httpPort: await freePort(),
    amiPort: await freePort(),
    rtpStart: 30400,
    rtpEnd: 30500,
    operators: [],
    logFile: join(dir, 'asterisk.log'),
    files: { 'extensions.conf': EXTENSIONS },
  });
  const logging = await loggingProxy(Number(new URL(asterisk.ariUrl).port));
  proxy = logging.server;
  adapter = createAriConnection({
    url: `http://127.0.0.1:${logging.port}`,
    username: asterisk.ari.username,
    password: asterisk.ari.password,
    app: APP,
    logger: pino({ level: 'silent' }),
  });
  let up: () => void = () => {};
  const connected = new Promise<void>((resolve) => {
    up = resolve;
  });
  adapter.start({ event: (e) => events.push(e), connected: () => up(), disconnected: () => {} });
  await connected;
});

afterAll(async () => {
  await adapter?.stop();
  proxy?.close();
  await asterisk?.stop();
});

describe('ARI adapter: channels by name', () => {
  it('hangs up a channel of the application by its name', async () => {
    const caller = await callerInApp('citizen');
    expect(caller.channelName).toMatch(/^Local\/s@wait-[0-9a-f]+;1$/);

    await adapter.hangup(caller.channelId);

    expect(requests).toContain(`DELETE /ari/channels/${encodeURIComponent(caller.channelName)}`);
    expect(requests).not.toContain(`DELETE /ari/channels/${encodeURIComponent(caller.channelId)}`);
    await expect.poll(channelIds).not.toContain(caller.channelId);
  });

  it("gives an operator leg's originator by name", async () => {
    const caller = await callerInApp('citizen');

    await adapter.originate({
      endpoint: 'Local/s@wait',
      channelId: 'names-test-leg-1',
      app: APP,
      appArgs: 'agent',
      callerId: '0912345678',
      timeout: 10,
      originator: caller.channelId,
    });

    const originate = requests.find((r) => r.startsWith('POST /ari/channels/names-test-leg-1?'));
    expect(new URL(`http://x${originate!.slice('POST '.length)}`).searchParams.get('originator')).toBe(
      caller.channelName,
    );
    expect(await channelIds()).toContain('names-test-leg-1');
    await adapter.hangup('names-test-leg-1');
    await adapter.hangup(caller.channelId);
    await expect.poll(channelIds).not.toContain('names-test-leg-1');
  });

  it('hangs up a channel it never saw by its id', async () => {
    const res = await ari('POST', '/channels?endpoint=Local%2Fs%40wait&extension=s&context=wait');
    const { id } = (await res.json()) as { id: string };

    await adapter.hangup(id);

    expect(requests).toContain(`DELETE /ari/channels/${encodeURIComponent(id)}`);
    await expect.poll(channelIds).not.toContain(id);
  });
});
