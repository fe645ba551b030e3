import { describe, expect, it } from 'vitest';
import {
  dammCheckDigit,
  isValidTrackingCode,
  newTrackingCode,
  trackingCodeFrom,
} from '../../server/tickets/tracking-code.ts';

const SAMPLES = ['12345678', '10000000', '99999999', '57203915', '80000001', '31415926'];

describe('tracking code', () => {
  it.each([
    ['572', '4'],
    ['5724', '0'],
    ['', '0'],
  ])('Damm check digit of "%s" is %s (published examples)', (digits, check) => {
    expect(dammCheckDigit(digits)).toBe(check);
  });

  it('new codes are 9 digits, do not start with 0 and validate', () => {
    for (let i = 0; i < 1000; i++) {
      const code = newTrackingCode();
      expect(code).toMatch(/^[1-9]\d{8}$/);
      expect(isValidTrackingCode(code)).toBe(true);
    }
  });

  it('builds the code from an injected draw', () => {
    expect(newTrackingCode(() => 57_200_000)).toBe(trackingCodeFrom('57200000'));
  });

  it.each(SAMPLES)('rejects every single-digit typo of %s', (body) => {
    const code = trackingCodeFrom(body);
    for (let pos = 0; pos < code.length; pos++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === code[pos]) continue;
        const typo = code.slice(0, pos) + d + code.slice(pos + 1);
        expect(isValidTrackingCode(typo), typo).toBe(false);
      }
    }
  });

  it.each(SAMPLES)('rejects every adjacent transposition of %s', (body) => {
    const code = trackingCodeFrom(body);
    for (let pos = 0; pos < code.length - 1; pos++) {
      if (code[pos] === code[pos + 1]) continue;
      const swapped = code.slice(0, pos) + code[pos + 1] + code[pos] + code.slice(pos + 2);
      expect(isValidTrackingCode(swapped), swapped).toBe(false);
    }
  });

  it.each(['', '12345678', '1234567890', '12345678a', ' 57200000', '5720000-0'])(
    'rejects malformed "%s"',
    (code) => {
      expect(isValidTrackingCode(code)).toBe(false);
    },
  );

  it('refuses a body that is not 8 digits', () => {
    expect(() => trackingCodeFrom('1234567')).toThrow();
    expect(() => trackingCodeFrom('1234567x')).toThrow();
  });
});
