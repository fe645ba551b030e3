/**
 * What `npm start` runs where, from the environment (the `npm start only` part of .env.example):
 * its folders, and the ports of the Redis and the Asterisk it starts when none is given.
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { DEFAULT_ASTERISK_ROOT } from './asterisk.ts';

export interface StartSettings {
  dbPath: string;
  /** Asterisk's console output and the record of what runs (`npm-start.json`) go here. */
  logDir: string;
  consolePort: number;
  /** null: HOTLINE_REDIS_URL names a Redis to use. */
  redisPort: number | null;
  /** null: HOTLINE_ARI_URL names an Asterisk to use. */
  asterisk: {
    root: string;
    /** This checkout's folder inside the root, so two checkouts on one machine keep apart. */
    instance: string;
    sipPort: number;
    httpPort: number;
    amiPort: number;
    trunk: { host: string; port: number };
  } | null;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number, allowZero = false): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535)
    throw new Error(`${name} must be a port number (1–65535), not "${raw}"`);
  return n;
}

export function startSettings(env: NodeJS.ProcessEnv, checkout: string): StartSettings {
  const dbPath = env.HOTLINE_DB_PATH || 'data/hotline.sqlite';
  const logDir = resolve(
    checkout,
    env.HOTLINE_LOG_DIR || (dbPath === ':memory:' ? 'data' : dirname(resolve(checkout, dbPath))),
  );
  const hash = createHash('sha256').update(resolve(checkout)).digest('hex').slice(0, 8);
  return {
    dbPath,
    logDir,
    consolePort: port(env, 'HOTLINE_HTTP_PORT', 8080, true),
    redisPort: env.HOTLINE_REDIS_URL ? null : port(env, 'HOTLINE_REDIS_PORT', 6379),
    asterisk: env.HOTLINE_ARI_URL
      ? null
      : {
          root: env.HOTLINE_ASTERISK_ROOT || DEFAULT_ASTERISK_ROOT,
          instance: `npm-start-${hash}`,
          sipPort: port(env, 'HOTLINE_SIP_PORT', 5060),
          httpPort: port(env, 'HOTLINE_ASTERISK_HTTP_PORT', 8088),
          amiPort: port(env, 'HOTLINE_AMI_PORT', 5038),
          trunk: { host: env.HOTLINE_TRUNK_HOST || '127.0.0.1', port: port(env, 'HOTLINE_TRUNK_PORT', 5070) },
        },
  };
}
