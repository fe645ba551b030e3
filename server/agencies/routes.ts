import type { FastifyInstance } from 'fastify';
import type { AgencyView, ListResponse } from '../../common/api.ts';
import { requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { listAgencies } from './service.ts';

export async function agencyRoutes(app: FastifyInstance, deps: { db: Db }): Promise<void> {
  const { db } = deps;

  // Active agencies (what a ticket can go to); `?all=1` adds the deactivated ones (filters, old tickets).
  app.get<{ Querystring: { all?: string } }>(
    '/api/agencies',
    { onRequest: requireRole() },
    async (request): Promise<ListResponse<AgencyView>> => {
      return { data: listAgencies(db, { activeOnly: request.query.all !== '1' }) };
    },
  );
}
