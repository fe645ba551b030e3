/**
 * Writes and reads the audit log of administrative changes. Call `audit` inside the transaction
 * of the change it describes, so the change and its entry commit together; entries are never
 * updated or deleted (the database refuses both).
 */
import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { AuditEntryView } from '../../common/api.ts';
import type { Db } from '../db/index.ts';
import { auditLog, users } from '../db/schema.ts';

export interface AuditEntry {
  /** Null: the system itself. */
  actorId: number | null;
  action: string;
  entity: string;
  entityId?: string | number | null;
  before?: unknown;
  after?: unknown;
}

/** Appends one entry. `handle` is the database or the open transaction of the change. */
export function audit(handle: Pick<Db, 'insert'>, entry: AuditEntry, at: Date = new Date()): void {
  handle
    .insert(auditLog)
    .values({
      at,
      actorId: entry.actorId,
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId === undefined || entry.entityId === null ? null : String(entry.entityId),
      before: entry.before ?? null,
      after: entry.after ?? null,
    })
    .run();
}

export interface AuditFilter {
  entity?: string;
  entityId?: string;
  actorId?: number;
  action?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  /** Entries older than this id (paging backwards). */
  beforeId?: number;
}

/** Newest first. */
export function listAudit(db: Db, filter: AuditFilter = {}): AuditEntryView[] {
  const where: SQL[] = [];
  if (filter.entity) where.push(eq(auditLog.entity, filter.entity));
  if (filter.entityId) where.push(eq(auditLog.entityId, filter.entityId));
  if (filter.actorId !== undefined) where.push(eq(auditLog.actorId, filter.actorId));
  if (filter.action) where.push(eq(auditLog.action, filter.action));
  if (filter.from) where.push(gte(auditLog.at, filter.from));
  if (filter.to) where.push(lt(auditLog.at, filter.to));
  if (filter.beforeId !== undefined) where.push(lt(auditLog.id, filter.beforeId));
  return db
    .select({ entry: auditLog, actorName: users.displayName, actorUsername: users.username })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(where.length > 0 ? and(...where) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(Math.min(filter.limit ?? 100, 500))
    .all()
    .map(({ entry, actorName, actorUsername }) => ({
      id: entry.id,
      at: entry.at.toISOString(),
      actor:
        entry.actorId === null
          ? null
          : { id: entry.actorId, username: actorUsername ?? '', displayName: actorName ?? '' },
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId,
      before: entry.before ?? null,
      after: entry.after ?? null,
    }));
}
