/**
 * The only file that imports `ari-client` (2.2.0, unmaintained since 2019). It makes the library
 * safe to use, and keeps it off the call path:
 * - ari-client opens and subscribes the event socket; the socket is supervised here: ari-client's
 *   own reconnect gives up after a few tries, so it is switched off and this file reconnects
 *   forever with backoff (0.5 s doubling to 10 s), pinging the socket to notice a silent peer;
 * - events are read from that socket here, reduced to plain `AriEvent`s and handed to ONE
 *   handler. ari-client's own reading built a resource object with every method of its API for
 *   each event, which at a few hundred calls cost more than the rest of the controller;
 * - REST calls go straight to ARI over a keep-alive HTTP agent (`AriRest`) for the same reason
 *   (ari-client builds each request through swagger-client); every call has a timeout, and
 *   "not found" answers become `GoneError`;
 * - channels the application has seen are hung up, and given as originator, by name
 *   (`ChannelNames`): by id, Asterisk searches every channel.
 */
import type { EventEmitter } from 'node:events';
import http from 'node:http';
import * as ari from 'ari-client';
import type { Logger } from 'pino';
import {
  type AriBridge,
  type AriChannel,
  type AriConnection,
  AriDisconnectedError,
  type AriEvent,
  type AriHandlers,
  AriRequestError,
  AriTimeoutError,
  GoneError,
  type OriginateParams,
  type PjsipField,
  type PjsipObjectType,
  type RecordParams,
  type SnoopParams,
} from './port.ts';
import { Supervisor } from './supervisor.ts';

export interface AriOptions {
  /** e.g. `http://127.0.0.1:8088` */
  url: string;
  username: string;
  password: string;
  /** Stasis application to subscribe to. */
  app: string;
  logger: Logger;
  requestTimeoutMs?: number;
  /** Backoff between connection attempts. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Ping period; the socket is dropped after two periods without a pong. */
  pingIntervalMs?: number;
}

/** The parts of ari-client's private state the supervisor relies on (stable in 2.2.0, the last release). */
interface ClientInternals {
  _ws?: EventEmitter & { terminate?: () => void; close?: () => void };
  _wsClosed?: boolean;
}

