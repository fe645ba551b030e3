/**
 * The production edge on real parts, for tests: a throw-away certificate authority (openssl) and
 * nginx and coturn started in a namespace on the files `deploy/render.ts` renders, as a province
 * would run them.
 */
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type EdgeSite, renderNginxSite, renderTurnserverConf, type TurnRelay } from '../../deploy/render.ts';
import { waitFor } from '../../scripts/lib/ports.ts';
import { type NatNetwork, type Place, probeTcp, spawnIn } from './nat-network.ts';

const exec = promisify(execFile);

export interface TestCa {
  caPem: string;
  certificateFile: string;
  keyFile: string;
  /** base64 SHA-256 of the leaf's public key (for Chromium's `--ignore-certificate-errors-spki-list`). */
  leafSpkiHash: string;
}

/** A CA and a server certificate for `serverName` it signs (P-256, valid for a day). */
export async function makeTestCa(dir: string, serverName: string): Promise<TestCa> {
  mkdirSync(dir, { recursive: true });
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => exec('openssl', args, { cwd: dir });
  await openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('ca.key'));
  await openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    f('ca.key'),
    '-sha256',
    '-days',
    '1',
    '-subj',
    '/CN=hotline-1022 test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    f('ca.pem'),
  );
  await openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('server.key'));
  await openssl(
    'req',
    '-new',
    '-key',
    f('server.key'),
    '-subj',
    `/CN=${serverName}`,
    '-out',
    f('server.csr'),
  );
  writeFileSync(
    f('server.ext'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=DNS:${serverName}`,
    ].join('\n'),
  );
  await openssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-sha256',
    '-extfile',
    f('server.ext'),
    '-out',
    f('server.pem'),
  );
  // nginx serves the chain: the leaf, then the CA that signed it.
  const leaf = readFileSync(f('server.pem'), 'utf8');
  const caPem = readFileSync(f('ca.pem'), 'utf8');
  writeFileSync(f('chain.pem'), leaf + caPem);
  const spki = new X509Certificate(leaf).publicKey.export({ type: 'spki', format: 'der' });
  return {
    caPem,
    certificateFile: f('chain.pem'),
    keyFile: f('server.key'),
    leafSpkiHash: createHash('sha256').update(spki).digest('base64'),
  };
}

export interface RunningService {
  /** Where its log goes. */
  log: string;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killer);
}

function running(child: ChildProcess, log: string, stopSignal: NodeJS.Signals): RunningService {
  const out = createWriteStream(log, { flags: 'a' });
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  return {
    log,
    stop: async () => {
      await stopChild(child, stopSignal);
      out.end();
    },
  };
}

/**
 * nginx in `place` with the shipped site; a minimal main configuration around it gives this run
 * its own pid file, logs and temp folders (a province uses Debian's /etc/nginx/nginx.conf).
 */
export async function startNginx(
  net: NatNetwork,
  place: Place,
  dir: string,
  site: EdgeSite,
  readyAt: { address: string; port: number; from: Place },
): Promise<RunningService> {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, 'hotline-1022.conf'), renderNginxSite(site));
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'user root;',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/logs/error.log warn;`,
      'events { worker_connections 256; }',
      'http {',
      '  include /etc/nginx/mime.types;',
      `  access_log ${dir}/logs/access.log;`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (t) => `  ${t}_temp_path ${dir}/${t}-temp;`,
      ),
      `  include ${dir}/hotline-1022.conf;`,
      '}',
    ].join('\n'),
  );
  await exec('nginx', ['-t', '-q', '-p', dir, '-c', join(dir, 'nginx.conf')]);
  const child = spawnIn(net, place, '/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')]);
  const service = running(child, join(dir, 'logs/stdout.log'), 'SIGQUIT');
  try {
    await waitFor(
      `nginx on ${readyAt.address}:${readyAt.port}`,
      async () => (await probeTcp(net, readyAt.from, readyAt.address, readyAt.port)) === 'connected',
      10_000,
      () => (child.exitCode === null ? null : `nginx exited with ${child.exitCode} (${dir}/logs/error.log)`),
    );
  } catch (err) {
    await service.stop();
    throw err;
  }
  return service;
}

/** coturn in `place` with the shipped turnserver.conf. */
export async function startCoturn(
  net: NatNetwork,
  place: Place,
  dir: string,
  relay: Omit<TurnRelay, 'pidFile' | 'logFile'>,
  readyFrom: Place,
): Promise<RunningService> {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'turnserver.conf');
  const log = join(dir, 'turnserver.log');
  writeFileSync(
    conf,
    renderTurnserverConf({ ...relay, pidFile: join(dir, 'turnserver.pid'), logFile: 'stdout' }),
  );
  // Its user database (unused with use-auth-secret) lives with this run, not in /var/lib/turn.
  const child = spawnIn(net, place, '/usr/bin/turnserver', ['-c', conf, '--db', join(dir, 'turndb')]);
  const service = running(child, log, 'SIGTERM');
  try {
    await waitFor(
      `coturn on ${relay.listenIp}:${relay.port}`,
      async () => (await probeTcp(net, readyFrom, relay.listenIp, relay.port)) === 'connected',
      10_000,
      () => (child.exitCode === null ? null : `turnserver exited with ${child.exitCode} (${log})`),
    );
  } catch (err) {
    await service.stop();
    throw err;
  }
  return service;
}
