/**
 * Pure rules of coaching on the server's side: what the operator is told under the province's
 * setting (`coaching.operatorSees`), and the audit action of each use.
 */
import type { CoachingMode, CoachingVisibility } from '../../common/api.ts';
import type { CoachingEnd } from '../../ivr/api.ts';

/**
 * The mode the operator is told of, or null for "nobody you are told of":
 * - `never`: nothing, ever;
 * - `audible` (the default): being coached (whisper) or joined (barge), not being listened to;
 * - `always`: listening too.
 */
export function operatorSees(mode: CoachingMode | null, policy: CoachingVisibility): CoachingMode | null {
  if (mode === null || policy === 'never') return null;
  if (mode === 'listen') return policy === 'always' ? 'listen' : null;
  return mode;
}

export type CoachingAuditAction = `coaching.${CoachingMode}` | 'coaching.leave';

/** The audit action of a mode started or switched to, or of leaving (`null`). */
export function auditAction(mode: CoachingMode | null): CoachingAuditAction {
  return mode === null ? 'coaching.leave' : `coaching.${mode}`;
}

/**
 * Whether an end reported by the call controller needs its own audit entry: a supervisor who
 * asked to leave was audited by the request itself.
 */
export function auditsEnd(ended: CoachingEnd): boolean {
  return ended !== 'left';
}
