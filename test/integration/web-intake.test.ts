/**
 * The public web form's and status page's API on the real server and a real SQLite database:
 * one-time codes through the SMS outbox, every refusal with its code and Vietnamese message, the
 * abuse limits, retried submissions, the status page's pairs, and an operator turning the
 * request into a ticket that keeps its code.
 */
import { and, desc, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TicketView } from '../../common/api.ts';
import type {
  PublicFormInfo,
  PublicStatusView,
  TicketWrittenRequestView,
  WrittenRequestView,
} from '../../common/written-requests.ts';
import { smsMessages, tickets } from '../../server/db/schema.ts';
import { issueCode } from '../../server/intake/otp.ts';
import { phoneVerifications, writtenRequestPhotos, writtenRequests } from '../../server/intake/schema.ts';
import { isValidTrackingCode } from '../../server/tickets/tracking-code.ts';
import { jpegWithGps } from '../support/photos.ts';
import { buildFixture, config, type Fixture } from './server-fixture.ts';

let fx: Fixture;
let ip = 0;
/** A fresh client address per test, so the per-address limits of one test do not touch another. */
let address: string;

beforeEach(async () => {
  fx = await buildFixture();
  address = `10.9.${Math.floor(++ip / 250)}.${ip % 250}`;
});
afterEach(async () => {
  await fx?.close();
});

const PHONE = '0912345678';

function post(url: string, payload: unknown, opts: { headers?: Record<string, string>; from?: string } = {}) {
  return fx.app.inject({
    method: 'POST',
    url,
    payload: payload as object,
    remoteAddress: opts.from ?? address,
    ...(opts.headers ? { headers: opts.headers } : {}),
  });
}

/** The code texted to `phone`, read from the SMS outbox. */
function textedCode(phone: string): string {
  const sms = fx.db
    .select()
    .from(smsMessages)
    .where(and(eq(smsMessages.to, phone), eq(smsMessages.event, 'phone_code')))
    .orderBy(desc(smsMessages.id))
    .get();
  const code = /\b(\d{6})\b/.exec(sms?.body ?? '')?.[1];
  if (!code) throw new Error(`no code texted to ${phone}`);
  return code;
}

async function confirmedToken(phone = PHONE, from = address): Promise<string> {
  const sent = await post('/api/public/phone-codes', { phone }, { from });
  expect(sent.statusCode, sent.body).toBe(202);
  const res = await post('/api/public/phone-codes/verify', { phone, code: textedCode(phone) }, { from });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ token: string }>().token;
}

async function form(): Promise<PublicFormInfo> {
  return (await fx.app.inject({ url: '/api/public/form' })).json<PublicFormInfo>();
}

async function request(token: string, over: Record<string, unknown> = {}, headers?: Record<string, string>) {
  const body = {
    category: 'infrastructure',
    description: 'Đèn đường trước số 12 đường Phạm Văn Thuận tắt ba đêm nay.',
    unitCode: '25993',
    address: '12 Phạm Văn Thuận',
    name: 'Nguyễn Văn An',
    phone: PHONE,
    phoneToken: token,
    consentVersion: (await form()).consent.version,
    ...over,
  };
  return post('/api/public/requests', body, headers ? { headers } : {});
}

const photoPath = (id: number) => `/api/written-requests/photos/${id}`;

function expectRefused(res: { statusCode: number; json: () => unknown }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  const { error } = res.json() as { error: { code: string; message: string } };
  expect(error.code).toBe(code);
  // A Vietnamese message: at least one letter with a diacritic.
  expect(error.message).toMatch(/[àáảãạăâđèéêìíòóôơùúưýỳỹỷỵ]/i);
  return error.message;
}

