/**
 * Open311 GeoReport v2 conformance, written from the spec (wiki.open311.org/GeoReport_v2 and
 * Service_Discovery): every endpoint in JSON and XML (XML read back with fast-xml-parser), the
 * error list, api_key per client app, lat/long to a commune, retries, filters and limits, tokens.
 */
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import { XMLParser } from 'fast-xml-parser';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Open311ClientKey } from '../../common/api.ts';
import { agencies } from '../../server/agencies/schema.ts';
import { auditLog } from '../../server/audit/schema.ts';
import { categories } from '../../server/categories/schema.ts';
import { open311Clients, writtenRequestEvents, writtenRequests } from '../../server/intake/schema.ts';
import { takeIn } from '../../server/intake/service.ts';
import { DEMO_API_KEY, DEMO_CLIENT_NAME } from '../../server/open311/clients.ts';
import { productionProblems } from '../../server/production.ts';
import { tickets } from '../../server/tickets/schema.ts';
import { units } from '../../server/units/schema.ts';
import { buildFixture, config, type Fixture } from './server-fixture.ts';

const xml = new XMLParser({
  parseTagValue: false,
  isArray: (name) => ['service', 'request', 'error', 'endpoint', 'format', 'attribute'].includes(name),
});
const V2 = '/open311/v2';

let fx: Fixture;
let clock: Date;
let apiKey: string;
let clientId: number;

async function newClient(name: string): Promise<Open311ClientKey> {
  const res = await fx.app.inject({
    method: 'POST',
    url: '/api/admin/open311/clients',
    headers: await fx.session('quantri'),
    payload: { name },
  });
  expect(res.statusCode).toBe(201);
  return res.json<Open311ClientKey>();
}

beforeEach(async () => {
  clock = new Date('2026-12-07T03:00:00Z');
  fx = await buildFixture({ now: () => clock });
  const created = await newClient('Ứng dụng thử nghiệm');
  apiKey = created.apiKey;
  clientId = created.data.id;
});

afterEach(async () => {
  await fx.close();
});

const GOOD = {
  service_code: 'infrastructure',
  address_string: '123 Phạm Văn Thuận, Phường Tam Hiệp',
  description: 'Ổ gà lớn giữa đường, xe máy dễ ngã',
  first_name: 'Lan',
  last_name: 'Nguyễn Thị',
  phone: '0912 345 678',
  email: 'lan@example.vn',
  device_id: 'dev-1',
  account_id: 'acc-42',
};

function post(
  body: Record<string, string>,
  opts: {
    format?: 'json' | 'xml';
    key?: string | null;
    headers?: Record<string, string>;
    json?: boolean;
  } = {},
): Promise<LightMyRequestResponse> {
  const withKey = opts.key === null ? body : { api_key: opts.key ?? apiKey, ...body };
  return fx.app.inject({
    method: 'POST',
    url: `${V2}/requests.${opts.format ?? 'json'}`,
    headers: {
      'content-type': opts.json ? 'application/json' : 'application/x-www-form-urlencoded; charset=utf-8',
      ...opts.headers,
    },
    payload: opts.json ? JSON.stringify(withKey) : new URLSearchParams(withKey).toString(),
  });
}

function get(path: string): Promise<LightMyRequestResponse> {
  return fx.app.inject({ method: 'GET', url: `${V2}/${path}` });
}

interface PostAnswer {
  service_request_id: string;
  token: string;
  service_notice: string;
  account_id: string | null;
}

async function created(body: Record<string, string> = GOOD): Promise<PostAnswer> {
  const res = await post(body);
  expect(res.statusCode, res.body).toBe(200);
  const [answer] = res.json<PostAnswer[]>();
  if (!answer) throw new Error('no answer');
  return answer;
}

function expectJsonError(res: LightMyRequestResponse, status: number, text?: string): void {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json; charset=utf-8/);
  const body = res.json<{ code: number; description: string }[]>();
  expect(body).toHaveLength(1);
  expect(body[0]?.code).toBe(status);
  expect(typeof body[0]?.description).toBe('string');
  if (text) expect(body[0]?.description).toContain(text);
}

