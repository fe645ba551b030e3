/**
 * Runs one Asterisk instance from the root folder that `scripts/setup.sh` builds (Debian sid's
 * Asterisk 22 under chroot). Each instance has its own configuration, ports and folders, so tests
 * can run isolated copies beside a running hotline.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type AsteriskParams, renderAsteriskConfig } from '../../dialplan/render.ts';
import { waitFor } from './ports.ts';
import { processesInRoot } from './processes.ts';

const exec = promisify(execFile);

export const DEFAULT_ASTERISK_ROOT = '/var/cache/hotline-1022/asterisk-root';
/** Asterisk's sounds folder inside the root (`astdatadir` in dialplan/asterisk.conf, plus `sounds`). */
export const ASTERISK_SOUNDS_DIR = 'usr/share/asterisk/sounds';

export interface AsteriskOptions {
  /** Root folder holding `usr/sbin/asterisk`. */
  root: string;
  /** Folder name of this instance under `<root>/var/lib/hotline/`. */
  instance: string;
  bindAddress?: string;
  sipPort: number;
  httpPort: number;
  amiPort: number;
  rtpStart: number;
  rtpEnd: number;
  operators: { endpoint: string }[];
  /** The carrier trunk callback calls are sent to; the bind address, port 5070 by default. */
  trunk?: { host: string; port: number };
  /** Address the carrier trunk's calls come from; the bind address by default. */
  trunkMatch?: string;
  /** Asterisk behind a 1:1 NAT: its public media address (see `AsteriskParams.publicMedia`). */
  publicMedia?: AsteriskParams['publicMedia'];
  ari?: { username: string; password: string };
  ami?: { username: string; password: string };
  /** Asterisk's console output goes here. */
  logFile: string;
  /** Configuration files that replace (or add to) the rendered ones, by file name. */
  files?: Record<string, string>;
  /**
   * Runs Asterisk in a process group of its own, so the terminal's Ctrl+C reaches only the
   * program that started it, which then stops it in order (`npm start`). Without it, Ctrl+C
   * stops Asterisk with its starter.
   */
  ownProcessGroup?: boolean;
}