describe('the form', () => {
  it('lists the categories and the consent text, with no map unless one is configured', async () => {
    const info = await form();
    expect(info.categories.map((c) => c.key)).toContain('health');
    expect(info.consent.text).toContain('Tổng đài 1022');
    expect(info.mapTileUrl).toBeNull();
    expect(info.maxPhotos).toBe(3);
  });

  it('allows the configured tile server in img-src only', async () => {
    const plain = await fx.app.inject({ url: '/api/public/form' });
    expect(plain.headers['content-security-policy']).toContain("img-src 'self' data:;");
    await fx.close();
    fx = await buildFixture({
      config: {
        publicForm: {
          ...config.publicForm,
          mapTileUrl: 'https://{s}.tiles.example.vn/{z}/{x}/{y}.png',
          mapAttribution: '© OSM',
        },
      },
    });
    const res = await fx.app.inject({ url: '/api/public/form' });
    expect(res.json<PublicFormInfo>().mapTileUrl).toBe('https://{s}.tiles.example.vn/{z}/{x}/{y}.png');
    expect(res.headers['content-security-policy']).toContain(
      "img-src 'self' data: https://*.tiles.example.vn;",
    );
    expect(res.headers['content-security-policy']).toContain("script-src 'self';");
  });

  it('finds a commune typed without diacritics, by its former name too', async () => {
    const res = await fx.app.inject({ url: '/api/public/units?q=trang%20dai' });
    expect(res.json<{ data: { name: string }[] }>().data[0]?.name).toBe('Phường Trảng Dài');
    const former = await fx.app.inject({ url: '/api/public/units?q=thien%20tan' });
    expect(former.json<{ data: { code: string }[] }>().data.map((u) => u.code)).toContain('25993');
  });
});

describe('one-time codes', () => {
  it('refuses a number that is not a mobile number', async () => {
    expectRefused(await post('/api/public/phone-codes', { phone: '12345' }), 400, 'INVALID_PHONE');
    expectRefused(await post('/api/public/phone-codes', {}), 400, 'VALIDATION');
  });

  it('texts a 6-digit code, counts wrong tries, locks after 5 and confirms the right one', async () => {
    const sent = await post('/api/public/phone-codes', { phone: '+84 912 345 678' });
    expect(sent.statusCode).toBe(202);
    const code = textedCode(PHONE);
    const wrong = code === '000000' ? '111111' : '000000';
    const verify = (c: string) => post('/api/public/phone-codes/verify', { phone: PHONE, code: c });
    expect(expectRefused(await verify(wrong), 400, 'CODE_WRONG')).toBe(
      'Mã xác nhận không đúng. Còn 4 lần thử.',
    );
    expectRefused(await verify('12ab'), 400, 'INVALID_CODE');
    for (let i = 0; i < 4; i++) await verify(wrong);
    expectRefused(await verify(code), 429, 'RATE_LIMITED');

    // A new code starts over; the right one gives a token, and is spent.
    await post('/api/public/phone-codes', { phone: PHONE });
    const fresh = textedCode(PHONE);
    const ok = await verify(fresh);
    expect(ok.statusCode).toBe(200);
    expect(ok.json<{ token: string }>().token).toMatch(/^\d+\.[\w-]+$/);
    expectRefused(await verify(fresh), 400, 'CODE_EXPIRED');
  });

  it('are deleted a day after they were made', () => {
    // Far ahead of the other tests' clock, so the sweep (at most every 10 minutes) runs.
    const t0 = new Date('2031-01-01T00:00:00Z');
    issueCode(fx.db, { phone: PHONE, address, now: t0 });
    issueCode(fx.db, { phone: '0987654321', address, now: new Date(t0.getTime() + 60 * 60_000) });
    expect(fx.db.select().from(phoneVerifications).all()).toHaveLength(2);
    issueCode(fx.db, { phone: '0977777777', address, now: new Date(t0.getTime() + 24.5 * 60 * 60_000) });
    expect(
      fx.db
        .select()
        .from(phoneVerifications)
        .all()
        .map((r) => r.phone),
    ).toEqual(['0987654321', '0977777777']);
  });

  it('limits codes per number and per address, with Retry-After', async () => {
    for (let i = 0; i < 3; i++)
      expect((await post('/api/public/phone-codes', { phone: PHONE })).statusCode).toBe(202);
    const refused = await post('/api/public/phone-codes', { phone: PHONE }, { from: '10.200.0.1' });
    expect(expectRefused(refused, 429, 'RATE_LIMITED')).toMatch(
      /^Đã gửi quá nhiều mã xác nhận\. Vui lòng thử lại sau \d+ phút\.$/,
    );
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Per address: ten codes for ten numbers, then the eleventh number is refused.
    for (let i = 0; i < 10; i++) {
      const phone = `09880000${String(i).padStart(2, '0')}`;
      expect((await post('/api/public/phone-codes', { phone }, { from: '10.200.0.2' })).statusCode).toBe(202);
    }
    expectRefused(
      await post('/api/public/phone-codes', { phone: '0977000000' }, { from: '10.200.0.2' }),
      429,
      'RATE_LIMITED',
    );
    expect(fx.db.select().from(smsMessages).where(eq(smsMessages.event, 'phone_code')).all()).toHaveLength(
      13,
    );
  });
});

