/** Agencies and the routing rules that suggest which one handles a new ticket. */
import { and, asc, eq } from 'drizzle-orm';
import type { AgencyView } from '../../common/api.ts';
import type { Category, District } from '../../common/domain.ts';
import type { Db } from '../db/index.ts';
import { agencies, routing, routingDistricts } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { AgencyRow } from './schema.ts';

export class NoRouteError extends AppError {
  constructor() {
    super('NO_ROUTE', 422, 'Chưa có cơ quan tiếp nhận cho lĩnh vực này, vui lòng chọn cơ quan.');
  }
}

export function toAgencyView(agency: Pick<AgencyRow, 'id' | 'code' | 'name'>): AgencyView {
  return { id: agency.id, code: agency.code, name: agency.name };
}

export function listAgencies(db: Db): AgencyView[] {
  return db.select().from(agencies).orderBy(asc(agencies.name)).all().map(toAgencyView);
}

export function findAgency(db: Db, id: number): AgencyRow | undefined {
  return db.select().from(agencies).where(eq(agencies.id, id)).get();
}

/** The district's exception when there is one, else the category's default. Throws `NoRouteError`. */
export function suggestAgency(db: Db, category: Category, district: District): AgencyRow {
  const override = db
    .select({ agency: agencies })
    .from(routingDistricts)
    .innerJoin(agencies, eq(agencies.id, routingDistricts.agencyId))
    .where(and(eq(routingDistricts.category, category), eq(routingDistricts.district, district)))
    .get();
  if (override) return override.agency;
  const fallback = db
    .select({ agency: agencies })
    .from(routing)
    .innerJoin(agencies, eq(agencies.id, routing.agencyId))
    .where(eq(routing.category, category))
    .get();
  if (fallback) return fallback.agency;
  throw new NoRouteError();
}
