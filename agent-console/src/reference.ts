/**
 * Reference data the admin keeps (categories), loaded once per page and shared by its modules.
 * Tickets carry their category's name already; this is for pickers and ticket summaries.
 */
import type { CategoryView } from '../../common/api.ts';
import { api } from './api.ts';

let categoriesOnce: Promise<CategoryView[]> | null = null;
const names = new Map<string, string>();

/** The active categories in the admin's order; fetched on the first call, then shared. */
export function loadCategories(): Promise<CategoryView[]> {
  categoriesOnce ??= api.categories().then(
    (list) => {
      for (const category of list) names.set(category.key, category.name);
      return list;
    },
    (err: unknown) => {
      // A failed load is tried again by the next caller.
      categoriesOnce = null;
      throw err;
    },
  );
  return categoriesOnce;
}

/** The category's name once loaded; its key until then (or for a key no longer listed). */
export function categoryName(key: string): string {
  return names.get(key) ?? key;
}
