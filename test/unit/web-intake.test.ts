/** The web form's pure rules: photos by content, one-time codes, abuse limits, the status page's masking. */
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { TooManyRequestsError } from '../../server/intake/errors.ts';
import {
  createPublicLimiters,
  DEFAULT_PUBLIC_LIMITS,
  WindowLimiter,
  waitText,
} from '../../server/intake/limits.ts';
import {
  CODE_TTL_MS,
  codeHash,
  judgeCode,
  MAX_TRIES,
  newCode,
  parseMobile,
} from '../../server/intake/otp.ts';
import { cleanPhoto, MAX_PHOTO_BYTES, MAX_PHOTO_SIDE } from '../../server/intake/photos.ts';
import { matchesLastFour, publicStatusView, STATUS_LABELS } from '../../server/intake/status.ts';
import { imageSources } from '../../server/security-headers.ts';
import { jpegWithGps, png } from '../support/photos.ts';

describe('photos are judged by their content and re-encoded without metadata', () => {
  it('takes a PNG named .jpg by its content and gives a JPEG back', async () => {
    const photo = await cleanPhoto(await png(40, 30));
    expect(photo.mime).toBe('image/jpeg');
    expect((await sharp(photo.data).metadata()).format).toBe('jpeg');
    expect([photo.width, photo.height]).toEqual([40, 30]);
  });

  it('refuses a text file named .jpg', async () => {
    const text = Buffer.from('<html><script>alert(1)</script></html> not a photo at all');
    await expect(cleanPhoto(text, 2)).rejects.toMatchObject({ code: 'PHOTO_NOT_IMAGE', statusCode: 400 });
  });

  it('refuses an SVG, which is an image sharp could decode but not a photo', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    );
    await expect(cleanPhoto(svg)).rejects.toMatchObject({ code: 'PHOTO_NOT_IMAGE' });
  });

  it('refuses a photo over the size limit before decoding it', async () => {
    const big = Buffer.concat([await png(), randomBytes(MAX_PHOTO_BYTES)]);
    await expect(cleanPhoto(big, 3)).rejects.toMatchObject({ code: 'PHOTO_TOO_LARGE' });
  });

  it('drops EXIF with the GPS position and the camera, and caps the dimensions', async () => {
    const original = await jpegWithGps(3200, 2000);
    const before = await sharp(original).metadata();
    expect(before.exif?.toString('latin1')).toContain('TestCam');
    const photo = await cleanPhoto(original);
    const after = await sharp(photo.data).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.icc).toBeUndefined();
    expect(photo.data.toString('latin1')).not.toContain('TestCam');
    expect(Math.max(photo.width, photo.height)).toBe(MAX_PHOTO_SIDE);
  });
});

describe('one-time codes', () => {
  const now = new Date('2026-12-07T08:00:00Z');
  const row = (over: Partial<Parameters<typeof judgeCode>[0]> = {}) => ({
    phone: '0912345678',
    codeHash: codeHash('0912345678', '123456'),
    expiresAt: new Date(now.getTime() + CODE_TTL_MS),
    tries: 0,
    usedAt: null,
    ...over,
  });

  it('are 6 digits', () => {
    for (let i = 0; i < 50; i++) expect(newCode()).toMatch(/^\d{6}$/);
  });

  it.each([
    ['the right code', row(), '123456', 'confirmed'],
    ['a wrong code', row(), '123457', 'wrong'],
    ['a code after its time', row({ expiresAt: now }), '123456', 'expired'],
    [`a code after ${MAX_TRIES} wrong tries`, row({ tries: MAX_TRIES }), '123456', 'locked'],
    ['a code already used', row({ usedAt: now }), '123456', 'used'],
    ['the same code for another number', row({ phone: '0987654321' }), '123456', 'wrong'],
  ])('%s', (_name, stored, typed, expected) => {
    expect(judgeCode(stored, typed, now)).toBe(expected);
  });

  it('keep only a hash salted with the number', () => {
    expect(codeHash('0912345678', '123456')).not.toContain('123456');
    expect(codeHash('0912345678', '123456')).not.toBe(codeHash('0987654321', '123456'));
  });

  it.each([
    ['0912345678', '0912345678'],
    ['+84 912 345 678', '0912345678'],
    ['84.912.345.678', '0912345678'],
  ])('read %s as %s', (typed, national) => {
    expect(parseMobile(typed)).toBe(national);
  });

  it.each(['0212345678', '091234567', '12345', ''])('refuse %j as a mobile number', (typed) => {
    expect(() => parseMobile(typed)).toThrow(expect.objectContaining({ code: 'INVALID_PHONE' }));
  });
});