function withTimeout<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new AriTimeoutError(operation, ms)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** ari-client rejects with `new Error(responseBody)`; the body is `{"message": "..."}`. */
export function mapAriError(operation: string, err: unknown, status: number | null = null): Error {
  if (err instanceof AriTimeoutError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  let message = raw;
  try {
    const body = JSON.parse(raw) as { message?: unknown; error?: unknown };
    if (typeof body.message === 'string') message = body.message;
    else if (typeof body.error === 'string') message = body.error;
  } catch {
    // Not JSON: a transport error; keep the text.
  }
  const lower = message.toLowerCase();
  if (lower.includes('not found') || lower.includes('not in stasis')) {
    const resource = lower.startsWith('channel')
      ? 'channel'
      : lower.startsWith('bridge')
        ? 'bridge'
        : lower.startsWith('playback')
          ? 'playback'
          : 'unknown';
    return new GoneError(resource, `ARI ${operation}: ${message}`);
  }
  return new AriRequestError(operation, message, status);
}

interface RawChannel {
  id: string;
  name?: string;
  state?: string;
  caller?: { number?: string };
  creationtime?: string;
  dialplan?: { app_name?: string; app_data?: string };
}

/**
 * The event types the controller reads (`toEvent`). Asterisk is asked to send only these: of the
 * rest (variable changes, bridge entries, dial progress, playback starts…), a queued call makes
 * about 40 that nobody reads, each one written by Asterisk and parsed here.
 */
const READ_EVENTS: Record<AriEvent['type'], true> = {
  StasisStart: true,
  StasisEnd: true,
  ChannelHangupRequest: true,
  ChannelDtmfReceived: true,
  ChannelDestroyed: true,
  RecordingFinished: true,
  RecordingFailed: true,
  PlaybackFinished: true,
};
const EVENT_FILTER = { allowed: Object.keys(READ_EVENTS).map((type) => ({ type })) };

function toEvent(type: string, raw: Record<string, unknown>): AriEvent | null {
  const channel = raw.channel as RawChannel | undefined;
  switch (type) {
    case 'StasisStart': {
      if (!channel) return null;
      const args = raw.args;
      return {
        type,
        channelId: channel.id,
        args: Array.isArray(args)
          ? args.map(String)
          : typeof args === 'string' && args
            ? args.split(',')
            : [],
        callerNumber: channel.caller?.number ?? '',
        channelName: channel.name ?? '',
      };
    }
    case 'StasisEnd':
      return channel ? { type, channelId: channel.id } : null;
    case 'ChannelHangupRequest':
      return channel
        ? {
            type,
            channelId: channel.id,
            soft: raw.soft === true,
            cause: typeof raw.cause === 'number' ? raw.cause : null,
          }
        : null;
    case 'ChannelDtmfReceived':
      return channel ? { type, channelId: channel.id, digit: String(raw.digit ?? '') } : null;
    case 'ChannelDestroyed':
      return channel ? { type, channelId: channel.id, cause: Number(raw.cause ?? 0) } : null;
    case 'RecordingFinished':
    case 'RecordingFailed': {
      const recording = raw.recording as { name?: string; duration?: number; cause?: string } | undefined;
      if (!recording?.name) return null;
      return type === 'RecordingFinished'
        ? {
            type,
            name: recording.name,
            durationSeconds: typeof recording.duration === 'number' ? recording.duration : null,
          }
        : { type, name: recording.name, cause: recording.cause ?? '' };
    }
    case 'PlaybackFinished': {
      const playback = raw.playback as { id?: string } | undefined;
      return playback?.id ? { type, playbackId: playback.id } : null;
    }
    default:
      return null;
  }
}

function toChannel(c: RawChannel): AriChannel {
  return {
    id: c.id,
    name: c.name ?? '',
    state: c.state ?? '',
    callerNumber: c.caller?.number ?? '',
    creationTime: c.creationtime ?? '',
    appName: c.dialplan?.app_name ?? '',
    appData: c.dialplan?.app_data ?? '',
  };
}

/** Ids go into paths as they are; Asterisk's are safe, a caller-chosen one may not be. */
const id = encodeURIComponent;

type Query = Record<string, string | number | boolean | undefined>;

/**
 * ARI's REST interface over one keep-alive agent. Idle sockets are dropped before Asterisk's own
 * `session_keep_alive` (15 s in dialplan/http.conf) closes them, so a request never lands on a
 * socket the server is closing. Up to 64 requests run at once: Asterisk answers some (adding a
 * channel to a bridge, hanging up) only once the channel's own thread has done them, hundreds of
 * milliseconds under load, and a new caller's answer must not queue behind them.
 */
class AriRest {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 10_000 });
  private readonly auth: string;
  private readonly host: string;
  private readonly port: number;

  constructor(
    url: string,
    username: string,
    password: string,
    private readonly timeoutMs: number,
  ) {
    const base = new URL(url);
    this.host = base.hostname;
    this.port = Number(base.port || 80);
    this.auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  /** The answer's JSON body (undefined for none); a failure as `mapAriError` maps it. */
  request(
    operation: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    query: Query = {},
    body?: unknown,
  ): Promise<unknown> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let search = '';
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      search += `${search ? '&' : '?'}${key}=${encodeURIComponent(String(value))}`;
    }
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (err: Error | null, value?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value);
      };
      const req = http.request(
        {
          agent: this.agent,
          host: this.host,
          port: this.port,
          method,
          path: `/ari${path}${search}`,
          headers: payload
            ? { authorization: this.auth, 'content-type': 'application/json' }
            : { authorization: this.auth },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (err) => done(mapAriError(operation, err)));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300)
              return done(mapAriError(operation, new Error(body || `HTTP ${status}`), status));
            try {
              done(null, body ? JSON.parse(body) : undefined);
            } catch {
              done(new AriRequestError(operation, `answer is not JSON: ${body.slice(0, 80)}`));
            }
          });
        },
      );
      const timer = setTimeout(() => {
        done(new AriTimeoutError(operation, this.timeoutMs));
        req.destroy();
      }, this.timeoutMs);
      req.on('error', (err) => done(mapAriError(operation, err)));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

class SupervisedAri implements AriConnection {
  private client: ari.Client | null = null;
  private readonly names = new ChannelNames();
  private handlers: AriHandlers | null = null;
  private readonly timeoutMs: number;
  private readonly http: AriRest;
  private readonly supervisor: Supervisor;

  constructor(private readonly opts: AriOptions) {
    this.timeoutMs = opts.requestTimeoutMs ?? 5_000;
    this.http = new AriRest(opts.url, opts.username, opts.password, this.timeoutMs);
    this.supervisor = new Supervisor({
      name: 'ARI',
      logger: opts.logger,
      minBackoffMs: opts.minBackoffMs,
      maxBackoffMs: opts.maxBackoffMs,
      connect: (onStop) => this.connectOnce(onStop),
      connected: () => this.handlers?.connected(),
      disconnected: () => this.handlers?.disconnected(),
    });
  }

