/**
 * The hotline's configuration, parsed once from the environment at start-up. Nothing else reads
 * `process.env`. Every variable is listed in `.env.example`.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { MIN_WATCHDOG_AFTER_SECONDS } from '../ivr/watchdog.ts';
import { DEFAULT_PUBLIC_LIMITS, type PublicLimits } from './intake/limits.ts';
import { ASTERISK_REALTIME_PRIORITY } from './priority.ts';

export interface Config {
  /**
   * `production` refuses to start while a demo password, the demo seed, the development SMS
   * or mail outbox or a known default secret is in use (see `production.ts`).
   */
  readonly environment: 'development' | 'production';
  readonly http: { readonly host: string; readonly port: number };
  /** SQLite file, or `:memory:`. */
  readonly dbPath: string;
  /** The built browser console, served at `/`; null serves the API only. */
  readonly consoleDir: string | null;
  readonly redisUrl: string;
  /** Prefix of every BullMQ key, so several copies can share one Redis. */
  readonly queuePrefix: string;
  readonly ari: {
    readonly enabled: boolean;
    readonly url: string;
    readonly username: string;
    readonly password: string;
    /**
     * Real-time (round-robin) priority of the event-loop thread that runs call control, as
     * Asterisk's own (`highpriority`); 0 leaves it at ordinary priority. See `priority.ts`.
     */
    readonly realtimePriority: number;
  };
  readonly ivr: {
    /** The menu, opening hours and after-hours message (JSON); reloaded when it changes. */
    readonly menuPath: string;
    /**
     * Asterisk's sounds folder as this process sees it; the prompts are generated there at start
     * and when the menu changes. Null leaves them to `npm run setup`.
     */
    readonly soundsDir: string | null;
    /** Record answered calls' conversations (Asterisk's stored recordings, linked to the call). */
    readonly recordCalls: boolean;
    /** Take calls at any hour, whatever the menu file's hours say (npm start's demo). */
    readonly alwaysOpen: boolean;
  };
  /**
   * Asterisk Manager Interface, followed for the dialplan's fallback queue while the controller is
   * down (the wallboard's degraded mode). Null when not configured (no `HOTLINE_AMI_USERNAME`) or
   * telephony is disabled; the wallboard then tells only "up" from "down".
   */
  readonly ami: {
    readonly host: string;
    readonly port: number;
    readonly username: string;
    readonly password: string;
  } | null;
  /** SIP-over-WebSocket address the browser softphone registers to. */
  readonly sipWsUrl: string;
  /** SIP domain in operators' URIs. */
  readonly sipDomain: string;
  /**
   * The TURN server(s) softphones relay their media through when the operator is behind NAT (at
   * home), with the secret shared with coturn (`static-auth-secret`) and the lifetime of the
   * credentials each console is given. Null without TURN (operators on the hotline's network).
   */
  readonly turn: {
    readonly urls: readonly string[];
    readonly secret: string;
    readonly ttlSeconds: number;
  } | null;
  /**
   * Addresses and CIDR ranges of the reverse proxy in front of the server: only their
   * X-Forwarded-For and X-Forwarded-Proto are believed (client address, HTTPS). Empty trusts none.
   */
  readonly trustProxy: readonly string[];
  /** Seeds demo operators, supervisors and agencies when the database is empty. */
  readonly seedDemo: boolean;
  /** Where demo agencies receive forwarded tickets; unset leaves them without a URL. */
  readonly demoAgencyUrl: string | null;
  readonly forward: {
    readonly attempts: number;
    readonly backoffMs: number;
    /** Bounds the whole exchange with the agency's webhook. */
    readonly timeoutMs: number;
    /** Deliveries in flight per agency, per job process. */
    readonly agencyConcurrency: number;
  };
  /** Text messages to citizens: `outbox` only stores them (development), `http` posts to a gateway. */
  readonly sms: {
    readonly driver: 'outbox' | 'http';
    /** Lets production run on the `outbox` driver (a province without an SMS gateway yet). */
    readonly allowOutboxInProduction: boolean;
    /** Gateway endpoint and bearer token; set when the driver is `http`. */
    readonly url: string | null;
    readonly token: string | null;
    readonly attempts: number;
    readonly backoffMs: number;
    readonly timeoutMs: number;
  };
  /**
   * The monitoring team's scheduled report summaries by email: `outbox` only stores them (shown on
   * the admin page; development), `smtp` sends them through the province's relay.
   */
  readonly mail: {
    readonly driver: 'outbox' | 'smtp';
    /** Lets production run on the `outbox` driver (no relay yet: summaries wait on the admin page). */
    readonly allowOutboxInProduction: boolean;
    /** `smtp://relay:25` or `smtps://user:pass@host:465`; set when the driver is `smtp`. */
    readonly smtpUrl: string | null;
    /** The sender, e.g. `Tổng đài 1022 <bao-cao@1022.dongnai.gov.vn>`. */
    readonly from: string;
    readonly attempts: number;
    readonly backoffMs: number;
    readonly timeoutMs: number;
  };
  /** How often the outbox relay looks for intents it was not nudged about. */
  readonly relay: { readonly pollMs: number };
  /**
   * How often the jobs in Redis are compared with the database (at start too): lost jobs are
   * queued again, missing deadline alerts rebuilt, stalled ones given up for a supervisor's retry.
   */
  readonly reconcile: { readonly everyMs: number };
  /**
   * The watchdog process (`server/watchdog-main.ts`): once the call controller's heartbeat has
   * not changed for `afterSeconds`, the callers it left in Stasis go to the fallback queue.
   */
  readonly watchdog: { readonly afterSeconds: number };
  /**
   * Where the outbox relay and the forward, SMS and deadline workers run: in the server's own
   * process, or in one child process of their own (needs a database file, not `:memory:`).
   */
  readonly jobWorkers: 'in-process' | 'separate';
  /** Calls answered within this many seconds of joining a queue count toward the wallboard's service level. */
  readonly serviceLevelSeconds: number;
  /**
   * Callers who hang up within this many seconds of joining a queue are counted as abandoned but
   * left out of the reports' service level (a misdial, or a caller who changed their mind).
   */
  readonly shortAbandonSeconds: number;
  /** Callers waiting in a queue. */
  readonly waiting: {
    /** After this many seconds in a queue, any ready operator may take the call, skill or not. */
    readonly overflowAfterSeconds: number;
    /** Position and estimated wait are announced on joining and again this often. */
    readonly announceEverySeconds: number;
    /** The "press 1 to be called back" offer this long after joining; 0 never offers it. */
    readonly callbackOfferAfterSeconds: number;
  };
  /**
   * Operators: how long their softphone rings before the offer counts as missed (the call goes back
   * to the head of its queue, the operator to not ready); wrap-up after each talk, what one
   * extension adds and its cap from the start of wrap-up (0 ms of wrap-up: straight back to ready).
   */
  readonly operators: {
    readonly ringSeconds: number;
    readonly wrapUp: {
      readonly wrapUpMs: number;
      readonly wrapUpExtensionMs: number;
      readonly maxWrapUpMs: number;
    };
  };
  /** Calling citizens back: attempts before giving up, spacing between them, how long a claim lasts. */
  readonly callbacks: { readonly maxAttempts: number; readonly spacingMs: number; readonly claimMs: number };
  /**
   * Queue callbacks (a caller who pressed 1 keeps their place; the hotline calls them when it
   * comes): attempts the hotline makes itself before leaving the task to a person, the spacing
   * after an attempt that did not reach the citizen, and how long the citizen's phone rings.
   */
  readonly queueCallbacks: {
    readonly maxAttempts: number;
    readonly retryMs: number;
    readonly ringSeconds: number;
  };
  /** Deadline warning and escalation jobs. */
  readonly deadline: { readonly attempts: number; readonly backoffMs: number };
  /**
   * Months a call's recording and a citizen's full number are kept; older ones are deleted and
   * masked by the retention job (`retention/`).
   */
  readonly retentionMonths: number;
  /**
   * Bearer token Prometheus sends to scrape `/metrics`; null (unset or empty) turns the endpoint
   * off (404).
   */
  readonly metricsToken: string | null;
  /**
   * The Zalo Official Account (`server/zalo/`); null when `HOTLINE_ZALO_APP_ID` is unset. The OA
   * secret key checks the webhook's signature; the app secret and refresh token get access tokens.
   */
  readonly zalo: {
    readonly appId: string;
    readonly oaSecret: string;
    readonly appSecret: string;
    readonly refreshToken: string | null;
    readonly apiUrl: string;
    readonly oauthUrl: string;
    readonly attempts: number;
    readonly backoffMs: number;
    readonly timeoutMs: number;
  } | null;
  readonly logLevel: string;
  /**
   * The desk (`server/desk/`): written requests given to ready operators as tasks, at most
   * `writtenTasks` each; a holder offline for `offlineGraceMs` or a task not opened within
   * `openTimeoutMs` sends it back to the pool; first-response targets per channel, in minutes.
   */
  readonly desk: {
    readonly writtenTasks: number;
    readonly offlineGraceMs: number;
    readonly openTimeoutMs: number;
    readonly firstResponseMinutes: { readonly web: number; readonly zalo: number; readonly app: number };
  };
  /**
   * The public web form's map: a Leaflet tile URL template (`{z}`, `{x}`, `{y}`, optional `{s}`)
   * and the attribution its provider requires. Null: the form has no map (address and commune only).
   */
  readonly publicForm: {
    readonly mapTileUrl: string | null;
    readonly mapAttribution: string | null;
    /** Abuse limits of the public form and status page, per number and per client address. */
    readonly limits: Readonly<PublicLimits>;
  };
  /**
   * Open311 GeoReport v2 (`server/open311/`): a reported point is placed in the nearest unit's
   * commune within `unitMaxKm` (else left for the operator); each client app may post at most
   * `postsPerMinute` requests, and one address make `readsPerMinute` reads.
   */
  readonly open311: {
    readonly unitMaxKm: number;
    readonly postsPerMinute: number;
    readonly readsPerMinute: number;
  };
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback?: string): string {
  const value = env[name] ?? fallback;
  if (value === undefined || value === '') throw new ConfigError(`${name} is required`);
  return value;
}

