/** Agencies and the routing matrix (category × district → agency) that suggests one for a ticket. */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { AgencyView, RoutingRule } from '../../common/api.ts';
import type { Category, District } from '../../common/domain.ts';
import type { Db } from '../db/index.ts';
import { preparedOnce } from '../db/prepared.ts';
import { agencies, routing, routingDistricts } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { AgencyRow } from './schema.ts';

export class NoRouteError extends AppError {
  constructor() {
    super('NO_ROUTE', 422, 'Chưa có cơ quan tiếp nhận cho lĩnh vực này, vui lòng chọn cơ quan.');
  }
}

export function toAgencyView(
  agency: Pick<AgencyRow, 'id' | 'code' | 'name' | 'kind' | 'district'>,
): AgencyView {
  return {
    id: agency.id,
    code: agency.code,
    name: agency.name,
    kind: agency.kind,
    district: agency.district,
  };
}

/** Departments first, then district committees, each by name. */
export function listAgencies(db: Db): AgencyView[] {
  return db.select().from(agencies).orderBy(asc(agencies.kind), asc(agencies.name)).all().map(toAgencyView);
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

const districtRoute = preparedOnce((db: Pick<Db, 'select'>) =>
  db
    .select({ agency: agencies })
    .from(routingDistricts)
    .innerJoin(agencies, eq(agencies.id, routingDistricts.agencyId))
    .where(
      and(
        eq(routingDistricts.category, sql.placeholder('category')),
        eq(routingDistricts.district, sql.placeholder('district')),
      ),
    )
    .prepare(),
);

const categoryRoute = preparedOnce((db: Pick<Db, 'select'>) =>
  db
    .select({ agency: agencies })
    .from(routing)
    .innerJoin(agencies, eq(agencies.id, routing.agencyId))
    .where(eq(routing.category, sql.placeholder('category')))
    .prepare(),
);

/** The district's exception when there is one, else the category's default. Throws `NoRouteError`. */
export function suggestAgency(db: Pick<Db, 'select'>, category: Category, district: District): AgencyRow {
  const override = districtRoute(db).get({ category, district });
  if (override) return override.agency;
  const fallback = categoryRoute(db).get({ category });
  if (fallback) return fallback.agency;
  throw new NoRouteError();
}

/** Every rule: each category's default (district null) followed by its district exceptions. */
export function routingMatrix(db: Db): RoutingRule[] {
  const defaults = db
    .select({ category: routing.category, agency: agencies })
    .from(routing)
    .innerJoin(agencies, eq(agencies.id, routing.agencyId))
    .all()
    .map((r) => ({ category: r.category, district: null, agency: toAgencyView(r.agency) }));
  const overrides = db
    .select({ category: routingDistricts.category, district: routingDistricts.district, agency: agencies })
    .from(routingDistricts)
    .innerJoin(agencies, eq(agencies.id, routingDistricts.agencyId))
    .all()
    .map((r) => ({ category: r.category, district: r.district, agency: toAgencyView(r.agency) }));
  const rules: RoutingRule[] = [...defaults, ...overrides];
  return rules.sort(
    (a, b) => a.category.localeCompare(b.category) || (a.district ?? '').localeCompare(b.district ?? ''),
  );
}

/** Sets one rule (a category default when `district` is null). Throws for an unknown agency. */
export function putRoutingRule(
  db: Db,
  rule: { category: Category; district: District | null; agencyId: number },
  unknownAgency: () => Error,
): RoutingRule {
  const agency = findAgency(db, rule.agencyId);
  if (!agency) throw unknownAgency();
  if (rule.district === null) {
    db.insert(routing)
      .values({ category: rule.category, agencyId: agency.id })
      .onConflictDoUpdate({ target: routing.category, set: { agencyId: agency.id } })
      .run();
  } else {
    db.insert(routingDistricts)
      .values({ category: rule.category, district: rule.district, agencyId: agency.id })
      .onConflictDoUpdate({
        target: [routingDistricts.category, routingDistricts.district],
        set: { agencyId: agency.id },
      })
      .run();
  }
  return { category: rule.category, district: rule.district, agency: toAgencyView(agency) };
}
