/**
 * Renders the production edge's configuration from this folder's templates: the nginx site (one
 * HTTPS origin, WSS at /ws), coturn's turnserver.conf and the systemd units of the hotline server
 * and of its watchdog. The end-to-end test through NAT runs nginx and coturn on exactly these
 * files.
 *
 *   npx tsx deploy/render.ts <settings.json> <output folder>
 *
 * (settings: `{ "site": EdgeSite, "turn": TurnRelay, "service": ServerService }`, each optional.)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fillTemplate } from '../dialplan/render.ts';

const TEMPLATE_DIR = dirname(fileURLToPath(import.meta.url));

/** The reverse proxy: the public name and certificate, and the two private upstreams. */
export interface EdgeSite {
  /** The one public host name operators open, e.g. `1022.dongnai.gov.vn`. */
  serverName: string;
  /** nginx `listen` values: a port, or `address:port`. */
  httpListen: string;
  httpsListen: string;
  /** PEM files: the certificate with its chain, and its key. */
  tlsCertificate: string;
  tlsCertificateKey: string;
  /** The hotline server's plain HTTP (`HOTLINE_HTTP_HOST:HOTLINE_HTTP_PORT`). */
  serverUpstream: string;
  /** Asterisk's HTTP server (http.conf); only its `/ws` is proxied. */
  asteriskHttpUpstream: string;
}

/** coturn, relaying operators' audio to Asterisk only. */
export interface TurnRelay {
  /** Address TURN clients reach (UDP and TCP). */
  listenIp: string;
  port: number;
  /** The edge's private address relayed audio leaves from. */
  relayIp: string;
  relayPorts: { min: number; max: number };
  realm: string;
  /** Shared with the hotline server (`HOTLINE_TURN_SECRET`). */
  secret: string;
  /** The only peer relayed to: Asterisk's RTP address. */
  asteriskMediaIp: string;
  pidFile: string;
  /** A file, or `stdout`. */
  logFile: string;
}

/** The hotline server as a systemd service. */
export interface ServerService {
  /** The checkout, built with `npm ci && npm run build`. */
  appDir: string;
  /** The environment file (`.env.example` lists every variable). */
  envFile: string;
  user: string;
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const LISTEN = /^((\d{1,3}\.){3}\d{1,3}:)?\d{1,5}$/;
const HOST_PORT = /^[a-z0-9.-]+:\d{1,5}$/i;
const IP_V4 = /^(\d{1,3}\.){3}\d{1,3}$/;
const PATH = /^\/[^\s{}'"]*$/;

function check(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new Error(`${what}: "${value}" is not valid`);
  return value;
}

function template(path: string): string {
  return readFileSync(join(TEMPLATE_DIR, path), 'utf8');
}

export function renderNginxSite(p: EdgeSite): string {
  return fillTemplate(
    template('nginx/hotline-1022.conf'),
    {
      SERVER_NAME: check(p.serverName, HOST_NAME, 'serverName'),
      HTTP_LISTEN: check(p.httpListen, LISTEN, 'httpListen'),
      HTTPS_LISTEN: check(p.httpsListen, LISTEN, 'httpsListen'),
      TLS_CERTIFICATE: check(p.tlsCertificate, PATH, 'tlsCertificate'),
      TLS_CERTIFICATE_KEY: check(p.tlsCertificateKey, PATH, 'tlsCertificateKey'),
      SERVER_UPSTREAM: check(p.serverUpstream, HOST_PORT, 'serverUpstream'),
      ASTERISK_HTTP_UPSTREAM: check(p.asteriskHttpUpstream, HOST_PORT, 'asteriskHttpUpstream'),
    },
    'nginx/hotline-1022.conf',
  );
}

export function renderTurnserverConf(p: TurnRelay): string {
  // coturn reads `#` as the start of a comment, even inside a value.
  if (p.secret.length < 24 || /[\s#]/.test(p.secret)) {
    throw new Error('turn secret: at least 24 characters, no spaces or #');
  }
  if (!(p.relayPorts.min > 1023 && p.relayPorts.min <= p.relayPorts.max && p.relayPorts.max <= 65535)) {
    throw new Error(`turn relay ports: ${p.relayPorts.min}-${p.relayPorts.max} is not a range above 1023`);
  }
  return fillTemplate(
    template('coturn/turnserver.conf'),
    {
      TURN_LISTEN_IP: check(p.listenIp, IP_V4, 'listenIp'),
      TURN_PORT: p.port,
      TURN_RELAY_IP: check(p.relayIp, IP_V4, 'relayIp'),
      TURN_RELAY_MIN_PORT: p.relayPorts.min,
      TURN_RELAY_MAX_PORT: p.relayPorts.max,
      TURN_REALM: check(p.realm, HOST_NAME, 'realm'),
      TURN_SECRET: p.secret,
      ASTERISK_MEDIA_IP: check(p.asteriskMediaIp, IP_V4, 'asteriskMediaIp'),
      TURN_PID_FILE: check(p.pidFile, PATH, 'pidFile'),
      TURN_LOG_FILE: p.logFile === 'stdout' ? p.logFile : check(p.logFile, PATH, 'logFile'),
    },
    'coturn/turnserver.conf',
  );
}

function renderService(file: string, p: ServerService): string {
  return fillTemplate(
    template(file),
    {
      APP_DIR: check(p.appDir, PATH, 'appDir'),
      ENV_FILE: check(p.envFile, PATH, 'envFile'),
      SERVICE_USER: check(p.user, /^[a-z_][a-z0-9_-]*$/, 'user'),
    },
    file,
  );
}

export const renderServerService = (p: ServerService): string =>
  renderService('systemd/hotline-1022.service', p);

/** The watchdog, a service of its own with the server's settings (`server/watchdog-main.ts`). */
export const renderWatchdogService = (p: ServerService): string =>
  renderService('systemd/hotline-1022-watchdog.service', p);

interface Settings {
  site?: EdgeSite;
  turn?: TurnRelay;
  service?: ServerService;
}

/** Writes the files the settings ask for into `outDir`; returns their paths. */
export function renderDeployment(settings: Settings, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const files: [string, string | null][] = [
    ['hotline-1022.nginx.conf', settings.site ? renderNginxSite(settings.site) : null],
    ['turnserver.conf', settings.turn ? renderTurnserverConf(settings.turn) : null],
    ['hotline-1022.service', settings.service ? renderServerService(settings.service) : null],
    ['hotline-1022-watchdog.service', settings.service ? renderWatchdogService(settings.service) : null],
  ];
  const written: string[] = [];
  for (const [name, text] of files) {
    if (text === null) continue;
    const path = join(outDir, name);
    // The TURN secret is in turnserver.conf: readable by its owner only.
    writeFileSync(path, text, { mode: name === 'turnserver.conf' ? 0o600 : 0o644 });
    written.push(path);
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [settingsFile, outDir] = process.argv.slice(2);
  if (!settingsFile || !outDir) {
    console.error('usage: npx tsx deploy/render.ts <settings.json> <output folder>');
    process.exit(2);
  }
  const written = renderDeployment(JSON.parse(readFileSync(settingsFile, 'utf8')) as Settings, outDir);
  for (const path of written) console.log(path);
}
