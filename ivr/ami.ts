/**
 * The only file that imports `asterisk-manager` (0.2.0). It makes the library safe to use:
 * - action ids are ours (`hotline-<n>`), never the library's timestamps, so two actions in the
 *   same millisecond cannot take each other's answers;
 * - every action has a timeout (the library's callbacks never time out), and is refused at once
 *   while the connection is down instead of being held for later;
 * - list actions (`QueueStatus`, …) collect their events until the `...Complete` event (the
 *   library hands over only the first reply);
 * - the connection is supervised here: the library's own reconnect is never switched on; this
 *   file reconnects forever with backoff (0.5 s doubling to 10 s) and pings to notice a silent peer.
 * Messages are handed on as plain objects with lower-case keys.
 */
import AsteriskManager from 'asterisk-manager';
import type { Logger } from 'pino';
import { Supervisor } from './supervisor.ts';

/** One AMI message (event or response), keys in lower case as AMI sends them (`event`, `uniqueid`, …). */
export type AmiMessage = Readonly<Record<string, string>>;

export interface AmiOptions {
  host: string;
  port: number;
  username: string;
  password: string;
  logger: Logger;
  actionTimeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Ping period; the connection is dropped when a ping goes unanswered. */
  pingIntervalMs?: number;
}

export interface AmiHandlers {
  event(event: AmiMessage): void;
  /** Logged in (also after each reconnect). */
  connected(): void;
  disconnected(): void;
}

export interface AmiConnection {
  /** Starts connecting in the background; returns at once. */
  start(handlers: AmiHandlers): void;
  stop(): Promise<void>;
  readonly up: boolean;
  /** Sends one action and resolves with its response; rejects with `AmiActionError` on `Response: Error`. */
  action(fields: Record<string, string>): Promise<AmiMessage>;
  /** Sends a list action and resolves with the events it produced, up to its `...Complete` event. */
  list(fields: Record<string, string>): Promise<AmiMessage[]>;
}

/** Not connected (or not logged in) to the Asterisk Manager Interface. */
export class AmiDisconnectedError extends Error {
  readonly code = 'AMI_DISCONNECTED';
  constructor(action: string) {
    super(`AMI ${action}: not connected`);
  }
}

export class AmiTimeoutError extends Error {
  readonly code = 'AMI_TIMEOUT';
  constructor(action: string, ms: number) {
    super(`AMI ${action} did not answer within ${ms} ms`);
  }
}

/** Asterisk answered `Response: Error`. */
export class AmiActionError extends Error {
  readonly code = 'AMI_ACTION_FAILED';
  constructor(action: string, message: string) {
    super(`AMI ${action} failed: ${message}`);
  }
}

/** The parts of the library's manager object this file uses. */
interface Manager {
  connect(port: number, host: string, callback: (err: unknown) => void): void;
  login(callback: (err: unknown) => void): void;
  action(action: Record<string, string>, callback: (err: unknown, res: AmiMessage) => void): string;
  disconnect(): void;
  on(event: string, listener: (...args: never[]) => void): void;
  removeAllListeners(event?: string): void;
  removeListener(event: string, listener: (...args: never[]) => void): void;
}

type ManagerFactory = (
  port: undefined,
  host: string,
  username: string,
  password: string,
  events: boolean,
) => Manager;
const createManager = AsteriskManager as unknown as ManagerFactory;

function withTimeout<T>(
  start: (settle: (err: unknown, value?: T) => void) => void,
  ms: number,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => settle(new AmiTimeoutError(what, ms)), ms);
    function settle(err: unknown, value?: T) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value as T);
    }
    start(settle);
  });
}

class SupervisedAmi implements AmiConnection {
  private manager: Manager | null = null;
  private handlers: AmiHandlers | null = null;
  private nextId = 0;
  /** Collectors of list actions in flight, by action id. */
  private readonly lists = new Map<string, (event: AmiMessage) => void>();
  private readonly timeoutMs: number;
  private readonly supervisor: Supervisor;

