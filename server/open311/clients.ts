/**
 * Open311 client apps and their `api_key`s: the admin creates an app (its key shown once), rotates
 * its key (the old one stops at once), deactivates and activates it, each change audited in its own
 * transaction. Only a SHA-256 of a key is stored; a post's key is checked by its hash.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type { Open311ClientKey, Open311ClientView } from '../../common/api.ts';
import { audit } from '../audit/service.ts';
import type { Db } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { type Open311ClientRow, open311Clients } from '../intake/schema.ts';

/** Keys start with this, so one found in a log or a repository is recognised for what it is. */
export const API_KEY_PREFIX = 'o311_';
/** How many characters of a key the admin sees. */
const SHOWN_CHARACTERS = 10;

export class Open311ClientNotFoundError extends AppError {
  constructor() {
    super('OPEN311_CLIENT_NOT_FOUND', 404, 'Không tìm thấy ứng dụng kết nối này.');
  }
}

export class Open311ClientNameTakenError extends AppError {
  constructor() {
    super('OPEN311_CLIENT_NAME_TAKEN', 409, 'Đã có ứng dụng kết nối mang tên này.');
  }
}

export class Open311ClientInvalidError extends AppError {
  constructor(message: string) {
    super('OPEN311_CLIENT_INVALID', 400, message);
  }
}

/**
 * The demo seed's key for its app "Ứng dụng Đồng Nai số": as public as the demo password, so
 * production refuses to start while an active app still holds it (`production.ts`).
 */
export const DEMO_API_KEY = 'o311_demo-dong-nai-so-1022';
export const DEMO_CLIENT_NAME = 'Ứng dụng Đồng Nai số';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function newApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
}

export function toClientView(row: Open311ClientRow): Open311ClientView {
  return {
    id: row.id,
    name: row.name,
    apiKeyPrefix: row.apiKeyPrefix,
    active: row.active,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

/** The active client app holding `key`, or null (unknown, rotated away or deactivated). */
export function clientByKey(db: Pick<Db, 'select'>, key: string): Open311ClientRow | null {
  if (!key) return null;
  const row = db
    .select()
    .from(open311Clients)
    .where(eq(open311Clients.apiKeyHash, hashApiKey(key)))
    .get();
  return row?.active ? row : null;
}

/** Names of the active apps whose key is still the published demo key. */
export function clientsWithDemoKey(db: Pick<Db, 'select'>): string[] {
  return db
    .select({ name: open311Clients.name })
    .from(open311Clients)
    .where(and(eq(open311Clients.apiKeyHash, hashApiKey(DEMO_API_KEY)), eq(open311Clients.active, true)))
    .all()
    .map((c) => c.name);
}

/** The demo app with the demo key, once (an admin's later rotation or removal of it stays). */
export function seedDemoClient(db: Pick<Db, 'insert'>, now: Date): void {
  db.insert(open311Clients)
    .values({
      name: DEMO_CLIENT_NAME,
      apiKeyHash: hashApiKey(DEMO_API_KEY),
      apiKeyPrefix: DEMO_API_KEY.slice(0, SHOWN_CHARACTERS),
      active: true,
      createdAt: now,
    })
    .onConflictDoNothing()
    .run();
}

export interface ClientAdminDeps {
  db: Db;
  now: () => Date;
}

export function createClientAdmin({ db, now }: ClientAdminDeps) {
  const find = (id: number): Open311ClientRow => {
    const row = db.select().from(open311Clients).where(eq(open311Clients.id, id)).get();
    if (!row) throw new Open311ClientNotFoundError();
    return row;
  };
  const keyFields = (key: string) => ({
    apiKeyHash: hashApiKey(key),
    apiKeyPrefix: key.slice(0, SHOWN_CHARACTERS),
  });

  return {
    list(): Open311ClientView[] {
      return db.select().from(open311Clients).orderBy(asc(open311Clients.name)).all().map(toClientView);
    },

    create(name: string, actorId: number): Open311ClientKey {
      const clean = name.trim().replace(/\s+/g, ' ');
      if (clean.length < 2) throw new Open311ClientInvalidError('Tên ứng dụng cần ít nhất 2 ký tự.');
      const at = now();
      const apiKey = newApiKey();
      return db.transaction((tx) => {
        const taken = tx.select().from(open311Clients).where(eq(open311Clients.name, clean)).get();
        if (taken) throw new Open311ClientNameTakenError();
        const row = tx
          .insert(open311Clients)
          .values({ name: clean, ...keyFields(apiKey), active: true, createdAt: at })
          .returning()
          .get();
        audit(
          tx,
          {
            actorId,
            action: 'open311_client.create',
            entity: 'open311_client',
            entityId: row.id,
            after: { name: row.name, apiKeyPrefix: row.apiKeyPrefix },
          },
          at,
        );
        return { data: toClientView(row), apiKey };
      });
    },

    rotateKey(id: number, actorId: number): Open311ClientKey {
      const at = now();
      const apiKey = newApiKey();
      return db.transaction((tx) => {
        const before = find(id);
        const row = tx
          .update(open311Clients)
          .set(keyFields(apiKey))
          .where(eq(open311Clients.id, id))
          .returning()
          .get();
        audit(
          tx,
          {
            actorId,
            action: 'open311_client.rotate_key',
            entity: 'open311_client',
            entityId: id,
            before: { apiKeyPrefix: before.apiKeyPrefix },
            after: { apiKeyPrefix: row.apiKeyPrefix },
          },
          at,
        );
        return { data: toClientView(row), apiKey };
      });
    },

    setActive(id: number, active: boolean, actorId: number): Open311ClientView {
      const at = now();
      return db.transaction((tx) => {
        const before = find(id);
        if (before.active === active) return toClientView(before);
        const row = tx
          .update(open311Clients)
          .set({ active })
          .where(eq(open311Clients.id, id))
          .returning()
          .get();
        audit(
          tx,
          {
            actorId,
            action: active ? 'open311_client.activate' : 'open311_client.deactivate',
            entity: 'open311_client',
            entityId: id,
            before: { active: before.active },
            after: { active },
          },
          at,
        );
        return toClientView(row);
      });
    },
  };
}

export type ClientAdmin = ReturnType<typeof createClientAdmin>;
