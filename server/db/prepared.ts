/**
 * Statements built once per database handle rather than once per call: drizzle's query builder
 * and SQLite's prepare cost far more than running the statement. Pass the root `Db`, which lives
 * as long as the database, to hit the cache; inside `db.transaction(() => …)` the root handle
 * runs in the open transaction (better-sqlite3 has one connection). A transaction handle works
 * too, with a statement prepared once per transaction.
 */
import { type Placeholder, sql } from 'drizzle-orm';

/** `build(handle)` once per handle; later calls with the same handle get the same statement. */
export function preparedOnce<H extends object, T>(build: (handle: H) => T): (handle: H) => T {
  const cache = new WeakMap<H, T>();
  return (handle) => {
    let statement = cache.get(handle);
    if (statement === undefined) {
      statement = build(handle);
      cache.set(handle, statement);
    }
    return statement;
  };
}

/**
 * Like `preparedOnce`, for statements whose SQL depends on which columns are written (an insert
 * or update of the fields given): one statement per handle and shape of `values`. `columns`
 * maps each field given to a placeholder of its name, or to null for a null value (drizzle does
 * not encode a null bound to a placeholder); undefined fields are left out.
 */
export function preparedPerColumns<H extends object, T>(
  build: (handle: H, columns: Record<string, Placeholder | null>) => T,
): (handle: H, values: Record<string, unknown>) => T {
  const cache = new WeakMap<H, Map<string, T>>();
  return (handle, values) => {
    let byShape = cache.get(handle);
    if (byShape === undefined) {
      byShape = new Map();
      cache.set(handle, byShape);
    }
    const names = Object.keys(values)
      .filter((k) => values[k] !== undefined)
      .sort();
    const key = names.map((k) => (values[k] === null ? `${k}=null` : k)).join(',');
    let statement = byShape.get(key);
    if (statement === undefined) {
      const columns: Record<string, Placeholder | null> = {};
      for (const k of names) columns[k] = values[k] === null ? null : sql.placeholder(k);
      statement = build(handle, columns);
      byShape.set(key, statement);
    }
    return statement;
  };
}

/** `values` without its undefined fields, which drizzle leaves to the column default. */
export function definedValues<T extends Record<string, unknown>>(values: T): T {
  const out: Record<string, unknown> = {};
  for (const key in values) if (values[key] !== undefined) out[key] = values[key];
  return out as T;
}
