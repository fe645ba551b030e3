import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ListResponse, TicketView } from '../../common/api.ts';
import { CategorySchema, DistrictSchema } from '../agencies/routes.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import type { TicketService } from './service.ts';

const CallerNumber = Type.String({ pattern: '^\\+?[0-9]{3,20}$' });

const CreateTicketBody = Type.Object(
  {
    callId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    callerNumber: CallerNumber,
    callerName: Type.Optional(Type.String({ maxLength: 200 })),
    category: CategorySchema,
    district: DistrictSchema,
    description: Type.String({ minLength: 1, maxLength: 4000 }),
    agencyId: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

const ListQuery = Type.Object({
  callerNumber: Type.Optional(CallerNumber),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
});

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export async function ticketRoutes(app: FastifyInstance, deps: { tickets: TicketService }): Promise<void> {
  const { tickets } = deps;
  const staff = requireRole('operator', 'supervisor', 'admin');
  const readers = requireRole('operator', 'supervisor', 'admin', 'agency');

  app.post<{ Body: Static<typeof CreateTicketBody> }>(
    '/api/tickets',
    { onRequest: staff, schema: { body: CreateTicketBody } },
    async (request, reply) => {
      const ticket = await tickets.create(request.body, currentUser(request));
      return reply.status(201).send(ticket);
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/tickets',
    { onRequest: readers, schema: { querystring: ListQuery } },
    async (request): Promise<ListResponse<TicketView>> => {
      return { data: tickets.list(request.query, currentUser(request)) };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/tickets/:id',
    { onRequest: readers, schema: { params: IdParams } },
    async (request): Promise<TicketView> => tickets.get(request.params.id, currentUser(request)),
  );
}
