/** The socket.io connection, typed by common/events.ts. Same origin; the session cookie authenticates it. */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../common/events.ts';

export type ConsoleSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function connectSocket(): ConsoleSocket {
  return io({ path: '/socket.io', withCredentials: true });
}
