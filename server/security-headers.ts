/**
 * Response headers that keep the console safe on the public internet: a Content Security Policy
 * with no inline script (the console has none), no framing, no MIME sniffing, no referrer, HSTS
 * once the page came over HTTPS, and API answers (caller numbers, recordings) kept out of every
 * cache. `@fastify/helmet` sets the usual set; what depends on the hotline is decided here.
 */
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';

/**
 * Answers no browser or proxy may keep, errors and refusals included: the API (caller numbers,
 * recordings) and the metrics of the moment.
 */
const NEVER_CACHED = /^\/(api\/|metrics(\?|$))/;

/** One year; browsers remember to use HTTPS only for the host the header came from. */
const HSTS = 'max-age=31536000';

/**
 * Where the page may connect: itself (REST, socket.io) and the softphone's SIP-over-WebSocket
 * address, which is another origin in the demo (Asterisk's own port).
 */
function connectSources(sipWsUrl: string): string[] {
  const sip = new URL(sipWsUrl).origin;
  return ["'self'", ...(sip === 'null' ? [] : [sip])];
}

/**
 * Where images may come from: the hotline itself, and the public form's map tiles when the admin
 * configured a tile server (`{s}` subdomains become a wildcard).
 */
export function imageSources(mapTileUrl: string | null | undefined): string[] {
  if (!mapTileUrl) return ["'self'", 'data:'];
  const tiles = new URL(mapTileUrl.replace('{s}', 'tile-subdomain'));
  const host = tiles.host.replace('tile-subdomain', '*');
  return ["'self'", 'data:', `${tiles.protocol}//${host}`];
}

export async function registerSecurityHeaders(
  app: FastifyInstance,
  config: Pick<Config, 'sipWsUrl'> & Partial<Pick<Config, 'publicForm'>>,
): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: imageSources(config.publicForm?.mapTileUrl),
        fontSrc: ["'self'"],
        connectSrc: connectSources(config.sipWsUrl),
        // Recordings play from the API; `blob:` lets a player be fed from a fetched copy.
        mediaSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Set below, only on answers that came over HTTPS.
    strictTransportSecurity: false,
  });

  app.addHook('onSend', async (request, reply, payload) => {
    // Microphone for the softphone; nothing else a page could ask the browser for.
    reply.header('permissions-policy', 'microphone=(self), camera=(), geolocation=(), payment=()');
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
    if (NEVER_CACHED.test(request.url)) reply.header('cache-control', 'no-store');
    return payload;
  });
}
