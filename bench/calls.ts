/**
 * The `calls` part of `npm run bench`: sipp callers through the real IVR into a queue while
 * simulated WebRTC operators answer, first against the hotline (Asterisk + the controller in
 * `server/main.ts`), then the same load against a plain dialplan IVR with app_queue on its own
 * Asterisk, as the baseline. Prints failed calls, StasisStart→answer, ready-operator→ringing,
 * the controller's CPU and memory and Asterisk's CPU, side by side with ratios.
 *
 * WebRTC media needs a non-loopback address, so the part runs itself inside a network namespace
 * it creates (a veth pair with 192.0.2.10 and no route out, as `scripts/e2e.sh` does): nothing
 * leaves the machine. Needs root (or sudo), Asterisk from `npm run setup`, sipp and redis-server.
 *
 * Run alone: `npm run bench -- calls`, or `npx tsx bench/calls.ts [--callers N] [--operators M]
 * [--total T] [--talk-ms MS] [--talk-spread PCT] [--hotline-only] [--keep]` for a smaller load,
 * talks of one length for everybody (`--talk-spread 0`), the controller alone, or to keep the logs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUEUE_NAMES } from '../common/domain.ts';
import { STATIC_OPERATORS_FILE, type StaticSipAccount, staticOperatorsConf } from '../dialplan/render.ts';
import { STASIS_APP } from '../ivr/constants.ts';
import { QUEUE_BRIDGE_PREFIX } from '../ivr/stasis-names.ts';
import { DEFAULT_ASTERISK_ROOT, type RunningAsterisk, startAsterisk } from '../scripts/lib/asterisk.ts';
import { openAroundTheClock } from '../scripts/lib/menu-hours.ts';
import { freePort, waitFor } from '../scripts/lib/ports.ts';
import { type RunningRedis, startRedis } from '../scripts/lib/redis.ts';
import { hashPassword, randomSecret } from '../server/auth/password.ts';
import { openDatabase } from '../server/db/index.ts';
import { users } from '../server/db/schema.ts';
import { seedDemo } from '../server/db/seed.ts';
import { sipAccounts } from '../server/operators/sip-accounts.ts';
import { captureInvites, sentInvites, stopCapture } from './calls-invites.ts';
import { observeCallers } from './calls-observer.ts';
import { type OperatorTeam, startConsoleOperators, startPhoneOperators } from './calls-operators.ts';
import { type CallerResult, runCallers } from './calls-sipp.ts';
import {
  answerDelays,
  coreShare,
  cpuTicks,
  readyToRinging,
  residentBytes,
  ringingHalves,
  type Summary,
  summarize,
} from './calls-stats.ts';
import { withNamespace } from './namespace.ts';

export interface CallsLoad {
  callers: number;
  operators: number;
  total: number;
  /** Mean talk time, and each talk's spread around it in percent (see `talkTimes`). */
  talkMs: number;
  talkSpreadPct: number;
  /** Skips the app_queue baseline (e.g. while profiling the controller). */
  hotlineOnly?: boolean;
  /** 1, 5 and 15 minute load averages when the part started. */
  loadBefore: number[];
  /** Keeps the working folder: server and Asterisk logs, sipp files, each caller's event times. */
  keep?: boolean;
}

export const DEFAULT_LOAD: CallsLoad = {
  callers: 300,
  operators: 24,
  total: 600,
  talkMs: 1500,
  talkSpreadPct: 50,
  loadBefore: [],
};
const talk = (load: CallsLoad) => ({ talkMs: load.talkMs, talkSpread: load.talkSpreadPct / 100 });

function talkRange(load: CallsLoad): string {
  const s = (ms: number) => `${Math.round(ms) / 1000} s`;
  const { talkMs, talkSpread } = talk(load);
  return talkSpread === 0
    ? s(talkMs)
    : `${s(talkMs * (1 - talkSpread))}–${s(talkMs * (1 + talkSpread))} (mean ${s(talkMs)})`;
}

