/**
 * A small internet inside the e2e namespace (H, where Asterisk, the server, Redis and sipp run):
 *
 *   H 10.20.0.10 ── 10.20.0.1 EDGE 203.0.113.1 ── 203.0.113.2 ROUTER 192.168.77.1 ── 192.168.77.10 OPERATOR
 *     (private network)     (nginx, coturn;        (home router: masquerade       (the operator's
 *                            no forwarding)          out of its WAN)                 browser)
 *
 * The operator has a route only to the router; the router knows only its two links; the edge
 * forwards nothing (H reaches the edge's public address, the TURN server's, via its private side). So from OPERATOR only what nginx and coturn listen on is reachable, as from a
 * home behind NAT on the internet. Created with unique names and always deleted.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export const ADDRESSES = {
  hotline: '10.20.0.10',
  edgePrivate: '10.20.0.1',
  edgePublic: '203.0.113.1',
  routerWan: '203.0.113.2',
  routerLan: '192.168.77.1',
  operator: '192.168.77.10',
} as const;

export type Place = 'edge' | 'router' | 'operator';

export interface NatNetwork {
  /** Namespace names, for `ip netns exec`. */
  ns: Record<Place, string>;
  /** Runs a program in a namespace and returns its standard output. */
  run(place: Place, file: string, args: string[], timeoutMs?: number): Promise<string>;
  /** Deletes the namespaces (and so every link in them), after stopping what still runs there. */
  close(): Promise<void>;
}

const ip = (...args: string[]) => exec('ip', args);

async function deleteNamespace(name: string): Promise<void> {
  const pids = (await ip('netns', 'pids', name).catch(() => ({ stdout: '' }))).stdout
    .split(/\s+/)
    .filter(Boolean);
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone already
    }
  }
  await ip('netns', 'del', name).catch(() => undefined);
}

