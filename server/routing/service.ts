/**
 * Which agency a ticket goes to: the commune's exception for its category when there is one,
 * else the category's default. Both are rows an admin keeps (`categories`, `routing_units`).
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { RoutingException } from '../../common/api.ts';
import type { AgencyRow } from '../agencies/schema.ts';
import { findAgency, toAgencyView } from '../agencies/service.ts';
import { audit } from '../audit/service.ts';
import type { CategoryRow } from '../categories/schema.ts';
import { findCategory } from '../categories/service.ts';
import type { Db } from '../db/index.ts';
import { preparedOnce } from '../db/prepared.ts';
import { agencies, categories, routingUnits, units } from '../db/schema.ts';
import { UnknownAgencyError } from '../tickets/errors.ts';
import {
  NoRouteError,
  RoutingExceptionNotFoundError,
  UnknownCategoryError,
  UnknownUnitError,
} from './errors.ts';

const exceptionAgency = alias(agencies, 'exception_agency');
const defaultAgency = alias(agencies, 'default_agency');

/** A ticket's category, unit and both candidate agencies, read in one statement. */
const placement = preparedOnce((db: Pick<Db, 'select'>) =>
  db
    .select({
      category: categories,
      unit: { code: units.code, name: units.name, active: units.active },
      exceptionAgency,
      defaultAgency,
    })
    .from(categories)
    .leftJoin(units, eq(units.code, sql.placeholder('unitCode')))
    .leftJoin(
      routingUnits,
      and(eq(routingUnits.category, categories.key), eq(routingUnits.unitCode, units.code)),
    )
    .leftJoin(exceptionAgency, eq(exceptionAgency.id, routingUnits.agencyId))
    .leftJoin(defaultAgency, eq(defaultAgency.id, categories.defaultAgencyId))
    .where(eq(categories.key, sql.placeholder('category')))
    .prepare(),
);

/** The exception's agency when active, else the category default's when active, else none. */
function routedAgency(row: {
  exceptionAgency: AgencyRow | null;
  defaultAgency: AgencyRow | null;
}): AgencyRow | null {
  if (row.exceptionAgency?.active) return row.exceptionAgency;
  if (row.defaultAgency?.active) return row.defaultAgency;
  return null;
}

/**
 * The commune's exception when there is one, else the category's default; an inactive agency is
 * never suggested (an exception naming one falls back to the default). Throws `NoRouteError`.
 */
export function suggestAgency(db: Pick<Db, 'select'>, category: string, unitCode: string | null): AgencyRow {
  const row = placement(db).get({ category, unitCode });
  const agency = row ? routedAgency(row) : null;
  if (!agency) throw new NoRouteError();
  return agency;
}

export interface TicketPlacement {
  category: CategoryRow;
  unit: { code: string; name: string } | null;
  /** What `suggestAgency` would answer; null where it would throw `NoRouteError`. */
  suggested: AgencyRow | null;
}

/**
 * Where a new ticket stands, for the ticket service: its category (400 `UNKNOWN_CATEGORY` when
 * unknown or inactive), its unit (400 `UNKNOWN_UNIT` when unknown or no longer listed; null when
 * none is given) and the agency routing suggests, as `suggestAgency` does, from the same read.
 */
export function placeTicket(
  db: Pick<Db, 'select'>,
  category: string,
  unitCode: string | null,
): TicketPlacement {
  const row = placement(db).get({ category, unitCode });
  if (!row?.category.active) throw new UnknownCategoryError();
  if (unitCode !== null && !row.unit?.active) throw new UnknownUnitError();
  return {
    category: row.category,
    unit: row.unit && { code: row.unit.code, name: row.unit.name },
    suggested: routedAgency(row),
  };
}

function toException(row: {
  category: string;
  unitCode: string;
  unitName: string;
  agency: AgencyRow;
}): RoutingException {
  return {
    category: row.category,
    unit: { code: row.unitCode, name: row.unitName },
    agency: toAgencyView(row.agency),
  };
}

function exceptionRows(db: Pick<Db, 'select'>, category: string, unitCode?: string) {
  return db
    .select({
      category: routingUnits.category,
      unitCode: routingUnits.unitCode,
      unitName: units.name,
      agency: agencies,
    })
    .from(routingUnits)
    .innerJoin(units, eq(units.code, routingUnits.unitCode))
    .innerJoin(agencies, eq(agencies.id, routingUnits.agencyId))
    .where(
      and(
        eq(routingUnits.category, category),
        unitCode === undefined ? undefined : eq(routingUnits.unitCode, unitCode),
      ),
    )
    .orderBy(asc(units.name))
    .all();
}

/** A category's commune exceptions, by unit name. Throws `UnknownCategoryError`. */
export function listExceptions(db: Db, category: string): RoutingException[] {
  categoryOrThrow(db, category);
  return exceptionRows(db, category).map(toException);
}

function categoryOrThrow(db: Pick<Db, 'select'>, key: string): CategoryRow {
  const row = findCategory(db, key);
  if (!row) throw new UnknownCategoryError();
  return row;
}

export interface ExceptionInput {
  category: string;
  unitCode: string;
  agencyId: number;
}

/** Sets (creates or replaces) one commune's exception, audited as `routing.set`. */
export function putException(db: Db, input: ExceptionInput, actorId: number | null): RoutingException {
  return db.transaction((tx) => {
    categoryOrThrow(tx, input.category);
    const unit = tx.select().from(units).where(eq(units.code, input.unitCode)).get();
    if (!unit?.active) throw new UnknownUnitError();
    const agency = findAgency(tx, input.agencyId);
    if (!agency?.active) throw new UnknownAgencyError();
    const before = exceptionRows(tx, input.category, input.unitCode)[0];
    tx.insert(routingUnits)
      .values({ category: input.category, unitCode: unit.code, agencyId: agency.id })
      .onConflictDoUpdate({
        target: [routingUnits.category, routingUnits.unitCode],
        set: { agencyId: agency.id },
      })
      .run();
    audit(tx, {
      actorId,
      action: 'routing.set',
      entity: 'routing',
      entityId: `${input.category}/${unit.code}`,
      before: before ? { agencyId: before.agency.id, agencyCode: before.agency.code } : null,
      after: { agencyId: agency.id, agencyCode: agency.code },
    });
    return toException({ category: input.category, unitCode: unit.code, unitName: unit.name, agency });
  });
}

/** Removes one commune's exception (the category default applies again), audited as `routing.delete`. */
export function deleteException(db: Db, category: string, unitCode: string, actorId: number | null): void {
  db.transaction((tx) => {
    const before = exceptionRows(tx, category, unitCode)[0];
    if (!before) throw new RoutingExceptionNotFoundError();
    tx.delete(routingUnits)
      .where(and(eq(routingUnits.category, category), eq(routingUnits.unitCode, unitCode)))
      .run();
    audit(tx, {
      actorId,
      action: 'routing.delete',
      entity: 'routing',
      entityId: `${category}/${unitCode}`,
      before: { agencyId: before.agency.id, agencyCode: before.agency.code },
      after: null,
    });
  });
}
