/**
 * What `npm start` runs, written down in a file beside its database while it runs, so that when a
 * run was killed outright (SIGKILL, an out-of-memory kill) the next one finds the Redis and the
 * Asterisk it left behind and stops them instead of hanging on their ports.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAlive, type ProcessRef, processRef, stopProcesses } from './processes.ts';

interface StartRecordFile {
  /** The `npm start` process (scripts/start.ts) itself. */
  starter: ProcessRef;
  processes: ProcessRef[];
}

/** Another `npm start` runs with the same data folder. */
export class AlreadyRunningError extends Error {
  constructor(readonly starter: ProcessRef) {
    super(
      `npm start is already running here (pid ${starter.pid}). Stop it with Ctrl+C in its terminal ` +
        `(or: sudo kill ${starter.pid}), then start again.`,
    );
  }
}

function read(file: string): StartRecordFile | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StartRecordFile;
  } catch {
    return null;
  }
}

/**
 * Stops the processes an earlier run recorded and left running; returns them (none when that run
 * stopped cleanly). Throws `AlreadyRunningError` when that run is still going.
 */
export async function stopLeftovers(file: string): Promise<ProcessRef[]> {
  const earlier = read(file);
  if (!earlier) return [];
  if (earlier.starter.pid !== process.pid && isAlive(earlier.starter))
    throw new AlreadyRunningError(earlier.starter);
  const left = earlier.processes.filter(isAlive);
  await stopProcesses(left);
  rmSync(file, { force: true });
  return left;
}

/** The record of this run: add each process as it starts; `clear()` once all are stopped. */
export function startRecord(file: string) {
  const starter = processRef(process.pid, 'npm start');
  if (!starter) throw new Error('cannot read this process in /proc');
  const record: StartRecordFile = { starter, processes: [] };
  const write = () => {
    writeFileSync(`${file}.${process.pid}`, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(`${file}.${process.pid}`, file);
  };
  write();
  return {
    add(name: string, pid: number | undefined) {
      const ref = pid === undefined ? null : processRef(pid, name);
      if (!ref) return;
      record.processes = [...record.processes.filter((p) => p.name !== name), ref];
      write();
    },
    clear() {
      rmSync(file, { force: true });
    },
  };
}
