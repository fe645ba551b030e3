/**
 * Starts the whole hotline on this machine: Redis, Asterisk (from the root `npm run setup`
 * built), the server with the call controller and console (a child process, started again
 * whenever it stops unasked), the watchdog beside it (a process of its own, which moves callers
 * to the fallback queue when the controller stays away), demo data, and a demo agency endpoint
 * that receives forwarded tickets. Set HOTLINE_REDIS_URL or HOTLINE_ARI_URL (with its
 * credentials) to use a Redis or an Asterisk you already run instead.
 *
 * Whatever ends it (Ctrl+C, SIGTERM, the terminal closing, an error, a failed start) stops
 * everything it started: the server, Asterisk (and its /proc and /dev mounts), Redis, and any
 * process left below it. A run killed outright is cleaned up by the next one.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { STASIS_APP } from '../ivr/constants.ts';
import { loadConfig } from '../server/config.ts';
import { openDatabase } from '../server/db/index.ts';
import { seedDemo } from '../server/db/seed.ts';
import { sipAccounts } from '../server/operators/sip-accounts.ts';
import { agencySecret, startAgencyReceiver } from './lib/agency-receiver.ts';
import { ASTERISK_SOUNDS_DIR, releaseRoot, startAsterisk } from './lib/asterisk.ts';
import { AlreadyRunningError, startRecord, stopLeftovers } from './lib/leftovers.ts';
import { waitFor } from './lib/ports.ts';
import { descendants, parentPid, portUser, stopProcesses } from './lib/processes.ts';
import { startRedis } from './lib/redis.ts';
import { type StartSettings, startSettings } from './lib/start-settings.ts';
import { ChildStartError, exitReason, startSupervised } from './lib/supervise.ts';

const env = { ...process.env };
const say = (line: string) => console.log(`[hotline] ${line}`);
// A closed terminal makes writes fail (EIO); stopping must go on regardless.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

/** Stops, in the reverse order of starting; the first ones added run last. */
const stops: { name: string; stop: () => Promise<void> | void }[] = [];
let stopping = false;
let settings: StartSettings | null = null;
let record: ReturnType<typeof startRecord> | null = null;
let closeDatabase: (() => void) | null = null;

/** A reason not to start that the user can act on: printed without a stack trace. */
class StartProblem extends Error {}

/** Thrown between start-up steps once a stop was asked for, so the start goes no further. */
class StopRequested extends Error {}
const checkpoint = () => {
  if (stopping) throw new StopRequested();
};

/** A port this run needs that something else holds: what it is and what to do about it. */
function portTaken(port: number, what: string, variable: string): string | null {
  const { inUse, owner } = portUser(port);
  if (!inUse) return null;
  const holder = owner ? `${owner.name} (pid ${owner.pid})` : 'another program';
  const stopIt = owner ? `stop it (sudo kill ${owner.pid}) or ` : '';
  return `port ${port} (${what}) is in use by ${holder}: ${stopIt}choose another port with ${variable}=…`;
}

