/**
 * Who may hear a call's stored recording:
 * - supervisors and admins: every recording;
 * - an operator: the recordings of calls they handled (the call's operator, or an operator who
 *   answered it before the talk was lost and another took it over), and the after-hours message
 *   of an open callback task that they hold or that nobody holds (claimed, the claim not lapsed):
 *   the operator who calls the citizen back listens first to know why; once the task is closed,
 *   or while a colleague holds it, the message is not theirs to hear;
 * - agency liaisons and anyone else: none.
 */
import { and, eq, isNull, lte, or } from 'drizzle-orm';
import type { Role } from '../../common/domain.ts';
import { callbacks } from '../callbacks/schema.ts';
import type { Db } from '../db/index.ts';
import { type CallRow, callOffers } from './schema.ts';

export type RecordingAccess = 'allowed' | 'forbidden' | 'hidden';

/**
 * `hidden`: the viewer is not hotline staff and is not even told the call exists; `forbidden`:
 * an operator asking for a call that is neither theirs nor their claimed callback's.
 */
export function recordingAccess(
  db: Db,
  viewer: { id: number; role: Role },
  call: Pick<CallRow, 'id' | 'operatorId'>,
  now: Date,
): RecordingAccess {
  if (viewer.role === 'supervisor' || viewer.role === 'admin') return 'allowed';
  if (viewer.role !== 'operator') return 'hidden';
  if (call.operatorId === viewer.id) return 'allowed';
  const answered = db
    .select({ id: callOffers.id })
    .from(callOffers)
    .where(
      and(
        eq(callOffers.callId, call.id),
        eq(callOffers.operatorId, viewer.id),
        eq(callOffers.outcome, 'answered'),
      ),
    )
    .get();
  if (answered) return 'allowed';
  const workable = db
    .select({ id: callbacks.id })
    .from(callbacks)
    .where(
      and(
        eq(callbacks.recordingCallId, call.id),
        eq(callbacks.status, 'open'),
        or(
          isNull(callbacks.claimedBy),
          eq(callbacks.claimedBy, viewer.id),
          isNull(callbacks.claimedUntil),
          lte(callbacks.claimedUntil, now),
        ),
      ),
    )
    .get();
  return workable ? 'allowed' : 'forbidden';
}
