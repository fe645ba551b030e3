import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { ASTERISK_REALTIME_PRIORITY, raiseCallControlPriority } from '../../server/priority.ts';
import { SCHED_OTHER, SCHED_RR, scheduling } from '../support/scheduling.ts';

const silent = { info: () => {}, warn: () => {} };

let shell: ChildProcess | null = null;
afterEach(() => {
  shell?.kill();
  shell = null;
});

/** A shell that, once told, starts a child and prints the child's pid. */
function forkingShell(): number {
  shell = spawn('sh', ['-c', 'read line; sleep 30 & echo $!; wait'], { stdio: ['pipe', 'pipe', 'ignore'] });
  if (shell.pid === undefined) throw new Error('sh did not start');
  return shell.pid;
}

async function forkNow(): Promise<number> {
  if (!shell?.stdin || !shell.stdout) throw new Error('no shell');
  shell.stdin.write('go\n');
  const [chunk] = (await once(shell.stdout, 'data')) as [Buffer];
  return Number(String(chunk).trim());
}

describe('call control CPU priority', () => {
  it('puts the process in round-robin at Asterisk priority; what it starts afterwards stays ordinary', async () => {
    const pid = forkingShell();
    expect(scheduling(pid)).toEqual({ policy: SCHED_OTHER, priority: 0 });
    const priority = loadConfig({ HOTLINE_ARI_ENABLED: 'false' }).ari.realtimePriority;

    expect(raiseCallControlPriority(priority, silent, { pid })).toBe(true);

    expect(scheduling(pid)).toEqual({ policy: SCHED_RR, priority: ASTERISK_REALTIME_PRIORITY });
    expect(scheduling(await forkNow())).toEqual({ policy: SCHED_OTHER, priority: 0 });
  });

  it('warns and leaves the process as it was when the priority is refused', () => {
    const pid = forkingShell();
    const warnings: unknown[] = [];
    const log = { info: () => {}, warn: (...args: unknown[]) => warnings.push(args) };

    // Beyond the kernel's round-robin range (1–99).
    expect(raiseCallControlPriority(100, log, { pid })).toBe(false);

    expect(warnings).toHaveLength(1);
    expect(scheduling(pid)).toEqual({ policy: SCHED_OTHER, priority: 0 });
  });

  it('does nothing at priority 0', () => {
    const pid = forkingShell();
    expect(raiseCallControlPriority(0, silent, { pid })).toBe(false);
    expect(scheduling(pid)).toEqual({ policy: SCHED_OTHER, priority: 0 });
  });
});
