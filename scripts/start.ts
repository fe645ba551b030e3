/**
 * Starts the whole hotline on this machine: Redis, Asterisk (from the root `npm run setup`
 * built), the server with the call controller and console, demo data, and a demo agency
 * endpoint that receives forwarded tickets. Set HOTLINE_REDIS_URL or HOTLINE_ARI_URL (with its
 * credentials) to use a Redis or an Asterisk you already run instead.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfig } from '../server/config.ts';
import { openDatabase } from '../server/db/index.ts';
import { seedDemo } from '../server/db/seed.ts';
import { startHotline } from '../server/main.ts';
import { sipAccounts } from '../server/operators/sip-accounts.ts';
import { agencySecret, startAgencyReceiver } from './lib/agency-receiver.ts';
import {
  ASTERISK_SOUNDS_DIR,
  DEFAULT_ASTERISK_ROOT,
  type RunningAsterisk,
  startAsterisk,
} from './lib/asterisk.ts';
import { type RunningRedis, startRedis } from './lib/redis.ts';

const env = { ...process.env };

const stops: (() => Promise<void>)[] = [];
const say = (line: string) => console.log(`[hotline] ${line}`);

async function main() {
  const dbPath = env.HOTLINE_DB_PATH ?? 'data/hotline.sqlite';
  mkdirSync(dirname(resolve(dbPath)), { recursive: true });
  env.HOTLINE_DB_PATH = dbPath;

  if (!env.HOTLINE_REDIS_URL) {
    const redis: RunningRedis = await startRedis({ port: Number(env.HOTLINE_REDIS_PORT ?? 6379) });
    stops.push(redis.stop);
    env.HOTLINE_REDIS_URL = redis.url;
    say(`Redis on ${redis.url}`);
  }

  const db = openDatabase(dbPath);
  const agency = await startAgencyReceiver({
    secretFor: (code) => agencySecret(db, code),
    onDelivery: (d) =>
      say(
        `agency ${d.agencyCode} received ticket ${String(d.body.trackingCode)} (signature ${d.signatureValid ? 'valid' : 'INVALID'})`,
      ),
  });
  stops.push(agency.close);
  env.HOTLINE_DEMO_AGENCY_URL = agency.url;
  env.HOTLINE_SEED_DEMO = 'true';
  const logins = await seedDemo(db, { agencyUrl: agency.url });

  if (!env.HOTLINE_ARI_URL) {
    const root = env.HOTLINE_ASTERISK_ROOT ?? DEFAULT_ASTERISK_ROOT;
    const asterisk: RunningAsterisk = await startAsterisk({
      root,
      instance: 'hotline',
      sipPort: Number(env.HOTLINE_SIP_PORT ?? 5060),
      httpPort: Number(env.HOTLINE_ASTERISK_HTTP_PORT ?? 8088),
      amiPort: Number(env.HOTLINE_AMI_PORT ?? 5038),
      rtpStart: 10000,
      rtpEnd: 10999,
      operators: sipAccounts(db),
      trunk: { host: env.HOTLINE_TRUNK_HOST ?? '127.0.0.1', port: Number(env.HOTLINE_TRUNK_PORT ?? 5070) },
      logFile: resolve('data/asterisk.log'),
    });
    stops.push(asterisk.stop);
    env.HOTLINE_ARI_URL = asterisk.ariUrl;
    env.HOTLINE_ARI_USERNAME = asterisk.ari.username;
    env.HOTLINE_ARI_PASSWORD = asterisk.ari.password;
    env.HOTLINE_AMI_HOST = asterisk.ami.host;
    env.HOTLINE_AMI_PORT = String(asterisk.ami.port);
    env.HOTLINE_AMI_USERNAME = asterisk.ami.username;
    env.HOTLINE_AMI_PASSWORD = asterisk.ami.password;
    env.HOTLINE_SIP_WS_URL = asterisk.sipWsUrl;
    env.HOTLINE_SOUNDS_DIR ??= join(root, ASTERISK_SOUNDS_DIR);
    say(`Asterisk on SIP 127.0.0.1:${asterisk.sipPort}, ARI ${asterisk.ariUrl} (log: data/asterisk.log)`);
  }
  db.$client.close();

  const hotline = await startHotline(loadConfig(env));
  stops.push(hotline.close);

  say(`console: ${hotline.url}/`);
  say(`demo logins (password "${logins.password}"):`);
  for (const a of logins.accounts) say(`  ${a.username.padEnd(16)} ${a.role.padEnd(10)} ${a.displayName}`);
  say('place a test call: npm run call -- 1   (log in as tdv01 and press "Sẵn sàng" first)');
  say('stop with Ctrl+C');
}

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  for (const stop of stops.reverse()) await stop().catch((err) => console.error(err));
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

main().catch(async (err) => {
  console.error(err);
  await shutdown(1);
});