export interface RunningAsterisk {
  ariUrl: string;
  ari: { username: string; password: string };
  ami: { host: string; port: number; username: string; password: string };
  sipWsUrl: string;
  sipPort: number;
  /** Process id of Asterisk (e.g. to read its CPU time). */
  pid: number | undefined;
  /** Runs an Asterisk CLI command and returns its output. */
  cli(command: string): Promise<string>;
  /** This instance's folder for files Asterisk writes (logs, captures): as Asterisk sees it, and on the host. */
  logDir: { asterisk: string; host: string };
  /**
   * Stops Asterisk and starts it again with the same configuration and ports; `whileDown` runs
   * once it has exited (with the time it exited, ms since the epoch). Resolves once ARI answers.
   */
  restart(whileDown?: (stoppedAt: number) => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

const secret = () => randomBytes(18).toString('base64url');

async function isMountPoint(path: string): Promise<boolean> {
  try {
    await exec('mountpoint', ['-q', path]);
    return true;
  } catch {
    return false;
  }
}

const SYSTEM_FOLDERS = ['proc', 'dev'];

/** Bind-mounts /proc and /dev into the root, unless an instance running there already did. */
async function mountSystemFolders(root: string): Promise<void> {
  for (const folder of SYSTEM_FOLDERS) {
    const target = join(root, folder);
    if (await isMountPoint(target)) continue;
    await exec('mount', ['--bind', `/${folder}`, target]);
  }
}

/**
 * Unmounts the root's /proc and /dev once no process runs in the root any more (in this mount
 * namespace), whoever mounted them: another instance may still need them, and an instance that
 * was killed leaves them behind. Returns the folders it unmounted.
 */
export async function releaseRoot(root: string): Promise<string[]> {
  const canonical = realpathSync(root);
  if (processesInRoot(canonical).length > 0) return [];
  const released: string[] = [];
  for (const folder of SYSTEM_FOLDERS) {
    const target = join(canonical, folder);
    if (!(await isMountPoint(target))) continue;
    await exec('umount', ['-l', target]);
    released.push(target);
  }
  return released;
}

/**
 * The root's hosts file with this machine's name in it (as 127.0.0.1), or null when it is there.
 * Asterisk looks its own name up while it sets up each WebRTC leg's media (twice per leg); a name
 * the root cannot resolve goes to the DNS server named in the root's resolv.conf, copied when the
 * root was built. Slow DNS slowed every operator's ringing; an unreachable one made each lookup
 * wait out the resolver's timeout (6 s), longer than an operator rings.
 */
export function hostsWithOwnName(hosts: string, name: string): string | null {
  const named = hosts
    .split('\n')
    .some((line) => line.replace(/#.*/, '').trim().split(/\s+/).slice(1).includes(name));
  if (named || !name) return null;
  const kept = hosts.trimEnd();
  return `${kept ? `${kept}\n` : ''}127.0.0.1 ${name}\n`;
}

/** Puts this machine's name in the root's hosts file (written whole, then renamed into place). */
function resolveOwnName(root: string): void {
  const file = join(root, 'etc/hosts');
  const hosts = hostsWithOwnName(existsSync(file) ? readFileSync(file, 'utf8') : '', hostname());
  if (hosts === null) return;
  writeFileSync(`${file}.${process.pid}`, hosts);
  renameSync(`${file}.${process.pid}`, file);
}

function modulesDir(root: string): string {
  const lib = join(root, 'usr/lib');
  for (const entry of readdirSync(lib)) {
    const candidate = join('/usr/lib', entry, 'asterisk/modules');
    if (existsSync(join(root, candidate))) return candidate;
  }
  throw new Error(`No Asterisk modules under ${lib}; run npm run setup`);
}

export async function startAsterisk(opts: AsteriskOptions): Promise<RunningAsterisk> {
  const { root } = opts;
  if (!existsSync(join(root, 'usr/sbin/asterisk'))) {
    throw new Error(`No Asterisk in ${root}; run npm run setup (or set HOTLINE_ASTERISK_ROOT)`);
  }
  const bindAddress = opts.bindAddress ?? '127.0.0.1';
  const ari = opts.ari ?? { username: 'hotline', password: secret() };
  const ami = opts.ami ?? { username: 'hotline', password: secret() };
  const base = `/var/lib/hotline/${opts.instance}`;
  const hostBase = join(root, base);
  rmSync(hostBase, { recursive: true, force: true });
  // `data/spool/recording` holds ARI's stored recordings; Asterisk does not create it itself.
  for (const dir of ['etc', 'data/spool/recording', 'data/log', 'data/keys', 'run'])
    mkdirSync(join(hostBase, dir), { recursive: true });

  const params: AsteriskParams = {
    etcDir: `${base}/etc`,
    dataDir: `${base}/data`,
    runDir: `${base}/run`,
    modulesDir: modulesDir(root),
    bindAddress,
    sipPort: opts.sipPort,
    httpPort: opts.httpPort,
    amiPort: opts.amiPort,
    rtpStart: opts.rtpStart,
    rtpEnd: opts.rtpEnd,
    trunkMatch: opts.trunkMatch ?? bindAddress,
    trunk: opts.trunk ?? { host: bindAddress, port: 5070 },
    hotlineNumber: '1022',
    ari: { ...ari, allowedOrigins: '*' },
    ami,
    operators: opts.operators,
    ...(opts.publicMedia ? { publicMedia: opts.publicMedia } : {}),
  };
  const files = renderAsteriskConfig(params);
  for (const [name, text] of Object.entries(opts.files ?? {})) files.set(name, text);
  for (const [name, text] of files) {
    writeFileSync(join(hostBase, 'etc', name), text, { mode: 0o600 });
  }

  resolveOwnName(root);
  await mountSystemFolders(root);
  const confArgs = ['-C', `${base}/etc/asterisk.conf`];
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const launch = () => {
    const proc: ChildProcess = spawn('chroot', [root, '/usr/sbin/asterisk', '-f', '-n', ...confArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: opts.ownProcessGroup ?? false,
    });
    proc.stdout?.pipe(log, { end: false });
    proc.stderr?.pipe(log, { end: false });
    return { proc, exited: new Promise<void>((resolve) => proc.once('exit', () => resolve())) };
  };
  let { proc: child, exited } = launch();

  const ariUrl = `http://${bindAddress}:${opts.httpPort}`;
  const auth = `Basic ${Buffer.from(`${ari.username}:${ari.password}`).toString('base64')}`;
  const cli = async (command: string) => {
    const { stdout } = await exec('chroot', [root, '/usr/sbin/asterisk', ...confArgs, '-rx', command], {
      timeout: 10_000,
    });
    return stdout;
  };
  const halt = async () => {
    if (child.exitCode !== null) return;
    await cli('core stop now').catch(() => undefined);
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };
  const stop = async () => {
    await halt();
    log.end();
    await releaseRoot(root).catch(() => undefined);
    rmSync(hostBase, { recursive: true, force: true });
  };
  const ready = () =>
    waitFor(
      `Asterisk ARI at ${ariUrl} (log: ${opts.logFile})`,
      async () => (await fetch(`${ariUrl}/ari/asterisk/info`, { headers: { authorization: auth } })).ok,
      30_000,
      () => (child.exitCode === null ? null : `Asterisk exited with ${child.exitCode}`),
    );
  const restart = async (whileDown?: (stoppedAt: number) => Promise<void>) => {
    await halt();
    await whileDown?.(Date.now());
    ({ proc: child, exited } = launch());
    await ready();
  };

  try {
    await ready();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    ariUrl,
    ari,
    ami: { host: bindAddress, port: opts.amiPort, ...ami },
    sipWsUrl: `ws://${bindAddress}:${opts.httpPort}/ws`,
    sipPort: opts.sipPort,
    pid: child.pid,
    cli,
    logDir: { asterisk: `${base}/data/log`, host: join(hostBase, 'data/log') },
    restart,
    stop,
  };
}
