/**
 * Keeps the call controller's operators, and their softphone accounts in Asterisk, equal to the
 * accounts in the database: `refresh()` after every account change (created, edited, disabled,
 * enabled, password reset), so a new operator takes calls and a disabled one is cut off without
 * a restart.
 */
import type { Logger } from 'pino';
import type { Ivr } from '../../ivr/api.ts';
import type { FallbackWatch } from '../../ivr/fallback.ts';
import type { Db } from '../db/index.ts';
import { operatorAccount, sipAccounts } from './sip-accounts.ts';

export interface OperatorProvisioning {
  /** Re-reads the accounts and hands them to the desk; rejects when Asterisk took only some. */
  refresh(): Promise<void>;
}

export function createOperatorProvisioning(deps: {
  db: Db;
  desk: Pick<Ivr, 'setOperators'>;
  /** The dialplan's fallback queue: its members follow the operators. */
  fallback?: Pick<FallbackWatch, 'setOperators'> | null;
  logger: Logger;
}): OperatorProvisioning {
  return {
    async refresh() {
      const accounts = sipAccounts(deps.db).map(operatorAccount);
      const done = await Promise.allSettled([
        deps.desk.setOperators(accounts),
        deps.fallback?.setOperators(accounts) ?? Promise.resolve(),
      ]);
      const failed = done.flatMap((d) => (d.status === 'rejected' ? [d.reason as unknown] : []));
      if (failed.length > 0) throw new AggregateError(failed, 'operators were not updated everywhere');
      deps.logger.debug({ operators: accounts.length }, 'operators refreshed');
    },
  };
}
