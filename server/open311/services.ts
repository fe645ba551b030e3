/**
 * `GET services` and `GET services/{service_code}`: the hotline's active categories as Open311
 * services. A category has no extra fields (attributes), so every service is `metadata: false` and
 * its definition lists no attributes.
 */
import { and, asc, eq } from 'drizzle-orm';
import { foldVietnamese } from '../../common/text.ts';
import { agencies } from '../agencies/schema.ts';
import { categories } from '../categories/schema.ts';
import type { Db } from '../db/index.ts';
import { notFound } from './errors.ts';

/** One service as `GET services` lists it (field order as in the spec's example). */
export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime';
  keywords: string;
  group: string | null;
}

/** The name without diacritics (what an app's user may type) and the key, comma separated. */
export function serviceKeywords(key: string, name: string): string {
  const words = foldVietnamese(name)
    .split(/[,;]/)
    .map((w) => w.trim())
    .filter(Boolean);
  return [...new Set([...words, key])].join(', ');
}

/**
 * Active categories in the admin's order. `group` is the agency a category goes to by default (the
 * department an app may group its choices by); `type` is `realtime`, since a post is answered at
 * once with its tracking code.
 */
export function listServices(db: Db): Open311Service[] {
  return db
    .select({ key: categories.key, name: categories.name, agency: agencies.name })
    .from(categories)
    .leftJoin(agencies, eq(agencies.id, categories.defaultAgencyId))
    .where(eq(categories.active, true))
    .orderBy(asc(categories.sortOrder), asc(categories.key))
    .all()
    .map((c) => ({
      service_code: c.key,
      service_name: c.name,
      description: c.name,
      metadata: false,
      type: 'realtime' as const,
      keywords: serviceKeywords(c.key, c.name),
      group: c.agency,
    }));
}

/** The active category `code`, or a 404 as the spec lists it. */
export function activeService(db: Pick<Db, 'select'>, code: string): { key: string; name: string } {
  const row = db
    .select({ key: categories.key, name: categories.name })
    .from(categories)
    .where(and(eq(categories.key, code), eq(categories.active, true)))
    .get();
  if (!row) throw notFound(`Không có dịch vụ mã "${code}"`, 'service_code not found');
  return row;
}

/** A service without metadata: its code and no attributes. */
export function serviceDefinition(db: Db, code: string): { service_code: string; attributes: never[] } {
  return { service_code: activeService(db, code).key, attributes: [] };
}
