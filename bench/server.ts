/**
 * The hotline server as the benchmarks run it: a process of its own, without telephony, with the
 * demo data, its jobs in a separate process, on a free loopback port. `BENCH_SERVER_ARGS` passes
 * Node options to it (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, waitFor } from '../scripts/lib/ports.ts';

export interface BenchServer {
  url: string;
  process: ChildProcess;
  /** SIGTERM, then waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts it and waits for `/api/health`; a server that does not come up is stopped, and this throws. */
export async function startBenchServer(opts: {
  dbPath: string;
  redisUrl: string;
  queuePrefix: string;
  /** Settings of the part: they win over the ones above. */
  env?: Record<string, string>;
  startTimeoutMs: number;
}): Promise<BenchServer> {
  const port = await freePort();
  const extraArgs = (process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);
  const server = spawn(process.execPath, [...extraArgs, '--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      HOTLINE_ARI_ENABLED: 'false',
      HOTLINE_HTTP_HOST: '127.0.0.1',
      HOTLINE_HTTP_PORT: String(port),
      HOTLINE_DB_PATH: opts.dbPath,
      HOTLINE_CONSOLE_DIR: '',
      HOTLINE_REDIS_URL: opts.redisUrl,
      HOTLINE_QUEUE_PREFIX: opts.queuePrefix,
      HOTLINE_SEED_DEMO: 'true',
      HOTLINE_SMS_DRIVER: 'outbox',
      HOTLINE_JOB_WORKERS: process.env.HOTLINE_JOB_WORKERS ?? 'separate',
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (server.exitCode === null) server.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor(
      'the hotline server',
      async () => (await fetch(`${url}/api/health`)).ok,
      opts.startTimeoutMs,
      () => (server.exitCode !== null ? `exited with ${server.exitCode}` : null),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, process: server, stop };
}

/** The nearest-rank percentile of ascending values; NaN without any. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