function expectXmlError(res: LightMyRequestResponse, status: number, text?: string): void {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^text\/xml; charset=utf-8/);
  expect(res.body.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
  const { errors } = xml.parse(res.body);
  expect(errors.error).toHaveLength(1);
  expect(errors.error[0].code).toBe(String(status));
  if (text) expect(errors.error[0].description).toContain(text);
}

describe('discovery', () => {
  it('lists the v2 endpoint with both formats, in JSON and XML', async () => {
    const json = await fx.app.inject({
      method: 'GET',
      url: '/open311/discovery.json',
      headers: { host: 'x.test' },
    });
    expect(json.statusCode).toBe(200);
    const d = json.json();
    expect(Object.keys(d)).toEqual(['changeset', 'contact', 'key_service', 'endpoints']);
    expect(d.endpoints).toEqual([
      {
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: 'http://x.test/open311/v2',
        changeset: d.changeset,
        type: 'production',
        formats: ['text/xml', 'application/json'],
      },
    ]);
    const res = await get('discovery.xml');
    expect(res.headers['content-type']).toMatch(/^text\/xml; charset=utf-8/);
    const { discovery } = xml.parse(res.body);
    expect(discovery.endpoints.endpoint[0].specification).toBe('http://wiki.open311.org/GeoReport_v2');
    expect(discovery.endpoints.endpoint[0].formats.format).toEqual(['text/xml', 'application/json']);
    expect(discovery.key_service).toContain('api_key');
  });
});

describe('GET services', () => {
  it('lists the active categories as realtime services without metadata, in JSON and XML', async () => {
    fx.db.update(categories).set({ active: false }).where(eq(categories.key, 'policy')).run();
    const rows = fx.db
      .select()
      .from(categories)
      .where(eq(categories.active, true))
      .orderBy(asc(categories.sortOrder))
      .all();
    const res = await get('services.json');
    expect(res.statusCode).toBe(200);
    const services = res.json<Record<string, unknown>[]>();
    expect(services.map((s) => s.service_code)).toEqual(rows.map((r) => r.key));
    expect(services.map((s) => s.service_code)).not.toContain('policy');
    const health = services.find((s) => s.service_code === 'health');
    const agency = fx.db
      .select({ name: agencies.name })
      .from(agencies)
      .innerJoin(categories, eq(categories.defaultAgencyId, agencies.id))
      .where(eq(categories.key, 'health'))
      .get();
    expect(health).toEqual({
      service_code: 'health',
      service_name: 'Y tế, dịch bệnh',
      description: 'Y tế, dịch bệnh',
      metadata: false,
      type: 'realtime',
      keywords: 'y te, dich benh, health',
      group: agency?.name,
    });

    const x = xml.parse((await get('services.xml')).body);
    expect(x.services.service.map((s: { service_code: string }) => s.service_code)).toEqual(
      rows.map((r) => r.key),
    );
    expect(x.services.service[0]).toMatchObject({
      service_code: rows[0]?.key,
      service_name: rows[0]?.name,
      metadata: 'false',
      type: 'realtime',
    });
  });

  it('defines a service with no attributes, and answers 404 for an unknown code', async () => {
    expect((await get('services/health.json')).json()).toEqual({ service_code: 'health', attributes: [] });
    const x = xml.parse((await get('services/health.xml')).body);
    expect(x.service_definition).toEqual({ service_code: 'health', attributes: '' });
    expectJsonError(await get('services/nope.json'), 404, 'service_code not found');
    expectXmlError(await get('services/nope.xml'), 404, 'service_code not found');
  });
});

