/**
 * The write side of the outbox: record an intent inside the caller's transaction, so that the
 * change and the promise to act on it commit together. `relay.ts` hands intents to BullMQ.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/index.ts';
import { preparedOnce } from '../db/prepared.ts';
import { type OutboxIntent, outbox } from './schema.ts';

/** A drizzle handle or the transaction passed to `db.transaction(tx => …)`. */
export type Tx = Pick<Db, 'insert' | 'select' | 'update' | 'delete'>;

const insertIntent = preparedOnce((tx: Tx) =>
  tx
    .insert(outbox)
    .values({
      kind: sql.placeholder('kind'),
      payload: sql.placeholder('payload'),
      createdAt: sql.placeholder('createdAt'),
    })
    .returning({ id: outbox.id })
    .prepare(),
);

/** Records the intent; returns its outbox id (the relay's BullMQ job id is `outbox-<id>`). */
export function addIntent(tx: Tx, intent: OutboxIntent, now: Date): number {
  return insertIntent(tx).get({ kind: intent.kind, payload: intent, createdAt: now })!.id;
}
