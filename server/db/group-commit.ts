/**
 * Group commit: the writes submitted during one turn of the event loop share one SQLite
 * transaction. A commit costs far more than the statements in it (it writes every page the
 * transaction touched to the WAL, and takes the write lock the job process also wants), so
 * concurrent requests that commit together cost a fraction of one commit each.
 *
 * Each write runs in a savepoint of its own: one that throws rolls back its own statements only
 * and gets its own error; the others commit. A write's promise settles only once the transaction
 * has committed (or failed as a whole), so nothing is reported that is not durable.
 */
import type Database from 'better-sqlite3';

export interface GroupCommitter {
  /**
   * Runs `write` (synchronous statements on the same connection) in the next group transaction;
   * resolves with its result after the commit. Writes run in the order they were submitted.
   */
  run<T>(write: () => T): Promise<T>;
}

interface Pending {
  write: () => unknown;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

/** Thrown for the whole group when a failing write took the transaction down with it. */
export class GroupAbortedError extends Error {
  constructor(cause: unknown) {
    super('the group transaction was rolled back', { cause });
    this.name = 'GroupAbortedError';
  }
}

/** At most this many writes per transaction; a larger group commits in several. */
const DEFAULT_MAX_GROUP = 256;

/**
 * Runs `commit` with `synchronous = FULL`: the WAL is flushed to disk before it returns, so what it
 * committed survives a power cut, not only a crash of the process (the connection's NORMAL). For the
 * commits whose result a citizen is told at once, such as a ticket's tracking code.
 */
export function durably<T>(client: Database.Database, commit: () => T): T {
  client.pragma('synchronous = FULL');
  try {
    return commit();
  } finally {
    client.pragma('synchronous = NORMAL');
  }
}

export function createGroupCommitter(
  client: Database.Database,
  opts: { maxGroup?: number; durable?: boolean } = {},
): GroupCommitter {
  const maxGroup = opts.maxGroup ?? DEFAULT_MAX_GROUP;
  let queue: Pending[] = [];
  let scheduled = false;

  // Inside the group's transaction better-sqlite3 runs this as SAVEPOINT … RELEASE, and as
  // ROLLBACK TO … RELEASE when the write throws.
  const inSavepoint = client.transaction((write: () => unknown) => write());
  const group = client.transaction((writes: Pending[]): Outcome[] =>
    writes.map((p) => {
      try {
        return { ok: true, value: inSavepoint(p.write) };
      } catch (err) {
        // Some errors (disk full, I/O) roll back the whole transaction, not just the savepoint:
        // the writes before this one are gone too, so the group fails as a whole.
        if (!client.inTransaction) throw new GroupAbortedError(err);
        return { ok: false, err };
      }
    }),
  );

  function commit(writes: Pending[]): void {
    let outcomes: Outcome[];
    try {
      // IMMEDIATE: the write lock is taken (or waited for) once, before any write runs.
      outcomes = opts.durable ? durably(client, () => group.immediate(writes)) : group.immediate(writes);
    } catch (err) {
      for (const p of writes) p.reject(err);
      return;
    }
    writes.forEach((p, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) p.resolve(outcome.value);
      else p.reject(outcome.err);
    });
  }

  function flush(): void {
    scheduled = false;
    const writes = queue;
    queue = [];
    for (let i = 0; i < writes.length; i += maxGroup) commit(writes.slice(i, i + maxGroup));
  }

  return {
    run<T>(write: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
        if (!scheduled) {
          scheduled = true;
          // After the poll phase: every request whose body arrived in this turn is queued by then.
          setImmediate(flush);
        }
      });
    },
  };
}
