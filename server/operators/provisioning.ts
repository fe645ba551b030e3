/**
 * Keeps the call controller's operators, and their softphone accounts in Asterisk, equal to the
 * accounts and live softphone logins in the database: `refresh()` after every account change
 * (created, edited, disabled, enabled, password reset) and every login, logout and password
 * change, so a new operator takes calls, a disabled one is cut off, and a login's SIP secret works
 * from the moment the console has it until the session ends. Sessions also end by expiring, which
 * nothing announces: `watch()` looks for that.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Ivr, OperatorAccount } from '../../ivr/api.ts';
import type { FallbackWatch } from '../../ivr/fallback.ts';
import type { Db } from '../db/index.ts';
import { operatorAccount, sipAccounts } from './sip-accounts.ts';

export interface OperatorProvisioning {
  /** Re-reads the accounts and hands them to the desk; rejects when Asterisk took only some. */
  refresh(): Promise<void>;
  /**
   * Refreshes only when the accounts differ from those last handed over (a login, a logout, a
   * session expired); never rejects (failures are logged and tried again by the next call).
   */
  refreshIfChanged(): Promise<void>;
  /** Calls `refreshIfChanged` every `intervalMs` until the returned function is called. */
  watch(intervalMs?: number): () => void;
}

/** How often expired sessions are looked for: a softphone outlives its session by at most this. */
export const SESSION_EXPIRY_CHECK_MS = 3000;

function fingerprintOf(accounts: readonly OperatorAccount[]): string {
  return createHash('sha256').update(JSON.stringify(accounts)).digest('base64url');
}

export function createOperatorProvisioning(deps: {
  db: Db;
  desk: Pick<Ivr, 'setOperators'>;
  /** The dialplan's fallback queue: its members follow the operators. */
  fallback?: Pick<FallbackWatch, 'setOperators'> | null;
  logger: Logger;
  now?: () => Date;
}): OperatorProvisioning {
  const now = deps.now ?? (() => new Date());
  /** Fingerprint of the accounts the latest successful refresh handed over; null after a failure. */
  let handedOver: string | null = null;
  /** Refreshes started; only the latest one's result is remembered. */
  let started = 0;

  const read = () => {
    const accounts = sipAccounts(deps.db, now()).map(operatorAccount);
    return { accounts, fingerprint: fingerprintOf(accounts) };
  };

  const handOver = async (accounts: OperatorAccount[], fingerprint: string): Promise<void> => {
    const run = ++started;
    // Unknown until this run is over: a refresh meanwhile must not take the old one for current.
    handedOver = null;
    const done = await Promise.allSettled([
      deps.desk.setOperators(accounts),
      // Asterisk's fallback queue rings only those who take calls, never a supervisor.
      deps.fallback?.setOperators(accounts.filter((a) => a.takesCalls !== false)) ?? Promise.resolve(),
    ]);
    const failed = done.flatMap((d) => (d.status === 'rejected' ? [d.reason as unknown] : []));
    if (run === started) handedOver = failed.length === 0 ? fingerprint : null;
    if (failed.length > 0) throw new AggregateError(failed, 'operators were not updated everywhere');
    deps.logger.debug({ operators: accounts.length }, 'operators refreshed');
  };

  const refreshIfChanged = async () => {
    try {
      const { accounts, fingerprint } = read();
      if (fingerprint === handedOver) return;
      await handOver(accounts, fingerprint);
    } catch (err) {
      deps.logger.error({ err }, "could not update the operators' softphone accounts");
    }
  };

  return {
    async refresh() {
      const { accounts, fingerprint } = read();
      await handOver(accounts, fingerprint);
    },
    refreshIfChanged,
    watch(intervalMs = SESSION_EXPIRY_CHECK_MS) {
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        void refreshIfChanged().finally(() => {
          running = false;
        });
      }, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