  get up(): boolean {
    return this.supervisor.up;
  }

  start(handlers: AriHandlers): void {
    if (this.supervisor.running) return;
    this.handlers = handlers;
    this.supervisor.start();
  }

  async stop(): Promise<void> {
    await this.supervisor.stop();
    this.http.close();
  }

  /**
   * Asks ARI whether it is fully up before ari-client connects: while Asterisk starts, ARI answers
   * 503, and ari-client's API loader throws that from a socket callback (an uncaught exception,
   * not a rejection), which would take the whole server down.
   */
  private async probe(): Promise<void> {
    const { url, username, password } = this.opts;
    const res = await fetch(new URL('/ari/asterisk/info', url), {
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`ARI is not ready: HTTP ${res.status}`);
  }

  /** Connects and subscribes; `lost` settles (with a reason) when the connection is lost. */
  private async connectOnce(onStop: (close: () => void) => void): Promise<{ lost: Promise<string> }> {
    const { url, username, password, app, logger } = this.opts;
    await this.probe();
    this.names.clear();
    const client = await withTimeout(ari.connect(url, username, password), this.timeoutMs, 'connect');
    if (this.supervisor.stopped) throw new Error('stopped');
    const internals = client as unknown as ClientInternals;
    const emitter = client as unknown as EventEmitter;

    let markLost: (why: string) => void = () => {};
    const lost = new Promise<string>((resolve) => {
      markLost = resolve;
    });
    let closed = false;
    let pingTimer: NodeJS.Timeout | undefined;
    const close = (why: string) => {
      if (closed) return;
      closed = true;
      clearInterval(pingTimer);
      // Tells ari-client the close is intended, which switches its own reconnect off.
      internals._wsClosed = true;
      emitter.removeAllListeners();
      if (this.client === client) this.client = null;
      try {
        internals._ws?.terminate?.();
      } catch {
        // Already closed.
      }
      markLost(why);
    };

    emitter.on('WebSocketReconnecting', () => close('reconnecting'));
    emitter.on('WebSocketMaxRetries', () => close('max retries'));
    emitter.on('ApplicationReplaced', () => close('application replaced'));

    const started = client.start(app);
    const ws = internals._ws;
    if (!ws) {
      close('no socket');
      throw new Error('ari-client did not open an event socket');
    }
    // Ahead of ari-client's own listeners, so it sees `_wsClosed` and does not reconnect by itself.
    ws.prependListener('close', () => close('socket closed'));
    ws.prependListener('error', (err: Error) => close(`socket error: ${err.message}`));
    // Events are read here instead of by ari-client (see the top of this file).
    for (const listener of ws.listeners('message')) ws.removeListener('message', listener as () => void);
    ws.on('message', (data: unknown) => {
      if (closed) return;
      let raw: Record<string, unknown>;
      try {
        raw = JSON.parse(String(data)) as Record<string, unknown>;
      } catch {
        logger.warn('ARI sent an event that is not JSON');
        return;
      }
      this.names.saw(String(raw.type), raw.channel as RawChannel | undefined);
      const event = toEvent(String(raw.type), raw);
      if (!event) return;
      try {
        this.handlers?.event(event);
      } catch (err) {
        logger.error({ err, type: raw.type }, 'ARI event handler threw');
      }
    });
    onStop(() => close('stopped'));

    const failed = lost.then((why) => {
      throw new Error(`event socket failed before subscribing: ${why}`);
    });
    try {
      await withTimeout(Promise.race([started, failed]), this.timeoutMs, 'start');
    } catch (err) {
      close('start failed');
      throw err;
    }
    failed.catch(() => {});
    this.client = client;
    try {
      await this.http.request('eventFilter', 'PUT', `/applications/${id(app)}/eventFilter`, {}, EVENT_FILTER);
    } catch (err) {
      // Only costs CPU: the events that are not read are dropped here instead.
      logger.warn({ err }, 'ARI event filter refused; reading every event');
    }

    let lastPong = Date.now();
    const period = this.opts.pingIntervalMs ?? 5_000;
    emitter.on('pong', () => {
      lastPong = Date.now();
    });
    pingTimer = setInterval(() => {
      if (Date.now() - lastPong > 2 * period) close('no pong');
      else client.ping();
    }, period);
    pingTimer.unref();
    // Wrapped: an async function returning a bare promise would wait for it.
    return { lost };
  }

  /** A REST call while connected: ARI answers only between a subscribed socket's ups and downs. */
  private rest(
    operation: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    query?: Query,
    body?: unknown,
  ) {
    if (!this.client) return Promise.reject(new AriDisconnectedError(operation));
    return this.http.request(operation, method, path, query, body);
  }

  /*
   * Softphone accounts are configuration, not call control: they are pushed whenever Asterisk's
   * REST interface answers, also while the event socket is down or the controller stopped (calls
   * then go to the fallback queue, which rings these accounts).
   */
  async putPjsipObject(
    type: PjsipObjectType,
    objectId: string,
    fields: readonly PjsipField[],
  ): Promise<void> {
    await this.http.request('putPjsipObject', 'PUT', pjsipObjectPath(type, objectId), {}, { fields });
  }

  async deletePjsipObject(type: PjsipObjectType, objectId: string): Promise<boolean> {
    try {
      await this.http.request('deletePjsipObject', 'DELETE', pjsipObjectPath(type, objectId));
      return true;
    } catch (err) {
      if (err instanceof GoneError) return false;
      throw err;
    }
  }

  async setGlobalVariable(name: string, value: string): Promise<void> {
    await this.http.request('setGlobalVariable', 'POST', '/asterisk/variable', { variable: name, value });
  }

  async asteriskStartedAt(): Promise<string> {
    const info = (await this.http.request('asteriskInfo', 'GET', '/asterisk/info', {
      only: 'status',
    })) as { status?: { startup_time?: string } };
    return info.status?.startup_time ?? '';
  }

  async globalVariable(name: string): Promise<string> {
    try {
      const body = (await this.http.request('getGlobalVariable', 'GET', '/asterisk/variable', {
        variable: name,
      })) as { value?: string };
      return body.value ?? '';
    } catch (err) {
      // Asterisk answers 404 for a variable never set.
      if (err instanceof GoneError) return '';
      throw err;
    }
  }

  async listPjsipEndpoints(): Promise<string[]> {
    const list = (await this.http.request('listPjsipEndpoints', 'GET', '/endpoints/PJSIP')) as {
      resource: string;
    }[];
    return list.map((e) => e.resource);
  }

  async answer(channelId: string): Promise<void> {
    await this.rest('answer', 'POST', `/channels/${id(channelId)}/answer`);
  }

  async play(channelId: string, media: string[], playbackId: string): Promise<void> {
    await this.rest('play', 'POST', `/channels/${id(channelId)}/play/${id(playbackId)}`, {
      media: media.join(','),
    });
  }

  async stopPlayback(playbackId: string): Promise<void> {
    await this.rest('stopPlayback', 'DELETE', `/playbacks/${id(playbackId)}`);
  }

  async hangup(channelId: string): Promise<void> {
    const name = this.names.of(channelId);
    if (name) {
      try {
        await this.rest('hangup', 'DELETE', `/channels/${id(name)}`);
        return;
      } catch (err) {
        // Gone by that name: gone, or renamed by Asterisk meanwhile. The id settles which.
        if (!(err instanceof GoneError)) throw err;
      }
    }
    await this.rest('hangup', 'DELETE', `/channels/${id(channelId)}`);
  }

  async originate(p: OriginateParams): Promise<void> {
    const leg = await this.rest(
      'originate',
      'POST',
      `/channels/${id(p.channelId)}`,
      {
        endpoint: p.endpoint,
        app: p.app,
        appArgs: p.appArgs,
        callerId: p.callerId,
        timeout: p.timeout,
        originator: p.originator === undefined ? undefined : (this.names.of(p.originator) ?? p.originator),
      },
      p.variables ? { variables: p.variables } : undefined,
    );
    this.names.saw('originated', leg as RawChannel | undefined);
  }

  async snoop(channelId: string, p: SnoopParams): Promise<void> {
    const snoop = await this.rest('snoop', 'POST', `/channels/${id(channelId)}/snoop/${id(p.snoopId)}`, {
      spy: p.spy,
      whisper: p.whisper,
      app: p.app,
      appArgs: p.appArgs,
    });
    this.names.saw('snooped', snoop as RawChannel | undefined);
  }

  async createBridge(bridgeId: string, type: 'holding' | 'mixing', name: string): Promise<void> {
    await this.rest('createBridge', 'POST', `/bridges/${id(bridgeId)}`, { type, name });
  }

  async addChannel(bridgeId: string, channelIds: string[]): Promise<void> {
    await this.rest('addChannel', 'POST', `/bridges/${id(bridgeId)}/addChannel`, {
      channel: channelIds.join(','),
    });
  }

  async removeChannel(bridgeId: string, channelId: string): Promise<void> {
    await this.rest('removeChannel', 'POST', `/bridges/${id(bridgeId)}/removeChannel`, {
      channel: channelId,
    });
  }

  async startMoh(target: { bridgeId: string } | { channelId: string }, mohClass: string): Promise<void> {
    const path =
      'bridgeId' in target ? `/bridges/${id(target.bridgeId)}/moh` : `/channels/${id(target.channelId)}/moh`;
    await this.rest('startMoh', 'POST', path, { mohClass });
  }

  async destroyBridge(bridgeId: string): Promise<void> {
    await this.rest('destroyBridge', 'DELETE', `/bridges/${id(bridgeId)}`);
  }

  async listChannels(): Promise<AriChannel[]> {
    const list = (await this.rest('listChannels', 'GET', '/channels')) as RawChannel[];
    return list.map(toChannel);
  }

  async listBridges(): Promise<AriBridge[]> {
    const list = (await this.rest('listBridges', 'GET', '/bridges')) as {
      id: string;
      bridge_type: string;
      channels?: string[];
    }[];
    return list.map((b) => ({ id: b.id, type: b.bridge_type, channelIds: b.channels ?? [] }));
  }

  async recordChannel(channelId: string, p: RecordParams): Promise<void> {
    await this.rest('recordChannel', 'POST', `/channels/${id(channelId)}/record`, recordOptions(p));
  }

  async recordBridge(bridgeId: string, p: RecordParams): Promise<void> {
    await this.rest('recordBridge', 'POST', `/bridges/${id(bridgeId)}/record`, recordOptions(p));
  }

  /** Read as bytes: the WAV is not JSON. */
  async storedRecording(name: string): Promise<Buffer | null> {
    if (!this.client) throw new AriDisconnectedError('storedRecording');
    const { url, username, password } = this.opts;
    const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    const operation = 'storedRecording';
    const request = (async () => {
      const res = await fetch(`${url}/ari/recordings/stored/${id(name)}/file`, {
        headers: { authorization: auth },
      });
      if (res.status === 404) return null;
      if (!res.ok) throw new AriRequestError(operation, `HTTP ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    })();
    return withTimeout(request, this.timeoutMs * 6, operation);
  }

  async deleteStoredRecording(name: string): Promise<boolean> {
    try {
      await this.http.request('deleteStoredRecording', 'DELETE', `/recordings/stored/${id(name)}`);
    } catch (err) {
      // Already gone (an earlier run, or someone cleaned Asterisk's folder): what was asked holds.
      if (!(err instanceof GoneError) && !(err instanceof AriRequestError && err.status === 404)) throw err;
    }
    return true;
  }

  async getChannelVar(channelId: string, variable: string): Promise<string> {
    const result = (await this.rest('getChannelVar', 'GET', `/channels/${id(channelId)}/variable`, {
      variable,
    })) as { value?: string };
    return result.value ?? '';
  }
}

const pjsipObjectPath = (type: PjsipObjectType, objectId: string) =>
  `/asterisk/config/dynamic/res_pjsip/${type}/${id(objectId)}`;

function recordOptions(p: RecordParams) {
  return {
    name: p.name,
    format: 'wav',
    maxDurationSeconds: p.maxDurationSeconds,
    maxSilenceSeconds: p.maxSilenceSeconds,
    beep: p.beep,
    terminateOn: p.terminateOn === '#' ? '#' : 'none',
    ifExists: 'overwrite',
  };
}

/**
 * The names of the channels in the application (from their events and originate answers), so
 * hang-ups and originators address them by name. Asterisk finds a channel by name in its hash
 * table, but by id only by visiting every channel, locking each in turn, while it holds the
 * channel list: with 300 callers that took up to 100 ms and held up every channel being created
 * or ended meanwhile. A channel leaves the list when it leaves the application or ends, and the
 * list is emptied on every connect: a restarted Asterisk numbers its channel names afresh.
 */
class ChannelNames {
  private readonly byId = new Map<string, string>();

  saw(type: string, channel: RawChannel | undefined): void {
    if (!channel?.id) return;
    if (type === 'StasisEnd' || type === 'ChannelDestroyed') this.byId.delete(channel.id);
    else if (channel.name) this.byId.set(channel.id, channel.name);
  }

  of(channelId: string): string | undefined {
    return this.byId.get(channelId);
  }

  clear(): void {
    this.byId.clear();
  }
}

/** An ARI connection that keeps itself up from `start()` until `stop()`. */
export function createAriConnection(opts: AriOptions): AriConnection {
  return new SupervisedAri(opts);
}
