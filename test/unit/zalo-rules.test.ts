/** Zalo's rules as pure functions: the webhook signature, the reply window, reading events. */
import { describe, expect, it } from 'vitest';
import { eventHead, readEvent, vietnamesePhone } from '../../server/zalo/events.ts';
import { bodyTimestamp, isValidSignature, zaloSignature } from '../../server/zalo/signature.ts';
import { FREE_WINDOW_MS, PAID_WINDOW_MS, replyWindow } from '../../server/zalo/window.ts';

const keys = { appId: '111', secretKey: 'oa-secret' };
const raw =
  '{"app_id":"111","event_name":"user_send_text","timestamp":"1700000000000","sender":{"id":"u1"},"message":{"msg_id":"m1","text":"Xin chào"}}';
const expectedHex = zaloSignature('111', raw, '1700000000000', 'oa-secret');

describe('the webhook signature', () => {
  it('is the SHA-256 hex of app id, raw body, timestamp and OA secret key, in that order', async () => {
    const { createHash } = await import('node:crypto');
    const manual = createHash('sha256').update(`111${raw}1700000000000oa-secret`).digest('hex');
    expect(expectedHex).toBe(manual);
    expect(expectedHex).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts the right mac, in either letter case', () => {
    expect(isValidSignature(`mac=${expectedHex}`, raw, keys)).toBe(true);
    expect(isValidSignature(`mac=${expectedHex.toUpperCase()}`, raw, keys)).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['without mac=', expectedHex],
    ['too short', `mac=${expectedHex.slice(2)}`],
    ['another secret', `mac=${zaloSignature('111', raw, '1700000000000', 'other')}`],
    ['another app id', `mac=${zaloSignature('222', raw, '1700000000000', 'oa-secret')}`],
  ])('refuses a signature that is %s', (_what, header) => {
    expect(isValidSignature(header, raw, keys)).toBe(false);
  });

  it('refuses a body changed after signing, even by one space', () => {
    expect(isValidSignature(`mac=${expectedHex}`, raw.replace('Xin chào', 'Xin  chào'), keys)).toBe(false);
  });

  it('refuses everything while the secret key is not configured', () => {
    const unsigned = zaloSignature('111', raw, '1700000000000', '');
    expect(isValidSignature(`mac=${unsigned}`, raw, { appId: '111', secretKey: '' })).toBe(false);
  });

  it('reads the timestamp as written, string or number, and nothing else', () => {
    expect(bodyTimestamp(raw)).toBe('1700000000000');
    expect(bodyTimestamp('{"timestamp":1700000000001}')).toBe('1700000000001');
    expect(bodyTimestamp('{"timestamp":"soon"}')).toBeNull();
    expect(bodyTimestamp('not json')).toBeNull();
    expect(bodyTimestamp('[1]')).toBeNull();
  });
});

describe('the reply window', () => {
  const last = new Date('2026-12-01T08:00:00Z');
  const at = (ms: number) => new Date(last.getTime() + ms);
  it.each([
    [0, 'free'],
    [FREE_WINDOW_MS, 'free'],
    [FREE_WINDOW_MS + 1, 'paid'],
    [PAID_WINDOW_MS, 'paid'],
    [PAID_WINDOW_MS + 1, 'closed'],
  ] as const)('%i ms after the citizen wrote: %s', (ms, kind) => {
    expect(replyWindow(last, at(ms)).kind).toBe(kind);
  });

  it('says when the current kind ends', () => {
    expect(replyWindow(last, at(1000)).until).toEqual(at(FREE_WINDOW_MS));
    expect(replyWindow(last, at(FREE_WINDOW_MS + 1)).until).toEqual(at(PAID_WINDOW_MS));
  });

  it('is closed for a citizen who never wrote (only followed)', () => {
    expect(replyWindow(null, last)).toEqual({ kind: 'closed', until: null });
  });
});

describe('reading events', () => {
  it('keys a message by its msg_id and a follow by its body', () => {
    expect(eventHead(raw)).toEqual({ eventName: 'user_send_text', userId: 'u1', dedupeKey: 'msg:m1' });
    const follow = '{"event_name":"follow","timestamp":"1","follower":{"id":"u2"}}';
    expect(eventHead(follow)?.dedupeKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(eventHead(follow)?.userId).toBe('u2');
    expect(eventHead('{"timestamp":"1"}')).toBeNull();
  });

  it('reads a location given as strings or numbers, and ignores one out of range', () => {
    const location = (c: object) =>
      JSON.stringify({
        event_name: 'user_send_location',
        timestamp: '1700000000000',
        sender: { id: 'u1' },
        message: { msg_id: 'm2', attachments: [{ type: 'location', payload: { coordinates: c } }] },
      });
    expect(readEvent(location({ latitude: '10.95', longitude: '106.82' }))).toMatchObject({
      kind: 'location',
      latitude: 10.95,
      longitude: 106.82,
    });
    expect(readEvent(location({ lat: 10.95, long: 106.82 }))).toMatchObject({ kind: 'location' });
    expect(readEvent(location({ latitude: '95', longitude: '106' })).kind).toBe('ignored');
  });

  it('ignores events the hotline does not handle', () => {
    expect(
      readEvent(
        '{"event_name":"user_send_sticker","timestamp":"1","sender":{"id":"u1"},"message":{"msg_id":"x"}}',
      ),
    ).toEqual({
      kind: 'ignored',
      eventName: 'user_send_sticker',
    });
  });

  it.each([
    ['0912345678', '0912345678'],
    ['0912 345 678', '0912345678'],
    ['+84 912.345.678', '0912345678'],
    ['84912345678', '0912345678'],
    ['02513822123', '02513822123'],
    ['Số tôi là 0912345678', null],
    ['12345', null],
    ['0012345678', null],
  ])('reads "%s" as the phone number %s', (text, phone) => {
    expect(vietnamesePhone(text)).toBe(phone);
  });
});
