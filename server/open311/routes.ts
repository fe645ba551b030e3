/**
 * Open311 GeoReport v2 under `/open311`: `discovery.{format}` (also under `v2/`), and in `v2/`
 * `services.{format}`, `services/{code}.{format}`, `requests.{format}` (GET and POST),
 * `requests/{id}.{format}` and `tokens/{token}.{format}`, each in `json` or `xml`. Only a post needs
 * an `api_key`. Every refusal has the spec's error form, in the format asked for.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createGroupCommitter } from '../db/group-commit.ts';
import type { Db } from '../db/index.ts';
import { clientByKey } from './clients.ts';
import { badRequest, errorList, invalidApiKey, notFound, Open311Error, tooManyRequests } from './errors.ts';
import { checkPost, createRequest } from './post.ts';
import { createRateLimiter } from './rate-limit.ts';
import { findRequest, findRequests, findToken, type RequestQuery } from './requests.ts';
import { listServices, serviceDefinition } from './services.ts';
import { toXml } from './xml.ts';

export type Format = 'json' | 'xml';

export interface Open311Options {
  db: Db;
  now: () => Date;
  unitMaxKm: number;
  postsPerMinute: number;
  readsPerMinute: number;
}

const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';
/** Changes when the service list's shape or this endpoint does; categories themselves are data. */
const CHANGESET = '2026-12-07 00:00';

/** `services.json` → `{ name: 'services', format: 'json' }`; a 400 for another extension, a 404 for none. */
export function splitFile(file: string): { name: string; format: Format } {
  const dot = file.lastIndexOf('.');
  if (dot <= 0) throw notFound('Không có tài nguyên này', 'resource not found');
  const format = file.slice(dot + 1).toLowerCase();
  if (format !== 'json' && format !== 'xml') {
    throw badRequest(
      `Định dạng "${format}" không được hỗ trợ, dùng json hoặc xml`,
      'format must be json or xml',
    );
  }
  return { name: decodeURIComponent(file.slice(0, dot)), format };
}

/** The format of the answer to a request, for its errors too: its extension, else what it accepts. */
function formatOf(request: FastifyRequest): Format {
  const path = request.url.split('?')[0] ?? '';
  const ext = /\.(json|xml)$/i.exec(path)?.[1]?.toLowerCase();
  if (ext === 'json' || ext === 'xml') return ext;
  return String(request.headers.accept ?? '').includes('json') ? 'json' : 'xml';
}

function send(reply: FastifyReply, format: Format, root: string, value: unknown, status = 200): FastifyReply {
  reply.status(status);
  if (format === 'json') return reply.type('application/json; charset=utf-8').send(JSON.stringify(value));
  return reply.type('text/xml; charset=utf-8').send(toXml(root, value));
}

function sendError(reply: FastifyReply, format: Format, err: Open311Error): FastifyReply {
  return send(reply, format, 'errors', errorList(err), err.statusCode);
}

export async function open311Routes(app: FastifyInstance, opts: Open311Options): Promise<void> {
  const { db, now } = opts;
  const posts = createRateLimiter(opts.postsPerMinute, now);
  const reads = createRateLimiter(opts.readsPerMinute, now);
  const committer = createGroupCommitter(db.$client, { durable: true });

  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      },
    );
  }

  app.setErrorHandler((err, request, reply) => {
    const format = formatOf(request);
    if (err instanceof Open311Error) {
      if (err.statusCode === 429)
        reply.header('retry-after', /(\d+) giây/.exec(err.description)?.[1] ?? '60');
      return sendError(reply, format, err);
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendError(reply, format, badRequest('Yêu cầu không hợp lệ', 'the request is invalid'));
    }
    request.log.error({ err }, 'open311 request failed');
    return sendError(
      reply,
      format,
      new Open311Error(500, 'Hệ thống gặp sự cố, vui lòng thử lại sau (general service error)'),
    );
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, formatOf(request), notFound('Không có tài nguyên này', 'resource not found')),
  );

  // Every request counts against its address's read limit; a post also against its app's.
  app.addHook('onRequest', async (request) => {
    const wait = reads.take(`addr:${request.ip}`);
    if (wait !== null) throw tooManyRequests(wait);
  });

  const discovery = (request: FastifyRequest, reply: FastifyReply, file: string) => {
    const { name, format } = splitFile(file);
    if (name !== 'discovery') throw notFound('Không có tài nguyên này', 'resource not found');
    const url = `${request.protocol}://${request.host}/open311/v2`;
    return send(reply, format, 'discovery', {
      changeset: CHANGESET,
      contact: 'Tổng đài 1022 — đường dây nóng tiếp nhận phản ánh, kiến nghị của người dân',
      key_service: 'Ứng dụng đối tác xin api_key tại quản trị viên Tổng đài 1022 của tỉnh',
      endpoints: [
        {
          specification: SPECIFICATION,
          url,
          changeset: CHANGESET,
          type: 'production',
          formats: ['text/xml', 'application/json'],
        },
      ],
    });
  };

  app.get<{ Params: { file: string } }>('/:file', async (request, reply) =>
    discovery(request, reply, request.params.file),
  );

  app.get<{ Params: { file: string }; Querystring: RequestQuery }>('/v2/:file', async (request, reply) => {
    const { name, format } = splitFile(request.params.file);
    if (name === 'discovery') return discovery(request, reply, request.params.file);
    if (name === 'services') return send(reply, format, 'services', listServices(db));
    if (name === 'requests') {
      return send(reply, format, 'service_requests', findRequests(db, request.query, now()));
    }
    throw notFound('Không có tài nguyên này', 'resource not found');
  });

  app.post<{ Params: { file: string }; Querystring: Record<string, unknown> }>(
    '/v2/:file',
    async (request, reply) => {
      const { name, format } = splitFile(request.params.file);
      if (name !== 'requests') throw notFound('Không có tài nguyên này', 'resource not found');
      const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<
        string,
        unknown
      >;
      const key = body.api_key ?? request.query.api_key;
      const client = typeof key === 'string' ? clientByKey(db, key) : null;
      if (!client) throw invalidApiKey();
      const wait = posts.take(`client:${client.id}`);
      if (wait !== null) throw tooManyRequests(wait);
      const checked = checkPost(db, body, client, opts.unitMaxKm);
      const header = request.headers['idempotency-key'];
      const idempotencyKey =
        typeof header === 'string' && header.trim() ? header.trim().slice(0, 200) : undefined;
      const answer = await createRequest(db, committer, checked, client, { now: now(), idempotencyKey });
      return send(reply, format, 'service_requests', [answer]);
    },
  );

  app.get<{ Params: { file: string } }>('/v2/services/:file', async (request, reply) => {
    const { name, format } = splitFile(request.params.file);
    return send(reply, format, 'service_definition', serviceDefinition(db, name));
  });

  app.get<{ Params: { file: string } }>('/v2/requests/:file', async (request, reply) => {
    const { name, format } = splitFile(request.params.file);
    return send(reply, format, 'service_requests', [findRequest(db, name)]);
  });

  app.get<{ Params: { file: string } }>('/v2/tokens/:file', async (request, reply) => {
    const { name, format } = splitFile(request.params.file);
    return send(reply, format, 'service_requests', [findToken(db, name)]);
  });
}