export async function createNatNetwork(tag: string): Promise<NatNetwork> {
  const ns: Record<Place, string> = {
    edge: `hl-${tag}-${process.pid}-edge`,
    router: `hl-${tag}-${process.pid}-router`,
    operator: `hl-${tag}-${process.pid}-op`,
  };
  const close = async () => {
    for (const name of Object.values(ns)) await deleteNamespace(name);
  };
  const inNs = (place: Place, ...args: string[]) => exec('ip', ['netns', 'exec', ns[place], ...args]);
  try {
    for (const name of Object.values(ns)) {
      await ip('netns', 'add', name);
      await ip('-n', name, 'link', 'set', 'lo', 'up');
      await exec('ip', ['netns', 'exec', name, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
    }
    // H ↔ EDGE: the private network. The H end is deleted with EDGE's.
    await ip('link', 'add', 'hl-priv', 'type', 'veth', 'peer', 'name', 'priv', 'netns', ns.edge);
    await ip('addr', 'add', `${ADDRESSES.hotline}/24`, 'dev', 'hl-priv');
    await ip('link', 'set', 'hl-priv', 'up');
    await ip('-n', ns.edge, 'addr', 'add', `${ADDRESSES.edgePrivate}/24`, 'dev', 'priv');
    await ip('-n', ns.edge, 'link', 'set', 'priv', 'up');
    // Office machines reach the edge's public address (the TURN server's) through its private
    // side, as a LAN does through its own gateway; the edge still forwards nothing.
    await ip('route', 'add', `${ADDRESSES.edgePublic}/32`, 'via', ADDRESSES.edgePrivate, 'dev', 'hl-priv');
    // EDGE ↔ ROUTER: "the internet".
    await ip('-n', ns.edge, 'link', 'add', 'pub', 'type', 'veth', 'peer', 'name', 'wan', 'netns', ns.router);
    await ip('-n', ns.edge, 'addr', 'add', `${ADDRESSES.edgePublic}/24`, 'dev', 'pub');
    await ip('-n', ns.edge, 'link', 'set', 'pub', 'up');
    await ip('-n', ns.router, 'addr', 'add', `${ADDRESSES.routerWan}/24`, 'dev', 'wan');
    await ip('-n', ns.router, 'link', 'set', 'wan', 'up');
    // ROUTER ↔ OPERATOR: the home network.
    await ip(
      '-n',
      ns.router,
      'link',
      'add',
      'lan',
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      ns.operator,
    );
    await ip('-n', ns.router, 'addr', 'add', `${ADDRESSES.routerLan}/24`, 'dev', 'lan');
    await ip('-n', ns.router, 'link', 'set', 'lan', 'up');
    await ip('-n', ns.operator, 'addr', 'add', `${ADDRESSES.operator}/24`, 'dev', 'eth0');
    await ip('-n', ns.operator, 'link', 'set', 'eth0', 'up');
    await ip('-n', ns.operator, 'route', 'add', 'default', 'via', ADDRESSES.routerLan);

    await inNs('edge', 'sysctl', '-qw', 'net.ipv4.ip_forward=0');
    await inNs('router', 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    await inNs('router', 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE');
  } catch (err) {
    await close();
    throw err;
  }
  return {
    ns,
    async run(place, file, args, timeoutMs = 15_000) {
      const { stdout } = await exec('ip', ['netns', 'exec', ns[place], file, ...args], {
        timeout: timeoutMs,
      });
      return stdout;
    },
    close,
  };
}

export type TcpProbe = 'connected' | 'refused' | 'timeout' | 'unreachable';

const PROBE_SCRIPT = `
const net = require('node:net');
const [host, port, ms] = process.argv.slice(1);
const socket = net.connect({ host, port: Number(port) });
const done = (result) => { console.log(result); socket.destroy(); process.exit(0); };
socket.setTimeout(Number(ms), () => done('timeout'));
socket.on('connect', () => done('connected'));
socket.on('error', (err) => done(err.code === 'ECONNREFUSED' ? 'refused'
  : ['EHOSTUNREACH', 'ENETUNREACH'].includes(err.code) ? 'unreachable' : err.code));
`;

/** Tries a TCP connection from inside a namespace. */
export async function probeTcp(net: NatNetwork, place: Place, host: string, port: number): Promise<TcpProbe> {
  const out = await net.run(place, process.execPath, ['-e', PROBE_SCRIPT, host, String(port), '1000']);
  return out.trim() as TcpProbe;
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The server's certificate chain verified against `ca` for the host name. */
  authorized: boolean;
}

const HTTPS_SCRIPT = `
const https = require('node:https');
const [address, servername, path, ca] = process.argv.slice(1);
const req = https.get({ host: address, servername, path, ca, headers: { host: servername }, timeout: 5000 }, (res) => {
  const authorized = res.socket.authorized === true;
  res.resume();
  res.on('end', () => console.log(JSON.stringify({ status: res.statusCode, headers: res.headers, authorized })));
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', (err) => { console.log(JSON.stringify({ error: err.code || err.message })); });
`;

/** A GET over HTTPS from inside a namespace, trusting only `caPem` (Node verifies the chain). */
export async function httpsGetFrom(
  net: NatNetwork,
  place: Place,
  target: { address: string; serverName: string; path: string; caPem: string },
): Promise<HttpsAnswer> {
  const out = await net.run(place, process.execPath, [
    '-e',
    HTTPS_SCRIPT,
    target.address,
    target.serverName,
    target.path,
    target.caPem,
  ]);
  const answer = JSON.parse(out) as HttpsAnswer | { error: string };
  if ('error' in answer) throw new Error(`GET https://${target.serverName}${target.path}: ${answer.error}`);
  return answer;
}

/** Starts a long-running program in a namespace (`ip netns exec` execs it: the pid is the program's). */
export function spawnIn(net: NatNetwork, place: Place, file: string, args: string[]) {
  return spawn('ip', ['netns', 'exec', net.ns[place], file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}
