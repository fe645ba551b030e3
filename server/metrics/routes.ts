/**
 * `GET /metrics` in the Prometheus text format, for a scraper holding `HOTLINE_METRICS_TOKEN` as
 * a bearer token. Without a token configured (or a registry) the endpoint does not exist: 404.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import { NotFoundError, UnauthenticatedError } from '../errors.ts';

export interface MetricsRouteOptions {
  registry: Registry | null;
  token: string | null;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
function sameToken(presented: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(presented), expected);
}

function bearerOf(header: string | undefined): string | null {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

export const metricsRoutes: FastifyPluginAsync<MetricsRouteOptions> = async (app, opts) => {
  const { registry, token } = opts;
  const expected = token ? digest(token) : null;
  app.get('/metrics', async (request, reply) => {
    if (!registry || !expected) throw new NotFoundError();
    const presented = bearerOf(request.headers.authorization);
    if (presented === null || !sameToken(presented, expected)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new UnauthenticatedError();
    }
    reply.type(registry.contentType);
    return registry.metrics();
  });
};
