import { AppError } from '../errors.ts';

/** The sender already used this retry key with a different request. */
export class IntakeKeyReusedError extends AppError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 422, 'Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác.');
  }
}

/** A field of a citizen's written request that cannot be taken as sent. */
export class IntakeValidationError extends AppError {
  constructor(code: string, message: string) {
    super(code, 400, message);
  }
}

/** Too many codes or submissions from one address or number: `retryAfterSeconds` until the next. */
export class TooManyRequestsError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', 429, message);
  }
}

/** The phone number was not confirmed with a code (or its confirmation has expired). */
export class PhoneNotVerifiedError extends AppError {
  constructor() {
    super(
      'PHONE_NOT_VERIFIED',
      403,
      'Số điện thoại chưa được xác nhận hoặc đã hết hạn xác nhận. Vui lòng lấy mã mới.',
    );
  }
}

export class WrittenRequestNotFoundError extends AppError {
  constructor() {
    super('WRITTEN_REQUEST_NOT_FOUND', 404, 'Không tìm thấy phản ánh.');
  }
}

/** The request was already turned into a ticket or closed. */
export class WrittenRequestNotOpenError extends AppError {
  constructor() {
    super('WRITTEN_REQUEST_NOT_OPEN', 409, 'Phản ánh này đã được tạo phiếu hoặc đã đóng.');
  }
}

/** Another operator is working on it. */
export class WrittenRequestTakenError extends AppError {
  constructor(by: string) {
    super('WRITTEN_REQUEST_TAKEN', 409, `Phản ánh này đang do ${by} xử lý.`);
  }
}
