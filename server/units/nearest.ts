/**
 * Which commune a reported point is in, by the nearest unit point: each unit with a point (a point
 * inside it, from the units file) is a candidate, and the nearest one within `maxKm` wins. Farther
 * than that, or no unit with a point, the commune stays empty for the operator to choose.
 */
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../db/index.ts';
import { units } from './schema.ts';

export interface GeoPoint {
  latitude: number;
  longitude: number;
}

export interface UnitPoint extends GeoPoint {
  code: string;
}

const EARTH_RADIUS_KM = 6371.0088;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in kilometres (haversine). */
export function distanceKm(a: GeoPoint, b: GeoPoint): number {
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Pure: the nearest candidate within `maxKm` (ties: the first listed), or null. */
export function nearestUnit(
  point: GeoPoint,
  candidates: readonly UnitPoint[],
  maxKm: number,
): { code: string; km: number } | null {
  let best: { code: string; km: number } | null = null;
  for (const candidate of candidates) {
    const km = distanceKm(point, candidate);
    if (km <= maxKm && (best === null || km < best.km)) best = { code: candidate.code, km };
  }
  return best;
}

/** The active units that have a point. */
export function unitPoints(db: Pick<Db, 'select'>): UnitPoint[] {
  return db
    .select({ code: units.code, latitude: units.latitude, longitude: units.longitude })
    .from(units)
    .where(and(eq(units.active, true), isNotNull(units.latitude), isNotNull(units.longitude)))
    .all()
    .map((u) => ({ code: u.code, latitude: u.latitude as number, longitude: u.longitude as number }));
}

/** The code of the active unit nearest to `point` within `maxKm`, or null. */
export function unitAt(db: Pick<Db, 'select'>, point: GeoPoint, maxKm: number): string | null {
  return nearestUnit(point, unitPoints(db), maxKm)?.code ?? null;
}
