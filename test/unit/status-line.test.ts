import { describe, expect, it } from 'vitest';
import { nationalNumber, sameNumber, statusGroup } from '../../server/status-line/service.ts';

describe('caller numbers', () => {
  it.each([
    ['0987654321', '0987654321'],
    ['+84987654321', '0987654321'],
    ['84987654321', '0987654321'],
    ['+84 251 3822 222', '02513822222'],
    ['0251-3822-222', '02513822222'],
    ['1022', '1022'],
    ['anonymous', ''],
  ])('%s is %s in national form', (number, national) => {
    expect(nationalNumber(number)).toBe(national);
  });

  it('never matches two unknown numbers', () => {
    expect(sameNumber('anonymous', '')).toBe(false);
    expect(sameNumber('+84987654321', '0987654321')).toBe(true);
  });
});

describe('closed tickets', () => {
  it('are resolved when an agency result was approved, answered otherwise', () => {
    expect(statusGroup('closed', new Date())).toBe('resolved');
    expect(statusGroup('closed', null)).toBe('answered');
  });
});
