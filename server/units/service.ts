/** Finds commune-level units by a typed name (current or former, diacritics optional) or by code. */
import { and, eq, like, or, type SQL } from 'drizzle-orm';
import type { UnitView } from '../../common/api.ts';
import { UNIT_KINDS } from '../../common/domain.ts';
import { foldVietnamese } from '../../common/text.ts';
import type { Db } from '../db/index.ts';
import { type UnitRow, units } from './schema.ts';

export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_SEARCH_LIMIT = 50;

export function toUnitView(row: UnitRow, matchedFormerName?: string): UnitView {
  return {
    code: row.code,
    name: row.name,
    kind: row.kind,
    formerNames: row.formerNames,
    active: row.active,
    ...(matchedFormerName === undefined ? {} : { matchedFormerName }),
  };
}

/** Folded words, punctuation as spaces: "P. Tân Vạn (Biên Hòa)" → ["p", "tan", "van", "bien", "hoa"]. */
function words(text: string): string[] {
  return foldVietnamese(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

const KIND_WORDS = new Set([...Object.values(UNIT_KINDS), 'Thị trấn'].map((w) => foldVietnamese(w)));

/** A name without its leading kind word and any parenthesis: "Phường Tân Vạn (TP Biên Hòa)" → "tan van". */
function core(name: string): string {
  const folded = words(name.replace(/\(.*$/, '')).join(' ');
  for (const kind of KIND_WORDS) {
    if (folded.startsWith(`${kind} `)) return folded.slice(kind.length + 1);
  }
  return folded;
}

/** Every query word begins some word of `text`. */
function matchesAll(queryWords: readonly string[], text: string): boolean {
  const textWords = words(text);
  return queryWords.every((q) => textWords.some((w) => w.startsWith(q)));
}

/** Vietnamese alphabetical order (SQLite's would put "Đ" after "Z"). */
const byName = (a: UnitRow, b: UnitRow) => a.name.localeCompare(b.name, 'vi');

interface Ranked {
  row: UnitRow;
  rank: number;
  matchedFormerName?: string;
}

/** Lower is better: the current name before a former one, an exact or prefix match before a scattered one. */
function rank(row: UnitRow, query: string, queryWords: readonly string[]): Ranked | null {
  if (words(row.code).join(' ').startsWith(query)) return { row, rank: 0 };
  // Typed with or without the kind word: "bien hoa" and "phuong bien hoa" both name Phường Biên Hòa.
  const names = (name: string) => [core(name), words(name.replace(/\(.*$/, '')).join(' ')];
  const exact = (name: string) => names(name).includes(query);
  const prefix = (name: string) => names(name).some((n) => n.startsWith(query));
  if (exact(row.name)) return { row, rank: 0 };
  if (prefix(row.name)) return { row, rank: 1 };
  if (matchesAll(queryWords, row.name)) return { row, rank: 2 };
  let best: Ranked | null = null;
  for (const former of row.formerNames) {
    const r = exact(former) ? 3 : prefix(former) ? 4 : matchesAll(queryWords, former) ? 5 : null;
    if (r !== null && (best === null || r < best.rank)) best = { row, rank: r, matchedFormerName: former };
  }
  if (best) return best;
  // Words spread over the name and former names, e.g. a commune and its former district.
  return matchesAll(queryWords, [row.name, ...row.formerNames].join(' ')) ? { row, rank: 6 } : null;
}

export interface SearchOptions {
  /** Admin lists include deactivated units; the hotline's pickers do not. */
  includeInactive?: boolean;
}

/**
 * Units whose name or former names contain every typed word (as a word prefix, diacritics and
 * case ignored), best first. An empty query lists units by name.
 */
export function searchUnits(
  db: Db,
  query: string,
  limit = DEFAULT_SEARCH_LIMIT,
  opts: SearchOptions = {},
): UnitView[] {
  const max = Math.max(1, Math.min(limit, MAX_SEARCH_LIMIT));
  const queryWords = words(query);
  const where: SQL[] = [];
  if (!opts.includeInactive) where.push(eq(units.active, true));
  // Narrows in SQL on substrings (words hold only letters and digits, nothing LIKE treats specially);
  // `rank` then keeps word-prefix matches only and orders them.
  for (const w of queryWords) {
    where.push(or(like(units.searchText, `%${w}%`), like(units.code, `%${w}%`)) as SQL);
  }
  const rows = db
    .select()
    .from(units)
    .where(where.length > 0 ? and(...where) : undefined)
    .all()
    .sort(byName);
  if (queryWords.length === 0) return rows.slice(0, max).map((r) => toUnitView(r));
  const joined = queryWords.join(' ');
  return rows
    .map((row) => rank(row, joined, queryWords))
    .filter((r): r is Ranked => r !== null)
    .sort((a, b) => a.rank - b.rank || byName(a.row, b.row))
    .slice(0, max)
    .map((r) => toUnitView(r.row, r.matchedFormerName));
}

/** A unit by its code, active or not (tickets keep pointing at deactivated ones). */
export function findUnit(db: Db, code: string): UnitView | null {
  const row = db.select().from(units).where(eq(units.code, code)).get();
  return row ? toUnitView(row) : null;
}

/** Every unit, deactivated ones included, by name. */
export function listUnits(db: Db): UnitView[] {
  return db
    .select()
    .from(units)
    .all()
    .sort(byName)
    .map((r) => toUnitView(r));
}
