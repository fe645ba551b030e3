/**
 * The hotline under soak, started as `npm start` starts it (scripts/start.ts in a child process,
 * with a private data folder and ports). The agencies' deliveries are read from the demo agency
 * endpoint that `npm start` runs (one output line per POST it receives); the SMS gateway is the
 * soak's own (`HOTLINE_SMS_DRIVER=http`), in the soak's process, so it outlives every fault.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WEEKDAYS } from '../ivr/menu.ts';
import { openAroundTheClock } from '../scripts/lib/menu-hours.ts';
import { freePort, waitFor } from '../scripts/lib/ports.ts';
import { descendants, type ProcessRef, processRef } from '../scripts/lib/processes.ts';
import { type StartSettings, startSettings } from '../scripts/lib/start-settings.ts';
import { type Db, openDatabase } from '../server/db/index.ts';

const CHECKOUT = resolve(import.meta.dirname, '..');

export interface AgencyDelivery {
  agency: string;
  trackingCode: string;
  signatureValid: boolean;
}

const DELIVERY_LINE = /\[hotline\] agency (\S+) received ticket (\S+) \(signature (valid|INVALID)\)/g;

/** One POST the SMS gateway accepted. */
export interface SmsPost {
  to: string;
  body: string;
  idempotencyKey: string;
  at: number;
}

export interface SoakHotline {
  dir: string;
  url: string;
  sipPort: number;
  trunkPort: number;
  settings: StartSettings;
  /** Each POST the demo agency endpoint received, as `npm start` printed it. */
  deliveries(): AgencyDelivery[];
  sms: SmsPost[];
  /** The soak's own read-only look at the database. */
  db: Db;
  /** Opens or closes the hotline's hours (the menu file, which the server reloads on change). */
  setOpen(open: boolean): void;
  /** The processes `npm start` recorded (npm-start.json), by name. */
  recorded(): ProcessRef[];
  output(): string;
  /** Whether `npm start` itself still runs. */
  alive(): boolean;
  stop(): Promise<void>;
}

/** An SMS gateway on loopback that accepts every message and remembers it. */
async function startSmsGateway(token: string) {
  const posts: SmsPost[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<SmsPost, 'at'>;
        posts.push({ ...body, at: Date.now() });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `gw-${posts.length}` }));
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    posts,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Server settings that make a shift fit in minutes: short rings, wrap-ups and offers. */
const SOAK_SETTINGS: Record<string, string> = {
  HOTLINE_WRAP_UP_SECONDS: '3',
  HOTLINE_RING_TIMEOUT_SECONDS: '8',
  HOTLINE_ANNOUNCE_EVERY_SECONDS: '8',
  HOTLINE_CALLBACK_OFFER_AFTER_SECONDS: '2',
  HOTLINE_CALLBACK_SPACING_SECONDS: '5',
  HOTLINE_CALLBACK_CLAIM_SECONDS: '30',
  HOTLINE_QUEUE_CALLBACK_RETRY_SECONDS: '10',
  // The menu file's hours count (npm start's demo is otherwise open at any hour).
  HOTLINE_ALWAYS_OPEN: 'false',
  HOTLINE_FORWARD_BACKOFF_MS: '500',
  HOTLINE_SMS_BACKOFF_MS: '500',
  HOTLINE_RECONCILE_EVERY_MS: '10000',
  LOG_LEVEL: 'warn',
};

