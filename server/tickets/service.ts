/** Creating and reading tickets. A new ticket is stored first and only then queued for forwarding. */
import type { Logger } from 'pino';
import type { CreateTicketRequest, TicketView } from '../../common/api.ts';
import { findAgency, suggestAgency } from '../agencies/service.ts';
import type { AuthUser } from '../auth/service.ts';
import type { Db } from '../db/index.ts';
import type { ForwardQueue } from '../forwarding/queue.ts';
import { TicketNotFoundError, UnknownAgencyError } from './errors.ts';
import { findTicketView, insertTicket, listTicketViews } from './repository.ts';
import { newTrackingCode } from './tracking-code.ts';

export interface TicketService {
  create(input: CreateTicketRequest, by: AuthUser): Promise<TicketView>;
  list(filter: { callerNumber?: string; limit: number }, by: AuthUser): TicketView[];
  /** Throws `TicketNotFoundError`, also for an agency liaison asking for another agency's ticket. */
  get(id: number, by: AuthUser): TicketView;
}

export function createTicketService(deps: {
  db: Db;
  forwardQueue: ForwardQueue;
  logger: Logger;
  now?: () => Date;
}): TicketService {
  const { db, forwardQueue, logger } = deps;
  const now = deps.now ?? (() => new Date());

  function viewOrThrow(id: number): TicketView {
    const view = findTicketView(db, id);
    if (!view) throw new TicketNotFoundError();
    return view;
  }

  return {
    async create(input, by) {
      let agencyId: number;
      if (input.agencyId !== undefined) {
        if (!findAgency(db, input.agencyId)) throw new UnknownAgencyError();
        agencyId = input.agencyId;
      } else {
        agencyId = suggestAgency(db, input.category, input.district).id;
      }
      const ticket = insertTicket(
        db,
        {
          callId: input.callId ?? null,
          callerNumber: input.callerNumber,
          callerName: input.callerName?.trim() || null,
          category: input.category,
          district: input.district,
          description: input.description,
          agencyId,
          createdBy: by.id,
          createdAt: now(),
        },
        newTrackingCode,
      );
      logger.info({ ticketId: ticket.id, category: ticket.category, agencyId }, 'ticket created');
      try {
        await forwardQueue.enqueue(ticket.id);
      } catch (err) {
        // The ticket is safe in the database; the periodic sweep queues it once Redis is back.
        logger.warn({ err, ticketId: ticket.id }, 'could not queue ticket for forwarding');
      }
      return viewOrThrow(ticket.id);
    },

    list(filter, by) {
      if (by.role === 'agency') {
        if (by.agencyId === null) return [];
        return listTicketViews(db, { ...filter, agencyId: by.agencyId });
      }
      return listTicketViews(db, filter);
    },

    get(id, by) {
      const view = viewOrThrow(id);
      if (by.role === 'agency' && view.agency.id !== by.agencyId) throw new TicketNotFoundError();
      return view;
    },
  };
}
