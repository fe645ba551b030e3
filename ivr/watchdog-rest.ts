/**
 * The few ARI REST calls of the watchdog, which runs in a process of its own without the
 * controller's event socket (`ari.ts` needs one), so that it outlives the server. Same conventions
 * as `ari.ts`: every call has a timeout (`AriTimeoutError`), "not found" answers become
 * `GoneError`, any other failure `AriRequestError` with Asterisk's message.
 */
import { AriRequestError, AriTimeoutError, GoneError } from './port.ts';
import type { WatchedBridge, WatchedChannel } from './watchdog.ts';

export interface AriRestTarget {
  /** e.g. `http://127.0.0.1:8088` */
  url: string;
  username: string;
  password: string;
}

export interface WatchdogRest {
  /** An Asterisk global variable; `''` when unset. */
  globalVariable(name: string): Promise<string>;
  setGlobalVariable(name: string, value: string): Promise<void>;
  channels(): Promise<WatchedChannel[]>;
  bridges(): Promise<WatchedBridge[]>;
  /** Leaves Stasis for the dialplan at `context`/`exten`, at `label`. */
  continueInDialplan(channelId: string, to: { context: string; exten: string; label: string }): Promise<void>;
  hangup(channelId: string): Promise<void>;
}

interface RawChannel {
  id: string;
  state?: string;
  dialplan?: { context?: string; exten?: string; app_name?: string; app_data?: string };
}

const REQUEST_TIMEOUT_MS = 3000;
/**
 * A command on a channel in Stasis (leaving for the dialplan) waits until the channel runs it, after the prompt it
 * plays (a menu's can last 20 s).
 */
const CHANNEL_COMMAND_TIMEOUT_MS = 30_000;

export function createWatchdogRest(target: AriRestTarget, timeoutMs = REQUEST_TIMEOUT_MS): WatchdogRest {
  const base = `${target.url.replace(/\/$/, '')}/ari`;
  const auth = `Basic ${Buffer.from(`${target.username}:${target.password}`).toString('base64')}`;
  const id = encodeURIComponent;

  async function request(
    operation: string,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    query: Record<string, string> = {},
    ms = timeoutMs,
  ): Promise<unknown> {
    const search = new URLSearchParams(query).toString();
    let res: Response;
    try {
      res = await fetch(`${base}${path}${search ? `?${search}` : ''}`, {
        method,
        headers: { authorization: auth },
        signal: AbortSignal.timeout(ms),
      });
    } catch (err) {
      if (err instanceof Error && err.name === 'TimeoutError') throw new AriTimeoutError(operation, ms);
      throw new AriRequestError(operation, err instanceof Error ? err.message : String(err));
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text || `HTTP ${res.status}`;
      try {
        const body = JSON.parse(text) as { message?: unknown };
        if (typeof body.message === 'string') message = body.message;
      } catch {
        // Not JSON: keep the text.
      }
      if (res.status === 404) throw new GoneError('unknown', `ARI ${operation}: ${message}`);
      throw new AriRequestError(operation, message, res.status);
    }
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  return {
    async globalVariable(name) {
      try {
        const body = (await request('get variable', 'GET', '/asterisk/variable', { variable: name })) as {
          value?: string;
        };
        return body.value ?? '';
      } catch (err) {
        // Asterisk answers 404 for a variable never set.
        if (err instanceof GoneError) return '';
        throw err;
      }
    },
    async setGlobalVariable(name, value) {
      await request('set variable', 'POST', '/asterisk/variable', { variable: name, value });
    },
    async channels() {
      const raw = (await request('list channels', 'GET', '/channels')) as RawChannel[];
      return raw.map((c) => ({
        id: c.id,
        state: c.state ?? '',
        app: c.dialplan?.app_name ?? '',
        appData: c.dialplan?.app_data ?? '',
        context: c.dialplan?.context ?? '',
        exten: c.dialplan?.exten ?? '',
      }));
    },
    async bridges() {
      const raw = (await request('list bridges', 'GET', '/bridges')) as { id: string; channels?: string[] }[];
      return raw.map((b) => ({ id: b.id, channels: b.channels ?? [] }));
    },
    async continueInDialplan(channelId, to) {
      await request(
        'continue in dialplan',
        'POST',
        `/channels/${id(channelId)}/continue`,
        { context: to.context, extension: to.exten, label: to.label },
        Math.max(timeoutMs, CHANNEL_COMMAND_TIMEOUT_MS),
      );
    },
    async hangup(channelId) {
      await request('hang up', 'DELETE', `/channels/${id(channelId)}`, { reason: 'normal' });
    },
  };
}
