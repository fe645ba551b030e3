/**
 * The soak runs inside a network namespace of its own, as `scripts/e2e.sh` and the calls benchmark
 * do: WebRTC media needs a non-loopback address, so the namespace gets a veth pair (192.0.2.10, no
 * route out) and nothing the soak sends can leave it. Inside one already (e.g. under
 * scripts/e2e.sh), it runs where it is.
 */
import { execFileSync, spawn } from 'node:child_process';
import { networkInterfaces } from 'node:os';

export const NAMESPACE_ADDRESS = '192.0.2.10';

/** Whether this process already runs in such a namespace. */
export function insideNamespace(): boolean {
  return Object.values(networkInterfaces()).some((list) =>
    (list ?? []).some((a) => a.address === NAMESPACE_ADDRESS),
  );
}

/** Runs `script args…` with Node (and tsx) in a fresh namespace; resolves with its exit code. */
export function runInNamespace(script: string, args: string[]): Promise<number> {
  if (process.getuid?.() !== 0) throw new Error('the soak creates a network namespace: run it as root');
  const ns = `hotline-soak-${process.pid}`;
  const ip = (...a: string[]) => execFileSync('ip', a, { stdio: 'inherit' });
  const cleanup = () => {
    try {
      const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      ip('netns', 'del', ns);
    } catch {
      // No such namespace.
    }
  };
  ip('netns', 'add', ns);
  try {
    ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
    ip('netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1');
    ip('netns', 'exec', ns, 'ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    ip('netns', 'exec', ns, 'ip', 'link', 'set', 'v1', 'up');
    ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${NAMESPACE_ADDRESS}/24`, 'dev', 'v0');
    ip('netns', 'exec', ns, 'ip', 'link', 'set', 'v0', 'up');
  } catch (err) {
    cleanup();
    throw err;
  }
  return new Promise<number>((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script, ...args], {
      stdio: 'inherit',
    });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    process.on('SIGINT', forward('SIGINT'));
    process.on('SIGTERM', forward('SIGTERM'));
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  }).finally(cleanup);
}
