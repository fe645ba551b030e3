/**
 * The ARI adapter's push configuration calls against a local HTTP server standing in for
 * Asterisk's REST interface (answers as Asterisk 22 gave them): they work without the event
 * socket, so accounts change while the controller is stopped.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAriConnection } from '../../ivr/ari.ts';
import { AriRequestError } from '../../ivr/port.ts';

const requests: { method: string; url: string; body: string }[] = [];
let server: Server;
let url: string;

const answers: Record<string, [number, unknown]> = {
  'PUT /ari/asterisk/config/dynamic/res_pjsip/auth/tdv09': [200, [{ attribute: 'username', value: 'tdv09' }]],
  'DELETE /ari/asterisk/config/dynamic/res_pjsip/endpoint/tdv09': [204, null],
  'DELETE /ari/asterisk/config/dynamic/res_pjsip/endpoint/nosuch': [
    404,
    { message: "Object with id 'nosuch' not found" },
  ],
  'DELETE /ari/asterisk/config/dynamic/res_pjsip/endpoint/trunk': [
    403,
    { message: "Could not delete object with id 'trunk'" },
  ],
  'GET /ari/endpoints/PJSIP': [
    200,
    [
      { technology: 'PJSIP', resource: 'trunk', state: 'online', channel_ids: [] },
      { technology: 'PJSIP', resource: 'tdv09', state: 'offline', channel_ids: [] },
    ],
  ],
};

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => resolve(body));
  });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await read(req);
    requests.push({ method: req.method ?? '', url: req.url ?? '', body });
    const [status, answer] = answers[`${req.method} ${req.url}`] ?? [500, { message: 'unexpected' }];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(answer === null ? undefined : JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.close();
});

describe('ARI adapter: softphone accounts by push configuration', () => {
  const ari = () =>
    createAriConnection({
      url,
      username: 'u',
      password: 'p',
      app: 'hotline',
      logger: pino({ level: 'silent' }),
    });

  it('puts an object with its fields in order, without an event socket', async () => {
    const fields = [
      { attribute: 'auth_type', value: 'userpass' },
      { attribute: 'username', value: 'tdv09' },
    ];
    await ari().putPjsipObject('auth', 'tdv09', fields);
    const put = requests.find((r) => r.method === 'PUT');
    expect(put?.url).toBe('/ari/asterisk/config/dynamic/res_pjsip/auth/tdv09');
    expect(JSON.parse(put?.body ?? '')).toEqual({ fields });
  });

  it('deletes: true when deleted, false when there was none, a 403 for pjsip.conf’s own', async () => {
    const conn = ari();
    await expect(conn.deletePjsipObject('endpoint', 'tdv09')).resolves.toBe(true);
    await expect(conn.deletePjsipObject('endpoint', 'nosuch')).resolves.toBe(false);
    const refused = await conn.deletePjsipObject('endpoint', 'trunk').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AriRequestError);
    expect(refused).toMatchObject({ status: 403 });
  });

  it('lists the PJSIP endpoints by name', async () => {
    await expect(ari().listPjsipEndpoints()).resolves.toEqual(['trunk', 'tdv09']);
  });
});