/** New calls per second until `callers` are up: 300 within 10 s. */
const RAMP_RATE = 30;
/** The key press falls in the menu prompt (welcome ≈ 4.5 s, then the menu). */
const KEY_DELAY_MS = 6000;
const HOLD_MS = 150_000;
const DEADLINE_SECONDS = 240;
const OPERATOR_PASSWORD = 'bench-1022';
const ASTERISK_ROOT = DEFAULT_ASTERISK_ROOT;

const TARGETS = { controllerCore: 0.25, answerP95Ms: 20, ringingP95Ms: 50 };

interface ProcessUse {
  /** Share of one core over the load window. */
  cpu: number;
  peakRssBytes: number;
}

interface SystemFigures {
  name: string;
  callers: CallerResult;
  peakCallers: number;
  answeredByOperators: number;
  operatorProblems: string[];
  answer: Summary;
  /** ready → Asterisk sent the INVITE to the operator's softphone. */
  ringing: Summary;
  /** ready → the simulated softphone saw the INVITE (adds the load generator's own delay). */
  ringingSeen: Summary;
  /** ready→ringing split where Asterisk created the operator's leg. */
  ringingDecision: Summary;
  ringingDial: Summary;
  /** INVITE sent → seen by the simulated softphone. */
  softphoneDelay: Summary;
  controller: ProcessUse | null;
  asterisk: ProcessUse;
  seconds: number;
}

/** The load generator's nice level while the load runs; the systems under test stay at 0. */
const LOAD_GENERATOR_NICE = 10;

/**
 * Lowers (or restores) the CPU priority of every thread of this process, the simulated
 * softphones' included; sipp, started meanwhile, inherits it.
 */
function yieldCpu(on: boolean): void {
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      setPriority(Number(tid), on ? LOAD_GENERATOR_NICE : 0);
    } catch {
      // The thread ended meanwhile.
    }
  }
}

/** Samples processes' CPU time and memory from `/proc` while the load runs. */
function meter(pids: Record<string, number | undefined>) {
  const read = (pid: number | undefined) =>
    pid === undefined ? Number.NaN : cpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const rss = (pid: number | undefined) =>
    pid === undefined ? 0 : residentBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
  const startTicks = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, read(pid)]));
  const peaks: Record<string, number> = Object.fromEntries(Object.keys(pids).map((k) => [k, 0]));
  const sample = () => {
    for (const [k, pid] of Object.entries(pids)) peaks[k] = Math.max(peaks[k]!, rss(pid));
  };
  sample();
  const timer = setInterval(sample, 500);
  const started = performance.now();
  return () => {
    clearInterval(timer);
    sample();
    const seconds = (performance.now() - started) / 1000;
    const use: Record<string, ProcessUse> = {};
    for (const [k, pid] of Object.entries(pids)) {
      use[k] = { cpu: coreShare(read(pid) - startTicks[k]!, seconds), peakRssBytes: peaks[k]! };
    }
    return { use, seconds };
  };
}

interface Bench {
  dir: string;
  dbPath: string;
  accounts: StaticSipAccount[];
  load: CallsLoad;
}

async function prepare(load: CallsLoad): Promise<Bench> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-bench-calls-'));
  const dbPath = join(dir, 'hotline.sqlite');
  const db = openDatabase(dbPath);
  try {
    await seedDemo(db, { agencyUrl: null });
    const passwordHash = await hashPassword(OPERATOR_PASSWORD);
    const now = new Date();
    for (let i = 1; i <= load.operators; i++) {
      db.insert(users)
        .values({
          username: `bench${String(i).padStart(3, '0')}`,
          displayName: `Tổng đài viên thử tải ${i}`,
          role: 'operator',
          passwordHash,
          skills: [...QUEUE_NAMES],
          agencyId: null,
          createdAt: now,
        })
        .run();
    }
    // The baseline's static softphone accounts; the hotline's own come from the operators' logins.
    const accounts = sipAccounts(db)
      .filter((a) => a.endpoint.startsWith('bench'))
      .map((a) => ({ endpoint: a.endpoint, displayName: a.displayName, password: randomSecret() }));
    return { dir, dbPath, accounts, load };
  } finally {
    db.$client.close();
  }
}