describe('POST requests', () => {
  it('takes a form-encoded post in and answers at once with the tracking code, a token and a notice', async () => {
    const res = await post(GOOD);
    expect(res.statusCode, res.body).toBe(200);
    const [answer] = res.json<PostAnswer[]>();
    expect(Object.keys(answer ?? {})).toEqual([
      'service_request_id',
      'token',
      'service_notice',
      'account_id',
    ]);
    expect(answer?.service_request_id).toMatch(/^\d{9}$/);
    expect(answer?.service_notice).toBe(
      `Đã tiếp nhận. Mã số theo dõi: ${answer?.service_request_id}. Tổng đài 1022 chuyển phản ánh đến cơ quan có thẩm quyền và thông báo kết quả.`,
    );
    expect(answer?.account_id).toBe('acc-42');
    const row = fx.db
      .select()
      .from(writtenRequests)
      .where(eq(writtenRequests.trackingCode, answer?.service_request_id ?? ''))
      .get();
    expect(row).toMatchObject({
      channel: 'app',
      category: 'infrastructure',
      clientId,
      citizenName: 'Nguyễn Thị Lan',
      phone: '0912345678',
      phoneVerified: false,
      address: GOOD.address_string,
      description: GOOD.description,
    });
    const details = fx.db
      .select()
      .from(writtenRequestEvents)
      .where(
        and(
          eq(writtenRequestEvents.requestId, row?.id ?? 0),
          eq(writtenRequestEvents.kind, 'open311_details'),
        ),
      )
      .get();
    expect(JSON.parse(details?.text ?? '{}')).toEqual({
      email: 'lan@example.vn',
      device_id: 'dev-1',
      account_id: 'acc-42',
    });
  });

  it('takes a JSON post and answers in XML as the spec shows', async () => {
    const res = await post(
      { service_code: 'health', lat: '10.95', long: '106.82', description: 'Nghi sốt xuất huyết' },
      { format: 'xml', json: true },
    );
    expect(res.statusCode, res.body).toBe(200);
    const { service_requests } = xml.parse(res.body);
    const [request] = service_requests.request;
    expect(request.service_request_id).toMatch(/^\d{9}$/);
    expect(request.service_notice).toContain(request.service_request_id);
    expect(request.account_id).toBe('');
    expect(typeof request.token).toBe('string');
  });

  it('refuses a missing, wrong, rotated or deactivated api_key with 403 in the spec form', async () => {
    expectJsonError(
      await post(GOOD, { key: null }),
      403,
      "Invalid api_key received -- can't proceed with create_request",
    );
    expectJsonError(await post(GOOD, { key: 'o311_wrong' }), 403);
    expectXmlError(await post(GOOD, { key: 'o311_wrong', format: 'xml' }), 403, 'Invalid api_key');

    const admin = await fx.session('quantri');
    const rotated = await fx.app.inject({
      method: 'POST',
      url: `/api/admin/open311/clients/${clientId}/rotate-key`,
      headers: admin,
    });
    const newKey = rotated.json<Open311ClientKey>().apiKey;
    expect(newKey).not.toBe(apiKey);
    expectJsonError(await post(GOOD, { key: apiKey }), 403);
    expect((await post(GOOD, { key: newKey })).statusCode).toBe(200);

    await fx.app.inject({
      method: 'POST',
      url: `/api/admin/open311/clients/${clientId}/deactivate`,
      headers: admin,
    });
    expectJsonError(await post(GOOD, { key: newKey }), 403);
    expect(fx.db.select().from(writtenRequests).all()).toHaveLength(1);
  });

  it('refuses an unknown service (404) and a missing code, location or description (400), storing nothing', async () => {
    expectJsonError(await post({ ...GOOD, service_code: 'nope' }), 404, 'service_code not found');
    expectXmlError(await post({ ...GOOD, service_code: 'nope' }, { format: 'xml' }), 404);
    const { service_code: _code, ...noCode } = GOOD;
    expectJsonError(await post(noCode), 400, 'service_code was not provided');
    const { address_string: _address, ...noLocation } = GOOD;
    expectJsonError(await post(noLocation), 400, 'lat/long, address_string or address_id required');
    expectXmlError(
      await post(noLocation, { format: 'xml' }),
      400,
      'lat/long, address_string or address_id required',
    );
    expectJsonError(await post({ ...noLocation, lat: '10.95' }), 400, 'lat and long both need to be sent');
    expectJsonError(
      await post({ ...noLocation, lat: 'mười', long: '106.8' }),
      400,
      'lat must be a decimal number',
    );
    expectJsonError(
      await post({ ...noLocation, lat: '48.8566', long: '2.3522' }),
      400,
      'lat/long outside Vietnam',
    );
    expectJsonError(await post({ ...GOOD, description: '  ' }), 400, 'description required');
    expectJsonError(await post({ ...GOOD, description: 'x'.repeat(4001) }), 400);
    expectJsonError(await post({ ...GOOD, phone: '12' }), 400, 'phone');
    expectJsonError(await post({ ...GOOD, media_url: 'javascript:alert(1)' }), 400, 'media_url');
    expectJsonError(await post({ ...noLocation, address_id: '00000' }), 400, 'address_id');
    expect(fx.db.select().from(writtenRequests).all()).toHaveLength(0);
  });

  it('places a point in the commune whose point is nearest, and leaves a far one for the operator', async () => {
    const unit = fx.db
      .select()
      .from(units)
      .where(and(eq(units.name, 'Phường Trấn Biên'), isNotNull(units.latitude)))
      .get();
    if (!unit?.latitude || !unit.longitude)
      throw new Error('Phường Trấn Biên has no point in the units file');
    const { address_string: _a, ...noAddress } = GOOD;
    const lat = (unit.latitude + 0.002).toFixed(6);
    const near = await created({ ...noAddress, lat, long: (unit.longitude - 0.002).toFixed(6) });
    const [mapped] = (await get(`requests/${near.service_request_id}.json`)).json();
    expect(mapped).toMatchObject({ address_id: unit.code, address: unit.name, lat: Number(lat) });

    // Hà Nội: in Vietnam, hundreds of km from every commune of Đồng Nai.
    const far = await created({ ...noAddress, lat: '21.0285', long: '105.8542', description: 'Ở xa' });
    const [unmapped] = (await get(`requests/${far.service_request_id}.json`)).json();
    expect(unmapped).toMatchObject({ address_id: null, address: null, lat: 21.0285, long: 105.8542 });

    // A commune's code as address_id.
    const byId = await created({ ...noAddress, address_id: unit.code, description: 'Theo mã xã' });
    expect((await get(`requests/${byId.service_request_id}.json`)).json()[0].address_id).toBe(unit.code);
  });

  it('places a point by fixture unit points alone (the nearest within the configured reach)', async () => {
    fx.db.update(units).set({ latitude: null, longitude: null }).run();
    const [a, b] = fx.db.select().from(units).orderBy(asc(units.code)).limit(2).all();
    if (!a || !b) throw new Error('units missing');
    fx.db.update(units).set({ latitude: 11.0, longitude: 107.0 }).where(eq(units.code, a.code)).run();
    fx.db.update(units).set({ latitude: 11.1, longitude: 107.0 }).where(eq(units.code, b.code)).run();
    const { address_string: _a, ...noAddress } = GOOD;
    const cases: [string, string, string | null][] = [
      ['11.04', '107.0', a.code],
      ['11.07', '107.01', b.code],
      // 0.2° north of b: about 22 km, past the default 15 km.
      ['11.3', '107.0', null],
    ];
    for (const [lat, long, code] of cases) {
      const answer = await created({ ...noAddress, lat, long, description: `Điểm ${lat},${long}` });
      expect((await get(`requests/${answer.service_request_id}.json`)).json()[0].address_id).toBe(code);
    }
  });

  it('answers a retry with the same Idempotency-Key with the first request, and stores one', async () => {
    const headers = { 'idempotency-key': 'app-retry-1' };
    const first = await post(GOOD, { headers });
    const again = await post(GOOD, { headers, format: 'xml' });
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    const [a] = first.json<PostAnswer[]>();
    const b = xml.parse(again.body).service_requests.request[0];
    expect(b.service_request_id).toBe(a?.service_request_id);
    expect(b.token).toBe(a?.token);
    expect(fx.db.select().from(writtenRequests).all()).toHaveLength(1);
    expectJsonError(await post({ ...GOOD, description: 'Khác hẳn' }, { headers }), 400, 'Idempotency-Key');
    expect(fx.db.select().from(writtenRequests).all()).toHaveLength(1);
  });

  it('does not duplicate a client’s exact repeat without a key; a different post is a new request', async () => {
    const a = await created();
    const b = await created();
    expect(b.service_request_id).toBe(a.service_request_id);
    const c = await created({ ...GOOD, description: 'Thêm một ổ gà nữa' });
    expect(c.service_request_id).not.toBe(a.service_request_id);
    expect(fx.db.select().from(writtenRequests).all()).toHaveLength(2);
  });

  it('limits each client app’s posts per minute (429 in the spec form)', async () => {
    await fx.close();
    fx = await buildFixture({
      now: () => clock,
      config: { open311: { unitMaxKm: 15, postsPerMinute: 2, readsPerMinute: 600 } },
    });
    apiKey = (await newClient('Đối tác')).apiKey;
    await created({ ...GOOD, description: 'một' });
    await created({ ...GOOD, description: 'hai' });
    const third = await post({ ...GOOD, description: 'ba' });
    expectJsonError(third, 429);
    expect(third.headers['retry-after']).toMatch(/^\d+$/);
    clock = new Date(clock.getTime() + 60_000);
    expect((await post({ ...GOOD, description: 'ba' })).statusCode).toBe(200);
  });
});

