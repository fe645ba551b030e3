/**
 * Runs the retention period's clean-up (`service.ts`) in the server process: once shortly after
 * start (when the call controller has had time to reach Asterisk), then every day. Runs never
 * overlap; a failed run is logged and the next one starts over, since each run is idempotent.
 */
import { type RetentionDeps, type RetentionSummary, runRetention } from './service.ts';

const DAY_MS = 24 * 3600_000;

export interface RetentionJob {
  /** Runs now, or waits for the run in progress; resolves with its summary (null if it failed). */
  runNow(): Promise<RetentionSummary | null>;
  /** No more runs; resolves once a run in progress has finished (before the database closes). */
  stop(): Promise<void>;
}

export function startRetentionJob(
  deps: RetentionDeps & { firstRunAfterMs?: number; everyMs?: number },
): RetentionJob {
  let running: Promise<RetentionSummary | null> | null = null;
  const runNow = () => {
    running ??= runRetention(deps)
      .catch((err: unknown) => {
        deps.logger.error({ err }, 'retention run failed; the next one tries again');
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const first = setTimeout(() => void runNow(), deps.firstRunAfterMs ?? 30_000);
  const daily = setInterval(() => void runNow(), deps.everyMs ?? DAY_MS);
  first.unref();
  daily.unref();
  return {
    runNow,
    async stop() {
      clearTimeout(first);
      clearInterval(daily);
      await running;
    },
  };
}
