/** A logged-in user of a running hotline, over plain HTTP and socket.io, for end-to-end tests. */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, WallboardSnapshot } from '../../common/events.ts';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';

export interface ApiSession {
  /** GET on the API; throws on a non-2xx answer. */
  get<T>(path: string): Promise<T>;
  /** POST of a JSON body on the API (with the CSRF header), the answer's JSON. */
  post<T>(path: string, body: object): Promise<T>;
  /** GET on the API, the answer as it came (for files). */
  getRaw(path: string): Promise<Response>;
  /** A socket.io connection of this user, connected, as the console opens it (no softphone). */
  socket(): Promise<Socket<ServerToClientEvents, ClientToServerEvents>>;
  /** Every wallboard snapshot pushed to this user since `watchWallboard`, with when it arrived. */
  watchWallboard(): Promise<{ snapshots: { at: number; snapshot: WallboardSnapshot }[]; close(): void }>;
}

export async function apiSession(baseUrl: string, username: string): Promise<ApiSession> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  if (!res.ok) throw new Error(`login ${username} → ${res.status}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  /** A connected socket; `listen` attaches handlers before it connects, so no first push is missed. */
  const connect = async (listen?: (socket: Socket<ServerToClientEvents, ClientToServerEvents>) => void) => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(baseUrl, {
      transports: ['websocket'],
      extraHeaders: { cookie },
      reconnection: false,
    });
    listen?.(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return socket;
  };
  return {
    async get<T>(path: string): Promise<T> {
      const answer = await fetch(`${baseUrl}${path}`, { headers: { cookie } });
      if (!answer.ok) throw new Error(`GET ${path} → ${answer.status}`);
      return (await answer.json()) as T;
    },
    async post<T>(path: string, body: object): Promise<T> {
      const csrf = /(?:^|; )hotline_csrf=([^;]+)/.exec(cookie)?.[1] ?? '';
      const answer = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify(body),
      });
      if (!answer.ok) throw new Error(`POST ${path} → ${answer.status}: ${await answer.text()}`);
      return (await answer.json()) as T;
    },
    getRaw(path: string): Promise<Response> {
      return fetch(`${baseUrl}${path}`, { headers: { cookie } });
    },
    socket: () => connect(),
    async watchWallboard() {
      const snapshots: { at: number; snapshot: WallboardSnapshot }[] = [];
      const socket = await connect((s) =>
        s.on('wallboard:updated', (snapshot) => snapshots.push({ at: Date.now(), snapshot })),
      );
      return { snapshots, close: () => socket.close() };
    },
  };
}
