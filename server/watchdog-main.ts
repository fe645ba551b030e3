/**
 * The watchdog's process, apart from the server's so that it outlives it: `tsx
 * server/watchdog-main.ts` (npm start runs it beside the server; in production
 * `hotline-1022-watchdog.service`), with the server's environment. When the call controller has
 * been away `HOTLINE_WATCHDOG_AFTER_SECONDS`, it moves the callers it left to the dialplan's
 * fallback queue (`ivr/watchdog-run.ts`). It needs Asterisk's REST interface and the menu file,
 * nothing else: no database, no Redis.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Logger, pino } from 'pino';
import { type MenuNode, parseMenuConfig } from '../ivr/menu.ts';
import { createWatchdogRest } from '../ivr/watchdog-rest.ts';
import { createWatchdog, type Watchdog } from '../ivr/watchdog-run.ts';
import { type Config, loadConfig } from './config.ts';

/** The exit code of a watchdog with nothing to watch (EX_CONFIG), which is not restarted. */
export const NOTHING_TO_WATCH_EXIT_CODE = 78;

/** No menu file readable: no key is set and the fallback asks the caller. */
const NO_MENU: MenuNode = { id: 'main', prompt: '', options: {} };

/** The top menu from the file, read when the watchdog acts; the last good one if it became invalid. */
function menuReader(path: string, logger: Logger): () => MenuNode {
  let last = NO_MENU;
  return () => {
    try {
      const parsed = parseMenuConfig(readFileSync(path, 'utf8'));
      if (parsed.ok) last = parsed.config.menu;
      else logger.warn({ errors: parsed.errors }, 'menu file invalid; the last good menu is used');
    } catch (err) {
      logger.warn({ err }, 'menu file unreadable; the last good menu is used');
    }
    return last;
  };
}

export function startWatchdog(config: Config, logger: Logger): Watchdog {
  const watchdog = createWatchdog({
    rest: createWatchdogRest(config.ari),
    afterMs: config.watchdog.afterSeconds * 1000,
    menu: menuReader(config.ivr.menuPath, logger),
    logger,
  });
  watchdog.start();
  logger.info(
    { afterSeconds: config.watchdog.afterSeconds, pid: process.pid },
    'watchdog follows the call controller',
  );
  return watchdog;
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel }).child({ component: 'watchdog' });
  if (!config.ari.enabled) {
    logger.info('telephony is disabled (HOTLINE_ARI_ENABLED=false): nothing to watch');
    // Its systemd unit restarts it on any exit but this one (RestartPreventExitStatus).
    process.exit(NOTHING_TO_WATCH_EXIT_CODE);
  }
  const watchdog = startWatchdog(config, logger);
  const shutdown = (why: string) => {
    logger.info({ why }, 'watchdog stopping');
    void watchdog.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  // Started by npm start: it goes when its starter goes.
  if (process.connected) process.once('disconnect', () => shutdown('its starter is gone'));
}