function int(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, fallback: string, protocols: string[]): string {
  const value = str(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${value}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.join(' or ')}, got "${value}"`);
  }
  return value;
}

function publicLimits(env: Env): PublicLimits {
  const d = DEFAULT_PUBLIC_LIMITS;
  const max = 1_000_000_000;
  return {
    codesPerPhonePerHour: int(env, 'HOTLINE_WEB_CODES_PER_PHONE_HOUR', d.codesPerPhonePerHour, 1, max),
    codesPerAddressPerHour: int(env, 'HOTLINE_WEB_CODES_PER_ADDRESS_HOUR', d.codesPerAddressPerHour, 1, max),
    submissionsPerPhonePerDay: int(
      env,
      'HOTLINE_WEB_REQUESTS_PER_PHONE_DAY',
      d.submissionsPerPhonePerDay,
      1,
      max,
    ),
    submissionsPerAddressPerDay: int(
      env,
      'HOTLINE_WEB_REQUESTS_PER_ADDRESS_DAY',
      d.submissionsPerAddressPerDay,
      1,
      max,
    ),
    lookupsPerAddressPerHour: int(
      env,
      'HOTLINE_WEB_LOOKUPS_PER_ADDRESS_HOUR',
      d.lookupsPerAddressPerHour,
      1,
      max,
    ),
  };
}

function publicForm(env: Env): Config['publicForm'] {
  const limits = publicLimits(env);
  const template = env.HOTLINE_MAP_TILE_URL?.trim();
  if (!template) return { mapTileUrl: null, mapAttribution: null, limits };
  let parsed: URL | null = null;
  try {
    parsed = new URL(template.replace('{s}', 'a'));
  } catch {}
  if (!parsed || !['https:', 'http:'].includes(parsed.protocol) || !/\{z\}.*\{x\}.*\{y\}/.test(template)) {
    throw new ConfigError(
      `HOTLINE_MAP_TILE_URL must be an http(s) tile URL with {z}, {x} and {y}, got "${template}"`,
    );
  }
  return { mapTileUrl: template, mapAttribution: env.HOTLINE_MAP_ATTRIBUTION?.trim() || null, limits };
}

function environment(env: Env): Config['environment'] {
  const value = str(env, 'HOTLINE_ENV', 'development');
  if (value !== 'development' && value !== 'production') {
    throw new ConfigError(`HOTLINE_ENV must be development or production, got "${value}"`);
  }
  return value;
}

function jobWorkers(env: Env): Config['jobWorkers'] {
  const value = str(env, 'HOTLINE_JOB_WORKERS', 'in-process');
  if (value !== 'in-process' && value !== 'separate') {
    throw new ConfigError(`HOTLINE_JOB_WORKERS must be in-process or separate, got "${value}"`);
  }
  if (value === 'separate' && loadDatabasePath(env) === ':memory:') {
    throw new ConfigError('HOTLINE_JOB_WORKERS=separate needs a database file, not :memory:');
  }
  return value;
}

function smsConfig(env: Env): Config['sms'] {
  const driver = str(env, 'HOTLINE_SMS_DRIVER', 'outbox');
  if (driver !== 'outbox' && driver !== 'http') {
    throw new ConfigError(`HOTLINE_SMS_DRIVER must be outbox or http, got "${driver}"`);
  }
  const http = driver === 'http';
  return {
    driver,
    allowOutboxInProduction: bool(env, 'HOTLINE_ALLOW_OUTBOX_SMS', false),
    url: http || env.HOTLINE_SMS_URL ? url(env, 'HOTLINE_SMS_URL', '', ['http:', 'https:']) : null,
    token: http ? str(env, 'HOTLINE_SMS_TOKEN') : env.HOTLINE_SMS_TOKEN || null,
    attempts: int(env, 'HOTLINE_SMS_ATTEMPTS', 6, 1, 100),
    backoffMs: int(env, 'HOTLINE_SMS_BACKOFF_MS', 5000, 10),
    timeoutMs: int(env, 'HOTLINE_SMS_TIMEOUT_MS', 10_000, 100),
  };
}

function mailConfig(env: Env): Config['mail'] {
  const driver = str(env, 'HOTLINE_MAIL_DRIVER', 'outbox');
  if (driver !== 'outbox' && driver !== 'smtp') {
    throw new ConfigError(`HOTLINE_MAIL_DRIVER must be outbox or smtp, got "${driver}"`);
  }
  const smtp = driver === 'smtp';
  return {
    driver,
    allowOutboxInProduction: bool(env, 'HOTLINE_ALLOW_OUTBOX_MAIL', false),
    smtpUrl: smtp || env.HOTLINE_SMTP_URL ? url(env, 'HOTLINE_SMTP_URL', '', ['smtp:', 'smtps:']) : null,
    from: str(env, 'HOTLINE_MAIL_FROM', 'Tổng đài 1022 <bao-cao@hotline.local>'),
    attempts: int(env, 'HOTLINE_MAIL_ATTEMPTS', 6, 1, 100),
    backoffMs: int(env, 'HOTLINE_MAIL_BACKOFF_MS', 60_000, 10),
    timeoutMs: int(env, 'HOTLINE_MAIL_TIMEOUT_MS', 30_000, 100),
  };
}

function operatorTimes(env: Env): Config['operators'] {
  const wrapUp = int(env, 'HOTLINE_WRAP_UP_SECONDS', 30, 0, 3600);
  const max = int(env, 'HOTLINE_WRAP_UP_MAX_SECONDS', Math.max(180, wrapUp), 0, 3600);
  if (max < wrapUp) {
    throw new ConfigError(
      `HOTLINE_WRAP_UP_MAX_SECONDS (${max}) must not be less than HOTLINE_WRAP_UP_SECONDS (${wrapUp})`,
    );
  }
  return {
    ringSeconds: int(env, 'HOTLINE_RING_TIMEOUT_SECONDS', 15, 1, 300),
    wrapUp: {
      wrapUpMs: wrapUp * 1000,
      wrapUpExtensionMs: int(env, 'HOTLINE_WRAP_UP_EXTENSION_SECONDS', 30, 1, 3600) * 1000,
      maxWrapUpMs: max * 1000,
    },
  };
}

/** Long enough that guessing it over HTTP is hopeless; empty turns the endpoint off. */
function metricsToken(env: Env): string | null {
  const token = env.HOTLINE_METRICS_TOKEN ?? '';
  if (token === '') return null;
  if (token.length < MIN_METRICS_TOKEN_LENGTH) {
    throw new ConfigError(
      `HOTLINE_METRICS_TOKEN must be at least ${MIN_METRICS_TOKEN_LENGTH} characters (e.g. openssl rand -hex 32), or empty to turn /metrics off`,
    );
  }
  return token;
}

const MIN_METRICS_TOKEN_LENGTH = 24;

function list(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function turnConfig(env: Env): Config['turn'] {
  const urls = list(env, 'HOTLINE_TURN_URLS');
  if (urls.length === 0) return null;
  for (const u of urls) {
    if (!/^turns?:[^\s/?#]+(\?transport=(udp|tcp))?$/.test(u)) {
      throw new ConfigError(
        `HOTLINE_TURN_URLS must list turn: or turns: URLs (e.g. turn:turn.example.vn:3478?transport=udp), got "${u}"`,
      );
    }
  }
  if (!env.HOTLINE_TURN_SECRET)
    throw new ConfigError('HOTLINE_TURN_SECRET is required when HOTLINE_TURN_URLS is set');
  return {
    urls,
    secret: env.HOTLINE_TURN_SECRET,
    ttlSeconds: int(env, 'HOTLINE_TURN_TTL_SECONDS', 7200, 60, 24 * 3600),
  };
}

function trustedProxies(env: Env): string[] {
  const entries = list(env, 'HOTLINE_TRUST_PROXY');
  for (const entry of entries) {
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || rest.length > 0) {
      throw new ConfigError(
        `HOTLINE_TRUST_PROXY must list IP addresses or CIDR ranges (e.g. 127.0.0.1,10.0.0.0/8), got "${entry}"`,
      );
    }
  }
  return entries;
}

function zaloConfig(env: Env): Config['zalo'] {
  if (!env.HOTLINE_ZALO_APP_ID) return null;
  return {
    appId: str(env, 'HOTLINE_ZALO_APP_ID'),
    // Checked in production (`production.ts`); without it the webhook accepts nothing.
    oaSecret: env.HOTLINE_ZALO_OA_SECRET ?? '',
    appSecret: env.HOTLINE_ZALO_APP_SECRET ?? '',
    refreshToken: env.HOTLINE_ZALO_REFRESH_TOKEN || null,
    apiUrl: url(env, 'HOTLINE_ZALO_API_URL', 'https://openapi.zalo.me', ['http:', 'https:']).replace(
      /\/+$/,
      '',
    ),
    oauthUrl: url(env, 'HOTLINE_ZALO_OAUTH_URL', 'https://oauth.zaloapp.com', ['http:', 'https:']).replace(
      /\/+$/,
      '',
    ),
    attempts: int(env, 'HOTLINE_ZALO_ATTEMPTS', 5, 1, 100),
    backoffMs: int(env, 'HOTLINE_ZALO_BACKOFF_MS', 2000, 10),
    timeoutMs: int(env, 'HOTLINE_ZALO_TIMEOUT_MS', 10_000, 100),
  };
}

/** The database path alone, for tools (migrations) that need nothing else. */
export function loadDatabasePath(env: Env = process.env): string {
  return str(env, 'HOTLINE_DB_PATH', 'data/hotline.sqlite');
}

export function loadConfig(env: Env = process.env): Config {
  const ariEnabled = bool(env, 'HOTLINE_ARI_ENABLED', true);
  const config: Config = {
    environment: environment(env),
    http: {
      host: str(env, 'HOTLINE_HTTP_HOST', '127.0.0.1'),
      port: int(env, 'HOTLINE_HTTP_PORT', 8080, 0, 65535),
    },
    dbPath: loadDatabasePath(env),
    consoleDir:
      env.HOTLINE_CONSOLE_DIR === '' ? null : resolve(env.HOTLINE_CONSOLE_DIR ?? 'agent-console/dist'),
    redisUrl: url(env, 'HOTLINE_REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    queuePrefix: str(env, 'HOTLINE_QUEUE_PREFIX', 'hotline'),
    ari: {
      enabled: ariEnabled,
      url: url(env, 'HOTLINE_ARI_URL', 'http://127.0.0.1:8088', ['http:', 'https:']),
      username: ariEnabled ? str(env, 'HOTLINE_ARI_USERNAME') : (env.HOTLINE_ARI_USERNAME ?? ''),
      password: ariEnabled ? str(env, 'HOTLINE_ARI_PASSWORD') : (env.HOTLINE_ARI_PASSWORD ?? ''),
      realtimePriority: int(env, 'HOTLINE_CALL_PRIORITY', ASTERISK_REALTIME_PRIORITY, 0, 99),
    },
    ivr: {
      menuPath: resolve(str(env, 'HOTLINE_IVR_MENU', 'ivr/menu.json')),
      soundsDir: env.HOTLINE_SOUNDS_DIR ? resolve(env.HOTLINE_SOUNDS_DIR) : null,
      recordCalls: bool(env, 'HOTLINE_RECORD_CALLS', true),
      alwaysOpen: bool(env, 'HOTLINE_ALWAYS_OPEN', false),
    },
    ami:
      ariEnabled && env.HOTLINE_AMI_USERNAME
        ? {
            host: str(env, 'HOTLINE_AMI_HOST', '127.0.0.1'),
            port: int(env, 'HOTLINE_AMI_PORT', 5038, 1, 65535),
            username: str(env, 'HOTLINE_AMI_USERNAME'),
            password: str(env, 'HOTLINE_AMI_PASSWORD'),
          }
        : null,
    sipWsUrl: url(env, 'HOTLINE_SIP_WS_URL', 'ws://127.0.0.1:8088/ws', ['ws:', 'wss:']),
    sipDomain: str(env, 'HOTLINE_SIP_DOMAIN', 'hotline.local'),
    turn: turnConfig(env),
    trustProxy: trustedProxies(env),
    seedDemo: bool(env, 'HOTLINE_SEED_DEMO', false),
    demoAgencyUrl: env.HOTLINE_DEMO_AGENCY_URL
      ? url(env, 'HOTLINE_DEMO_AGENCY_URL', '', ['http:', 'https:'])
      : null,
    forward: {
      attempts: int(env, 'HOTLINE_FORWARD_ATTEMPTS', 8, 1, 100),
      backoffMs: int(env, 'HOTLINE_FORWARD_BACKOFF_MS', 2000, 10),
      timeoutMs: int(env, 'HOTLINE_FORWARD_TIMEOUT_MS', 10_000, 100),
      agencyConcurrency: int(env, 'HOTLINE_FORWARD_AGENCY_CONCURRENCY', 4, 1, 64),
    },
    sms: smsConfig(env),
    mail: mailConfig(env),
    relay: { pollMs: int(env, 'HOTLINE_RELAY_POLL_MS', 250, 10, 60_000) },
    reconcile: { everyMs: int(env, 'HOTLINE_RECONCILE_EVERY_MS', 60_000, 100, 24 * 3600_000) },
    jobWorkers: jobWorkers(env),
    watchdog: {
      afterSeconds: int(env, 'HOTLINE_WATCHDOG_AFTER_SECONDS', 10, MIN_WATCHDOG_AFTER_SECONDS, 3600),
    },
    serviceLevelSeconds: int(env, 'HOTLINE_SERVICE_LEVEL_SECONDS', 20, 1, 3600),
    shortAbandonSeconds: int(env, 'HOTLINE_SHORT_ABANDON_SECONDS', 5, 0, 3600),
    waiting: {
      overflowAfterSeconds: int(env, 'HOTLINE_OVERFLOW_AFTER_SECONDS', 60, 0, 24 * 3600),
      announceEverySeconds: int(env, 'HOTLINE_ANNOUNCE_EVERY_SECONDS', 60, 1, 3600),
      callbackOfferAfterSeconds: int(env, 'HOTLINE_CALLBACK_OFFER_AFTER_SECONDS', 90, 0, 24 * 3600),
    },
    operators: operatorTimes(env),
    callbacks: {
      maxAttempts: int(env, 'HOTLINE_CALLBACK_ATTEMPTS', 3, 1, 20),
      spacingMs: int(env, 'HOTLINE_CALLBACK_SPACING_SECONDS', 600, 0, 7 * 24 * 3600) * 1000,
      claimMs: int(env, 'HOTLINE_CALLBACK_CLAIM_SECONDS', 180, 10, 3600) * 1000,
    },
    queueCallbacks: {
      maxAttempts: int(env, 'HOTLINE_QUEUE_CALLBACK_ATTEMPTS', 3, 1, 20),
      retryMs: int(env, 'HOTLINE_QUEUE_CALLBACK_RETRY_SECONDS', 120, 1, 24 * 3600) * 1000,
      ringSeconds: int(env, 'HOTLINE_QUEUE_CALLBACK_RING_SECONDS', 30, 5, 300),
    },
    deadline: {
      attempts: int(env, 'HOTLINE_DEADLINE_ATTEMPTS', 5, 1, 100),
      backoffMs: int(env, 'HOTLINE_DEADLINE_BACKOFF_MS', 2000, 10),
    },
    retentionMonths: int(env, 'HOTLINE_RETENTION_MONTHS', 12, 1, 240),
    metricsToken: metricsToken(env),
    zalo: zaloConfig(env),
    logLevel: str(env, 'LOG_LEVEL', 'info'),
    publicForm: publicForm(env),
    open311: {
      unitMaxKm: int(env, 'HOTLINE_OPEN311_UNIT_MAX_KM', 15, 1, 200),
      postsPerMinute: int(env, 'HOTLINE_OPEN311_POSTS_PER_MINUTE', 60, 1, 100_000),
      readsPerMinute: int(env, 'HOTLINE_OPEN311_READS_PER_MINUTE', 600, 1, 1_000_000),
    },
    desk: {
      writtenTasks: int(env, 'HOTLINE_DESK_WRITTEN_TASKS', 3, 0, 50),
      offlineGraceMs: int(env, 'HOTLINE_DESK_OFFLINE_GRACE_SECONDS', 60, 0, 24 * 3600) * 1000,
      openTimeoutMs: int(env, 'HOTLINE_DESK_OPEN_TIMEOUT_SECONDS', 300, 10, 24 * 3600) * 1000,
      firstResponseMinutes: {
        web: int(env, 'HOTLINE_FIRST_RESPONSE_MINUTES_WEB', 240, 1, 30 * 24 * 60),
        zalo: int(env, 'HOTLINE_FIRST_RESPONSE_MINUTES_ZALO', 30, 1, 30 * 24 * 60),
        app: int(env, 'HOTLINE_FIRST_RESPONSE_MINUTES_APP', 240, 1, 30 * 24 * 60),
      },
    },
  };
  return Object.freeze(config);
}
