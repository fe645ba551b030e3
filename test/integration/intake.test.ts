/**
 * Taking written requests in, on a real SQLite database: codes never shared with tickets, the
 * sender's retry key, and a citizen's repeat within a day joining their open request.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { IntakeKeyReusedError } from '../../server/intake/errors.ts';
import { writtenRequestEvents, writtenRequestPhotos } from '../../server/intake/schema.ts';
import { intakeHash, JOIN_WINDOW_MS, takeIn } from '../../server/intake/service.ts';
import { isValidTrackingCode } from '../../server/tickets/tracking-code.ts';

let db: Db;
const now = new Date('2026-12-07T03:00:00Z');
const photo = (n: number) => ({ mime: 'image/jpeg', width: 10, height: 10, data: Buffer.from([n]) });
const web = {
  channel: 'web' as const,
  category: 'infrastructure',
  description: 'Đèn đường hỏng trước số 12',
  phone: '0912345678',
  phoneVerified: true,
};

beforeEach(() => {
  db = openDatabase(':memory:');
});
afterEach(() => db.$client.close());

describe('takeIn', () => {
  it('stores a request with a fresh valid tracking code, its photos and its first event', () => {
    const { request, outcome } = takeIn(db, { ...web, photos: [photo(1), photo(2)] }, { now });
    expect(outcome).toBe('created');
    expect(isValidTrackingCode(request.trackingCode)).toBe(true);
    expect(request.status).toBe('open');
    const photos = db
      .select()
      .from(writtenRequestPhotos)
      .where(eq(writtenRequestPhotos.requestId, request.id))
      .all();
    expect(photos.map((p) => p.position)).toEqual([1, 2]);
    const events = db.select().from(writtenRequestEvents).all();
    expect(events.map((e) => e.kind)).toEqual(['submitted']);
  });

  it('answers a retry with the same key with the first request, and refuses the key for another request', () => {
    const key = { scope: 'web', key: 'k-1', requestHash: intakeHash(web) };
    const first = takeIn(db, web, { now, key });
    const again = takeIn(db, web, { now: new Date(now.getTime() + 1000), key });
    expect(again.outcome).toBe('repeated');
    expect(again.request.id).toBe(first.request.id);
    expect(() =>
      takeIn(
        db,
        { ...web, description: 'khác' },
        { now, key: { ...key, requestHash: intakeHash({ x: 1 }) } },
      ),
    ).toThrow(IntakeKeyReusedError);
  });

  it('joins a repeat from the same confirmed phone within a day, filling free photo places only', () => {
    const first = takeIn(db, { ...web, photos: [photo(1), photo(2)] }, { now });
    const repeat = takeIn(
      db,
      { ...web, description: 'Vẫn chưa sửa', photos: [photo(3), photo(4)] },
      { now: new Date(now.getTime() + 3600_000) },
    );
    expect(repeat.outcome).toBe('joined');
    expect(repeat.request.id).toBe(first.request.id);
    expect(repeat.request.joinedCount).toBe(1);
    const photos = db.select().from(writtenRequestPhotos).all();
    expect(photos.map((p) => p.data[0])).toEqual([1, 2, 3]);
  });

  it('makes a new request after a day, for another category, or from an unconfirmed number', () => {
    const first = takeIn(db, web, { now });
    const later = takeIn(db, web, { now: new Date(now.getTime() + JOIN_WINDOW_MS + 1) });
    const other = takeIn(db, { ...web, category: 'health' }, { now });
    const unconfirmed = takeIn(db, { ...web, phoneVerified: false }, { now });
    for (const r of [later, other, unconfirmed]) {
      expect(r.outcome).toBe('created');
      expect(r.request.id).not.toBe(first.request.id);
    }
  });
});
