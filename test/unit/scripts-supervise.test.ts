/**
 * npm start's supervision: a server child that dies unasked is started again after a backoff
 * (0.5 s doubling to 10 s, back to 0.5 s after a healthy run), with the reason told; one that
 * dies while starting fails the start; stopping ends it without a restart; a spare with its code
 * loaded takes over at once.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { descendants, isAlive, processRef } from '../../scripts/lib/processes.ts';
import {
  ChildStartError,
  exitReason,
  HEALTHY_AFTER_MS,
  RESTART_MAX_MS,
  RESTART_MIN_MS,
  restartDelay,
  startSupervised,
} from '../../scripts/lib/supervise.ts';

describe('restart backoff', () => {
  it.each([
    [null, 100, RESTART_MIN_MS],
    [500, 2_000, 1_000],
    [1_000, 2_000, 2_000],
    [8_000, 2_000, RESTART_MAX_MS],
    [RESTART_MAX_MS, 2_000, RESTART_MAX_MS],
    [RESTART_MAX_MS, HEALTHY_AFTER_MS, RESTART_MIN_MS],
  ])('after waiting %s ms and running %s ms: %s ms', (previous, ran, delay) => {
    expect(restartDelay(previous, ran)).toBe(delay);
  });

  it('names a signal or an exit code', () => {
    expect(exitReason(null, 'SIGKILL')).toBe('signal SIGKILL');
    expect(exitReason(1, null)).toBe('exit code 1');
  });
});

describe('a supervised child', () => {
  it('is started again after a SIGKILL, told with the signal, and stopped for good by stop()', async () => {
    const exits: string[] = [];
    const restarted: (number | undefined)[] = [];
    const child = await startSupervised({
      entry: 'test/support/supervised-child.ts',
      env: { ...process.env },
      waitUntilUp: true,
      onExit: ({ exitCode, signal, delayMs }) => exits.push(`${exitReason(exitCode, signal)} ${delayMs}`),
      onRestarted: ({ pid }) => restarted.push(pid),
    });
    const first = processRef(child.pid!)!;
    expect(child.url).toBe(`http://127.0.0.1:1/${first.pid}`);
    const killedAt = Date.now();
    process.kill(first.pid, 'SIGKILL');
    await expect.poll(() => restarted.length, { timeout: 10_000 }).toBe(1);
    console.log(`[unit] supervised child up again ${Date.now() - killedAt} ms after SIGKILL`);
    expect(exits).toEqual([`signal SIGKILL ${RESTART_MIN_MS}`]);
    expect(restarted[0]).not.toBe(first.pid);
    expect(child.pid).toBe(restarted[0]);
    expect(child.url).toBe(`http://127.0.0.1:1/${child.pid}`);
    expect(child.restarts).toBe(1);

    const second = processRef(child.pid!)!;
    await child.stop();
    expect(isAlive(second)).toBe(false);
    await new Promise((r) => setTimeout(r, RESTART_MIN_MS * 2));
    expect(restarted).toHaveLength(1);
  }, 30_000);

  it('restarts from a spare with its code loaded, and keeps a new spare', async () => {
    const restarted: (number | undefined)[] = [];
    const child = await startSupervised({
      entry: 'test/support/supervised-child.ts',
      env: { ...process.env },
      waitUntilUp: true,
      spare: true,
      onRestarted: ({ pid }) => restarted.push(pid),
    });
    // Spares are started with --standby; the one promoted keeps it in its command line.
    const spares = () =>
      descendants(process.pid).filter((p) => {
        if (p.pid === child.pid) return false;
        try {
          return readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes('--standby');
        } catch {
          return false;
        }
      });
    await expect.poll(() => spares().length, { timeout: 10_000 }).toBe(1);
    const spare = spares()[0]!;
    process.kill(child.pid!, 'SIGKILL');
    await expect.poll(() => restarted.length, { timeout: 10_000 }).toBe(1);
    expect(restarted[0]).toBe(spare.pid);
    await expect
      .poll(() => spares().map((p) => p.pid), { timeout: 10_000 })
      .toSatisfy((pids: number[]) => pids.length === 1 && pids[0] !== spare.pid);
    const left = spares();
    await child.stop();
    expect([spare, ...left].filter(isAlive)).toEqual([]);
  }, 30_000);

  it('fails the start when the child dies before it is up', async () => {
    await expect(
      startSupervised({
        entry: 'test/support/supervised-child.ts',
        env: { ...process.env, SUPERVISED_CHILD_EXIT_AT_ONCE: '1' },
        waitUntilUp: true,
      }),
    ).rejects.toThrow(ChildStartError);
  }, 20_000);
});
