/**
 * The rules a password chosen by a user must pass. Pure, apart from reading the list of common
 * passwords (`common-passwords.txt`, beside this file) once at load.
 */
import { readFileSync } from 'node:fs';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

export type PasswordRule = 'too_short' | 'too_long' | 'contains_username' | 'common' | 'same_as_current';

/** Vietnamese, shown to the user as the reason the password was refused. */
export const PASSWORD_RULE_MESSAGES: Record<PasswordRule, string> = {
  too_short: `Mật khẩu mới phải có ít nhất ${MIN_PASSWORD_LENGTH} ký tự.`,
  too_long: `Mật khẩu mới không được dài quá ${MAX_PASSWORD_LENGTH} ký tự.`,
  contains_username: 'Mật khẩu mới không được trùng hoặc chứa tên đăng nhập.',
  common: 'Mật khẩu mới quá phổ biến, dễ bị đoán ra. Vui lòng chọn mật khẩu khác.',
  same_as_current: 'Mật khẩu mới phải khác mật khẩu hiện tại.',
};

/** The rules as the password form lists them. */
export const PASSWORD_RULES_TEXT: string[] = [
  `Ít nhất ${MIN_PASSWORD_LENGTH} ký tự.`,
  'Không trùng và không chứa tên đăng nhập.',
  'Không thuộc danh sách mật khẩu phổ biến (như 123456789, matkhau123).',
  'Khác mật khẩu hiện tại.',
];

function loadCommonPasswords(): ReadonlySet<string> {
  const text = readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8');
  return new Set(
    text
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
}

export const COMMON_PASSWORDS: ReadonlySet<string> = loadCommonPasswords();

export interface PasswordCandidate {
  username: string;
  password: string;
  /** The password being replaced, when known (a user's own change). */
  currentPassword?: string;
}

/** The first rule the password breaks, or null when it passes them all. */
export function passwordProblem({
  username,
  password,
  currentPassword,
}: PasswordCandidate): PasswordRule | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return 'too_short';
  if (length > MAX_PASSWORD_LENGTH) return 'too_long';
  const lower = password.toLowerCase();
  const name = username.trim().toLowerCase();
  if (name !== '' && lower.includes(name)) return 'contains_username';
  if (COMMON_PASSWORDS.has(lower)) return 'common';
  if (currentPassword !== undefined && password === currentPassword) return 'same_as_current';
  return null;
}
