/** The socket.io connection, typed by common/events.ts. Same origin; the session cookie authenticates it. */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../common/events.ts';

export type ConsoleSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function connectSocket(): ConsoleSocket {
  const socket: ConsoleSocket = io({ path: '/socket.io', withCredentials: true });
  // A server that shuts down (e.g. restarts) closes its sockets itself, and socket.io does not
  // reconnect after that on its own; the console keeps trying until the server is back.
  socket.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') socket.connect();
  });
  return socket;
}