describe('sending a request', () => {
  it('refuses bad input with a code and a Vietnamese message, storing nothing', async () => {
    const token = await confirmedToken();
    expectRefused(await request('1.notatoken'), 403, 'PHONE_NOT_VERIFIED');
    expectRefused(await request(token, { phone: '0987654321' }), 403, 'PHONE_NOT_VERIFIED');
    expectRefused(await request(token, { category: 'nope' }), 400, 'INVALID_CATEGORY');
    expectRefused(await request(token, { description: 'ngắn' }), 400, 'DESCRIPTION_TOO_SHORT');
    expectRefused(await request(token, { unitCode: '99999' }), 400, 'INVALID_UNIT');
    expectRefused(await request(token, { unitCode: '', address: '' }), 400, 'LOCATION_REQUIRED');
    expectRefused(await request(token, { latitude: 10.9 }), 400, 'INVALID_LOCATION');
    expectRefused(await request(token, { latitude: 100, longitude: 106 }), 400, 'INVALID_LOCATION');
    expectRefused(await request(token, { consentVersion: 'old' }), 400, 'CONSENT_REQUIRED');
    const text = Buffer.from('this is a text file named photo.jpg').toString('base64');
    expect(expectRefused(await request(token, { photos: [text] }), 400, 'PHOTO_NOT_IMAGE')).toContain(
      'Tệp thứ 1',
    );
    const photo = (await jpegWithGps()).toString('base64');
    expectRefused(await request(token, { photos: [photo, photo, photo, photo] }), 400, 'TOO_MANY_PHOTOS');
    expectRefused(await request(token, { photos: ['@@@'] }), 400, 'PHOTO_NOT_IMAGE');
    expectRefused(await request(token, { extra: 1, description: { text: 'x' } }), 400, 'VALIDATION');
    const broken = await fx.app.inject({
      method: 'POST',
      url: '/api/public/requests',
      headers: { 'content-type': 'application/json' },
      payload: '{"category":',
    });
    expect(broken.statusCode).toBe(400);
    expect(fx.db.select().from(writtenRequests).all()).toHaveLength(0);
  });

  it('takes a request with a photo in, texts the tracking code and keeps no metadata', async () => {
    const token = await confirmedToken();
    const res = await request(token, { photos: [(await jpegWithGps(800, 600)).toString('base64')] });
    expect(res.statusCode, res.body).toBe(201);
    const { trackingCode, joined } = res.json<{ trackingCode: string; joined: boolean }>();
    expect(isValidTrackingCode(trackingCode)).toBe(true);
    expect(joined).toBe(false);
    const stored = fx.db
      .select()
      .from(writtenRequests)
      .where(eq(writtenRequests.trackingCode, trackingCode))
      .get()!;
    expect(stored).toMatchObject({ channel: 'web', phone: PHONE, phoneVerified: true, status: 'open' });
    expect(stored.consentVersion).toBe((await form()).consent.version);
    const [photo] = fx.db
      .select()
      .from(writtenRequestPhotos)
      .where(eq(writtenRequestPhotos.requestId, stored.id))
      .all();
    expect((await sharp(photo!.data).metadata()).exif).toBeUndefined();
    const sms = fx.db.select().from(smsMessages).where(eq(smsMessages.event, 'written_received')).all();
    expect(sms.map((m) => [m.to, m.body])).toEqual([
      [PHONE, `Tổng đài 1022 đã tiếp nhận kiến nghị của ông (bà), mã tra cứu ${trackingCode}. Xin cảm ơn!`],
    ]);
  });

  it('answers a retried submission with the first one, once, and refuses the key with another body', async () => {
    const token = await confirmedToken();
    const key = { 'idempotency-key': 'form-7f3a' };
    const first = await request(token, {}, key);
    const again = await request(token, {}, key);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(fx.db.select().from(writtenRequests).all()).toHaveLength(1);
    expect(
      fx.db.select().from(smsMessages).where(eq(smsMessages.event, 'written_received')).all(),
    ).toHaveLength(1);
    expectRefused(await request(token, { address: '14 Phạm Văn Thuận' }, key), 422, 'IDEMPOTENCY_KEY_REUSED');
    expectRefused(await request(token, {}, { 'idempotency-key': '\u0001' }), 400, 'INVALID_IDEMPOTENCY_KEY');
  });

  it('joins a repeat of the day, and limits submissions per number per day', async () => {
    const token = await confirmedToken();
    const first = (await request(token)).json<{ trackingCode: string }>();
    const repeat = await request(token, { description: 'Vẫn chưa ai sửa đèn đường, tối nay vẫn tắt.' });
    expect(repeat.statusCode).toBe(200);
    expect(repeat.json()).toEqual({ trackingCode: first.trackingCode, joined: true });
    for (const category of ['health', 'goods', 'welfare']) {
      expect((await request(token, { category })).statusCode).toBe(201);
    }
    expect(expectRefused(await request(token, { category: 'other' }), 429, 'RATE_LIMITED')).toContain(
      'trong ngày',
    );
  });
});

