import { describe, expect, it } from 'vitest';
import { appPhone } from '../../server/open311/post.ts';
import { createRateLimiter } from '../../server/open311/rate-limit.ts';
import { listParam } from '../../server/open311/requests.ts';
import { splitFile } from '../../server/open311/routes.ts';
import { serviceKeywords } from '../../server/open311/services.ts';

describe('splitFile', () => {
  it('splits the resource from its format', () => {
    expect(splitFile('services.json')).toEqual({ name: 'services', format: 'json' });
    expect(splitFile('123456789.XML')).toEqual({ name: '123456789', format: 'xml' });
    expect(splitFile('a.b.json')).toEqual({ name: 'a.b', format: 'json' });
  });
  it('answers 400 for another format and 404 without one', () => {
    expect(() => splitFile('services.html')).toThrow(expect.objectContaining({ statusCode: 400 }));
    expect(() => splitFile('services')).toThrow(expect.objectContaining({ statusCode: 404 }));
  });
});

describe('appPhone', () => {
  it.each([
    ['0912 345 678', '0912345678'],
    ['+84912345678', '0912345678'],
    ['84-912-345-678', '0912345678'],
    ['(0251) 3822 345', '02513822345'],
    ['12345', null],
    ['0912abc678', null],
  ])('%s → %s', (text, phone) => {
    expect(appPhone(text)).toBe(phone);
  });
});

describe('listParam', () => {
  it('reads comma separated and repeated parameters', () => {
    expect(listParam('open, closed')).toEqual(['open', 'closed']);
    expect(listParam(['health', 'other,goods'])).toEqual(['health', 'other', 'goods']);
    expect(listParam(undefined)).toEqual([]);
    expect(listParam(' , ')).toEqual([]);
  });
});

describe('serviceKeywords', () => {
  it('gives the name without diacritics, split at commas, and the key', () => {
    expect(serviceKeywords('health', 'Y tế, dịch bệnh')).toBe('y te, dich benh, health');
    expect(serviceKeywords('other', 'Khác')).toBe('khac, other');
  });
});

describe('createRateLimiter', () => {
  it('allows the limit per key and minute, then says how long to wait', () => {
    let now = new Date('2026-12-07T08:00:10Z');
    const limiter = createRateLimiter(2, () => now);
    expect(limiter.take('a')).toBeNull();
    expect(limiter.take('a')).toBeNull();
    expect(limiter.take('b')).toBeNull();
    expect(limiter.take('a')).toBe(50);
    now = new Date('2026-12-07T08:01:00Z');
    expect(limiter.take('a')).toBeNull();
  });
});
