import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AgencyView, ListResponse } from '../../common/api.ts';
import { CATEGORY_KEYS, type Category, DISTRICT_KEYS, type District } from '../../common/domain.ts';
import { requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { listAgencies, suggestAgency, toAgencyView } from './service.ts';

export const CategorySchema = Type.Unsafe<Category>({ type: 'string', enum: CATEGORY_KEYS });
export const DistrictSchema = Type.Unsafe<District>({ type: 'string', enum: DISTRICT_KEYS });

const SuggestQuery = Type.Object({ category: CategorySchema, district: DistrictSchema });

export async function agencyRoutes(app: FastifyInstance, deps: { db: Db }): Promise<void> {
  const { db } = deps;

  app.get('/api/agencies', { onRequest: requireRole() }, async (): Promise<ListResponse<AgencyView>> => {
    return { data: listAgencies(db) };
  });

  app.get<{ Querystring: Static<typeof SuggestQuery> }>(
    '/api/routing/suggest',
    { onRequest: requireRole('operator', 'supervisor', 'admin'), schema: { querystring: SuggestQuery } },
    async (request): Promise<AgencyView> => {
      return toAgencyView(suggestAgency(db, request.query.category, request.query.district));
    },
  );
}
