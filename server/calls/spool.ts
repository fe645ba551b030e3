/**
 * Call events that could not be written to SQLite, kept in a file beside the database until they
 * are: one JSON line per event, appended and flushed to disk before the recorder moves on. The
 * file is replayed at start and, while it has events, on a backoff. An event that still fails
 * after many replays while others succeed is set aside in `<file>.rejected` for an administrator,
 * so one bad event never holds the others back.
 */
import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import type { CallRecordEvent } from '../../ivr/api.ts';

export interface SpooledEvent {
  event: CallRecordEvent;
  /** Writes tried so far. */
  tries: number;
}

export interface EventSpool {
  readonly path: string;
  read(): SpooledEvent[];
  /** Adds entries at the end, on disk before it returns. */
  append(entries: SpooledEvent[]): void;
  /** Replaces the whole file (atomically); removes it when `entries` is empty. */
  rewrite(entries: SpooledEvent[]): void;
  setAside(entries: SpooledEvent[]): void;
}

const lines = (entries: SpooledEvent[]) => entries.map((e) => `${JSON.stringify(e)}\n`).join('');

function writeDurably(path: string, text: string, flags: 'a' | 'w'): void {
  const fd = openSync(path, flags);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function createEventSpool(path: string, onBadLine: (line: string) => void): EventSpool {
  return {
    path,
    read() {
      if (!existsSync(path)) return [];
      const entries: SpooledEvent[] = [];
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
          const parsed = JSON.parse(line) as SpooledEvent;
          entries.push({ tries: parsed.tries, event: { ...parsed.event, at: new Date(parsed.event.at) } });
        } catch {
          // A line cut short by a crash mid-write; the events before and after it still count.
          onBadLine(line);
        }
      }
      return entries;
    },
    append(entries) {
      if (entries.length > 0) writeDurably(path, lines(entries), 'a');
    },
    rewrite(entries) {
      if (entries.length === 0) {
        rmSync(path, { force: true });
        return;
      }
      writeDurably(`${path}.tmp`, lines(entries), 'w');
      renameSync(`${path}.tmp`, path);
    },
    setAside(entries) {
      if (entries.length > 0) appendFileSync(`${path}.rejected`, lines(entries));
    },
  };
}
