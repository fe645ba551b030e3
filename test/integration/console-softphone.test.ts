/**
 * The console's softphone (JsSIP) against a SIP-over-WebSocket peer that behaves like a starting
 * Asterisk: it accepts the WebSocket but ignores the first REGISTER (Asterisk ignores SIP until
 * it has fully booted). The softphone starts again and registers, instead of waiting 32 s for
 * JsSIP to give up on the unanswered request.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { type Registration, startSoftphone } from '../../agent-console/src/softphone.ts';

// JsSIP looks for the browser's WebSocket and `window`.
const browserish = globalThis as Record<string, unknown>;
browserish.window ??= globalThis;
browserish.WebSocket ??= WebSocket;

let server: WebSocketServer | undefined;
afterEach(() => server?.close());

/** A 200 OK for a REGISTER, echoing the headers a SIP response must carry. */
function ok(register: string): string {
  const header = (name: string) =>
    register.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`)) ?? '';
  const contact = header('Contact');
  return [
    'SIP/2.0 200 OK',
    header('Via'),
    header('From'),
    `${header('To')};tag=registrar`,
    header('Call-ID'),
    header('CSeq'),
    `${contact};expires=600`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

it('starts again when a connected registrar ignores its REGISTER, and registers', async () => {
  let connections = 0;
  const registers: number[] = [];
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'sip' });
  server.on('connection', (socket) => {
    const connection = ++connections;
    socket.on('message', (data) => {
      const text = String(data);
      if (!text.startsWith('REGISTER')) return;
      registers.push(connection);
      if (connection > 1) socket.send(ok(text));
    });
  });
  await new Promise<void>((resolve) => server!.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;

  const states: Registration[] = [];
  const started = Date.now();
  const phone = startSoftphone(
    {
      wsUrl: `ws://127.0.0.1:${port}/ws`,
      uri: 'sip:tdv01@hotline.test',
      iceServers: [],
      authorizationUser: 'tdv01',
      password: 'secret',
    },
    { onRegistration: (s) => states.push(s), onIncoming: () => {} },
    300,
  );
  try {
    await expect.poll(() => states.at(-1), { timeout: 5_000 }).toBe('registered');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(connections).toBe(2);
    expect(registers).toEqual([1, 2]);
  } finally {
    phone.stop();
  }
});
