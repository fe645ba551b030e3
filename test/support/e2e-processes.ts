/**
 * The hotline as `npm start` runs it, for end-to-end tests that kill its processes: a private
 * Redis, a SQLite file with the demo data, a real Asterisk, the server as a supervised child
 * process (`scripts/lib/supervise.ts`, as npm start runs it) on a fixed port, and the watchdog as
 * another. Runs inside the network namespace scripts/e2e.sh creates.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STASIS_APP } from '../../ivr/constants.ts';
import { CONTROLLER_BEAT_VARIABLE } from '../../ivr/watchdog.ts';
import { agencySecret, startAgencyReceiver } from '../../scripts/lib/agency-receiver.ts';
import {
  ASTERISK_SOUNDS_DIR,
  DEFAULT_ASTERISK_ROOT,
  type RunningAsterisk,
  startAsterisk,
} from '../../scripts/lib/asterisk.ts';
import { openAroundTheClock } from '../../scripts/lib/menu-hours.ts';
import { freePort, waitFor } from '../../scripts/lib/ports.ts';
import { startRedis } from '../../scripts/lib/redis.ts';
import { type SupervisedChild, startSupervised } from '../../scripts/lib/supervise.ts';
import { openDatabase } from '../../server/db/index.ts';
import { seedDemo } from '../../server/db/seed.ts';
import { sipAccounts } from '../../server/operators/sip-accounts.ts';
import { defaultMenuJson } from './menu.ts';

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
  const workDir = mkdtempSync(join(tmpdir(), `hotline-e2e-${opts.name}-`));
  const instance = `e2e-${opts.name}-${process.pid}`;
  execFileSync(process.execPath, ['--import', 'tsx', 'agent-console/build.ts'], { stdio: 'ignore' });
  const stops: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    const redis = await startRedis();
    stops.push(redis.stop);
    const dbPath = join(workDir, 'hotline.sqlite');
    const db = openDatabase(dbPath);
    stops.push(() => void db.$client.close());
    const agency = await startAgencyReceiver({ secretFor: (code) => agencySecret(db, code) });
    stops.push(agency.close);
    await seedDemo(db, { agencyUrl: agency.url });
    const menuPath = join(workDir, 'menu.json');
    const menu = defaultMenuJson() as { hours: Record<string, unknown> };
    writeFileSync(menuPath, JSON.stringify({ ...menu, hours: openAroundTheClock(menu.hours) }));

    const root = process.env.HOTLINE_ASTERISK_ROOT ?? DEFAULT_ASTERISK_ROOT;
    const asterisk = await startAsterisk({
      root,
      instance,
      sipPort: await freePort(),
      httpPort: await freePort(),
      amiPort: await freePort(),
      rtpStart: 30000,
      rtpEnd: 30200,
      operators: sipAccounts(db).filter((a) => a.takesCalls),
      logFile: join(workDir, 'asterisk.log'),
    });
    stops.push(asterisk.stop);
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
      HOTLINE_IVR_MENU: menuPath,
      HOTLINE_HTTP_PORT: String(port),
      HOTLINE_DB_PATH: dbPath,
      HOTLINE_REDIS_URL: redis.url,
      HOTLINE_QUEUE_PREFIX: instance,
      HOTLINE_SMS_DRIVER: 'outbox',
      HOTLINE_ARI_ENABLED: 'true',
      HOTLINE_ARI_URL: asterisk.ariUrl,
      HOTLINE_ARI_USERNAME: asterisk.ari.username,
      HOTLINE_ARI_PASSWORD: asterisk.ari.password,
      HOTLINE_AMI_HOST: asterisk.ami.host,
      HOTLINE_AMI_PORT: String(asterisk.ami.port),
      HOTLINE_AMI_USERNAME: asterisk.ami.username,
      HOTLINE_AMI_PASSWORD: asterisk.ami.password,
      HOTLINE_SIP_WS_URL: asterisk.sipWsUrl,
      HOTLINE_SOUNDS_DIR: join(root, ASTERISK_SOUNDS_DIR),
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
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
      close,
    };
    stops.push(() => hotline.stopServer());
    stops.push(() => hotline.stopWatchdog());
    return hotline;
  } catch (err) {
    await close();
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
