/**
 * Starts a private Redis on a free loopback port, for the hotline and its tests. With `dataDir`
 * its data persists there in an append-only file (written at once, flushed to disk every
 * second), so a Redis killed and started again still has the queued jobs; without, nothing is
 * kept. Either way it refuses writes when full rather than evicting keys (BullMQ's jobs are not a
 * cache). With `supervise`, a Redis that stops on its own (a crash, a kill) is started again on
 * the same port, as a service manager would; the hotline's connections find it again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort, waitFor } from './ports.ts';

export interface RunningRedis {
  url: string;
  port: number;
  /** The running redis-server process, e.g. to read its CPU time (a new one after a restart). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startRedis(
  opts: {
    port?: number;
    /** Where the append-only file lives (created if needed); none: no persistence. */
    dataDir?: string;
    /** A process group of its own, as `AsteriskOptions.ownProcessGroup`. */
    ownProcessGroup?: boolean;
    /** Called when Redis stopped on its own and was started again; without it, it stays down. */
    supervise?: (restart: {
      exitCode: number | null;
      signal: string | null;
      pid: number | undefined;
    }) => void;
  } = {},
): Promise<RunningRedis> {
  const port = opts.port ?? (await freePort());
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const persistence = opts.dataDir
    ? ['--dir', opts.dataDir, '--appendonly', 'yes', '--appendfsync', 'everysec']
    : ['--appendonly', 'no'];
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    ...persistence,
    '--maxmemory-policy',
    'noeviction',
    '--loglevel',
    'warning',
  ];
  let stopping = false;
  // A Redis that cannot start (its port taken meanwhile) is tried again less and less often.
  let retryMs = 500;
  const launch = () => {
    const startedAt = Date.now();
    const proc: ChildProcess = spawn('redis-server', args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      detached: opts.ownProcessGroup ?? false,
    });
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.once('exit', (exitCode, signal) => {
      if (stopping || !opts.supervise || current.proc !== proc) return;
      retryMs = Date.now() - startedAt > 10_000 ? 500 : Math.min(retryMs * 2, 10_000);
      setTimeout(() => {
        if (stopping) return;
        current = launch();
        opts.supervise?.({ exitCode, signal, pid: current.proc.pid });
      }, retryMs);
    });
    return { proc, exited };
  };
  let current = launch();
  try {
    await waitFor(
      `Redis on port ${port}`,
      () => ping(port),
      10_000,
      () =>
        current.proc.exitCode === null
          ? null
          : `redis-server exited with ${current.proc.exitCode} (is port ${port} in use?)`,
    );
  } catch (err) {
    stopping = true;
    current.proc.kill('SIGKILL');
    await current.exited;
    throw err;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return current.proc.pid;
    },
    async stop() {
      stopping = true;
      if (current.proc.exitCode === null && current.proc.signalCode === null) current.proc.kill('SIGTERM');
      await current.exited;
    },
  };
}
