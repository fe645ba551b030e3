/**
 * The machine's processes, read from /proc: who is alive (a pid plus its start time, so a reused
 * pid is not mistaken for ours), a process's descendants, who listens on a port, and who runs
 * inside a chroot. `npm start` uses them to stop everything it started and to clear what a killed
 * run left behind.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { procStatFields } from './proc-stat.ts';

/** A process as `npm start` records it: its pid and start time (clock ticks after boot). */
export interface ProcessRef {
  name: string;
  pid: number;
  startTime: string;
}

function stat(pid: number): { comm: string; ppid: number; startTime: string } | null {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const field = procStatFields(line);
    const comm = line.slice(line.indexOf('(') + 1, line.lastIndexOf(')'));
    return { comm, ppid: Number(field(4)), startTime: field(22) ?? '' };
  } catch {
    return null;
  }
}

/** The process as it runs now, or null when there is none with that pid. */
export function processRef(pid: number, name?: string): ProcessRef | null {
  const s = stat(pid);
  return s ? { name: name ?? s.comm, pid, startTime: s.startTime } : null;
}

/** The parent of a process as it is now (Node's `process.ppid` is read once, at start). */
export function parentPid(pid: number): number | null {
  return stat(pid)?.ppid ?? null;
}

/** Whether the recorded process still runs (a zombie counts as gone). */
export function isAlive(ref: ProcessRef): boolean {
  const s = stat(ref.pid);
  if (!s || s.startTime !== ref.startTime) return false;
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${ref.pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/** Every process below `pid` (children, their children, …). */
export function descendants(pid: number): ProcessRef[] {
  const children = new Map<number, number[]>();
  const refs = new Map<number, ProcessRef>();
  for (const p of allPids()) {
    const s = stat(p);
    if (!s) continue;
    refs.set(p, { name: s.comm, pid: p, startTime: s.startTime });
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), p]);
  }
  const found: ProcessRef[] = [];
  const walk = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      const ref = refs.get(child);
      if (ref) found.push(ref);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

/** SIGTERM, then SIGKILL for those still running after `graceMs`; resolves once all are gone. */
export async function stopProcesses(refs: ProcessRef[], graceMs = 5000): Promise<void> {
  const signal = (ref: ProcessRef, sig: NodeJS.Signals) => {
    if (!isAlive(ref)) return;
    try {
      process.kill(ref.pid, sig);
    } catch {
      // gone in the meantime
    }
  };
  for (const ref of refs) signal(ref, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (refs.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const ref of refs) signal(ref, 'SIGKILL');
  while (refs.some(isAlive)) await new Promise((r) => setTimeout(r, 50));
}

/** Socket inodes listening (TCP) or bound (UDP) on `port`, from /proc/net/{tcp,tcp6,udp,udp6}. */
function socketInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [local, state, inode] = [cols[1], cols[3], cols[9]];
      if (!local?.endsWith(`:${hexPort}`) || !inode || inode === '0') continue;
      // TCP: only listening sockets (0A); UDP: bound sockets (07).
      if (table.startsWith('tcp') ? state === '0A' : state === '07') inodes.add(inode);
    }
  }
  return inodes;
}

/**
 * Whether something listens on `port` in this network namespace, and which process if it can be
 * told (`null` owner: the socket is there but its process is not visible to us).
 */
export function portUser(port: number): { inUse: boolean; owner: ProcessRef | null } {
  const inodes = socketInodes(port);
  if (inodes.size === 0) return { inUse: false, owner: null };
  for (const pid of allPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) return { inUse: true, owner: processRef(pid) };
      } catch {
        // closed meanwhile
      }
    }
  }
  return { inUse: true, owner: null };
}

/**
 * Processes whose root folder is `root` (chrooted into it) in this mount namespace: a mount in
 * another namespace (a test's network namespace, say) is that namespace's business.
 */
export function processesInRoot(root: string): ProcessRef[] {
  const ownNs = readlinkSync('/proc/self/ns/mnt');
  const found: ProcessRef[] = [];
  for (const pid of allPids()) {
    try {
      if (readlinkSync(`/proc/${pid}/ns/mnt`) !== ownNs) continue;
      if (readlinkSync(`/proc/${pid}/root`) !== root) continue;
      const ref = processRef(pid);
      if (ref) found.push(ref);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}
