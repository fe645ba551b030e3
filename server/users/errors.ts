/** Errors of account management and password changes, with stable codes. */
import { AppError } from '../errors.ts';
import { PASSWORD_RULE_MESSAGES, type PasswordRule } from './password-policy.ts';

export class UsernameTakenError extends AppError {
  constructor(username: string) {
    super('USERNAME_TAKEN', 409, `Tên đăng nhập "${username}" đã có người dùng.`);
  }
}

export class AccountNotFoundError extends AppError {
  constructor() {
    super('ACCOUNT_NOT_FOUND', 404, 'Không tìm thấy tài khoản.');
  }
}

/** Bad combinations the request schema cannot express (role and agency, role and skills). */
export class InvalidAccountError extends AppError {
  constructor(message: string) {
    super('INVALID_ACCOUNT', 400, message);
  }
}

export class CannotDisableSelfError extends AppError {
  constructor() {
    super('CANNOT_DISABLE_SELF', 409, 'Không thể tự khóa tài khoản của chính mình.');
  }
}

export class WeakPasswordError extends AppError {
  constructor(readonly rule: PasswordRule) {
    super('WEAK_PASSWORD', 400, PASSWORD_RULE_MESSAGES[rule]);
  }
}

export class WrongCurrentPasswordError extends AppError {
  constructor() {
    super('WRONG_PASSWORD', 400, 'Mật khẩu hiện tại không đúng.');
  }
}
