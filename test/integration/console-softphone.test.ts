/**
 * The console's softphone (JsSIP) against a SIP-over-WebSocket peer on loopback:
 * - one that behaves like a starting Asterisk (accepts the WebSocket but ignores the first
 *   REGISTER): the softphone starts again and registers, instead of waiting 32 s for JsSIP to
 *   give up on the unanswered request;
 * - a WebSocket that drops (a Wi-Fi drop, a proxy restart): the softphone reconnects and
 *   registers again by itself within seconds;
 * - a WebSocket that still looks open after a network drop: `probe()` finds no answer on it, and
 *   `restart()` registers on a new one;
 * - TURN credentials renewed while the page is open go into the next call's options.
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

const CREDENTIALS = {
  uri: 'sip:tdv01@hotline.test',
  iceServers: [],
  authorizationUser: 'tdv01',
  password: 'secret',
};

/**
 * A registrar answering every REGISTER, and OPTIONS while `answersOptions`; `sockets` are its
 * connections, oldest first.
 */
async function registrar() {
  const sockets: WebSocket[] = [];
  const registers: number[] = [];
  const state = { answersOptions: true };
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'sip' });
  server.on('connection', (socket) => {
    sockets.push(socket);
    const connection = sockets.length;
    socket.on('message', (data) => {
      const text = String(data);
      if (text.startsWith('OPTIONS') && state.answersOptions) socket.send(ok(text));
      if (!text.startsWith('REGISTER')) return;
      registers.push(connection);
      socket.send(ok(text));
    });
  });
  await new Promise<void>((resolve) => server!.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { wsUrl: `ws://127.0.0.1:${port}/ws`, sockets, registers, state };
}

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

/** A softphone registered to a fresh `registrar()`, with the registration states it went through. */
async function registeredPhone() {
  const peer = await registrar();
  const states: Registration[] = [];
  const phone = startSoftphone(
    { ...CREDENTIALS, wsUrl: peer.wsUrl },
    { onRegistration: (s) => states.push(s), onIncoming: () => {} },
  );
  try {
    await expect.poll(() => states.at(-1), { timeout: 5_000 }).toBe('registered');
  } catch (err) {
    phone.stop();
    throw err;
  }
  return { peer, states, phone };
}

it('registers again by itself after its WebSocket drops', async () => {
  const { peer, states, phone } = await registeredPhone();
  try {
    states.length = 0;
    const dropped = Date.now();
    peer.sockets[0]!.terminate();
    await expect.poll(() => states, { timeout: 10_000 }).toContain('unregistered');
    await expect.poll(() => states.at(-1), { timeout: 10_000 }).toBe('registered');
    // JsSIP's connection recovery is set to retry within 1–5 s, not its default of up to 30 s.
    expect(Date.now() - dropped).toBeLessThan(7_000);
    expect(peer.sockets).toHaveLength(2);
    expect(peer.registers).toEqual([1, 2]);
  } finally {
    phone.stop();
  }
});

it('restart() registers on a new WebSocket, and the next call gets the renewed TURN servers', async () => {
  const { peer, states, phone } = await registeredPhone();
  try {
    expect(phone.answerOptions().pcConfig.iceServers).toEqual([]);

    expect(phone.restart()).toBe(true);
    // The old user agent unregisters on its way out (the second REGISTER on connection 1).
    await expect.poll(() => peer.registers, { timeout: 5_000 }).toEqual([1, 1, 2]);
    await expect.poll(() => states.at(-1), { timeout: 5_000 }).toBe('registered');
    expect(peer.sockets).toHaveLength(2);

    const turn = {
      urls: ['turn:turn.hotline.test:3478?transport=udp'],
      username: '1700000000:7',
      credential: 'c2VjcmV0',
    };
    phone.setIceServers([turn]);
    expect(phone.answerOptions()).toEqual({
      mediaConstraints: { audio: true, video: false },
      pcConfig: { iceServers: [turn] },
    });
  } finally {
    phone.stop();
  }
});

it('probe() tells a registrar that answers from a connection that has gone silent', async () => {
  const { peer, phone } = await registeredPhone();
  try {
    expect(await phone.probe(1000)).toBe(true);
    peer.state.answersOptions = false;
    const started = Date.now();
    expect(await phone.probe(1000)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  } finally {
    phone.stop();
  }
});
