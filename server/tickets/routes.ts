import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { IDEMPOTENCY_KEY_HEADER, type ListResponse, type TicketView } from '../../common/api.ts';
import {
  PRIORITIES,
  type Priority,
  TICKET_ACTIONS,
  TICKET_STATUSES,
  type TicketAction,
  type TicketStatus,
} from '../../common/domain.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import { CategoryKeySchema, UnitCodeSchema } from '../routing/routes.ts';
import { TicketValidationError } from './errors.ts';
import { parseIdempotencyKey, requestHash } from './idempotency.ts';
import type { TicketService } from './service.ts';

const CallerNumber = Type.String({ pattern: '^\\+?[0-9]{3,20}$' });
const PrioritySchema = Type.Unsafe<Priority>({ type: 'string', enum: Object.keys(PRIORITIES) });
const ActionSchema = Type.Unsafe<TicketAction>({ type: 'string', enum: [...TICKET_ACTIONS] });
const Id = Type.Integer({ minimum: 1 });

const CreateTicketBody = Type.Object(
  {
    callId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    callerNumber: CallerNumber,
    callerName: Type.Optional(Type.String({ maxLength: 200 })),
    category: CategoryKeySchema,
    unitCode: Type.Optional(UnitCodeSchema),
    address: Type.Optional(Type.String({ maxLength: 300 })),
    description: Type.String({ minLength: 1, maxLength: 4000 }),
    agencyId: Type.Optional(Id),
    priority: Type.Optional(PrioritySchema),
    outcome: Type.Optional(
      Type.Union([Type.Literal('assign'), Type.Literal('answered'), Type.Literal('callback')]),
    ),
    answer: Type.Optional(Type.String({ maxLength: 4000 })),
    writtenRequestId: Type.Optional(Id),
  },
  { additionalProperties: false },
);

const ActionBody = Type.Object(
  {
    action: ActionSchema,
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
    text: Type.Optional(Type.String({ maxLength: 4000 })),
    agencyId: Type.Optional(Id),
    parentId: Type.Optional(Id),
  },
  { additionalProperties: false },
);

const ExtensionBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
    resolveDueAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

const ListQuery = Type.Object(
  {
    /** Comma-separated statuses. */
    status: Type.Optional(Type.String({ pattern: '^[a-z_]+(,[a-z_]+)*$', maxLength: 300 })),
    agencyId: Type.Optional(Id),
    priority: Type.Optional(PrioritySchema),
    overdue: Type.Optional(Type.Boolean()),
    dueWithinHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 90 })),
    callerNumber: Type.Optional(CallerNumber),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

const IdParams = Type.Object({ id: Id });

function parseStatuses(list: string): TicketStatus[] {
  const statuses = list.split(',');
  for (const status of statuses) {
    if (!(TICKET_STATUSES as readonly string[]).includes(status)) {
      throw new TicketValidationError(
        'VALIDATION',
        `Dữ liệu gửi lên không hợp lệ (querystring/status: ${status}).`,
      );
    }
  }
  return statuses as TicketStatus[];
}

export async function ticketRoutes(app: FastifyInstance, deps: { tickets: TicketService }): Promise<void> {
  const { tickets } = deps;
  const hotline = requireRole('operator', 'supervisor', 'admin');
  const anyone = requireRole('operator', 'supervisor', 'admin', 'agency');

  app.post<{ Body: Static<typeof CreateTicketBody> }>(
    '/api/tickets',
    { onRequest: hotline, schema: { body: CreateTicketBody } },
    async (request, reply) => {
      const key = parseIdempotencyKey(request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()]);
      const idempotency = key === undefined ? undefined : { key, requestHash: requestHash(request.body) };
      const ticket = await tickets.createGrouped(request.body, currentUser(request), idempotency);
      return reply.status(201).send(ticket);
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/tickets',
    { onRequest: anyone, schema: { querystring: ListQuery } },
    async (request): Promise<ListResponse<TicketView>> => {
      const { status, overdue, ...rest } = request.query;
      const query = {
        ...rest,
        ...(status !== undefined ? { statuses: parseStatuses(status) } : {}),
        ...(overdue ? { overdue: true } : {}),
      };
      return { data: tickets.list(query, currentUser(request)) };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/tickets/:id',
    { onRequest: anyone, schema: { params: IdParams } },
    async (request): Promise<TicketView> => tickets.get(request.params.id, currentUser(request)),
  );

  // Who may take which action on which status is the life cycle's decision (lifecycle.ts).
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ActionBody> }>(
    '/api/tickets/:id/actions',
    { onRequest: anyone, schema: { params: IdParams, body: ActionBody } },
    async (request): Promise<TicketView> =>
      tickets.act(request.params.id, request.body, currentUser(request)),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ExtensionBody> }>(
    '/api/tickets/:id/extension',
    { onRequest: requireRole('supervisor', 'admin'), schema: { params: IdParams, body: ExtensionBody } },
    async (request): Promise<TicketView> =>
      tickets.extend(request.params.id, request.body, currentUser(request)),
  );
}
