/** Dead deliveries for supervisors, and their retry button. */
import { type Static, Type } from '@sinclair/typebox';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ListResponse, TicketView } from '../../common/api.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { tickets } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { addIntent } from '../outbox/outbox.ts';
import { TicketNotFoundError } from '../tickets/errors.ts';
import { findTicket, markDeliveryPending, toTicketView } from '../tickets/repository.ts';
import { deadDeliveryIds } from './repository.ts';

export class DeliveryNotDeadError extends AppError {
  constructor() {
    super('DELIVERY_NOT_DEAD', 409, 'Phiếu này không ở trạng thái chuyển thất bại nên không cần gửi lại.');
  }
}

const ListQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) });
const Params = Type.Object({ ticketId: Type.Integer({ minimum: 1 }) });

export interface DeliveryRoutesDeps {
  db: Db;
  /** Called after a retry commits, so the relay picks it up at once. */
  afterCommit?: () => void;
  now?: () => Date;
}

export async function deliveryRoutes(app: FastifyInstance, deps: DeliveryRoutesDeps): Promise<void> {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const supervisors = requireRole('supervisor', 'admin');

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/deliveries/dead',
    { onRequest: supervisors, schema: { querystring: ListQuery } },
    async (request): Promise<ListResponse<TicketView>> => {
      const { role } = currentUser(request);
      const at = now();
      return {
        data: deadDeliveryIds(db, request.query.limit).flatMap((id) => {
          const row = findTicket(db, id);
          return row ? [toTicketView(row, at, role)] : [];
        }),
      };
    },
  );

  app.post<{ Params: Static<typeof Params> }>(
    '/api/deliveries/:ticketId/retry',
    { onRequest: supervisors, schema: { params: Params } },
    async (request, reply) => {
      const { ticketId } = request.params;
      db.transaction((tx) => {
        if (!markDeliveryPending(tx, ticketId)) {
          const exists = tx.select({ id: tickets.id }).from(tickets).where(eq(tickets.id, ticketId)).get();
          throw exists ? new DeliveryNotDeadError() : new TicketNotFoundError();
        }
        // A new intent, so a new job id: the dead job stays as it was.
        addIntent(tx, { kind: 'forward', ticketId }, now());
      });
      deps.afterCommit?.();
      request.log.info({ ticketId }, 'ticket delivery retried by a supervisor');
      return reply.status(202).send({ ticketId, status: 'pending' });
    },
  );
}
