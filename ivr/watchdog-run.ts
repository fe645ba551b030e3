/**
 * The watchdog at work: every second it reads the controller's heartbeat; once the controller has
 * been away for the configured time it moves the callers the controller left in Stasis to the
 * dialplan's fallback queue, or hangs up the lone ones (the rules: `watchdog.ts`). It never acts
 * beside a live controller: the heartbeat is read again before each step on each channel, and
 * one that changed stops the rescue. Channels are rescued side by side (each waits for its own prompt
 * to end), each once (a failed move is tried again only while the channel is still in Stasis),
 * and each action is logged. After each look it writes its own beat, which `/api/health` follows.
 */
import type { Logger } from 'pino';
import { FALLBACK_MOVED_CONTEXT } from './constants.ts';
import type { MenuNode } from './menu.ts';
import { GoneError } from './port.ts';
import {
  type BeatWatch,
  CONTROLLER_BEAT_EVERY_MS,
  CONTROLLER_BEAT_VARIABLE,
  controllerAway,
  FALLBACK_LABEL,
  observeBeat,
  planRescues,
  type Rescue,
  startBeatWatch,
} from './watchdog.ts';
import { WATCHDOG_BEAT_VARIABLE } from './watchdog-health.ts';
import type { WatchdogRest } from './watchdog-rest.ts';

export interface WatchdogDeps {
  rest: WatchdogRest;
  /** How long the controller may be away before its callers are moved. */
  afterMs: number;
  /** The top menu as it is now (the fallback's keys). */
  menu: () => MenuNode;
  logger: Logger;
  now?: () => number;
  everyMs?: number;
}

export interface WatchdogStatus {
  controllerAway: boolean;
  /** Callers moved to the fallback queue, and channels hung up, since the watchdog started. */
  moved: number;
  hungUp: number;
}

export interface Watchdog {
  /**
   * One look: read the heartbeat and, when the controller is away, start acting on what it left
   * (`idle()` resolves once that is done).
   */
  tick(): Promise<void>;
  idle(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
  status(): WatchdogStatus;
}

export function createWatchdog(deps: WatchdogDeps): Watchdog {
  const now = deps.now ?? Date.now;
  const { rest, logger } = deps;
  let watch: BeatWatch = startBeatWatch(now());
  let away = false;
  const done = new Set<string>();
  const counts = { moved: 0, hungUp: 0 };

  /** Reads the heartbeat; true while the controller is away. */
  async function look(): Promise<boolean> {
    watch = observeBeat(watch, await rest.globalVariable(CONTROLLER_BEAT_VARIABLE), now());
    const isAway = controllerAway(watch, now(), deps.afterMs);
    if (isAway && !away)
      logger.warn(
        { awaySeconds: Math.round((now() - watch.changedAt) / 1000) },
        'call controller away: moving the callers it left to the fallback queue',
      );
    if (!isAway && away) logger.info('call controller back: the watchdog stands aside');
    away = isAway;
    return isAway;
  }

  /**
   * One channel's rescue. Asterisk runs a command on a channel in Stasis (setting a variable, going
   * to the dialplan) only once the prompt it plays has ended, so a move can take that long; the
   * heartbeat is read again before each step.
   */
  async function rescue(r: Rescue): Promise<void> {
    if (!(await look())) return;
    if (r.kind === 'hangup') {
      await rest.hangup(r.channelId);
      counts.hungUp += 1;
      logger.info({ channelId: r.channelId, why: r.why }, 'channel left alone hung up');
      return;
    }
    // The key goes as the extension of the context that leads to the fallback (see its constant).
    await rest.continueInDialplan(r.channelId, {
      context: FALLBACK_MOVED_CONTEXT,
      exten: r.choice !== null && /^[0-9]$/.test(r.choice) ? r.choice : 'none',
      label: FALLBACK_LABEL,
    });
    counts.moved += 1;
    logger.info(
      { callId: r.channelId, queue: r.queue, choice: r.choice, why: r.why },
      'caller moved to the fallback queue',
    );
  }

  /** Rescues under way, by channel: each channel is acted on by one at a time, and once. */
  const underWay = new Map<string, Promise<void>>();

  async function tick(): Promise<void> {
    if (!(await look())) return;
    const [channels, bridges] = await Promise.all([rest.channels(), rest.bridges()]);
    const present = new Set(channels.map((c) => c.id));
    for (const id of done) if (!present.has(id)) done.delete(id);
    const skip = new Set([...done, ...underWay.keys()]);
    for (const r of planRescues(channels, bridges, deps.menu(), skip)) {
      const work = rescue(r).then(
        () => {
          done.add(r.channelId);
        },
        (err: unknown) => {
          // Gone: the caller hung up meanwhile. Anything else is tried again next round if the
          // channel is still in Stasis.
          if (err instanceof GoneError) done.add(r.channelId);
          else
            logger.error({ err, channelId: r.channelId }, 'could not act on a channel the controller left');
        },
      );
      underWay.set(
        r.channelId,
        work.finally(() => underWay.delete(r.channelId)),
      );
    }
  }

  const idle = async () => {
    while (underWay.size > 0) await Promise.all(underWay.values());
  };

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let failing = false;
  let beats = 0;
  const round = async () => {
    try {
      await tick();
      // Proof for the server's health that a watchdog is watching (`watchdog-health.ts`).
      beats += 1;
      await rest.setGlobalVariable(WATCHDOG_BEAT_VARIABLE, `${process.pid}-${now()}-${beats}`);
      if (failing) logger.info('Asterisk answers the watchdog again');
      failing = false;
    } catch (err) {
      if (!failing) logger.warn({ err }, 'watchdog cannot reach Asterisk; trying every second');
      failing = true;
    }
  };
  return {
    tick,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        // A slow round (Asterisk not answering) is not overlapped by the next.
        if (running) return;
        running = round().finally(() => {
          running = null;
        });
      }, deps.everyMs ?? CONTROLLER_BEAT_EVERY_MS);
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
      await idle();
    },
    idle,
    status: () => ({ controllerAway: away, ...counts }),
  };
}