async function asteriskFor(
  bench: Bench,
  name: string,
  files?: Record<string, string>,
): Promise<RunningAsterisk> {
  const db = openDatabase(bench.dbPath);
  const operators = sipAccounts(db);
  db.$client.close();
  return startAsterisk({
    root: ASTERISK_ROOT,
    instance: `bench-${name}-${process.pid}`,
    sipPort: await freePort(),
    httpPort: await freePort(),
    amiPort: await freePort(),
    rtpStart: 20000,
    rtpEnd: 23999,
    operators,
    logFile: join(bench.dir, `asterisk-${name}.log`),
    ...(files ? { files } : {}),
  });
}

interface Stoppable {
  stops: (() => Promise<void> | void)[];
}

async function stopAll(s: Stoppable): Promise<void> {
  for (const stop of s.stops.splice(0).reverse()) {
    try {
      await stop();
    } catch (err) {
      console.error(`calls bench: clean-up step failed: ${String(err)}`);
    }
  }
}

/** Runs the callers against one system and gathers its figures. */
async function measure(
  bench: Bench,
  name: string,
  asterisk: RunningAsterisk,
  team: OperatorTeam,
  observer: Awaited<ReturnType<typeof observeCallers>>,
  problems: string[],
  controllerPid: number | undefined,
): Promise<SystemFigures> {
  const invitesFile = 'invites.pcap';
  await captureInvites(asterisk, `${asterisk.logDir.asterisk}/${invitesFile}`);
  const stopMeter = meter({ controller: controllerPid, asterisk: asterisk.pid });
  // The load generator (sipp, the simulated softphones) yields the CPU to the systems under test,
  // as if it ran on other machines: the callers' and operators' own delays are not the hotline's.
  yieldCpu(true);
  const callers = await runCallers({
    target: `127.0.0.1:${asterisk.sipPort}`,
    concurrent: bench.load.callers,
    total: bench.load.total,
    rate: RAMP_RATE,
    key: '1',
    keyDelayMs: KEY_DELAY_MS,
    holdMs: HOLD_MS,
    deadlineSeconds: DEADLINE_SECONDS,
    localPort: await freePort(),
    mediaPort: 40000,
    dir: bench.dir,
    name,
  });
  const { use, seconds } = stopMeter();
  yieldCpu(false);
  // Late events (the last hang-ups) reach the observer just after sipp exits.
  await new Promise((r) => setTimeout(r, 500));
  await stopCapture(asterisk);
  const invites = sentInvites(readFileSync(join(asterisk.logDir.host, invitesFile)));
  if (bench.load.keep) {
    writeFileSync(join(bench.dir, `callers-${name}-times.json`), JSON.stringify(observer.callers()));
    writeFileSync(join(bench.dir, `operators-${name}.json`), JSON.stringify(team.operators));
  }
  const halves = ringingHalves(team.operators, observer.queuedAt, observer.legsOf, invites);
  const ringing = readyToRinging(team.operators, observer.queuedAt, invites);
  return {
    name,
    callers,
    peakCallers: observer.peakCallers(),
    answeredByOperators: team.operators.reduce((n, op) => n + op.answered, 0),
    operatorProblems: problems,
    answer: summarize(answerDelays(observer.callers())),
    ringing: summarize(ringing.sent),
    ringingSeen: summarize(ringing.seen),
    ringingDecision: summarize(halves.decision),
    ringingDial: summarize(halves.dial),
    softphoneDelay: summarize(halves.softphone),
    controller: controllerPid === undefined ? null : use.controller!,
    asterisk: use.asterisk!,
    seconds,
  };
}

