/**
 * GET /api/calls?from=&to=&limit= (supervisors, admins): call records, newest first, callers'
 * numbers masked (a list must not show, nor log, hundreds of numbers at once).
 * GET /api/calls/:id (operators, supervisors, admins): one call with its offers, events and
 * tickets; supervisors and admins see the caller's number in full, each view in the audit log
 * (`personal_data.view_number`); operators see it masked.
 * GET /api/calls/:id/recording: the call's stored recording (the conversation, or the after-hours
 * message) as WAV, fetched from Asterisk through the controller, to whoever `access.ts` allows;
 * each play is in the audit log (`recording.play`). 403 `RECORDING_FORBIDDEN` for an operator's
 * call that is not theirs (nor an open callback's message they may call back); 404 when the call
 * has none. Agency liaisons get 404 too: a citizen's voice never reaches an agency, and the answer
 * does not even tell them the call exists.
 * HEAD of the same path answers the same status without playing or logging anything (the
 * console's player asks it why a recording would not play).
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CallRecordDetail, CallRecordView, ListResponse } from '../../common/api.ts';
import { audit } from '../audit/service.ts';
import { currentUser, requireRole } from '../auth/guard.ts';
import type { Db } from '../db/index.ts';
import { AppError } from '../errors.ts';
import { parsePeriod } from '../reports/routes.ts';
import { recordNumberView } from '../tickets/repository.ts';
import { recordingAccess } from './access.ts';
import { callDetail, findCall, listCalls } from './repository.ts';
import type { CallRow } from './schema.ts';

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

export class RecordingForbiddenError extends AppError {
  constructor() {
    super('RECORDING_FORBIDDEN', 403, 'Bạn không có quyền nghe bản ghi này.');
  }
}

export const RECORDING_PLAY_ACTION = 'recording.play';

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
      const user = currentUser(request);
      const maskCaller = user.role === 'operator';
      const found = callDetail(deps.db, request.params.id, { maskCaller });
      if (!found) throw new CallNotFoundError();
      if (!maskCaller) {
        recordNumberView(
          deps.db,
          { actorId: user.id, entity: 'call', entityId: found.id, via: 'detail' },
          now(),
        );
      }
      return found;
    },
  );
  /** The call whose recording `request` may hear; throws what the recording route answers. */
  function playableCall(
    request: FastifyRequest<{ Params: Static<typeof Params> }>,
  ): CallRow & { recording: string } {
    const user = currentUser(request);
    // Outside the hotline's staff, the same answer whether the call exists or not.
    if (user.role === 'agency') throw new RecordingNotFoundError();
    const call = findCall(deps.db, request.params.id);
    if (!call) throw new CallNotFoundError();
    const access = recordingAccess(deps.db, user, call, now());
    if (access === 'forbidden') throw new RecordingForbiddenError();
    if (access === 'hidden' || !call.recording) throw new RecordingNotFoundError();
    return { ...call, recording: call.recording };
  }
  const recordingRoute = {
    onRequest: requireRole('operator', 'supervisor', 'admin', 'agency'),
    schema: { params: Params },
  };
  app.head<{ Params: Static<typeof Params> }>(
    '/api/calls/:id/recording',
    recordingRoute,
    async (request, reply) => {
      playableCall(request);
      return reply.type('audio/wav').send();
    },
  );
  app.get<{ Params: Static<typeof Params> }>(
    '/api/calls/:id/recording',
    { ...recordingRoute, exposeHeadRoute: false },
    async (request, reply) => {
      const call = playableCall(request);
      const file = await deps.recordings.storedRecording(call.recording);
      if (!file) throw new RecordingNotFoundError();
      audit(
        deps.db,
        {
          actorId: currentUser(request).id,
          action: RECORDING_PLAY_ACTION,
          entity: 'call',
          entityId: call.id,
          after: { recording: call.recording, kind: call.recordingKind },
        },
        now(),
      );
      return reply
        .type('audio/wav')
        .header('content-disposition', `inline; filename="${call.recording}.wav"`)
        .send(file);
    },
  );
}