export async function startSoakHotline(opts: { menuOpen: boolean }): Promise<SoakHotline> {
  // The server serves agent-console/dist: build it from the sources, as `npm run setup` does.
  execFileSync(process.execPath, ['--import', 'tsx', 'agent-console/build.ts'], {
    cwd: CHECKOUT,
    stdio: 'ignore',
  });
  const dir = mkdtempSync(join(tmpdir(), 'hotline-soak-'));
  const menuPath = join(dir, 'menu.json');
  const menu = JSON.parse(readFileSync(join(CHECKOUT, 'ivr/menu.json'), 'utf8')) as { hours: object };
  const closed = {
    ...menu.hours,
    weekdays: Object.fromEntries(WEEKDAYS.map((d) => [d, { closed: true }])),
    holidayHours: { closed: true },
  };
  const setOpen = (open: boolean) =>
    writeFileSync(
      menuPath,
      JSON.stringify({ ...menu, hours: open ? openAroundTheClock(menu.hours) : closed }, null, 1),
    );
  setOpen(opts.menuOpen);

  const smsToken = 'soak-sms-token-1022';
  const gateway = await startSmsGateway(smsToken);
  const ports = {
    HOTLINE_HTTP_PORT: await freePort(),
    HOTLINE_REDIS_PORT: await freePort(),
    HOTLINE_SIP_PORT: await freePort(),
    HOTLINE_ASTERISK_HTTP_PORT: await freePort(),
    HOTLINE_AMI_PORT: await freePort(),
    HOTLINE_TRUNK_PORT: await freePort(),
  };
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^(HOTLINE_|VITEST|NODE_ENV$|TEST$)/.test(key)) env[key] = value;
  if (process.env.HOTLINE_ASTERISK_ROOT) env.HOTLINE_ASTERISK_ROOT = process.env.HOTLINE_ASTERISK_ROOT;
  Object.assign(env, SOAK_SETTINGS, {
    HOTLINE_DB_PATH: join(dir, 'hotline.sqlite'),
    HOTLINE_LOG_DIR: dir,
    HOTLINE_IVR_MENU: menuPath,
    HOTLINE_SMS_DRIVER: 'http',
    HOTLINE_SMS_URL: gateway.url,
    HOTLINE_SMS_TOKEN: smsToken,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  });
  const settings = startSettings(env, CHECKOUT);

  // As scripts/start.sh ends: node running scripts/start.ts, in a process group of its own.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: CHECKOUT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const log: string[] = [];
  const deliveries: AgencyDelivery[] = [];
  const keep = (d: Buffer) => {
    text += d.toString();
    // Whole lines only: a chunk may end mid-line.
    const end = text.lastIndexOf('\n') + 1;
    for (const m of text.slice(0, end).matchAll(DELIVERY_LINE))
      deliveries.push({ agency: m[1]!, trackingCode: m[2]!, signatureValid: m[3] === 'valid' });
    log.push(text.slice(0, end));
    text = text.slice(end);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const alive = () => child.exitCode === null && child.signalCode === null;

  let db: Db | null = null;
  const output = () => log.join('') + text;
  const stop = async () => {
    if (alive()) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
      if (alive() && child.pid) {
        // Stuck stopping: kill it and whatever it started.
        for (const p of descendants(child.pid)) {
          try {
            process.kill(p.pid, 'SIGKILL');
          } catch {
            // Gone meanwhile.
          }
        }
        child.kill('SIGKILL');
      }
    }
    await gateway.close();
    db?.$client.close();
    // What npm start said (the supervisor's restarts, the watchdog, errors), kept with the data.
    writeFileSync(join(dir, 'npm-start.log'), output());
  };
  try {
    await waitFor(
      "npm start's console line",
      async () => /\[hotline\] console: http/.test(output()),
      120_000,
      () => (alive() ? null : `npm start exited:\n${output().slice(-4000)}`),
    );
    db = openDatabase(settings.dbPath);
    const soakDb = db;
    const recordFile = join(dir, 'npm-start.json');
    return {
      dir,
      url: `http://127.0.0.1:${ports.HOTLINE_HTTP_PORT}`,
      sipPort: ports.HOTLINE_SIP_PORT,
      trunkPort: ports.HOTLINE_TRUNK_PORT,
      settings,
      deliveries: () => deliveries,
      sms: gateway.posts,
      db: soakDb,
      setOpen,
      recorded() {
        try {
          const record = JSON.parse(readFileSync(recordFile, 'utf8')) as { processes: ProcessRef[] };
          return record.processes.filter((p) => processRef(p.pid)?.startTime === p.startTime);
        } catch {
          return [];
        }
      },
      output,
      alive,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