  constructor(private readonly opts: AmiOptions) {
    this.timeoutMs = opts.actionTimeoutMs ?? 5_000;
    this.supervisor = new Supervisor({
      name: 'AMI',
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

  start(handlers: AmiHandlers): void {
    if (this.supervisor.running) return;
    this.handlers = handlers;
    this.supervisor.start();
  }

  stop(): Promise<void> {
    return this.supervisor.stop();
  }

  /** Connects and logs in; `lost` settles (with a reason) when the connection is lost. */
  private async connectOnce(onStop: (close: () => void) => void): Promise<{ lost: Promise<string> }> {
    const { host, port, username, password, logger } = this.opts;
    const manager = createManager(undefined, host, username, password, true);
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
      if (this.manager === manager) this.manager = null;
      for (const collect of this.lists.values()) collect({ event: 'ConnectionLost' });
      manager.removeAllListeners();
      // The library logs and swallows nothing after this; keep a listener so an error is not thrown.
      manager.on('error', () => {});
      try {
        manager.disconnect();
      } catch {
        // Already closed.
      }
      markLost(why);
    };
    onStop(() => close('stopped'));
    manager.on('error', (err: Error) => close(`socket error: ${err.message}`));
    manager.on('close', () => close('socket closed'));
    manager.on('end', () => close('socket ended'));
    manager.on('managerevent', (event: AmiMessage) => {
      if (closed) return;
      const collect = event.actionid ? this.lists.get(event.actionid) : undefined;
      if (collect) {
        collect(event);
        return;
      }
      try {
        this.handlers?.event(event);
      } catch (err) {
        logger.error({ err, event: event.event }, 'AMI event handler threw');
      }
    });

    try {
      await withTimeout<void>(
        (settle) => {
          manager.connect(port, host, (err) => settle(err));
          void lost.then((why) => settle(new Error(`connection failed: ${why}`)));
        },
        this.timeoutMs,
        'connect',
      );
      await withTimeout<void>(
        (settle) => {
          manager.login((err) => settle(err ? new AmiActionError('login', describe(err)) : null));
          void lost.then((why) => settle(new Error(`connection lost while logging in: ${why}`)));
        },
        this.timeoutMs,
        'login',
      );
    } catch (err) {
      close('connect failed');
      throw err;
    }
    if (this.supervisor.stopped) {
      close('stopped');
      throw new Error('stopped');
    }
    this.manager = manager;
    const period = this.opts.pingIntervalMs ?? 5_000;
    pingTimer = setInterval(() => {
      this.action({ action: 'Ping' }).catch((err: unknown) => close(`ping failed: ${describe(err)}`));
    }, period);
    pingTimer.unref();
    // Wrapped: an async function returning a bare promise would wait for it.
    return { lost };
  }

  action(fields: Record<string, string>): Promise<AmiMessage> {
    const name = fields.action ?? 'action';
    const manager = this.manager;
    if (!manager) return Promise.reject(new AmiDisconnectedError(name));
    const actionid = `hotline-${++this.nextId}`;
    return withTimeout<AmiMessage>(
      (settle) => {
        manager.action({ ...fields, actionid }, (err, res) => {
          if (err) settle(new AmiActionError(name, describe(err)));
          else settle(null, res);
        });
      },
      this.timeoutMs,
      name,
    ).catch((err: unknown) => {
      if (err instanceof AmiTimeoutError) manager.removeAllListeners(actionid);
      throw err;
    });
  }

  async list(fields: Record<string, string>): Promise<AmiMessage[]> {
    const name = fields.action ?? 'action';
    const manager = this.manager;
    if (!manager) throw new AmiDisconnectedError(name);
    const actionid = `hotline-${++this.nextId}`;
    const events: AmiMessage[] = [];
    try {
      return await withTimeout<AmiMessage[]>(
        (settle) => {
          this.lists.set(actionid, (event) => {
            if (event.event === 'ConnectionLost') settle(new AmiDisconnectedError(name));
            else if (event.event?.endsWith('Complete')) settle(null, events);
            else events.push(event);
          });
          manager.action({ ...fields, actionid }, (err) => {
            if (err) settle(new AmiActionError(name, describe(err)));
          });
        },
        this.timeoutMs,
        name,
      );
    } finally {
      this.lists.delete(actionid);
      manager.removeAllListeners(actionid);
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === 'object' && 'message' in err) return String(err.message);
  return String(err);
}

/** An AMI connection that keeps itself up from `start()` until `stop()`. */
export function createAmiConnection(opts: AmiOptions): AmiConnection {
  return new SupervisedAmi(opts);
}