describe('the status page', () => {
  const lookUp = (code: string, phoneLast4: string, from?: string) =>
    post('/api/public/status', { code, phoneLast4 }, from ? { from } : {});

  it('tells a written request not yet a ticket as received, and a wrong pair as unknown', async () => {
    const { trackingCode } = (await request(await confirmedToken())).json<{ trackingCode: string }>();
    const res = await lookUp(trackingCode, '5678');
    expect(res.statusCode).toBe(200);
    const view = res.json<PublicStatusView>();
    expect(view).toMatchObject({ trackingCode, group: 'received', groupLabel: 'Đã tiếp nhận', result: null });
    expect(res.body).not.toContain('Đèn đường');
    expect(res.body).not.toContain('Nguyễn Văn An');
    expect(res.body).not.toContain(PHONE);

    const wrongPair = await lookUp(trackingCode, '1234');
    const unknown = await lookUp('123456782', '5678');
    const malformed = await lookUp('12', '5678');
    expectRefused(wrongPair, 404, 'NOT_FOUND');
    expect(wrongPair.body).toBe(unknown.body);
    expect(malformed.body).toBe(unknown.body);
  });

  it('follows a ticket from a call too', async () => {
    const operator = await fx.session('tdv01');
    const ticket = (
      await fx.app.inject({
        method: 'POST',
        url: '/api/tickets',
        headers: operator,
        payload: { callerNumber: '0987000111', category: 'health', description: 'Trạm y tế đóng cửa.' },
      })
    ).json<TicketView>();
    const view = (await lookUp(ticket.trackingCode, '0111')).json<PublicStatusView>();
    expect(view).toMatchObject({ group: 'assigned', agencyName: 'Sở Y tế' });
  });

  it('limits look-ups per address', async () => {
    for (let i = 0; i < 30; i++) await lookUp('123456782', '0000', '10.201.0.1');
    expectRefused(await lookUp('123456782', '0000', '10.201.0.1'), 429, 'RATE_LIMITED');
    expect((await lookUp('123456782', '0000', '10.201.0.2')).statusCode).toBe(404);
  });
});

