import { readFileSync } from 'node:fs';
import { procStatFields } from '../../scripts/lib/proc-stat.ts';

export const SCHED_OTHER = 0;
export const SCHED_RR = 2;

/** Scheduling policy and real-time priority of a process's main thread, from `/proc/<pid>/stat`. */
export function scheduling(pid: number): { policy: number; priority: number } {
  const field = procStatFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return { policy: Number(field(41)), priority: Number(field(40)) };
}
