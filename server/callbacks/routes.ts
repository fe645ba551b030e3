/** GET /api/callbacks?status=&limit= for operators, supervisors and admins: oldest first. */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { CallbackTaskView, ListResponse } from '../../common/api.ts';
import { requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { listCallbacks } from './service.ts';

const Query = Type.Object(
  {
    status: Type.Optional(
      Type.Union([Type.Literal('open'), Type.Literal('reached'), Type.Literal('given_up')]),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);

export async function callbackRoutes(app: FastifyInstance, deps: { db: Db }): Promise<void> {
  app.get<{ Querystring: Static<typeof Query> }>(
    '/api/callbacks',
    { onRequest: requireRole('operator', 'supervisor', 'admin'), schema: { querystring: Query } },
    async (request): Promise<ListResponse<CallbackTaskView>> => ({
      data: listCallbacks(deps.db, {
        status: request.query.status ?? 'open',
        limit: request.query.limit ?? 200,
      }),
    }),
  );
}