async function main() {
  settings = startSettings(env, resolve('.'));
  const { dbPath, logDir, asterisk: asteriskSettings } = settings;
  mkdirSync(logDir, { recursive: true });
  if (dbPath !== ':memory:') mkdirSync(dirname(resolve(dbPath)), { recursive: true });
  env.HOTLINE_DB_PATH = dbPath;

  // What an earlier run, killed before it could stop, left running or mounted.
  const recordFile = join(logDir, 'npm-start.json');
  for (const left of await stopLeftovers(recordFile))
    say(`stopped ${left.name} (pid ${left.pid}), left running by an earlier npm start`);
  if (asteriskSettings) {
    for (const target of await releaseRoot(asteriskSettings.root).catch(() => []))
      say(`unmounted ${target}, left mounted by an earlier run`);
  }
  const taken = [
    settings.consolePort ? portTaken(settings.consolePort, 'console', 'HOTLINE_HTTP_PORT') : null,
    settings.redisPort ? portTaken(settings.redisPort, 'Redis', 'HOTLINE_REDIS_PORT') : null,
    asteriskSettings ? portTaken(asteriskSettings.sipPort, 'Asterisk SIP', 'HOTLINE_SIP_PORT') : null,
    asteriskSettings
      ? portTaken(asteriskSettings.httpPort, 'Asterisk HTTP', 'HOTLINE_ASTERISK_HTTP_PORT')
      : null,
    asteriskSettings ? portTaken(asteriskSettings.amiPort, 'Asterisk AMI', 'HOTLINE_AMI_PORT') : null,
  ].filter((problem) => problem !== null);
  if (taken.length > 0) throw new StartProblem(`cannot start:\n  ${taken.join('\n  ')}`);

  const runs = startRecord(recordFile);
  record = runs;

  if (settings.redisPort) {
    // Redis and Asterisk in process groups of their own: Ctrl+C reaches this process alone, which
    // stops them in order (and Redis is not restarted on its way out).
    const redis = await startRedis({
      port: settings.redisPort,
      // Beside the database, so queued jobs outlive a restart of Redis or of `npm start`.
      dataDir: join(dbPath === ':memory:' ? logDir : dirname(resolve(dbPath)), 'redis'),
      ownProcessGroup: true,
      // Restarted on the spot, as a service manager would: jobs wait in the database's outbox
      // meanwhile and the server's connections reconnect.
      supervise: ({ exitCode, signal, pid }) => {
        say(`Redis stopped (${signal ?? `exit ${exitCode}`}); started again (pid ${pid})`);
        runs.add('redis-server', pid);
      },
    });
    stops.push({ name: 'Redis', stop: redis.stop });
    runs.add('redis-server', redis.pid);
    env.HOTLINE_REDIS_URL = redis.url;
    say(`Redis on ${redis.url}`);
    checkpoint();
  }

  // The demo agency reads its signing secret through its own handle for its whole life: it
  // closes last, after the server (which has its own) has stopped forwarding.
  const db = openDatabase(dbPath);
  closeDatabase = () => db.$client.close();
  const agency = await startAgencyReceiver({
    secretFor: (code) => agencySecret(db, code),
    onDelivery: (d) =>
      say(
        `agency ${d.agencyCode} received ticket ${String(d.body.trackingCode)} (signature ${d.signatureValid ? 'valid' : 'INVALID'})`,
      ),
  });
  stops.push({ name: 'demo agency', stop: agency.close });
  env.HOTLINE_DEMO_AGENCY_URL = agency.url;
  env.HOTLINE_SEED_DEMO = 'true';
  // The demo takes a test call at any hour; HOTLINE_ALWAYS_OPEN=false keeps the menu file's hours.
  env.HOTLINE_ALWAYS_OPEN ??= 'true';
  const logins = await seedDemo(db, { agencyUrl: agency.url });
  checkpoint();

  let ari: Ari | null = null;
  if (asteriskSettings) {
    const { root } = asteriskSettings;
    const logFile = join(logDir, 'asterisk.log');
    const asterisk = await startAsterisk({
      root,
      instance: asteriskSettings.instance,
      sipPort: asteriskSettings.sipPort,
      httpPort: asteriskSettings.httpPort,
      amiPort: asteriskSettings.amiPort,
      rtpStart: 10000,
      rtpEnd: 10999,
      operators: sipAccounts(db).filter((a) => a.takesCalls),
      trunk: asteriskSettings.trunk,
      logFile,
      ownProcessGroup: true,
    });
    stops.push({ name: 'Asterisk', stop: asterisk.stop });
    ari = { url: asterisk.ariUrl, ...asterisk.ari };
    runs.add('asterisk', asterisk.pid);
    env.HOTLINE_ARI_URL = asterisk.ariUrl;
    env.HOTLINE_ARI_USERNAME = asterisk.ari.username;
    env.HOTLINE_ARI_PASSWORD = asterisk.ari.password;
    env.HOTLINE_AMI_HOST = asterisk.ami.host;
    env.HOTLINE_AMI_PORT = String(asterisk.ami.port);
    env.HOTLINE_AMI_USERNAME = asterisk.ami.username;
    env.HOTLINE_AMI_PASSWORD = asterisk.ami.password;
    env.HOTLINE_SIP_WS_URL = asterisk.sipWsUrl;
    env.HOTLINE_SOUNDS_DIR ??= join(root, ASTERISK_SOUNDS_DIR);
    say(`Asterisk on SIP 127.0.0.1:${asterisk.sipPort}, ARI ${asterisk.ariUrl} (log: ${logFile})`);
    checkpoint();
  }

  // A bad setting stops the start here, with its message, before the server's process starts.
  const config = loadConfig(env);
  const server = await startSupervised({
    entry: 'server/main.ts',
    env,
    waitUntilUp: true,
    // A spare with the server's code loaded, so a restart takes seconds even on a busy machine.
    spare: true,
    onExit: ({ exitCode, signal, delayMs }) =>
      say(`the server stopped (${exitReason(exitCode, signal)}); starting it again in ${delayMs / 1000} s`),
    onRestarted: ({ pid }) => {
      runs.add('server', pid);
      say(`the server is running again (pid ${pid}); the call controller takes over the calls in progress`);
    },
  }).catch((err: unknown) => {
    throw err instanceof ChildStartError ? new StartProblem(err.message) : err;
  });
  stops.push({ name: 'server', stop: server.stop });
  runs.add('server', server.pid);
  // A restarted server listens where the first one did, also when the port was left to the system.
  const url = server.url ?? `http://127.0.0.1:${settings.consolePort}`;
  env.HOTLINE_HTTP_PORT = new URL(url).port;
  say(`server (pid ${server.pid}) on ${url}; started again whenever it stops`);
  checkpoint();
  if (config.ari.enabled) {
    const watchdog = await startSupervised({
      entry: 'server/watchdog-main.ts',
      env,
      waitUntilUp: false,
      onExit: ({ exitCode, signal, delayMs }) =>
        say(
          `the watchdog stopped (${exitReason(exitCode, signal)}); starting it again in ${delayMs / 1000} s`,
        ),
      onRestarted: ({ pid }) => runs.add('watchdog', pid),
    });
    stops.push({ name: 'watchdog', stop: watchdog.stop });
    runs.add('watchdog', watchdog.pid);
    say(
      `watchdog (pid ${watchdog.pid}): callers go to the fallback queue if the call controller is away ${config.watchdog.afterSeconds} s`,
    );
  }
  checkpoint();
  // Softphone accounts of logins kept from an earlier run; a new login's is pushed as it logs in.
  if (ari)
    await untilOperatorsCanRegister(
      ari,
      sipAccounts(db).flatMap((a) => (a.password === null ? [] : [a.endpoint])),
    );
  checkpoint();

  say(`console: ${url}/`);
  say(`demo logins (password "${logins.password}"):`);
  for (const a of logins.accounts) say(`  ${a.username.padEnd(16)} ${a.role.padEnd(10)} ${a.displayName}`);
  const sipPort = asteriskSettings?.sipPort ?? 5060;
  const call =
    sipPort === 5060 ? 'npm run call -- 1' : `HOTLINE_SIP_TARGET=127.0.0.1:${sipPort} npm run call -- 1`;
  say(`place a test call: ${call}   (log in as tdv01 and press "Sẵn sàng" first)`);
  say('stop with Ctrl+C (stops Asterisk, Redis and the server, and unmounts what Asterisk used)');
}