describe('an operator turns a written request into a ticket', () => {
  it('lists it, takes it, makes a ticket with its code, and the agency sees its photo', async () => {
    const token = await confirmedToken();
    const sent = await request(token, {
      category: 'health',
      latitude: 10.95,
      longitude: 106.84,
      photos: [(await jpegWithGps()).toString('base64')],
    });
    const { trackingCode } = sent.json<{ trackingCode: string }>();
    const operator = await fx.session('tdv01');
    const other = await fx.session('tdv02');

    const list = (await fx.app.inject({ url: '/api/written-requests', headers: operator })).json<{
      data: WrittenRequestView[];
    }>().data;
    expect(list).toHaveLength(1);
    const item = list[0]!;
    expect(item).toMatchObject({
      trackingCode,
      channel: 'web',
      categoryName: 'Y tế, dịch bệnh',
      unitName: 'Phường Trảng Dài',
    });
    expect(item.phone).toBe('0912***678');
    expect(item.photos).toHaveLength(1);
    expect(
      (await fx.app.inject({ url: '/api/written-requests', headers: await fx.session('syt') })).statusCode,
    ).toBe(403);
    // Without a login: no list, no photo.
    expect((await fx.app.inject({ url: '/api/written-requests' })).statusCode).toBe(401);
    expect((await fx.app.inject({ url: photoPath(item.photos[0]!.id) })).statusCode).toBe(401);

    const take = (h: typeof operator) =>
      fx.app.inject({ method: 'POST', url: `/api/written-requests/${item.id}/take`, headers: h });
    expect((await take(operator)).json<WrittenRequestView>().takenBy?.name).toBe('Nguyễn Thị Hoa');
    expect(expectRefused(await take(other), 409, 'WRITTEN_REQUEST_TAKEN')).toContain('Nguyễn Thị Hoa');

    const detail = (
      await fx.app.inject({ url: `/api/written-requests/${item.id}`, headers: operator })
    ).json<WrittenRequestView>();
    expect(detail.phone).toBe(PHONE);

    const create = () =>
      fx.app.inject({
        method: 'POST',
        url: '/api/tickets',
        headers: operator,
        payload: {
          callerNumber: detail.phone,
          callerName: detail.citizenName,
          category: 'health',
          unitCode: detail.unitCode,
          address: detail.address,
          description: detail.description,
          writtenRequestId: item.id,
        },
      });
    const created = await create();
    expect(created.statusCode, created.body).toBe(201);
    const ticket = created.json<TicketView>();
    expect(ticket.trackingCode).toBe(trackingCode);
    expect(fx.db.select().from(writtenRequests).get()).toMatchObject({
      status: 'ticketed',
      ticketId: ticket.id,
    });
    expect(fx.db.select().from(writtenRequests).get()?.firstResponseAt).toBeInstanceOf(Date);
    expectRefused(await create(), 409, 'WRITTEN_REQUEST_NOT_OPEN');
    expect(fx.db.select().from(tickets).all()).toHaveLength(1);
    expect(
      (await fx.app.inject({ url: '/api/written-requests', headers: operator })).json<{ data: [] }>().data,
    ).toEqual([]);

    // The ticket shows the location and the photo to the agency it went to, not to another.
    const liaison = await fx.session('syt');
    const written = await fx.app.inject({
      url: `/api/tickets/${ticket.id}/written-request`,
      headers: liaison,
    });
    expect(written.json<TicketWrittenRequestView>()).toMatchObject({
      latitude: 10.95,
      longitude: 106.84,
      trackingCode,
    });
    const photoId = written.json<TicketWrittenRequestView>().photos[0]!.id;
    const photo = await fx.app.inject({ url: `/api/written-requests/photos/${photoId}`, headers: liaison });
    expect(photo.statusCode).toBe(200);
    expect(photo.headers['content-type']).toBe('image/jpeg');
    const stranger = await fx.session('sct');
    expect(
      (await fx.app.inject({ url: `/api/written-requests/photos/${photoId}`, headers: stranger })).statusCode,
    ).toBe(404);
    expect(
      (await fx.app.inject({ url: `/api/tickets/${ticket.id}/written-request`, headers: stranger }))
        .statusCode,
    ).toBe(404);

    // The status page now follows the ticket, with the time the citizen sent it.
    const status = (
      await post('/api/public/status', { code: trackingCode, phoneLast4: '5678' })
    ).json<PublicStatusView>();
    expect(status).toMatchObject({ group: 'assigned', agencyName: 'Sở Y tế' });
  });

  it('closes one with a reason', async () => {
    await request(await confirmedToken());
    const operator = await fx.session('tdv01');
    const id = fx.db.select().from(writtenRequests).get()!.id;
    const close = (reason: string) =>
      fx.app.inject({
        method: 'POST',
        url: `/api/written-requests/${id}/close`,
        headers: operator,
        payload: { reason },
      });
    expectRefused(await close(' '), 400, 'REASON_REQUIRED');
    expect((await close('Trùng nội dung đã gửi qua điện thoại')).json<WrittenRequestView>().status).toBe(
      'closed',
    );
    expectRefused(await close('lại'), 409, 'WRITTEN_REQUEST_NOT_OPEN');
  });
});
