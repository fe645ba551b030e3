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
