/**
 * What every end-to-end hotline stands on, whether its server runs in the test's process
 * (`e2e.ts`) or as child processes the way `npm start` runs it (`e2e-processes.ts`): the console
 * built from the sources under test, a private Redis, a SQLite file with the demo data, an agency
 * webhook receiver, the default menu open around the clock, optionally a real Asterisk, and the
 * server's settings for them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgencyReceiver, agencySecret, startAgencyReceiver } from '../../scripts/lib/agency-receiver.ts';
import {
  ASTERISK_SOUNDS_DIR,
  DEFAULT_ASTERISK_ROOT,
  type RunningAsterisk,
  startAsterisk,
} from '../../scripts/lib/asterisk.ts';
import { openAroundTheClock } from '../../scripts/lib/menu-hours.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { type RunningRedis, startRedis } from '../../scripts/lib/redis.ts';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { seedDemo } from '../../server/db/seed.ts';
import { sipAccounts } from '../../server/operators/sip-accounts.ts';
import { defaultMenuJson } from './menu.ts';

export interface E2eParts {
  workDir: string;
  redis: RunningRedis;
  db: Db;
  agency: AgencyReceiver;
  asterisk: RunningAsterisk | null;
  asteriskLog: string;
  /** The server's settings for these parts (no HTTP port: each way of running it picks its own). */
  env: Record<string, string>;
  /** Runs when the parts close, before them (last added, first run). */
  onClose(stop: () => Promise<void> | void): void;
  close(): Promise<void>;
}

export async function startE2eParts(opts: {
  name: string;
  telephony: boolean;
  /** Where Asterisk sends callback calls (a sipp citizen's phone on loopback). */
  trunkPort?: number;
  /** Address Asterisk listens on instead of loopback (see `startE2eHotline`). */
  bindAddress?: string;
}): Promise<E2eParts> {
  const workDir = mkdtempSync(join(tmpdir(), `hotline-e2e-${opts.name}-`));
  const instance = `e2e-${opts.name}-${process.pid}`;
  // The server serves agent-console/dist: build it from the sources under test.
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

    // The default menu with the hotline open around the clock, so call tests pass at any hour;
    // a test of the hours gives its own HOTLINE_IVR_MENU.
    const menuPath = join(workDir, 'menu.json');
    const menu = defaultMenuJson() as { hours: Record<string, unknown> };
    writeFileSync(menuPath, JSON.stringify({ ...menu, hours: openAroundTheClock(menu.hours) }));

    const env: Record<string, string> = {
      HOTLINE_IVR_MENU: menuPath,
      HOTLINE_DB_PATH: dbPath,
      HOTLINE_REDIS_URL: redis.url,
      HOTLINE_QUEUE_PREFIX: instance,
      HOTLINE_SMS_DRIVER: 'outbox',
      HOTLINE_ARI_ENABLED: String(opts.telephony),
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    };
    const asteriskLog = join(workDir, 'asterisk.log');
    let asterisk: RunningAsterisk | null = null;
    if (opts.telephony) {
      const root = process.env.HOTLINE_ASTERISK_ROOT ?? DEFAULT_ASTERISK_ROOT;
      asterisk = await startAsterisk({
        root,
        instance,
        sipPort: await freePort(),
        httpPort: await freePort(),
        amiPort: await freePort(),
        rtpStart: 30000,
        rtpEnd: 30200,
        operators: sipAccounts(db).filter((a) => a.takesCalls),
        ...(opts.bindAddress ? { bindAddress: opts.bindAddress, trunkMatch: '127.0.0.1' } : {}),
        ...(opts.trunkPort ? { trunk: { host: '127.0.0.1', port: opts.trunkPort } } : {}),
        logFile: asteriskLog,
      });
      stops.push(asterisk.stop);
      Object.assign(env, {
        HOTLINE_ARI_URL: asterisk.ariUrl,
        HOTLINE_ARI_USERNAME: asterisk.ari.username,
        HOTLINE_ARI_PASSWORD: asterisk.ari.password,
        HOTLINE_AMI_HOST: asterisk.ami.host,
        HOTLINE_AMI_PORT: String(asterisk.ami.port),
        HOTLINE_AMI_USERNAME: asterisk.ami.username,
        HOTLINE_AMI_PASSWORD: asterisk.ami.password,
        HOTLINE_SIP_WS_URL: asterisk.sipWsUrl,
        // The server generates the prompts of the code under test (unchanged ones are kept).
        HOTLINE_SOUNDS_DIR: join(root, ASTERISK_SOUNDS_DIR),
      });
    }
    return {
      workDir,
      redis,
      db,
      agency,
      asterisk,
      asteriskLog,
      env,
      onClose: (stop) => void stops.push(stop),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
