import { readFileSync } from 'node:fs';

export const SCHED_OTHER = 0;
export const SCHED_RR = 2;

/** Scheduling policy and real-time priority of a process's main thread, from `/proc/<pid>/stat`. */
export function scheduling(pid: number): { policy: number; priority: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields are counted from 1; the name (field 2) may hold spaces, so count after its ')'.
  const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(after[n - 3]);
  return { policy: field(41), priority: field(40) };
}
