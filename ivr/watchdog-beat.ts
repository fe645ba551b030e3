/**
 * The controller's heartbeat, which the watchdog (`watchdog-run.ts`) reads: while the
 * controller's event socket is up, a fresh value is written every second into an Asterisk global
 * variable. It stops when the socket drops, the controller is stopped or its process dies, which
 * Asterisk alone does not show (see `watchdog.ts`).
 */
import type { Logger } from 'pino';
import { CONTROLLER_BEAT_EVERY_MS, CONTROLLER_BEAT_VARIABLE } from './watchdog.ts';
import type { WatchdogRest } from './watchdog-rest.ts';

export function startControllerBeat(deps: {
  rest: Pick<WatchdogRest, 'setGlobalVariable'>;
  /** Whether the controller's event socket is up now. */
  isUp: () => boolean;
  logger: Logger;
  everyMs?: number;
}): { stop(): void } {
  let count = 0;
  let failing = false;
  let busy = false;
  const beat = async () => {
    if (busy || !deps.isUp()) return;
    busy = true;
    try {
      count += 1;
      await deps.rest.setGlobalVariable(CONTROLLER_BEAT_VARIABLE, `${process.pid}-${Date.now()}-${count}`);
      if (failing) deps.logger.info('controller heartbeat written again');
      failing = false;
    } catch (err) {
      // Once per run of failures: ARI down is already logged by the controller's connection.
      if (!failing) deps.logger.warn({ err }, 'controller heartbeat not written');
      failing = true;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void beat(), deps.everyMs ?? CONTROLLER_BEAT_EVERY_MS);
  void beat();
  return { stop: () => clearInterval(timer) };
}
