/**
 * The soak runs inside a network namespace of its own (`namespace.ts`), as `scripts/e2e.sh` and
 * the calls benchmark do. Inside one already (e.g. under scripts/e2e.sh), it runs where it is.
 */
import { spawn } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { NAMESPACE_ADDRESS, withNamespace } from './namespace.ts';

/** Whether this process already runs in such a namespace. */
export function insideNamespace(): boolean {
  return Object.values(networkInterfaces()).some((list) =>
    (list ?? []).some((a) => a.address === NAMESPACE_ADDRESS),
  );
}

/** Runs `script args…` with Node (and tsx) in a fresh namespace; resolves with its exit code. */
export function runInNamespace(script: string, args: string[]): Promise<number> {
  if (process.getuid?.() !== 0) throw new Error('the soak creates a network namespace: run it as root');
  return withNamespace(
    'hotline-soak',
    (ns) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(
          'ip',
          ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script, ...args],
          {
            stdio: 'inherit',
          },
        );
        const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
        process.on('SIGINT', forward('SIGINT'));
        process.on('SIGTERM', forward('SIGTERM'));
        child.once('error', reject);
        child.once('exit', (code) => resolve(code ?? 1));
      }),
  );
}
