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