describe('GET requests, requests/{id} and tokens/{token}', () => {
  function ticketFor(code: string, values: Partial<typeof tickets.$inferInsert>): void {
    const agency = fx.db.select().from(agencies).where(eq(agencies.code, 'sxd')).get();
    const ticket = fx.db
      .insert(tickets)
      .values({
        trackingCode: code,
        callerNumber: '0912345678',
        category: 'infrastructure',
        description: 'từ ứng dụng',
        agencyId: agency?.id ?? 0,
        createdBy: fx.userId('tdv01'),
        createdAt: clock,
        ...values,
      })
      .returning()
      .get();
    fx.db
      .update(writtenRequests)
      .set({ status: 'ticketed', ticketId: ticket.id })
      .where(eq(writtenRequests.trackingCode, code))
      .run();
  }

  it('shows a request in both formats with its status, agency and result, never the citizen', async () => {
    const answer = await created({ ...GOOD, media_url: 'https://anh.example.vn/o-ga.jpg' });
    const open = (await get(`requests/${answer.service_request_id}.json`)).json();
    expect(open).toEqual([
      {
        service_request_id: answer.service_request_id,
        status: 'open',
        status_notes: null,
        service_name: 'Hạ tầng đô thị',
        service_code: 'infrastructure',
        description: GOOD.description,
        agency_responsible: null,
        service_notice: null,
        requested_datetime: '2026-12-07T10:00:00+07:00',
        updated_datetime: '2026-12-07T10:00:00+07:00',
        expected_datetime: null,
        address: GOOD.address_string,
        address_id: null,
        lat: null,
        long: null,
        media_url: 'https://anh.example.vn/o-ga.jpg',
      },
    ]);

    ticketFor(answer.service_request_id, {
      status: 'in_progress',
      assignedAt: clock,
      resolveDueAt: new Date('2026-12-14T10:00:00Z'),
    });
    const assigned = (await get(`requests/${answer.service_request_id}.json`)).json()[0];
    expect(assigned).toMatchObject({
      status: 'open',
      agency_responsible: 'Sở Xây dựng',
      expected_datetime: '2026-12-14T17:00:00+07:00',
      status_notes: null,
    });

    fx.db
      .update(tickets)
      .set({ status: 'resolved', result: 'Đã vá ổ gà ngày 8/12.', resolvedAt: clock })
      .where(eq(tickets.trackingCode, answer.service_request_id))
      .run();
    const res = await get(`requests/${answer.service_request_id}.xml`);
    const [request] = xml.parse(res.body).service_requests.request;
    expect(request).toMatchObject({
      service_request_id: answer.service_request_id,
      status: 'closed',
      status_notes: 'Đã vá ổ gà ngày 8/12.',
      agency_responsible: 'Sở Xây dựng',
      expected_datetime: '',
      requested_datetime: '2026-12-07T10:00:00+07:00',
    });
    for (const body of [res.body, JSON.stringify(open)]) {
      for (const secret of ['0912345678', 'Lan', 'lan@example.vn', 'dev-1', 'acc-42'])
        expect(body).not.toContain(secret);
    }
    expectJsonError(await get('requests/999999999.json'), 404, 'service_request_id not found');
    expectXmlError(await get('requests/999999999.xml'), 404);
  });

  it('filters by ids, service code, status and dates, 90 days by default', async () => {
    const old = await created({ ...GOOD, description: 'Cũ' });
    clock = new Date('2026-12-07T03:00:00Z');
    fx.db
      .update(writtenRequests)
      .set({ createdAt: new Date('2026-08-01T03:00:00Z') })
      .where(eq(writtenRequests.trackingCode, old.service_request_id))
      .run();
    const health = await created({ ...GOOD, service_code: 'health', description: 'Y tế' });
    const closed = await created({ ...GOOD, description: 'Đã đóng' });
    fx.db
      .update(writtenRequests)
      .set({ status: 'closed', closedReason: 'Không thuộc phạm vi' })
      .where(eq(writtenRequests.trackingCode, closed.service_request_id))
      .run();
    // Another channel's request never shows through Open311.
    takeIn(fx.db, { channel: 'web', description: 'Từ trang web', category: 'health' }, { now: clock });

    const ids = (path: string) =>
      get(path).then((r) => {
        expect(r.statusCode, r.body).toBe(200);
        return r.json<{ service_request_id: string }[]>().map((x) => x.service_request_id);
      });
    expect(await ids('requests.json')).toEqual([closed.service_request_id, health.service_request_id]);
    expect(await ids('requests.json?service_code=health')).toEqual([health.service_request_id]);
    expect(await ids('requests.json?status=closed')).toEqual([closed.service_request_id]);
    expect(await ids('requests.json?status=open,closed&service_code=infrastructure,health')).toHaveLength(2);
    expect(await ids('requests.json?start_date=2026-07-20T00:00:00Z&end_date=2026-08-10T00:00:00Z')).toEqual([
      old.service_request_id,
    ]);
    expect(
      await ids(
        `requests.json?service_request_id=${old.service_request_id},${health.service_request_id}&status=closed`,
      ),
    ).toEqual([health.service_request_id, old.service_request_id]);
    const closedNotes = (await get(`requests/${closed.service_request_id}.json`)).json()[0];
    expect(closedNotes).toMatchObject({ status: 'closed', status_notes: null });

    const x = xml.parse((await get('requests.xml?status=open')).body);
    expect(
      x.service_requests.request.map((r: { service_request_id: string }) => r.service_request_id),
    ).toEqual([health.service_request_id]);

    expectJsonError(
      await get('requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z'),
      400,
      '90 days',
    );
    expectJsonError(await get('requests.json?start_date=yesterday'), 400, 'w3 date-time');
    expectJsonError(await get('requests.json?status=pending'), 400, 'status must be open or closed');
    expectXmlError(await get('requests.xml?status=pending'), 400);
  });

  it('returns at most 1000 requests, newest first', async () => {
    for (let i = 0; i < 1003; i++) {
      takeIn(
        fx.db,
        { channel: 'app', clientId, category: 'other', description: `Phản ánh ${i}` },
        { now: new Date(clock.getTime() - i * 60_000) },
      );
    }
    const list = (await get('requests.json')).json<{ description: string }[]>();
    expect(list).toHaveLength(1000);
    expect(list[0]?.description).toBe('Phản ánh 0');
    expect(list[999]?.description).toBe('Phản ánh 999');
  });

  it('maps a post’s token to its request, in both formats', async () => {
    const answer = await created();
    expect((await get(`tokens/${answer.token}.json`)).json()).toEqual([
      { service_request_id: answer.service_request_id, token: answer.token },
    ]);
    const x = xml.parse((await get(`tokens/${answer.token}.xml`)).body);
    expect(x.service_requests.request[0]).toEqual({
      service_request_id: answer.service_request_id,
      token: answer.token,
    });
    expectJsonError(await get('tokens/khong-co.json'), 404, 'token not found');
    expectXmlError(await get('tokens/khong-co.xml'), 404);
  });

  it('answers another format with 400 and an unknown path with 404, in the spec form', async () => {
    expectJsonError(
      await fx.app.inject({
        method: 'GET',
        url: `${V2}/services.html`,
        headers: { accept: 'application/json' },
      }),
      400,
      'format must be json or xml',
    );
    expectXmlError(await get('services.html'), 400);
    expectXmlError(await get('nothing/here.xml'), 404);
    expectJsonError(await get('widgets.json'), 404);
  });
});

