/** Operators' PJSIP endpoints: the call controller and the softphone accounts in Asterisk are built from these. */
import { and, asc, eq, gt, inArray, isNotNull, isNull } from 'drizzle-orm';
import { type QueueName, SOFTPHONE_ROLES } from '../../common/domain.ts';
import type { OperatorAccount } from '../../ivr/api.ts';
import type { Db } from '../db/index.ts';
import { sessions, users } from '../db/schema.ts';

export interface SipAccount {
  /** PJSIP endpoint name; the operator's username. */
  endpoint: string;
  /** The SIP secret of the operator's live softphone login; null while they have none. */
  password: string | null;
  displayName: string;
  operatorId: number;
  skills: QueueName[];
  /** Operators take citizens' calls; a supervisor's softphone only joins calls in progress (coaching). */
  takesCalls: boolean;
}

/**
 * Every operator and supervisor whose account is not disabled, in id order, with the SIP secret of
 * their softphone login (the newest session holds it; see `sessions.sipSecret`) while it lasts.
 */
export function sipAccounts(db: Db, now: Date = new Date()): SipAccount[] {
  return db
    .select({ user: users, secret: sessions.sipSecret })
    .from(users)
    .leftJoin(
      sessions,
      and(eq(sessions.userId, users.id), isNotNull(sessions.sipSecret), gt(sessions.expiresAt, now)),
    )
    .where(and(inArray(users.role, [...SOFTPHONE_ROLES]), isNull(users.disabledAt)))
    .orderBy(asc(users.id))
    .all()
    .map(({ user, secret }) => ({
      endpoint: user.username,
      password: user.mustChangePassword ? null : secret,
      displayName: user.displayName,
      operatorId: user.id,
      skills: user.skills,
      takesCalls: user.role === 'operator',
    }));
}

/** The call controller's view of an account. */
export function operatorAccount(a: SipAccount): OperatorAccount {
  return {
    operatorId: a.operatorId,
    displayName: a.displayName,
    sipEndpoint: a.endpoint,
    skills: a.skills,
    sipPassword: a.password,
    takesCalls: a.takesCalls,
  };
}
