/**
 * The AMI adapter over a real TCP connection to a fake manager interface: its own action ids,
 * a timeout on every action, list actions collected up to their `...Complete` event, events
 * handed on, and a supervised reconnect after the connection drops.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type AmiConnection, type AmiMessage, AmiTimeoutError, createAmiConnection } from '../../ivr/ami.ts';
import { type AmiFields, type FakeAmiServer, startFakeAmi } from '../support/ami-fake-server.ts';

let server: FakeAmiServer | undefined;
let ami: AmiConnection | undefined;

afterEach(async () => {
  await ami?.stop();
  await server?.close();
  ami = undefined;
  server = undefined;
});

function connect(port: number) {
  const events: AmiMessage[] = [];
  let connections = 0;
  let losses = 0;
  ami = createAmiConnection({
    host: '127.0.0.1',
    port,
    username: 'hotline',
    password: 'secret',
    logger: pino({ level: 'silent' }),
    actionTimeoutMs: 300,
    minBackoffMs: 20,
    maxBackoffMs: 50,
    pingIntervalMs: 60_000,
  });
  ami.start({
    event: (e) => events.push(e),
    connected: () => {
      connections++;
    },
    disconnected: () => {
      losses++;
    },
  });
  return { ami, events, connections: () => connections, losses: () => losses };
}

describe('AMI adapter', () => {
  it('logs in, answers each action by its own id, and hands events on', async () => {
    const pending: { id: string; text: string }[] = [];
    server = await startFakeAmi((action) => {
      // Hold the first Ping and answer both when the second arrives, in reverse order.
      if (action.action !== 'Ping') return [{ Response: 'Error', Message: 'No such command' }];
      pending.push({ id: action.actionid ?? '', text: action.note ?? '' });
      return null;
    });
    const c = connect(server.port);
    await expect.poll(() => c.ami.up).toBe(true);
    expect(server.actions[0]).toMatchObject({ action: 'login', username: 'hotline', secret: 'secret' });

    const first = c.ami.action({ action: 'Ping', note: 'first' });
    const second = c.ami.action({ action: 'Ping', note: 'second' });
    await expect.poll(() => pending.length).toBe(2);
    const ids = pending.map((p) => p.id);
    expect(ids[0]).toMatch(/^hotline-\d+$/);
    expect(new Set(ids).size).toBe(2);
    server.emit({ Response: 'Success', Ping: 'Pong', ActionID: ids[1]!, Note: 'for second' });
    server.emit({ Response: 'Success', Ping: 'Pong', ActionID: ids[0]!, Note: 'for first' });
    expect((await first).note).toBe('for first');
    expect((await second).note).toBe('for second');

    await expect(c.ami.action({ action: 'Nope' })).rejects.toThrow('No such command');

    server.emit({ Event: 'QueueCallerJoin', Queue: 'hotline-fallback', Uniqueid: '1.1' });
    await expect.poll(() => c.events.map((e) => e.event)).toEqual(['QueueCallerJoin']);
    expect(c.events[0]).toMatchObject({ queue: 'hotline-fallback', uniqueid: '1.1' });
  });

  it('collects a list action up to its Complete event, and times out a silent one', async () => {
    server = await startFakeAmi((action): AmiFields[] | null => {
      if (action.action === 'QueueStatus') {
        return [
          { Response: 'Success', EventList: 'start', Message: 'Queue status will follow' },
          { Event: 'QueueParams', Queue: 'hotline-fallback' },
          { Event: 'QueueEntry', Queue: 'hotline-fallback', Uniqueid: '2.1', Wait: '12' },
          { Event: 'QueueEntry', Queue: 'hotline-fallback', Uniqueid: '3.1', Wait: '4' },
          { Event: 'QueueStatusComplete', EventList: 'Complete' },
        ];
      }
      return null;
    });
    const c = connect(server.port);
    await expect.poll(() => c.ami.up).toBe(true);
    const listed = await c.ami.list({ action: 'QueueStatus', queue: 'hotline-fallback' });
    expect(listed.map((e) => `${e.event} ${e.uniqueid ?? ''}`.trim())).toEqual([
      'QueueParams',
      'QueueEntry 2.1',
      'QueueEntry 3.1',
    ]);
    // The list's events are not also handed on as unsolicited events.
    expect(c.events).toEqual([]);

    const started = Date.now();
    await expect(c.ami.action({ action: 'Silent' })).rejects.toBeInstanceOf(AmiTimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reconnects by itself after the connection drops, and refuses actions meanwhile', async () => {
    server = await startFakeAmi(() => [{ Response: 'Success' }]);
    const c = connect(server.port);
    await expect.poll(() => c.connections()).toBe(1);
    server.dropClients();
    await expect.poll(() => c.losses()).toBe(1);
    await expect.poll(() => c.connections()).toBe(2);
    expect(c.ami.up).toBe(true);
    await expect(c.ami.action({ action: 'Ping' })).resolves.toMatchObject({ response: 'Success' });

    await c.ami.stop();
    expect(c.ami.up).toBe(false);
    await expect(c.ami.action({ action: 'Ping' })).rejects.toThrow('not connected');
  });
});