interface Ari {
  url: string;
  username: string;
  password: string;
}

/**
 * Waits until the call controller is connected and Asterisk has the softphone accounts of the
 * operators logged in, which the server pushes once connected: a console opened before that could
 * not register. After 20 s it says so and goes on.
 */
async function untilOperatorsCanRegister(ari: Ari, endpoints: string[]): Promise<void> {
  const auth = `Basic ${Buffer.from(`${ari.username}:${ari.password}`).toString('base64')}`;
  const ok = async (path: string) =>
    (await fetch(`${ari.url}/ari${path}`, { headers: { authorization: auth } })).ok;
  try {
    await waitFor(
      "the call controller and the operators' softphone accounts",
      async () => {
        const apps = (await (
          await fetch(`${ari.url}/ari/applications`, { headers: { authorization: auth } })
        ).json()) as { name: string }[];
        if (!apps.some((a) => a.name === STASIS_APP)) return false;
        for (const endpoint of endpoints)
          if (!(await ok(`/endpoints/PJSIP/${encodeURIComponent(endpoint)}`))) return false;
        return true;
      },
      20_000,
      () => (stopping ? 'stopping' : null),
    );
  } catch (err) {
    if (stopping) return;
    say(`warning: ${err instanceof Error ? err.message : String(err)}; softphones may not register yet`);
  }
}

