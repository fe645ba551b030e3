/**
 * A fresh network namespace for a benchmark, as `scripts/e2e.sh` makes one for the tests: WebRTC
 * media needs a non-loopback address, so it gets a veth pair (192.0.2.10, no route out) and
 * nothing sent inside can leave it. Removed afterwards, with whatever still runs in it.
 */
import { execFileSync } from 'node:child_process';

export const NAMESPACE_ADDRESS = '192.0.2.10';

/** Creates the namespace `<prefix>-<pid>`, runs `run` with its name, then removes it. */
export function withNamespace<T>(prefix: string, run: (ns: string) => Promise<T>): Promise<T> {
  const ns = `${prefix}-${process.pid}`;
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'inherit' });
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
  return run(ns).finally(cleanup);
}
