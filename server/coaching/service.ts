/**
 * Supervisors on calls in progress: the requests (start, switch, leave) a supervisor makes, each
 * audited, and the notices that follow every change — to the supervisor's own console, and to the
 * operator as the province's coaching setting decides, read at the moment of telling so an
 * admin's change applies at once.
 */
import type { Logger } from 'pino';
import type { CoachingMode, CoachingView } from '../../common/api.ts';
import { hasSoftphone } from '../../common/domain.ts';
import type { CoachingNotice } from '../../common/events.ts';
import { type CoachingChange, CoachingError, type CoachingErrorCode, type Ivr } from '../../ivr/api.ts';
import { AriDisconnectedError, AriTimeoutError } from '../../ivr/port.ts';
import { audit } from '../audit/service.ts';
import type { AuthUser } from '../auth/service.ts';
import type { Db } from '../db/index.ts';
import { AppError, TelephonyUnavailableError } from '../errors.ts';
import { settingsStore } from '../settings/service.ts';
import { auditAction, auditsEnd, operatorSees } from './rules.ts';

/** What coaching needs of the call controller; absent without telephony. */
export type CoachingDesk = Required<Pick<Ivr, 'coach' | 'leaveCoaching'>>;

/** The audit log's entity of coaching entries: the call, by id. */
export const COACHING_ENTITY = 'call';

const REFUSALS: Record<CoachingErrorCode, { status: number; message: string }> = {
  CALL_NOT_IN_TALK: { status: 404, message: 'Cuộc gọi không còn diễn ra.' },
  COACHING_TAKEN: { status: 409, message: 'Một giám sát viên khác đang giám sát cuộc gọi này.' },
  ALREADY_COACHING: {
    status: 409,
    message: 'Bạn đang giám sát một cuộc gọi khác; hãy rời cuộc gọi đó trước.',
  },
  SOFTPHONE_UNREACHABLE: {
    status: 409,
    message: 'Điện thoại trình duyệt của bạn chưa kết nối với tổng đài; hãy mở lại trang Bảng theo dõi.',
  },
  SOFTPHONE_NO_ANSWER: { status: 409, message: 'Điện thoại trình duyệt của bạn không trả lời.' },
  NOT_COACHING: { status: 404, message: 'Bạn không giám sát cuộc gọi này.' },
};

export class NoTelephonyError extends AppError {
  constructor() {
    super('NO_TELEPHONY', 409, 'Tổng đài đang chạy không có điện thoại; không thể giám sát cuộc gọi.');
  }
}

export class NoSoftphoneError extends AppError {
  constructor() {
    super('NO_SOFTPHONE', 409, 'Tài khoản của bạn không có điện thoại trình duyệt để giám sát cuộc gọi.');
  }
}

function translate(err: unknown): unknown {
  // Asterisk away or slow mid-request: a refusal the supervisor can retry, not a server error.
  if (err instanceof AriDisconnectedError || err instanceof AriTimeoutError)
    return new TelephonyUnavailableError();
  if (!(err instanceof CoachingError)) return err;
  const refusal = REFUSALS[err.code];
  return new AppError(err.code, refusal.status, refusal.message);
}

export interface CoachingService {
  /** Puts the user on the call in `mode`, or switches to it; audited as `coaching.<mode>`. */
  coach(user: AuthUser, callId: string, mode: CoachingMode): Promise<CoachingView>;
  /** Takes the user off the call; audited as `coaching.leave`. */
  leave(user: AuthUser, callId: string): Promise<void>;
}

export function createCoachingService(deps: {
  db: Db;
  desk: CoachingDesk | null;
  now?: () => Date;
}): CoachingService {
  const now = deps.now ?? (() => new Date());
  const deskFor = (user: AuthUser): CoachingDesk => {
    if (!deps.desk) throw new NoTelephonyError();
    if (!hasSoftphone(user.role)) throw new NoSoftphoneError();
    return deps.desk;
  };
  return {
    async coach(user, callId, mode) {
      const desk = deskFor(user);
      let view: CoachingView;
      try {
        view = await desk.coach({
          callId,
          mode,
          // A softphone's PJSIP endpoint is its user's name (server/operators/sip-accounts.ts).
          supervisor: { id: user.id, endpoint: user.username, displayName: user.displayName },
        });
      } catch (err) {
        throw translate(err);
      }
      audit(
        deps.db,
        {
          actorId: user.id,
          action: auditAction(mode),
          entity: COACHING_ENTITY,
          entityId: callId,
          after: { operatorId: view.operatorId, mode },
        },
        now(),
      );
      return view;
    },

    async leave(user, callId) {
      const desk = deskFor(user);
      try {
        await desk.leaveCoaching(callId, user.id);
      } catch (err) {
        throw translate(err);
      }
      audit(
        deps.db,
        {
          actorId: user.id,
          action: auditAction(null),
          entity: COACHING_ENTITY,
          entityId: callId,
          after: { reason: 'left' },
        },
        now(),
      );
    },
  };
}

/** Where coaching notices go: a user's console room (operators and supervisors have one each). */
export interface CoachingNoticeSink {
  toUser(userId: number, notice: CoachingNotice): void;
}

export interface CoachingNotifier {
  /**
   * The call controller's `coachingChanged`: tells the supervisor their mode (null once off the
   * call), tells the operator what the province lets them know, only when that changes, and
   * audits the ends the supervisor did not ask for (their softphone hung up, the talk ended).
   * Never throws.
   */
  changed(change: CoachingChange): void;
  /** What the operator of a call being coached was last told, for their console coming back mid-call. */
  operatorNotice(operatorId: number, callId: string): CoachingNotice | null;
}

export function createCoachingNotifier(deps: {
  db: Db;
  sink: CoachingNoticeSink;
  logger: Logger;
  now?: () => Date;
}): CoachingNotifier {
  const now = deps.now ?? (() => new Date());
  const settings = settingsStore(deps.db);
  /** What each coached call's operator was last told. */
  const told = new Map<string, CoachingNotice>();
  return {
    changed(change) {
      const { callId, operatorId } = change;
      try {
        deps.sink.toUser(change.supervisorId, { callId, operatorId, mode: change.mode });
        const seen = operatorSees(change.mode, settings.get('coaching').operatorSees);
        if (seen !== (told.get(callId)?.mode ?? null))
          deps.sink.toUser(operatorId, { callId, operatorId, mode: seen });
        if (change.mode === null) told.delete(callId);
        else told.set(callId, { callId, operatorId, mode: seen });
        if (change.ended && auditsEnd(change.ended)) {
          audit(
            deps.db,
            {
              actorId: change.supervisorId,
              action: auditAction(null),
              entity: COACHING_ENTITY,
              entityId: callId,
              after: { operatorId, reason: change.ended },
            },
            now(),
          );
        }
      } catch (err) {
        deps.logger.error({ err, callId }, 'could not report a coaching change');
      }
    },
    operatorNotice(operatorId, callId) {
      const notice = told.get(callId);
      return notice && notice.operatorId === operatorId && notice.mode !== null ? notice : null;
    },
  };
}
