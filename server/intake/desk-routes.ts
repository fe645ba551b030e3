/**
 * Written requests in the operator console (operators, supervisors, admins):
 * - `GET /api/written-requests`: the open ones, newest first, numbers masked.
 * - `GET /api/written-requests/:id`: one, with the number in full (to fill the ticket form; the
 *   view is audited as for a ticket's number).
 * - `POST /api/written-requests/:id/take`, `POST /api/written-requests/:id/close` `{ reason }`.
 * - `GET /api/written-requests/photos/:photoId`: the re-encoded JPEG; an agency's liaison sees the
 *   photos of its own tickets only.
 * - `GET /api/tickets/:id/written-request`: location and photos of a ticket made from writing
 *   (404 for a ticket from a call, and for another agency's ticket).
 * A ticket is made from a request through `POST /api/tickets` with `writtenRequestId`.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ListResponse } from '../../common/api.ts';
import type { TicketWrittenRequestView, WrittenRequestView } from '../../common/written-requests.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { NotFoundError } from '../errors.ts';
import { findTicket, recordNumberView, visibleToAgency } from '../tickets/repository.ts';
import { IntakeValidationError, WrittenRequestNotFoundError } from './errors.ts';
import {
  closeWrittenRequest,
  listOpenWrittenRequests,
  photoData,
  takeWrittenRequest,
  ticketWrittenRequest,
  writtenRequestView,
} from './ticketing.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const PhotoParams = Type.Object({ photoId: Type.Integer({ minimum: 1 }) });
const CloseBody = Type.Object({ reason: Type.String({ maxLength: 2000 }) }, { additionalProperties: false });

export async function writtenRequestRoutes(
  app: FastifyInstance,
  deps: { db: Db; now: () => Date },
): Promise<void> {
  const { db, now } = deps;
  const hotline = requireRole('operator', 'supervisor', 'admin');
  const anyone = requireRole('operator', 'supervisor', 'admin', 'agency');

  app.get(
    '/api/written-requests',
    { onRequest: hotline },
    async (): Promise<ListResponse<WrittenRequestView>> => {
      return { data: listOpenWrittenRequests(db) };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/written-requests/:id',
    { onRequest: hotline, schema: { params: IdParams } },
    async (request): Promise<WrittenRequestView> => {
      const view = writtenRequestView(db, request.params.id, { fullNumber: true });
      if (view.phone !== null) {
        recordNumberView(
          db,
          { actorId: currentUser(request).id, entity: 'written_request', entityId: view.id, via: 'detail' },
          now(),
        );
      }
      return view;
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/written-requests/:id/take',
    { onRequest: hotline, schema: { params: IdParams } },
    async (request): Promise<WrittenRequestView> =>
      takeWrittenRequest(db, request.params.id, currentUser(request).id, now()),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CloseBody> }>(
    '/api/written-requests/:id/close',
    { onRequest: hotline, schema: { params: IdParams, body: CloseBody } },
    async (request): Promise<WrittenRequestView> => {
      const reason = request.body.reason.trim();
      if (reason.length < 3)
        throw new IntakeValidationError('REASON_REQUIRED', 'Vui lòng ghi lý do đóng phản ánh.');
      return closeWrittenRequest(db, request.params.id, currentUser(request).id, reason, now());
    },
  );

  app.get<{ Params: Static<typeof PhotoParams> }>(
    '/api/written-requests/photos/:photoId',
    { onRequest: anyone, schema: { params: PhotoParams } },
    async (request, reply) => {
      const user = currentUser(request);
      const photo = photoData(db, request.params.photoId);
      if (!photo) throw new NotFoundError();
      if (user.role === 'agency') {
        const ticket = photo.ticketId !== null ? findTicket(db, photo.ticketId) : undefined;
        if (!ticket || !visibleToAgency(ticket.ticket, user.agencyId)) throw new NotFoundError();
      }
      reply.header('content-type', photo.mime).header('cache-control', 'private, no-store');
      return reply.send(photo.data);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/tickets/:id/written-request',
    { onRequest: anyone, schema: { params: IdParams } },
    async (request): Promise<TicketWrittenRequestView> => {
      const user = currentUser(request);
      const ticket = findTicket(db, request.params.id);
      if (!ticket || (user.role === 'agency' && !visibleToAgency(ticket.ticket, user.agencyId))) {
        throw new WrittenRequestNotFoundError();
      }
      const view = ticketWrittenRequest(db, request.params.id);
      if (!view) throw new WrittenRequestNotFoundError();
      return view;
    },
  );
}