/** Kills what is left below this process and releases the Asterisk root: the last resort. */
async function sweep(graceMs: number): Promise<void> {
  const left = descendants(process.pid);
  // tsx's esbuild service is ours to end, not worth a line.
  const named = left.filter((p) => p.name !== 'esbuild');
  if (named.length > 0)
    say(`stopping what is still running: ${named.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}`);
  await stopProcesses(left, graceMs);
  if (settings?.asterisk) await releaseRoot(settings.asterisk.root).catch(() => undefined);
  record?.clear();
}

/** How long stopping may take before what is left is killed. */
const STOP_DEADLINE_MS = 20_000;
let started: Promise<void> = Promise.resolve();
let stoppingSince = 0;

async function shutdown(reason: string, code: number) {
  if (stopping) {
    // Ctrl+C reaches this process twice (from the terminal, and forwarded by npm): say it once.
    if (Date.now() - stoppingSince > 1000) say('still stopping…');
    return;
  }
  stopping = true;
  stoppingSince = Date.now();
  say(`stopping (${reason})…`);
  const deadline = setTimeout(() => {
    say('stopping takes too long: killing what is left');
    void sweep(0).finally(() => process.exit(1));
  }, STOP_DEADLINE_MS);
  // A start under way gets to a step's end first, so what it started is in `stops`.
  await Promise.race([started.catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
  for (const { name, stop } of stops.splice(0).reverse()) {
    try {
      await stop();
    } catch (err) {
      console.error(`[hotline] error while stopping ${name}:`, err);
      code = code || 1;
    }
  }
  closeDatabase?.();
  await sweep(3000);
  clearTimeout(deadline);
  say('stopped; nothing left running');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown('Ctrl+C', 0));
process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
process.on('SIGHUP', () => void shutdown('the terminal closed', 0));
process.on('uncaughtException', (err) => {
  console.error('[hotline] unexpected error:', err);
  void shutdown('unexpected error', 1);
});
process.on('unhandledRejection', (err) => {
  console.error('[hotline] unexpected error:', err);
  void shutdown('unexpected error', 1);
});
// npm (or the shell) that started us gone without a signal reaching us: stop too.
const parent = parentPid(process.pid);
setInterval(() => {
  if (parentPid(process.pid) !== parent) void shutdown('the process that started it is gone', 0);
}, 1000).unref();

started = main();
started.catch((err) => {
  if (err instanceof StopRequested) return;
  if (err instanceof AlreadyRunningError) {
    console.error(`[hotline] ${err.message}`);
    process.exit(1);
  }
  console.error('[hotline] could not start:', err instanceof StartProblem ? err.message : err);
  void shutdown('the start failed', 1);
});
