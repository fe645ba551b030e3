/** Operators' PJSIP endpoints: the call controller and the softphone accounts in Asterisk are built from these. */
import { and, asc, inArray, isNotNull, isNull } from 'drizzle-orm';
import { type QueueName, SOFTPHONE_ROLES } from '../../common/domain.ts';
import type { OperatorAccount } from '../../ivr/api.ts';
import type { Db } from '../db/index.ts';
import { users } from '../db/schema.ts';

export interface SipAccount {
  /** PJSIP endpoint name; the operator's username. */
  endpoint: string;
  password: string;
  displayName: string;
  operatorId: number;
  skills: QueueName[];
}

/** Every operator and supervisor with a SIP password whose account is not disabled, in id order. */
export function sipAccounts(db: Db): SipAccount[] {
  return db
    .select()
    .from(users)
    .where(
      and(inArray(users.role, [...SOFTPHONE_ROLES]), isNotNull(users.sipPassword), isNull(users.disabledAt)),
    )
    .orderBy(asc(users.id))
    .all()
    .map((u) => ({
      endpoint: u.username,
      password: u.sipPassword!,
      displayName: u.displayName,
      operatorId: u.id,
      skills: u.skills,
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
  };
}
