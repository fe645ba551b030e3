/**
 * The server's event-loop thread runs the call controller: each ARI event (a caller arriving, an
 * operator's leg ringing) waits for it. Asterisk runs at real-time priority (`highpriority` in
 * `dialplan/asterisk.conf`: round-robin, priority 10), so under load an ordinary process gets the
 * CPU only between Asterisk's media threads, and a new caller waits tens of milliseconds to be
 * answered. The event-loop thread therefore joins Asterisk's real-time priority.
 *
 * Only that thread: the worker pool (password hashing, file I/O) and the V8 helper threads stay
 * ordinary, and with `--reset-on-fork` so do the threads and child processes (espeak-ng, the job
 * workers) started afterwards. A long synchronous task (a big report) shares its core with
 * Asterisk round-robin rather than starving it.
 */
import { execFileSync } from 'node:child_process';
import { isMainThread } from 'node:worker_threads';
import type { Logger } from 'pino';

/** Asterisk's own real-time priority with `highpriority = yes`. */
export const ASTERISK_REALTIME_PRIORITY = 10;

/**
 * Puts this process's main thread in the real-time round-robin class at `priority` (0: leave it
 * alone). Never fails the start: without the right (`CAP_SYS_NICE`, `RLIMIT_RTPRIO`) or without
 * `chrt` the server runs at ordinary priority and says so.
 */
export function raiseCallControlPriority(
  priority: number,
  log: Pick<Logger, 'info' | 'warn'>,
  opts: { pid?: number } = {},
): boolean {
  if (priority === 0) return false;
  const pid = opts.pid ?? process.pid;
  if (opts.pid === undefined && !isMainThread) {
    log.warn('not on the main thread: call control keeps ordinary CPU priority');
    return false;
  }
  try {
    execFileSync('chrt', ['--rr', '--reset-on-fork', '--pid', String(priority), String(pid)], {
      stdio: 'pipe',
      timeout: 5_000,
    });
  } catch (err) {
    const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
    log.warn({ priority, err: detail }, 'could not raise call control to real-time priority');
    return false;
  }
  log.info({ priority }, 'call control runs at real-time priority');
  return true;
}
