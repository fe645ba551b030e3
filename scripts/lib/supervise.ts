/**
 * A Node entry file (the server, the watchdog) run as a child process and started again whenever
 * it exits unasked, as a service manager would: after 0.5 s, doubling up to 10 s while it keeps
 * dying, back to 0.5 s once it ran 30 s. Optionally a spare waits with its code loaded, so that
 * the restart takes only the start itself. The child runs in a process group of its own (Ctrl+C
 * reaches the starter alone, which stops it with SIGTERM) and has an IPC channel: a server sends
 * `{ type: 'up', url }` once it listens, and stops itself when the channel closes (its starter
 * died without stopping it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESTART_MIN_MS = 500;
export const RESTART_MAX_MS = 10_000;
/** A child that ran this long was healthy: its next restart waits the minimum again. */
export const HEALTHY_AFTER_MS = 30_000;

/** How long to wait before starting again a child that ran `ranMs` after the last wait `previousMs`. */
export function restartDelay(previousMs: number | null, ranMs: number): number {
  if (previousMs === null || ranMs >= HEALTHY_AFTER_MS) return RESTART_MIN_MS;
  return Math.min(previousMs * 2, RESTART_MAX_MS);
}

/** An exit code or a signal, as people read it: `exit code 1`, `signal SIGKILL`. */
export const exitReason = (exitCode: number | null, signal: string | null) =>
  signal ? `signal ${signal}` : `exit code ${exitCode}`;

const CHECKOUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface SupervisedOptions {
  /** Path of the entry file from the checkout, e.g. `server/main.ts`. */
  entry: string;
  env: NodeJS.ProcessEnv;
  /** Resolve the start only once the child sent `{ type: 'up', url }`; a child that exits first fails the start. */
  waitUntilUp: boolean;
  /** The child exited unasked; it starts again in `delayMs`. */
  onExit?(exit: { exitCode: number | null; signal: string | null; delayMs: number }): void;
  /** A child started again (and is up, when waiting for that). */
  onRestarted?(started: { pid: number | undefined; url: string | null }): void;
  /** How long SIGTERM may take before SIGKILL. */
  stopGraceMs?: number;
  /** false: a child that stops unasked stays stopped (a test of what happens meanwhile). */
  restart?: boolean;
  /** Takes the child's standard output instead of printing it. */
  onStdout?(text: string): void;
  /**
   * Keep a spare child with its code loaded (started with `--standby`, it waits for
   * `{ type: 'start' }`), so a restart does not wait for the code to load: seconds on a busy
   * machine.
   */
  spare?: boolean;
}

export interface SupervisedChild {
  /** The running child's pid (a new one after each restart). */
  readonly pid: number | undefined;
  /** The address it last announced, if any. */
  readonly url: string | null;
  readonly restarts: number;
  /** Stops supervising, then the child (SIGTERM, SIGKILL after the grace time). */
  stop(): Promise<void>;
}

/** The child exited before it was up. */
export class ChildStartError extends Error {}

export function startSupervised(opts: SupervisedOptions): Promise<SupervisedChild> {
  let stopping = false;
  let current: Running | null = null;
  let spare: Running | null = null;
  let url: string | null = null;
  let restarts = 0;
  let lastDelay: number | null = null;
  let pending: NodeJS.Timeout | null = null;

  interface Running {
    child: ChildProcess;
    exited: Promise<void>;
  }
  const spawnChild = (standby: boolean): Running => {
    const args = ['--import', 'tsx', join(CHECKOUT, opts.entry), ...(standby ? ['--standby'] : [])];
    const child = spawn(process.execPath, args, {
      cwd: CHECKOUT,
      env: opts.env,
      stdio: ['ignore', opts.onStdout ? 'pipe' : 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    child.stdout?.on('data', (d: Buffer) => opts.onStdout?.(d.toString()));
    child.on('error', () => undefined);
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    return { child, exited };
  };
  const alive = (r: Running | null): r is Running =>
    r !== null && r.child.exitCode === null && r.child.signalCode === null;
  const stopOne = async (r: Running | null) => {
    if (!alive(r)) return;
    r.child.kill('SIGTERM');
    const killer = setTimeout(() => r.child.kill('SIGKILL'), opts.stopGraceMs ?? 15_000);
    await r.exited;
    clearTimeout(killer);
  };
  /** A spare with its code loaded, told to start when the running child stops. */
  const prepareSpare = () => {
    if (!opts.spare || stopping || alive(spare)) return;
    const ready = spawnChild(true);
    spare = ready;
    ready.child.once('exit', () => {
      if (spare === ready) spare = null;
    });
  };

  return new Promise((resolveStart, rejectStart) => {
    let up = false;
    const handle: SupervisedChild = {
      get pid() {
        return current?.child.pid;
      },
      get url() {
        return url;
      },
      get restarts() {
        return restarts;
      },
      async stop() {
        stopping = true;
        if (pending) clearTimeout(pending);
        await Promise.all([stopOne(spare), stopOne(current)]);
      },
    };

    const run = (running: Running, restart: boolean) => {
      const { child } = running;
      const startedAt = Date.now();
      current = running;
      const announced = () => {
        if (!up) {
          up = true;
          resolveStart(handle);
        } else if (restart) opts.onRestarted?.({ pid: child.pid, url });
        prepareSpare();
      };
      child.on('message', (message: { type?: unknown; url?: unknown }) => {
        if (message?.type !== 'up') return;
        if (typeof message.url === 'string') url = message.url;
        announced();
      });
      if (!opts.waitUntilUp) {
        if (child.pid !== undefined) setImmediate(announced);
        else child.once('spawn', announced);
      }
      child.once('exit', (exitCode, signal) => {
        if (stopping || current !== running) return;
        if (!up) {
          stopping = true;
          void stopOne(spare);
          rejectStart(
            new ChildStartError(`${opts.entry} stopped while starting (${exitReason(exitCode, signal)})`),
          );
          return;
        }
        if (opts.restart === false) return;
        const delayMs = restartDelay(lastDelay, Date.now() - startedAt);
        lastDelay = delayMs;
        opts.onExit?.({ exitCode, signal, delayMs });
        pending = setTimeout(() => {
          pending = null;
          if (stopping) return;
          restarts += 1;
          const next = alive(spare) ? spare : null;
          spare = null;
          if (next) {
            run(next, true);
            next.child.send({ type: 'start' });
          } else run(spawnChild(false), true);
        }, delayMs);
      });
    };
    run(spawnChild(false), false);
  });
}
