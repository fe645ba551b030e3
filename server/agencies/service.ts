/** Agencies that handle tickets. Which one a ticket goes to is `server/routing/`. */
import { asc, eq, sql } from 'drizzle-orm';
import type { AgencyView } from '../../common/api.ts';
import type { Db } from '../db/index.ts';
import { preparedOnce } from '../db/prepared.ts';
import { agencies } from '../db/schema.ts';
import type { AgencyRow } from './schema.ts';

export function toAgencyView(
  agency: Pick<AgencyRow, 'id' | 'code' | 'name' | 'kind' | 'unitCode' | 'active'>,
): AgencyView {
  return {
    id: agency.id,
    code: agency.code,
    name: agency.name,
    kind: agency.kind,
    unitCode: agency.unitCode,
    active: agency.active,
  };
}

/** By kind (commune committees, departments, …), then by name. */
export function listAgencies(db: Db, opts: { activeOnly?: boolean } = {}): AgencyView[] {
  return db
    .select()
    .from(agencies)
    .where(opts.activeOnly ? eq(agencies.active, true) : undefined)
    .orderBy(asc(agencies.kind), asc(agencies.name))
    .all()
    .map(toAgencyView);
}

const agencyById = preparedOnce((db: Pick<Db, 'select'>) =>
  db
    .select()
    .from(agencies)
    .where(eq(agencies.id, sql.placeholder('id')))
    .prepare(),
);

export function findAgency(db: Pick<Db, 'select'>, id: number): AgencyRow | undefined {
  return agencyById(db).get({ id });
}
