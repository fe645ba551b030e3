/**
 * The hotline as `npm start` runs it, for end-to-end tests that kill its processes: a private
 * Redis, a SQLite file with the demo data, a real Asterisk, the server as a supervised child
 * process (`scripts/lib/supervise.ts`, as npm start runs it) on a fixed port, and the watchdog as
 * another. Runs inside the network namespace scripts/e2e.sh creates.
 */
import { STASIS_APP } from '../../ivr/constants.ts';
import { CONTROLLER_BEAT_VARIABLE } from '../../ivr/watchdog.ts';
import type { RunningAsterisk } from '../../scripts/lib/asterisk.ts';
import { freePort, waitFor } from '../../scripts/lib/ports.ts';
import { type SupervisedChild, startSupervised } from '../../scripts/lib/supervise.ts';
import { startE2eParts } from './e2e-parts.ts';

export interface ProcessHotline {
  url: string;
  asterisk: RunningAsterisk;
  /** A request on Asterisk's REST interface; throws on a non-2xx answer. */
  ari(method: 'GET' | 'POST' | 'DELETE', path: string): Promise<unknown>;
  /** The running server process; null before `startServer` and after `stopServer`. */
  server: SupervisedChild | null;
  /** Server restarts, as npm start would say them. */
  restarts: { at: number; reason: string; pid: number | undefined }[];
  /** Starts the server (started again after an exit unless `restart: false`), until the controller is registered. */
  startServer(opts: { restart: boolean }): Promise<void>;
  stopServer(): Promise<void>;
  /** Resolves once the call controller is registered in Asterisk again. */
  controllerRegistered(timeoutMs: number): Promise<void>;
  /** Starts the watchdog with `afterSeconds`; its log lines (JSON, info and above) collect in `watchdogLog`. */
  startWatchdog(afterSeconds: number): Promise<void>;
  stopWatchdog(): Promise<void>;
  readonly watchdogLog: { msg: string; [key: string]: unknown }[];
  close(): Promise<void>;
}

export async function startProcessHotline(opts: { name: string; env?: Record<string, string> }) {
  const parts = await startE2eParts({ name: opts.name, telephony: true });
  try {
    const asterisk = parts.asterisk!;
    const auth = `Basic ${Buffer.from(`${asterisk.ari.username}:${asterisk.ari.password}`).toString('base64')}`;
    const ari = async (method: 'GET' | 'POST' | 'DELETE', path: string) => {
      const res = await fetch(`${asterisk.ariUrl}/ari${path}`, { method, headers: { authorization: auth } });
      if (!res.ok) throw new Error(`${method} ${path} → ${res.status}`);
      const text = await res.text();
      return text ? (JSON.parse(text) as unknown) : undefined;
    };

    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...parts.env,
      HOTLINE_HTTP_PORT: String(port),
      ...opts.env,
    };

    const controllerRegistered = (timeoutMs: number) =>
      waitFor(
        'the hotline Stasis application is registered, its controller writing its heartbeat',
        async () => {
          const apps = (await ari('GET', '/applications')) as { name: string }[];
          if (!apps.some((a) => a.name === STASIS_APP)) return false;
          const seen = await heartbeat(ari);
          await new Promise((r) => setTimeout(r, 1200));
          return (await heartbeat(ari)) !== seen;
        },
        timeoutMs,
      );

    let watchdog: SupervisedChild | null = null;
    const watchdogLog: ProcessHotline['watchdogLog'] = [];
    const hotline: ProcessHotline = {
      url: `http://127.0.0.1:${port}`,
      asterisk,
      ari,
      server: null,
      restarts: [],
      async startServer({ restart }) {
        hotline.server = await startSupervised({
          entry: 'server/main.ts',
          env,
          waitUntilUp: true,
          restart,
          spare: restart,
          onExit: ({ exitCode, signal }) =>
            hotline.restarts.push({ at: Date.now(), reason: signal ?? `exit ${exitCode}`, pid: undefined }),
          onRestarted: ({ pid }) => {
            const last = hotline.restarts.at(-1);
            if (last) last.pid = pid;
          },
        });
        await controllerRegistered(20_000);
      },
      async stopServer() {
        await hotline.server?.stop();
        hotline.server = null;
      },
      controllerRegistered,
      async startWatchdog(afterSeconds) {
        let partial = '';
        watchdog = await startSupervised({
          entry: 'server/watchdog-main.ts',
          env: { ...env, HOTLINE_WATCHDOG_AFTER_SECONDS: String(afterSeconds), LOG_LEVEL: 'info' },
          waitUntilUp: false,
          onStdout: (text) => {
            const lines = (partial + text).split('\n');
            partial = lines.pop() ?? '';
            for (const line of lines) {
              if (!line.trim()) continue;
              try {
                watchdogLog.push(JSON.parse(line) as { msg: string });
              } catch {
                watchdogLog.push({ msg: line });
              }
            }
          },
        });
      },
      async stopWatchdog() {
        await watchdog?.stop();
        watchdog = null;
      },
      watchdogLog,
      close: parts.close,
    };
    parts.onClose(() => hotline.stopServer());
    parts.onClose(() => hotline.stopWatchdog());
    return hotline;
  } catch (err) {
    await parts.close();
    throw err;
  }
}

async function heartbeat(ari: ProcessHotline['ari']): Promise<string> {
  try {
    return (
      (await ari('GET', `/asterisk/variable?variable=${CONTROLLER_BEAT_VARIABLE}`)) as { value: string }
    ).value;
  } catch {
    return '';
  }
}
