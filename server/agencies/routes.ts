import type { FastifyInstance } from 'fastify';
import type { AgencyView, ListResponse } from '../../common/api.ts';
import { requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { listAgencies } from './service.ts';

export async function agencyRoutes(app: FastifyInstance, deps: { db: Db }): Promise<void> {
  const { db } = deps;

  app.get('/api/agencies', { onRequest: requireRole() }, async (): Promise<ListResponse<AgencyView>> => {
    return { data: listAgencies(db) };
  });
}
