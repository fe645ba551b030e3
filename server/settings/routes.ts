/**
 * GET /api/settings (supervisors and admins read, the wallboard needs its thresholds);
 * PUT /api/settings/:section (admins; audited `settings.update`).
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { HotlineSettings, SettingsSection } from '../../common/api.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { settingsStore } from './service.ts';

const Level = Type.Number({ minimum: 0, maximum: 1_000_000 });
const Threshold = Type.Object({ amber: Level, red: Level }, { additionalProperties: false });

const bodies: Record<SettingsSection, TSchema> = {
  coaching: Type.Object(
    { operatorSees: Type.Union([Type.Literal('never'), Type.Literal('audible'), Type.Literal('always')]) },
    { additionalProperties: false },
  ),
  wallboard: Type.Object(
    {
      waiting: Threshold,
      longestWaitSeconds: Threshold,
      serviceLevelPercent: Threshold,
      abandoned: Threshold,
    },
    { additionalProperties: false },
  ),
  reportSchedule: Type.Object(
    {
      recipients: Type.Array(Type.String({ maxLength: 254 }), { maxItems: 200 }),
      daily: Type.Boolean(),
      weekly: Type.Boolean(),
      sendAt: Type.String({ maxLength: 5 }),
    },
    { additionalProperties: false },
  ),
};

export async function settingsRoutes(app: FastifyInstance, deps: { db: Db; now: () => Date }): Promise<void> {
  const store = settingsStore(deps.db);

  app.get(
    '/api/settings',
    { onRequest: requireRole('supervisor', 'admin') },
    async (): Promise<{
      data: HotlineSettings;
    }> => ({ data: store.all() }),
  );

  for (const section of Object.keys(bodies) as SettingsSection[]) {
    app.put<{ Body: Static<(typeof bodies)[typeof section]> }>(
      `/api/settings/${section}`,
      { onRequest: requireRole('admin'), schema: { body: bodies[section] } },
      async (request) => ({
        data: store.update(
          section,
          request.body as HotlineSettings[typeof section],
          currentUser(request).id,
          deps.now(),
        ),
      }),
    );
  }
}
