/** A throwaway redis-server on a free loopback port, for tests that need a real Redis. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`redis-server not ready after ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) done();
    };
    const onExit = (code: number | null) => fail(new Error(`redis-server exited with ${code}:\n${output}`));
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', fail);
    };
    function done() {
      cleanup();
      resolve();
    }
    function fail(err: Error) {
      cleanup();
      reject(err);
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', fail);
  });
}

export interface TestRedis {
  url: string;
  port: number;
  /** Kills the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts redis-server on a free port, or on `port` (e.g. to bring a stopped one back). */
export async function startRedis(opts: { port?: number } = {}): Promise<TestRedis> {
  for (let attempt = 0; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const child = spawn(
      '/usr/bin/redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await waitForReady(child, 10_000);
    } catch (err) {
      child.kill('SIGKILL');
      // Another process may have taken the port between probing and binding.
      if (attempt < 2 && opts.port === undefined) continue;
      throw err;
    }
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    };
  }
}
