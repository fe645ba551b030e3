import { AppError } from '../errors.ts';

/** The sender already used this retry key with a different request. */
export class IntakeKeyReusedError extends AppError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 422, 'Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác.');
  }
}
