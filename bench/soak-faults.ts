/**
 * The faults a soak injects into the running hotline, each by the process `npm start` recorded:
 * SIGKILL of the server (its supervisor must bring it back; the soak never restarts it), Redis
 * stopped for a while (SIGSTOP, then SIGCONT: `npm start` restarts a Redis that exits at once, so
 * an exit would not keep it away), Asterisk restarted (`core restart now`), and an operator's
 * browser dropped (its context closed; the operator logs back in later).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ProcessRef } from '../scripts/lib/processes.ts';
import type { SoakHotline } from './soak-hotline.ts';
import type { PlannedFault } from './soak-plan.ts';

const exec = promisify(execFile);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface InjectedFault extends PlannedFault {
  /** When it happened, ms from the start of the calls. */
  doneAtMs: number | null;
  /** What was done, or why it could not be. */
  note: string;
}

/**
 * The server process that `npm start` supervises: the recorded process named for the server (not
 * Redis, Asterisk, or `npm start` itself). Null while `npm start` runs the server in its own process.
 */
export function supervisedServer(recorded: ProcessRef[]): ProcessRef | null {
  return (
    recorded.find((p) => /server|hotline/i.test(p.name) && !/redis|asterisk|watchdog/i.test(p.name)) ?? null
  );
}

/** Waits (up to a minute) for the supervisor's new server to answer `/api/health`; says when. */
async function serverBack(
  hotline: SoakHotline,
  killed: ProcessRef,
  killedAtMs: number,
  now: () => number,
): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const next = supervisedServer(hotline.recorded());
    const healthy = await fetch(`${hotline.url}/api/health`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (next && next.pid !== killed.pid && healthy)
      return `server back (pid ${next.pid}) after ${((now() - killedAtMs) / 1000).toFixed(1)} s`;
    await pause(250);
  }
  return 'server NOT back within 60 s';
}

export interface FaultTargets {
  hotline: SoakHotline;
  dropBrowser(username: string): Promise<void>;
  logBackIn(username: string): Promise<void>;
}

/** Injects one fault; resolves once it is over (Redis back, Asterisk up, the operator back in). */
export async function inject(
  fault: PlannedFault,
  targets: FaultTargets,
  startedAt: number,
): Promise<InjectedFault> {
  const done: InjectedFault = { ...fault, doneAtMs: null, note: '' };
  const now = () => Date.now() - startedAt;
  const { hotline } = targets;
  switch (fault.kind) {
    case 'kill_server': {
      const server = supervisedServer(hotline.recorded());
      if (!server) {
        done.note = 'not injected: npm start records no supervised server process (npm-start.json)';
        break;
      }
      process.kill(server.pid, 'SIGKILL');
      done.doneAtMs = now();
      done.note = `SIGKILL ${server.name} (pid ${server.pid}); ${await serverBack(hotline, server, done.doneAtMs, now)}`;
      break;
    }
    case 'stop_redis': {
      const redis = hotline.recorded().find((p) => p.name === 'redis-server');
      if (!redis) {
        done.note = 'not injected: no redis-server in npm-start.json';
        break;
      }
      process.kill(redis.pid, 'SIGSTOP');
      done.doneAtMs = now();
      try {
        await pause(fault.forMs ?? 60_000);
      } finally {
        process.kill(redis.pid, 'SIGCONT');
      }
      done.note = `Redis (pid ${redis.pid}) stopped for ${Math.round((fault.forMs ?? 60_000) / 1000)} s`;
      break;
    }
    case 'restart_asterisk': {
      const asterisk = hotline.settings.asterisk;
      if (!asterisk) {
        done.note = 'not injected: not our Asterisk';
        break;
      }
      const cli = (command: string) =>
        exec(
          'chroot',
          [
            asterisk.root,
            '/usr/sbin/asterisk',
            '-C',
            `/var/lib/hotline/${asterisk.instance}/etc/asterisk.conf`,
            '-rx',
            command,
          ],
          { timeout: 10_000 },
        );
      await cli('core restart now');
      done.doneAtMs = now();
      // Up again once its console answers.
      const deadline = Date.now() + 60_000;
      await pause(2000);
      while (Date.now() < deadline) {
        if (
          await cli('core show uptime').then(
            () => true,
            () => false,
          )
        )
          break;
        await pause(500);
      }
      done.note = `Asterisk restarted (core restart now), up again after ${Math.round((now() - done.doneAtMs) / 1000)} s`;
      break;
    }
    case 'drop_browser': {
      const username = fault.operator ?? 'tdv03';
      await targets.dropBrowser(username);
      done.doneAtMs = now();
      await pause(fault.forMs ?? 60_000);
      await targets.logBackIn(username);
      done.note = `${username}'s browser closed; logged back in ${Math.round((now() - done.doneAtMs) / 1000)} s later`;
      break;
    }
  }
  return done;
}
