/** Opens the SQLite database and brings its schema up to date. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.ts';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** `migrations/` from the source tree (server/db) or from the build (dist/server/db). */
function defaultMigrationsFolder(): string {
  for (const relative of ['../../migrations', '../../../migrations']) {
    const folder = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(`${folder}/meta/_journal.json`)) return folder;
  }
  throw new Error('migrations/ folder not found next to the server');
}

/**
 * Opens (or creates) the database at `path` (`:memory:` for tests), applies pending migrations
 * and returns the typed drizzle handle. Close it with `db.$client.close()`.
 */
export function openDatabase(path: string, opts: { migrationsFolder?: string } = {}): Db {
  const sqlite = new Database(path);
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    // Pages stay in memory across requests (32 MiB) instead of being re-read from the file.
    sqlite.pragma('cache_size = -32768');
    sqlite.pragma('temp_store = MEMORY');
    const db = drizzle({ client: sqlite, schema });
    migrate(db, { migrationsFolder: opts.migrationsFolder ?? defaultMigrationsFolder() });
    return db;
  } catch (err) {
    sqlite.close();
    throw err;
  }
}
