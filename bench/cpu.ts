/**
 * CPU time of the processes under test, read from /proc (Linux). CPU seconds per unit of work do
 * not depend on what else the machine runs, unlike wall-clock rates on a shared machine:
 * capacity ≈ 1 / (CPU seconds per unit) for the busiest single-threaded process.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU of a process (all its threads), or of one of its threads, in ms. */
function cpuMsOf(statPath: string): number {
  try {
    const stat = readFileSync(statPath, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Whole process: every thread (JS, GC, libuv pool, worker threads). */
export const processCpuMs = (pid: number): number => cpuMsOf(`/proc/${pid}/stat`);

/** The main thread only: the event loop, which caps a Node process's throughput. */
export const mainThreadCpuMs = (pid: number): number => cpuMsOf(`/proc/${pid}/task/${pid}/stat`);

/** Direct children of `pid`. */
export function childPids(pid: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(name));
    } catch {
      // The process ended while the list was read.
    }
  }
  return found;
}

/** The process's command line, arguments joined by spaces; empty once it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

export interface Meter {
  /** CPU ms used since the meter started, per named process. */
  read(): Record<string, number>;
}

/** Starts measuring the named readers (each returns a cumulative CPU ms figure). */
export function startMeter(readers: Record<string, () => number>): Meter {
  const start = Object.fromEntries(Object.entries(readers).map(([name, read]) => [name, read()]));
  return {
    read: () =>
      Object.fromEntries(Object.entries(readers).map(([name, read]) => [name, read() - start[name]!])),
  };
}

/** The bench process itself (load generator and agency receiver), in ms. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