async function runHotline(bench: Bench): Promise<SystemFigures> {
  const s: Stoppable = { stops: [] };
  try {
    const redis: RunningRedis = await startRedis();
    s.stops.push(redis.stop);
    const asterisk = await asteriskFor(bench, 'hotline');
    s.stops.push(asterisk.stop);
    const observer = await observeCallers(asterisk.ariUrl, asterisk.ari, QUEUE_BRIDGE_PREFIX);
    s.stops.push(observer.close);

    const port = await freePort();
    // Straight to the file: a pipe read by this busy, low-priority process would fill up and
    // stall the server's synchronous log writes, which no real deployment's log does.
    const log = openSync(join(bench.dir, 'server.log'), 'a');
    // The benchmark measures the open hotline at any hour: the shipped menu, open around the clock.
    const menuPath = join(bench.dir, 'menu.json');
    const menu = JSON.parse(readFileSync('ivr/menu.json', 'utf8')) as { hours: Record<string, unknown> };
    const hours = openAroundTheClock(menu.hours);
    writeFileSync(menuPath, JSON.stringify({ ...menu, hours }));
    // e.g. BENCH_SERVER_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the controller.
    const extraArgs = (process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);
    const server: ChildProcess = spawn(
      process.execPath,
      [...extraArgs, '--import', 'tsx', 'server/main.ts'],
      {
        env: {
          ...process.env,
          HOTLINE_HTTP_HOST: '127.0.0.1',
          HOTLINE_HTTP_PORT: String(port),
          HOTLINE_DB_PATH: bench.dbPath,
          HOTLINE_IVR_MENU: menuPath,
          HOTLINE_CONSOLE_DIR: '',
          HOTLINE_REDIS_URL: redis.url,
          HOTLINE_QUEUE_PREFIX: 'bench-calls',
          HOTLINE_SMS_DRIVER: 'outbox',
          HOTLINE_ARI_ENABLED: 'true',
          HOTLINE_ARI_URL: asterisk.ariUrl,
          HOTLINE_ARI_USERNAME: asterisk.ari.username,
          HOTLINE_ARI_PASSWORD: asterisk.ari.password,
          HOTLINE_SIP_WS_URL: asterisk.sipWsUrl,
          // The fallback queue's follower (AMI) runs, as in production.
          HOTLINE_AMI_HOST: asterisk.ami.host,
          HOTLINE_AMI_PORT: String(asterisk.ami.port),
          HOTLINE_AMI_USERNAME: asterisk.ami.username,
          HOTLINE_AMI_PASSWORD: asterisk.ami.password,
          // app_queue's members have no wrap-up either (wrapuptime 0): compare like with like.
          HOTLINE_WRAP_UP_SECONDS: '0',
          LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
        },
        stdio: ['ignore', log, log],
      },
    );
    closeSync(log);
    const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    s.stops.push(async () => {
      if (server.exitCode === null) server.kill('SIGTERM');
      const killer = setTimeout(() => server.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    });
    const url = `http://127.0.0.1:${port}`;
    const auth = `Basic ${Buffer.from(`${asterisk.ari.username}:${asterisk.ari.password}`).toString('base64')}`;
    await waitFor(
      'the hotline controller registered with Asterisk',
      async () => {
        const res = await fetch(`${asterisk.ariUrl}/ari/applications`, { headers: { authorization: auth } });
        const apps = (await res.json()) as { name: string }[];
        return (await fetch(`${url}/api/health`)).ok && apps.some((a) => a.name === STASIS_APP);
      },
      60_000,
      () => (server.exitCode !== null ? `the server exited with ${server.exitCode}` : null),
    );

    const problems: string[] = [];
    const team = await startConsoleOperators(
      url,
      bench.accounts.map((a) => a.endpoint),
      OPERATOR_PASSWORD,
      { ...talk(bench.load), talkStartsAtAnswer: false, onProblem: (m) => problems.push(m) },
    );
    s.stops.push(team.stop);
    return await measure(bench, 'hotline', asterisk, team, observer, problems, server.pid);
  } finally {
    await stopAll(s);
  }
}

/** The bench-only dialplan and queue of the baseline, with every simulated operator as a member. */
function baselineFiles(accounts: StaticSipAccount[]): Record<string, string> {
  const here = join(fileURLToPath(new URL('.', import.meta.url)), 'asterisk');
  const members = accounts.map((a) => `member => PJSIP/${a.endpoint},0,${a.endpoint}`).join('\n');
  return {
    'extensions.conf': readFileSync(join(here, 'extensions.conf'), 'utf8'),
    'queues.conf': readFileSync(join(here, 'queues.conf'), 'utf8').replace('{{MEMBERS}}', members),
    // Without the controller nothing pushes the operators' softphone accounts to Asterisk.
    [STATIC_OPERATORS_FILE]: staticOperatorsConf(accounts),
  };
}

async function runBaseline(bench: Bench): Promise<SystemFigures> {
  const s: Stoppable = { stops: [] };
  try {
    const asterisk = await asteriskFor(bench, 'queue', baselineFiles(bench.accounts));
    s.stops.push(asterisk.stop);
    const observer = await observeCallers(asterisk.ariUrl, asterisk.ari, '\0none');
    s.stops.push(observer.close);
    const problems: string[] = [];
    const team = await startPhoneOperators(
      bench.accounts.map((a) => ({
        uri: `sip:${a.endpoint}@hotline.local`,
        authorizationUser: a.endpoint,
        password: a.password,
        wsUrl: asterisk.sipWsUrl,
        iceServers: [],
      })),
      { ...talk(bench.load), talkStartsAtAnswer: true, onProblem: (m) => problems.push(m) },
    );
    s.stops.push(team.stop);
    // app_queue learns a member is reachable from its device state once the softphone registers.
    await new Promise((r) => setTimeout(r, 2000));
    return await measure(bench, 'app_queue', asterisk, team, observer, problems, undefined);
  } finally {
    await stopAll(s);
  }
}

const ms = (v: number) => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(1)} ms`);
const pct = (v: number) => (Number.isNaN(v) ? 'n/a' : `${(v * 100).toFixed(1)} %`);
const mb = (v: number) => `${(v / 1024 / 1024).toFixed(0)} MB`;
const ratio = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '—';

function report(load: CallsLoad, hotline: SystemFigures, baseline: SystemFigures | null): void {
  const rows: [string, string, string, string][] = [];
  /** A figure of both systems and their ratio; the baseline's column is empty when it did not run. */
  const row = (label: string, of: (f: SystemFigures) => string, ratioOf?: (f: SystemFigures) => number) =>
    rows.push([
      label,
      of(hotline),
      baseline ? of(baseline) : '—',
      baseline && ratioOf ? ratio(ratioOf(hotline), ratioOf(baseline)) : '',
    ]);
  row('calls placed / failed', (f) => `${f.callers.created} / ${f.callers.failed}`);
  row('peak concurrent callers', (f) => String(f.peakCallers));
  row('answered by operators', (f) => String(f.answeredByOperators));
  for (const p of ['p50', 'p95', 'p99'] as const) {
    row(
      `StasisStart→answer ${p}`,
      (f) => ms(f.answer[p]),
      (f) => f.answer[p],
    );
  }
  row('  (samples)', (f) => String(f.answer.count));
  for (const p of ['p50', 'p95', 'p99'] as const) {
    row(
      `ready→ringing ${p}`,
      (f) => ms(f.ringing[p]),
      (f) => f.ringing[p],
    );
  }
  row('  (samples)', (f) => String(f.ringing.count));
  for (const p of ['p50', 'p95'] as const) {
    row(
      `  ready→leg created ${p}`,
      (f) => ms(f.ringingDecision[p]),
      (f) => f.ringingDecision[p],
    );
    row(
      `  leg created→INVITE sent ${p}`,
      (f) => ms(f.ringingDial[p]),
      (f) => f.ringingDial[p],
    );
  }
  for (const p of ['p50', 'p95'] as const) {
    row(
      `seen by softphone ${p}`,
      (f) => ms(f.ringingSeen[p]),
      (f) => f.ringingSeen[p],
    );
    row(`  INVITE sent→seen ${p}`, (f) => ms(f.softphoneDelay[p]));
  }
  const perCall = (u: ProcessUse | null, f: SystemFigures) =>
    u && f.callers.created > 0 ? `${((u.cpu * f.seconds * 1000) / f.callers.created).toFixed(1)} ms` : 'n/a';
  const inAsterisk = (f: SystemFigures, figure: string) => (f === hotline ? figure : 'in Asterisk');
  row('controller CPU (one core)', (f) => inAsterisk(f, pct(f.controller?.cpu ?? Number.NaN)));
  row('controller CPU per call', (f) => inAsterisk(f, perCall(f.controller, f)));
  row('controller memory (peak RSS)', (f) =>
    inAsterisk(f, f.controller ? mb(f.controller.peakRssBytes) : 'n/a'),
  );
  row(
    'Asterisk CPU (one core)',
    (f) => pct(f.asterisk.cpu),
    (f) => f.asterisk.cpu,
  );
  row(
    'Asterisk CPU per call',
    (f) => perCall(f.asterisk, f),
    (f) => f.asterisk.cpu * f.seconds,
  );
  row('Asterisk memory (peak RSS)', (f) => mb(f.asterisk.peakRssBytes));
  row('load window', (f) => `${f.seconds.toFixed(0)} s`);

  console.log(
    `calls: ${load.callers} concurrent callers (${load.total} in all, key 1 in the menu, queue with music on hold), ${load.operators} WebRTC operators talking ${talkRange(load)}`,
  );
  console.log(
    `  machine load average before the run: ${load.loadBefore.map((l) => l.toFixed(2)).join(', ')} (${cpus().length} cores, shared)`,
  );
  console.log(
    `  ${'figure'.padEnd(30)}${'hotline'.padStart(14)}${'app_queue'.padStart(14)}${'ratio'.padStart(10)}`,
  );
  for (const [label, h, b, r] of rows) {
    console.log(`  ${label.padEnd(30)}${h.padStart(14)}${b.padStart(14)}${r.padStart(10)}`);
  }
  console.log(
    '  StasisStart→answer: the Stasis() (app_queue: Answer()) dialplan step → channel Up, Asterisk timestamps.',
  );
  console.log(
    '  ready→ringing: operator frees up (hangs up / says Ready) → Asterisk sends the next INVITE to their softphone, when that',
  );
  console.log(
    "    caller was already queued; split where Asterisk created the operator's leg: the queue's decision before, Asterisk's dial after.",
  );
  console.log(
    '  seen by softphone: the same, up to the simulated softphone handling the INVITE; the 24 softphones share one Node process',
  );
  console.log(
    "    running at low CPU priority (as do the sipp callers), so this adds the load generator's own delay.",
  );
  for (const f of baseline ? [hotline, baseline] : [hotline]) {
    if (f.callers.errors)
      console.log(`  ${f.name} sipp errors (first lines):\n${f.callers.errors.replace(/^/gm, '    ')}`);
    if (f.operatorProblems.length > 0)
      console.log(
        `  ${f.name} operator problems (${f.operatorProblems.length}): ${f.operatorProblems.slice(0, 5).join('; ')}`,
      );
  }
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const cpu = hotline.controller?.cpu ?? Number.NaN;
  console.log('  targets:');
  console.log(
    `    ${load.callers} concurrent callers, 0 failed: ${verdict(hotline.callers.failed === 0 && hotline.callers.created === load.total && hotline.peakCallers >= load.callers)}`,
  );
  console.log(`    controller < 25 % of one core: ${verdict(cpu < TARGETS.controllerCore)} (${pct(cpu)})`);
  console.log(
    `    StasisStart→answer p95 < ${TARGETS.answerP95Ms} ms: ${verdict(hotline.answer.p95 < TARGETS.answerP95Ms)} (${ms(hotline.answer.p95)})`,
  );
  console.log(
    `    ready→ringing p95 < ${TARGETS.ringingP95Ms} ms: ${verdict(hotline.ringing.p95 < TARGETS.ringingP95Ms)} (${ms(hotline.ringing.p95)})`,
  );
}

/** Runs both systems; expects to be inside the benchmark's network namespace. */
async function runInside(load: CallsLoad): Promise<void> {
  const bench = await prepare(load);
  let keep = false;
  try {
    const hotline = await runHotline(bench);
    const baseline = load.hotlineOnly ? null : await runBaseline(bench);
    report(load, hotline, baseline);
    if (load.keep || hotline.callers.failed > 0 || (baseline?.callers.failed ?? 0) > 0) {
      keep = true;
      console.log(`  logs kept in ${bench.dir}`);
    }
  } catch (err) {
    keep = true;
    console.error(`calls bench failed; logs kept in ${bench.dir}`);
    throw err;
  } finally {
    if (!keep) rmSync(bench.dir, { recursive: true, force: true });
  }
}

function loadArgs(args: string[]): CallsLoad {
  const load: CallsLoad = { ...DEFAULT_LOAD, loadBefore: loadavg() };
  const names: Record<string, 'callers' | 'operators' | 'total' | 'talkMs' | 'talkSpreadPct'> = {
    '--callers': 'callers',
    '--operators': 'operators',
    '--total': 'total',
    '--talk-ms': 'talkMs',
    '--talk-spread': 'talkSpreadPct',
  };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--hotline-only' || args[i] === '--keep') {
      load[args[i] === '--keep' ? 'keep' : 'hotlineOnly'] = true;
      continue;
    }
    const key = names[args[i]!];
    const value = Number(args[i + 1]);
    const allowed = key === 'talkSpreadPct' ? value >= 0 && value <= 90 : value > 0;
    if (!key || !Number.isInteger(value) || !allowed) {
      throw new Error(
        `usage: bench/calls.ts [--callers N] [--operators M] [--total T] [--talk-ms MS] [--talk-spread PCT (0–90)] [--hotline-only] [--keep]; got ${args.join(' ')}`,
      );
    }
    load[key] = value;
    i++;
  }
  return load;
}

/** The `calls` part: re-runs this file inside a namespace of its own. */
export async function callsPart(args: string[] = []): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error('the calls benchmark creates a network namespace: run it as root');
  await withNamespace(
    'hotline-bench',
    (ns) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(
          'ip',
          [
            'netns',
            'exec',
            ns,
            process.execPath,
            '--import',
            'tsx',
            fileURLToPath(import.meta.url),
            '--inside',
            ...args,
          ],
          { stdio: 'inherit' },
        );
        child.once('error', reject);
        child.once('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`calls bench exited with ${code}`)),
        );
      }),
  );
}

/** The parts `bench/main.ts` offers from this file. */
export const callParts: Record<string, () => Promise<void>> = { calls: () => callsPart() };

function isMainModule(): boolean {
  const entry = process.argv[1];
  return !!entry && realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
}

if (isMainModule()) {
  const args = process.argv.slice(2);
  const inside = args[0] === '--inside';
  const rest = inside ? args.slice(1) : args;
  try {
    const load = loadArgs(rest);
    if (inside) await runInside(load);
    else await callsPart(rest);
    process.exit(0);
  } catch (err) {
    console.error(err);
    process.exit(1);
  }
}