describe('client apps (admin)', () => {
  it('shows a key once, lists apps without keys, audits every change, and is for admins only', async () => {
    const admin = await fx.session('quantri');
    const list = await fx.app.inject({ method: 'GET', url: '/api/admin/open311/clients', headers: admin });
    expect(list.statusCode).toBe(200);
    const client = list.json<{ data: Record<string, unknown>[] }>().data.find((c) => c.id === clientId);
    expect(client).toMatchObject({ id: clientId, name: 'Ứng dụng thử nghiệm', active: true });
    expect(client?.apiKeyPrefix).toBe(apiKey.slice(0, 10));
    expect(list.body).not.toContain(apiKey);

    const dup = await fx.app.inject({
      method: 'POST',
      url: '/api/admin/open311/clients',
      headers: admin,
      payload: { name: ' Ứng dụng  thử nghiệm ' },
    });
    expect(dup.statusCode).toBe(409);

    await fx.app.inject({
      method: 'POST',
      url: `/api/admin/open311/clients/${clientId}/rotate-key`,
      headers: admin,
    });
    await fx.app.inject({
      method: 'POST',
      url: `/api/admin/open311/clients/${clientId}/deactivate`,
      headers: admin,
    });
    await fx.app.inject({
      method: 'POST',
      url: `/api/admin/open311/clients/${clientId}/activate`,
      headers: admin,
    });
    const actions = fx.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.entity, 'open311_client'))
      .all()
      .map((a) => a.action);
    expect(actions).toEqual([
      'open311_client.create',
      'open311_client.rotate_key',
      'open311_client.deactivate',
      'open311_client.activate',
    ]);
    const audits = JSON.stringify(fx.db.select().from(auditLog).all());
    expect(audits).not.toContain(apiKey);

    const operator = await fx.session('tdv01');
    for (const req of [
      { method: 'GET' as const, url: '/api/admin/open311/clients' },
      { method: 'POST' as const, url: '/api/admin/open311/clients', payload: { name: 'X' } },
    ]) {
      expect((await fx.app.inject({ ...req, headers: operator })).statusCode).toBe(403);
    }
  });

  it('seeds the demo app with the published demo key, which production refuses until it is rotated', async () => {
    const demo = fx.db.select().from(open311Clients).where(eq(open311Clients.name, DEMO_CLIENT_NAME)).get();
    expect(demo?.active).toBe(true);
    expect((await post(GOOD, { key: DEMO_API_KEY })).statusCode).toBe(200);
    const production = { ...config, environment: 'production' as const };
    expect((await productionProblems(fx.db, production)).join('\n')).toContain(DEMO_API_KEY);
    await fx.app.inject({
      method: 'POST',
      url: `/api/admin/open311/clients/${demo?.id}/rotate-key`,
      headers: await fx.session('quantri'),
    });
    expect((await productionProblems(fx.db, production)).join('\n')).not.toContain(DEMO_API_KEY);
    expectJsonError(await post(GOOD, { key: DEMO_API_KEY }), 403);
  });
});
