import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../server/db/seed.ts';
import {
  COMMON_PASSWORDS,
  PASSWORD_RULE_MESSAGES,
  type PasswordCandidate,
  type PasswordRule,
  passwordProblem,
} from '../../server/users/password-policy.ts';
import { oneTimePassword } from '../../server/users/service.ts';

const refused: [string, PasswordCandidate, PasswordRule][] = [
  ['empty', { username: 'tdv01', password: '' }, 'too_short'],
  ['11 characters', { username: 'tdv01', password: 'Xk9#mQ2$vLp' }, 'too_short'],
  ['11 Vietnamese letters', { username: 'tdv01', password: 'Đường Hoa X' }, 'too_short'],
  ['longer than 256', { username: 'tdv01', password: 'a'.repeat(257) }, 'too_long'],
  [
    'the username itself, padded',
    { username: 'nguyenthihoa', password: 'nguyenthihoa' },
    'contains_username',
  ],
  ['the username inside', { username: 'tdv01', password: 'Mua-xuan-TDV01-2026' }, 'contains_username'],
  [
    'the username in other case',
    { username: 'Giamsat', password: 'GIAMSAT-dong-nai-99' },
    'contains_username',
  ],
  ['common: 123456789012', { username: 'tdv01', password: '123456789012' }, 'common'],
  ['common: matkhau123456', { username: 'tdv01', password: 'matkhau123456' }, 'common'],
  ['common in other case', { username: 'tdv01', password: 'MatKhau123456' }, 'common'],
  ['common: qwerty123456', { username: 'tdv01', password: 'qwerty123456' }, 'common'],
  ['common: password1234', { username: 'tdv01', password: 'password1234' }, 'common'],
  [
    'same as the current one',
    { username: 'tdv01', password: 'Mây trắng bay 2026', currentPassword: 'Mây trắng bay 2026' },
    'same_as_current',
  ],
];

const accepted: [string, PasswordCandidate][] = [
  ['a passphrase with diacritics', { username: 'tdv01', password: 'Sông Đồng Nai chảy mãi' }],
  ['exactly 12 characters', { username: 'tdv01', password: 'k7Pm-3xQa-hN' }],
  ['a one-time-password shape', { username: 'quantri', password: oneTimePassword() }],
  [
    'different from the current one',
    { username: 'tdv01', password: 'Mây trắng bay 2027', currentPassword: 'Mây trắng bay 2026' },
  ],
  ['256 characters', { username: 'tdv01', password: 'ab'.repeat(128) }],
];

describe('password policy', () => {
  it.each(refused)('refuses %s', (_name, candidate, rule) => {
    expect(passwordProblem(candidate)).toBe(rule);
  });

  it.each(accepted)('accepts %s', (_name, candidate) => {
    expect(passwordProblem(candidate)).toBeNull();
  });

  it('names every rule in Vietnamese', () => {
    for (const message of Object.values(PASSWORD_RULE_MESSAGES)) expect(message).toMatch(/Mật khẩu mới/);
  });

  it('lists the demo password and the Vietnamese favourites', () => {
    for (const p of [DEMO_PASSWORD, 'matkhau123', '123456789', 'tongdai1022']) {
      expect(COMMON_PASSWORDS.has(p)).toBe(true);
    }
    expect(COMMON_PASSWORDS.size).toBeGreaterThanOrEqual(100);
    expect(COMMON_PASSWORDS.size).toBeLessThanOrEqual(250);
  });
});

describe('one-time passwords', () => {
  it('are 4 groups of 4 unambiguous characters, different each time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = oneTimePassword();
      expect(p).toMatch(/^[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){3}$/);
      seen.add(p);
    }
    expect(seen.size).toBe(200);
  });
});
