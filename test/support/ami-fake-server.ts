/**
 * A TCP server speaking just enough of the Asterisk Manager Interface to test the AMI adapter:
 * greeting, login, and actions answered by a handler the test supplies. Not a model of Asterisk
 * (the real one is covered end to end).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { type AmiFields, amiReader } from './ami-text.ts';

export type { AmiFields };

/** Answers one action: messages to send back (each a set of fields), or null to stay silent. */
export type AmiActionHandler = (action: AmiFields) => AmiFields[] | null;

export interface FakeAmiServer {
  port: number;
  /** Every action received, keys in lower case (login included). */
  readonly actions: AmiFields[];
  /** Sends an event to every connected client. */
  emit(event: AmiFields): void;
  /** Drops every client connection (the adapter should reconnect). */
  dropClients(): void;
  close(): Promise<void>;
}

const format = (fields: AmiFields) =>
  `${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;

export async function startFakeAmi(handler: AmiActionHandler): Promise<FakeAmiServer> {
  const actions: AmiFields[] = [];
  const clients = new Set<Socket>();
  const server: Server = createServer((socket) => {
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
    socket.on('error', () => {});
    socket.setEncoding('utf8');
    socket.write('Asterisk Call Manager/9.0.0\r\n');
    socket.on(
      'data',
      amiReader((action) => {
        actions.push(action);
        const id = action.actionid ?? '';
        const replies =
          action.action?.toLowerCase() === 'login'
            ? [{ Response: 'Success', Message: 'Authentication accepted' }]
            : handler(action);
        for (const reply of replies ?? []) socket.write(format({ ...reply, ActionID: id }));
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    actions,
    emit(event) {
      for (const socket of clients) socket.write(format(event));
    },
    dropClients() {
      for (const socket of clients) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of clients) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
