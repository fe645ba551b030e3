/** Operators' PJSIP endpoints: Asterisk's pjsip.conf and the call controller are built from these. */
import { and, asc, inArray, isNotNull } from 'drizzle-orm';
import type { QueueName } from '../../common/domain.ts';
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

/** Every operator and supervisor with a SIP password, in id order. */
export function sipAccounts(db: Db): SipAccount[] {
  return db
    .select()
    .from(users)
    .where(and(inArray(users.role, ['operator', 'supervisor']), isNotNull(users.sipPassword)))
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
