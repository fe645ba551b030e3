/**
 * Ticket categories as the admin keeps them: a Vietnamese name, a default agency, an optional
 * resolution time of their own. Keys never change once created (tickets store them); a category
 * is deactivated, never deleted. Every change is audited in its transaction.
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { CategoryView, CreateCategoryRequest, UpdateCategoryRequest } from '../../common/api.ts';
import type { AgencyRow } from '../agencies/schema.ts';
import { findAgency, toAgencyView } from '../agencies/service.ts';
import { audit } from '../audit/service.ts';
import type { Db } from '../db/index.ts';
import { preparedOnce } from '../db/prepared.ts';
import { agencies, categories } from '../db/schema.ts';
import { UnknownAgencyError } from '../tickets/errors.ts';
import { CategoryExistsError, CategoryNotFoundError } from './errors.ts';
import type { CategoryRow } from './schema.ts';

function toCategoryView(category: CategoryRow, agency: AgencyRow | null): CategoryView {
  return {
    key: category.key,
    name: category.name,
    defaultAgency: agency ? toAgencyView(agency) : null,
    resolveWorkingDays: category.resolveWorkingDays,
    active: category.active,
    sortOrder: category.sortOrder,
  };
}

function selectCategories(db: Pick<Db, 'select'>) {
  return db
    .select({ category: categories, agency: agencies })
    .from(categories)
    .leftJoin(agencies, eq(agencies.id, categories.defaultAgencyId));
}

/** By sort order, then name; inactive ones only when asked for. */
export function listCategories(db: Db, opts: { includeInactive?: boolean } = {}): CategoryView[] {
  return selectCategories(db)
    .where(opts.includeInactive ? undefined : eq(categories.active, true))
    .orderBy(asc(categories.sortOrder), asc(categories.name))
    .all()
    .map((r) => toCategoryView(r.category, r.agency));
}

/** Read for every new ticket: prepared once. */
const categoryByKey = preparedOnce((db: Pick<Db, 'select'>) =>
  db
    .select()
    .from(categories)
    .where(eq(categories.key, sql.placeholder('key')))
    .prepare(),
);

export function findCategory(db: Pick<Db, 'select'>, key: string): CategoryRow | undefined {
  return categoryByKey(db).get({ key });
}

function viewOf(db: Pick<Db, 'select'>, key: string): CategoryView {
  const row = selectCategories(db).where(eq(categories.key, key)).get();
  if (!row) throw new CategoryNotFoundError();
  return toCategoryView(row.category, row.agency);
}

/** A default agency must exist and be active; null clears it. */
function checkAgency(db: Pick<Db, 'select'>, agencyId: number | null | undefined): void {
  if (agencyId === undefined || agencyId === null) return;
  const agency = findAgency(db, agencyId);
  if (!agency?.active) throw new UnknownAgencyError();
}

function snapshot(row: CategoryRow) {
  return {
    name: row.name,
    defaultAgencyId: row.defaultAgencyId,
    resolveWorkingDays: row.resolveWorkingDays,
    active: row.active,
    sortOrder: row.sortOrder,
  };
}

/** Throws `CategoryExistsError` (409) for a key already used, `UnknownAgencyError` for a bad agency. */
export function createCategory(db: Db, input: CreateCategoryRequest, actorId: number | null): CategoryView {
  return db.transaction((tx) => {
    if (findCategory(tx, input.key)) throw new CategoryExistsError();
    checkAgency(tx, input.defaultAgencyId);
    const row = tx
      .insert(categories)
      .values({
        key: input.key,
        name: input.name.trim(),
        defaultAgencyId: input.defaultAgencyId ?? null,
        resolveWorkingDays: input.resolveWorkingDays ?? null,
        sortOrder: input.sortOrder ?? 0,
      })
      .returning()
      .get();
    audit(tx, {
      actorId,
      action: 'category.create',
      entity: 'category',
      entityId: row.key,
      before: null,
      after: snapshot(row),
    });
    return viewOf(tx, row.key);
  });
}

/** Throws `CategoryNotFoundError` (404), `UnknownAgencyError` for a bad agency. */
export function updateCategory(
  db: Db,
  key: string,
  input: UpdateCategoryRequest,
  actorId: number | null,
): CategoryView {
  return db.transaction((tx) => {
    const before = findCategory(tx, key);
    if (!before) throw new CategoryNotFoundError();
    checkAgency(tx, input.defaultAgencyId);
    const after = tx
      .update(categories)
      .set({
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.defaultAgencyId !== undefined ? { defaultAgencyId: input.defaultAgencyId } : {}),
        ...(input.resolveWorkingDays !== undefined ? { resolveWorkingDays: input.resolveWorkingDays } : {}),
        ...(input.active !== undefined ? { active: input.active } : {}),
        ...(input.sortOrder !== undefined ? { sortOrder: input.sortOrder } : {}),
      })
      .where(eq(categories.key, key))
      .returning()
      .get()!;
    audit(tx, {
      actorId,
      action: 'category.update',
      entity: 'category',
      entityId: key,
      before: snapshot(before),
      after: snapshot(after),
    });
    return viewOf(tx, key);
  });
}