describe('abuse limits', () => {
  const t0 = new Date('2026-12-07T08:00:00Z');
  const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

  it('allow max hits in a sliding window, then tell how long to wait', () => {
    const limiter = new WindowLimiter(3, 60 * 60_000);
    for (const m of [0, 10, 20]) {
      expect(limiter.waitSeconds('a', at(m))).toBe(0);
      limiter.hit('a', at(m));
    }
    expect(limiter.waitSeconds('a', at(30))).toBe(30 * 60);
    expect(limiter.waitSeconds('b', at(30))).toBe(0);
    expect(limiter.waitSeconds('a', at(60))).toBe(0);
  });

  it('count codes per number and per address, and refuse with a Vietnamese 429', () => {
    const limits = createPublicLimiters({
      codesPerPhonePerHour: 2,
      codesPerAddressPerHour: 3,
      submissionsPerPhonePerDay: 1,
      submissionsPerAddressPerDay: 5,
      lookupsPerAddressPerHour: 1,
    });
    limits.code('0912345678', '10.0.0.1', at(0));
    limits.code('0912345678', '10.0.0.2', at(1));
    const refused = (() => {
      try {
        limits.code('0912345678', '10.0.0.3', at(2));
      } catch (err) {
        return err;
      }
    })();
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect(refused).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    expect((refused as Error).message).toBe('Đã gửi quá nhiều mã xác nhận. Vui lòng thử lại sau 58 phút.');
    // The refused attempt counted nothing: another number from that address still gets a code.
    limits.code('0987654321', '10.0.0.3', at(2));
    // Per address: a fourth number from 10.0.0.3 after three codes from it.
    limits.code('0911111111', '10.0.0.3', at(3));
    limits.code('0922222222', '10.0.0.3', at(3));
    expect(() => limits.code('0933333333', '10.0.0.3', at(4))).toThrow(TooManyRequestsError);

    limits.submission('0912345678', '10.0.0.1', at(0));
    expect(() => limits.submission('0912345678', '10.0.0.9', at(600))).toThrow(/trong ngày/);
    limits.lookup('10.0.0.1', at(0));
    expect(() => limits.lookup('10.0.0.1', at(1))).toThrow(/tra cứu quá nhiều/);
  });

  it.each([
    [30, '30 giây'],
    [61, '2 phút'],
    [3599, '60 phút'],
    [3600 * 5, '5 giờ'],
  ])('say %i seconds as %s', (seconds, text) => {
    expect(waitText(seconds)).toBe(text);
  });
});

describe('the public status view', () => {
  const base = {
    trackingCode: '123456782',
    agencyName: 'Sở Y tế',
    receivedAt: new Date('2026-12-01T01:00:00Z'),
    assignedAt: new Date('2026-12-01T02:00:00Z'),
    resolvedAt: new Date('2026-12-03T02:00:00Z'),
    result: 'Đã phun thuốc diệt muỗi.',
  };

  it('shows the result only once resolved or answered', () => {
    expect(publicStatusView({ ...base, group: 'resolved' }).result).toBe('Đã phun thuốc diệt muỗi.');
    expect(publicStatusView({ ...base, group: 'in_progress' }).result).toBeNull();
    expect(publicStatusView({ ...base, group: 'in_progress' }).groupLabel).toBe('Đang xử lý');
  });

  it('has a Vietnamese label for every group', () => {
    for (const label of Object.values(STATUS_LABELS)) expect(label).toMatch(/[à-ỹ]/);
  });

  it('carries nothing but the code, status, agency, dates and result', () => {
    expect(Object.keys(publicStatusView({ ...base, group: 'resolved' })).sort()).toEqual([
      'agencyName',
      'assignedAt',
      'group',
      'groupLabel',
      'receivedAt',
      'resolvedAt',
      'result',
      'trackingCode',
    ]);
  });

  it.each([
    ['0912345678', '5678', true],
    ['+84912345678', '5678', true],
    ['0912345678', '1234', false],
    ['0912345678', '678', false],
    [null, '5678', false],
  ])('matches %s with last digits %s: %s', (stored, typed, expected) => {
    expect(matchesLastFour(stored, typed)).toBe(expected);
  });
});

describe('the public form’s settings', () => {
  const base = { HOTLINE_ARI_ENABLED: 'false', HOTLINE_DB_PATH: ':memory:' };

  it('default to no map and the default limits, and read both from the environment', () => {
    expect(loadConfig(base).publicForm).toEqual({
      mapTileUrl: null,
      mapAttribution: null,
      limits: DEFAULT_PUBLIC_LIMITS,
    });
    const set = loadConfig({
      ...base,
      HOTLINE_MAP_TILE_URL: 'https://tiles.dongnai.gov.vn/{z}/{x}/{y}.png',
      HOTLINE_WEB_REQUESTS_PER_PHONE_DAY: '7',
    }).publicForm;
    expect(set.mapTileUrl).toBe('https://tiles.dongnai.gov.vn/{z}/{x}/{y}.png');
    expect(set.limits.submissionsPerPhonePerDay).toBe(7);
  });

  it.each(['ftp://tiles.example/{z}/{x}/{y}.png', 'https://tiles.example/tile.png', 'not a url'])(
    'refuse the tile URL %s',
    (value) => {
      expect(() => loadConfig({ ...base, HOTLINE_MAP_TILE_URL: value })).toThrow(/HOTLINE_MAP_TILE_URL/);
    },
  );

  it('allow only the tile server in img-src, with a wildcard for {s}', () => {
    expect(imageSources(null)).toEqual(["'self'", 'data:']);
    expect(imageSources('https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png')).toEqual([
      "'self'",
      'data:',
      'https://*.tile.openstreetmap.org',
    ]);
  });
});
