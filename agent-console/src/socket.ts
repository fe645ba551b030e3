/** The socket.io connection, typed by common/events.ts. Same origin; the session cookie authenticates it. */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../common/events.ts';

export type ConsoleSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const RETRY_MS = 1000;

export function connectSocket(): ConsoleSocket {
  const socket: ConsoleSocket = io({ path: '/socket.io', withCredentials: true });
  // A server that shuts down (e.g. restarts) closes its sockets itself and turns new ones away;
  // socket.io does not reconnect after either, so the console tries again until it is back.
  const retry = () => setTimeout(() => socket.connect(), RETRY_MS);
  socket.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') retry();
  });
  socket.on('connect_error', (err) => {
    if (err.message === 'SHUTTING_DOWN') retry();
    // The session ended (logged out elsewhere, expired, the account disabled or its password
    // reset): leaving the page stops the softphone (pagehide) and shows the login again.
    else if (err.message === 'UNAUTHENTICATED') location.replace('/');
    else if (err.message === 'PASSWORD_CHANGE_REQUIRED') location.replace('/password.html');
  });
  return socket;
}
