/** The commune-level unit a ticket names, read from the units table (kept by `server/units/`). */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/index.ts';
import { preparedOnce } from '../db/prepared.ts';
import { units } from '../db/schema.ts';

const unitByCode = preparedOnce((db: Pick<Db, 'select'>) =>
  db
    .select({ code: units.code, name: units.name, active: units.active })
    .from(units)
    .where(eq(units.code, sql.placeholder('code')))
    .prepare(),
);

/** Undefined for a code the units table does not hold. */
export function findUnit(
  db: Pick<Db, 'select'>,
  code: string,
): { code: string; name: string; active: boolean } | undefined {
  return unitByCode(db).get({ code });
}
