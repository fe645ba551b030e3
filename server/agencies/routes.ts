import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AgencyView, ListResponse, RoutingRule } from '../../common/api.ts';
import { CATEGORY_KEYS, type Category, DISTRICT_KEYS, type District } from '../../common/domain.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { UnknownAgencyError } from '../tickets/errors.ts';
import { listAgencies, putRoutingRule, routingMatrix, suggestAgency, toAgencyView } from './service.ts';

export const CategorySchema = Type.Unsafe<Category>({ type: 'string', enum: CATEGORY_KEYS });
export const DistrictSchema = Type.Unsafe<District>({ type: 'string', enum: DISTRICT_KEYS });

const SuggestQuery = Type.Object({ category: CategorySchema, district: DistrictSchema });

const PutRuleBody = Type.Object(
  {
    category: CategorySchema,
    district: Type.Union([DistrictSchema, Type.Null()]),
    agencyId: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);

export async function agencyRoutes(app: FastifyInstance, deps: { db: Db }): Promise<void> {
  const { db } = deps;
  const hotline = requireRole('operator', 'supervisor', 'admin');

  app.get('/api/agencies', { onRequest: requireRole() }, async (): Promise<ListResponse<AgencyView>> => {
    return { data: listAgencies(db) };
  });

  app.get<{ Querystring: Static<typeof SuggestQuery> }>(
    '/api/routing/suggest',
    { onRequest: hotline, schema: { querystring: SuggestQuery } },
    async (request): Promise<AgencyView> => {
      return toAgencyView(suggestAgency(db, request.query.category, request.query.district));
    },
  );

  app.get('/api/routing/matrix', { onRequest: hotline }, async (): Promise<ListResponse<RoutingRule>> => {
    return { data: routingMatrix(db) };
  });

  app.put<{ Body: Static<typeof PutRuleBody> }>(
    '/api/routing/matrix',
    { onRequest: requireRole('admin'), schema: { body: PutRuleBody } },
    async (request): Promise<RoutingRule> => {
      const rule = putRoutingRule(db, request.body, () => new UnknownAgencyError());
      request.log.info(
        {
          userId: currentUser(request).id,
          category: rule.category,
          district: rule.district,
          agencyId: rule.agency.id,
        },
        'routing rule changed',
      );
      return rule;
    },
  );
}
