/**
 * GET /api/calls?from=&to=&limit= (supervisors, admins): call records, newest first.
 * GET /api/calls/:id (operators, supervisors, admins): one call with its offers, events and
 * tickets; operators see the caller's number masked.
 * GET /api/calls/:id/recording (operators, supervisors, admins): the call's stored recording (the
 * conversation, or the after-hours message) as WAV, fetched from Asterisk through the controller;
 * 404 when the call has none. Agency liaisons get 404 too: a citizen's voice never reaches an
 * agency, and the answer does not even tell them the call exists.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CallRecordDetail, CallRecordView, ListResponse } from '../../common/api.ts';
import type { Role } from '../../common/domain.ts';
import { requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { AppError, UnauthenticatedError } from '../errors.ts';
import { parsePeriod } from '../reports/routes.ts';
import { callDetail, findCall, listCalls } from './repository.ts';

export class CallNotFoundError extends AppError {
  constructor() {
    super('CALL_NOT_FOUND', 404, 'Không tìm thấy cuộc gọi.');
  }
}

const IsoTime = Type.String({
  minLength: 10,
  maxLength: 40,
  pattern: '^\\d{4}-\\d{2}-\\d{2}([T ][0-9:.]+(Z|[+-]\\d{2}:?\\d{2})?)?$',
});
const ListQuery = Type.Object(
  {
    from: Type.Optional(IsoTime),
    to: Type.Optional(IsoTime),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export class RecordingNotFoundError extends AppError {
  constructor() {
    super('RECORDING_NOT_FOUND', 404, 'Cuộc gọi này không có bản ghi âm.');
  }
}

const RECORDING_LISTENERS: ReadonlySet<Role> = new Set(['operator', 'supervisor', 'admin']);

/** 401 without a session; a role outside the hotline's own staff is told there is no recording. */
async function requireRecordingListener(request: FastifyRequest): Promise<void> {
  if (!request.user) throw new UnauthenticatedError();
  if (!RECORDING_LISTENERS.has(request.user.role)) throw new RecordingNotFoundError();
}

export interface CallRoutesDeps {
  db: Db;
  /** The controller's access to Asterisk's stored recordings. */
  recordings: { storedRecording(name: string): Promise<Buffer | null> };
  now?: () => Date;
}

export async function callRoutes(app: FastifyInstance, deps: CallRoutesDeps): Promise<void> {
  const now = deps.now ?? (() => new Date());
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/calls',
    { onRequest: requireRole('supervisor', 'admin'), schema: { querystring: ListQuery } },
    async (request): Promise<ListResponse<CallRecordView>> => {
      const period = parsePeriod(request.query, now());
      return { data: listCalls(deps.db, { ...period, limit: request.query.limit ?? 100 }) };
    },
  );
  app.get<{ Params: Static<typeof Params> }>(
    '/api/calls/:id',
    { onRequest: requireRole('operator', 'supervisor', 'admin'), schema: { params: Params } },
    async (request): Promise<CallRecordDetail> => {
      const maskCaller = request.user?.role === 'operator';
      const found = callDetail(deps.db, request.params.id, { maskCaller });
      if (!found) throw new CallNotFoundError();
      return found;
    },
  );
  app.get<{ Params: Static<typeof Params> }>(
    '/api/calls/:id/recording',
    { onRequest: requireRecordingListener, schema: { params: Params } },
    async (request, reply) => {
      const call = findCall(deps.db, request.params.id);
      if (!call) throw new CallNotFoundError();
      if (!call.recording) throw new RecordingNotFoundError();
      const file = await deps.recordings.storedRecording(call.recording);
      if (!file) throw new RecordingNotFoundError();
      return reply
        .type('audio/wav')
        .header('content-disposition', `inline; filename="${call.recording}.wav"`)
        .send(file);
    },
  );
}
