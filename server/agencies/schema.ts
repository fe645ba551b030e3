/** Agencies that handle tickets. Routing to them is in `server/categories/schema.ts`. */
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { AgencyKind } from '../../common/domain.ts';
import { units } from '../units/schema.ts';

export type { AgencyKind };

export const agencies = sqliteTable('agencies', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  kind: text('kind').$type<AgencyKind>().notNull().default('department'),
  /** Set for a commune's People's Committee: the commune-level unit it governs. */
  unitCode: text('unit_code').references(() => units.code),
  /** False once deactivated: no new tickets; its open tickets were moved to another agency. */
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  /** Where tickets are POSTed; null keeps them in the agency inbox only. */
  forwardUrl: text('forward_url'),
  /** HMAC key for the `X-Hotline-Signature` header of forwarded tickets. */
  forwardSecret: text('forward_secret').notNull(),
  /** Forwarded tickets carry the citizen's phone number only when this is set. */
  receivesCallerNumber: integer('receives_caller_number', { mode: 'boolean' }).notNull().default(false),
});

export type AgencyRow = typeof agencies.$inferSelect;
