import { AppError } from '../errors.ts';

export class TicketNotFoundError extends AppError {
  constructor() {
    super('TICKET_NOT_FOUND', 404, 'Không tìm thấy phiếu yêu cầu.');
  }
}

export class UnknownAgencyError extends AppError {
  constructor() {
    super('UNKNOWN_AGENCY', 400, 'Cơ quan tiếp nhận không tồn tại.');
  }
}

/** The action does not apply to the ticket's current status. */
export class IllegalTransitionError extends AppError {
  constructor(
    readonly action: string,
    readonly from: string,
  ) {
    super('ILLEGAL_TRANSITION', 409, 'Thao tác này không áp dụng được cho phiếu ở trạng thái hiện tại.');
  }
}

/** A required reason, text, agency or parent is missing or wrong; `code` says which. */
export class TicketValidationError extends AppError {
  constructor(code: string, message: string, statusCode = 400) {
    super(code, statusCode, message);
  }
}

/** The `Idempotency-Key` header is not 1–128 printable ASCII characters. */
export class InvalidIdempotencyKeyError extends AppError {
  constructor() {
    super('INVALID_IDEMPOTENCY_KEY', 400, 'Khóa Idempotency-Key không hợp lệ (1–128 ký tự ASCII in được).');
  }
}

/** The user already sent this `Idempotency-Key` with a different request. */
export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      422,
      'Lần gửi trước của biểu mẫu này đã tạo phiếu với nội dung khác. Hãy kiểm tra danh sách phiếu; bấm gửi lại sẽ tạo một phiếu mới.',
    );
  }
}
