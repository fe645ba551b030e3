/**
 * The reconnect loop of the ARI and AMI adapters. Both libraries' own reconnects give up after a
 * few tries; this one keeps a connection up from `start()` until `stop()`: connect, wait until the
 * connection is lost, back off (doubling from `minBackoffMs` to `maxBackoffMs`, back to the
 * minimum after each success) and connect again.
 */
import type { Logger } from 'pino';

export interface SupervisorOptions {
  /** `ARI` or `AMI`, in log lines. */
  name: string;
  logger: Logger;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Opens one connection; `lost` settles, with a reason, when it is lost. `onStop` takes what
   * closes the connection at once, so that `stop()` does not wait for a connection being opened.
   */
  connect(onStop: (close: () => void) => void): Promise<{ lost: Promise<string> }>;
  connected(): void;
  disconnected(): void;
}

export class Supervisor {
  private loop: Promise<void> | null = null;
  /** Ends the current connection or backoff wait early. */
  private interrupt: (() => void) | null = null;
  stopped = false;
  up = false;

  constructor(private readonly opts: SupervisorOptions) {}

  /** Between `start()` and the end of `stop()`. */
  get running(): boolean {
    return this.loop !== null;
  }

  start(): void {
    if (this.loop) return;
    this.stopped = false;
    this.loop = this.supervise();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.interrupt?.();
    await this.loop;
    this.loop = null;
  }

  private async supervise(): Promise<void> {
    const { name, logger } = this.opts;
    const min = this.opts.minBackoffMs ?? 500;
    const max = this.opts.maxBackoffMs ?? 10_000;
    let delay = min;
    while (!this.stopped) {
      try {
        const { lost } = await this.opts.connect((close) => {
          this.interrupt = close;
        });
        delay = min;
        this.up = true;
        logger.info(`${name} connected`);
        this.opts.connected();
        const why = await lost;
        this.up = false;
        logger.warn({ why }, `${name} connection lost`);
        this.opts.disconnected();
      } catch (err) {
        if (!this.stopped) logger.warn({ err, retryInMs: delay }, `${name} connection failed`);
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.interrupt = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.interrupt = null;
      delay = Math.min(delay * 2, max);
    }
  }
}
