/**
 * Typed errors with stable codes, and the one place that turns any error into
 * `{ error: { code, message } }`. Messages are Vietnamese and safe to show; 5xx details stay in the log.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ApiError } from '../common/api.ts';

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    /** Vietnamese, shown to the user. */
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UnauthenticatedError extends AppError {
  constructor() {
    super('UNAUTHENTICATED', 401, 'Vui lòng đăng nhập.');
  }
}

export class ForbiddenError extends AppError {
  constructor() {
    super('FORBIDDEN', 403, 'Tài khoản của bạn không có quyền thực hiện thao tác này.');
  }
}

export class NotFoundError extends AppError {
  constructor() {
    super('NOT_FOUND', 404, 'Không tìm thấy địa chỉ yêu cầu.');
  }
}

/** Asterisk cannot be reached, or did not answer in time: worth trying again. */
export class TelephonyUnavailableError extends AppError {
  constructor() {
    super('TELEPHONY_UNAVAILABLE', 503, 'Không kết nối được tổng đài, vui lòng thử lại.');
  }
}

export function errorBody(code: string, message: string): ApiError {
  return { error: { code, message } };
}

const VALIDATION_MESSAGE = 'Dữ liệu gửi lên không hợp lệ';
const INTERNAL_MESSAGE = 'Hệ thống gặp sự cố, vui lòng thử lại sau.';
const BAD_REQUEST_MESSAGE = 'Yêu cầu không hợp lệ.';

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler<FastifyError | AppError | Error>((err, request, reply) => {
    if (err instanceof AppError) {
      if (err.statusCode >= 500) request.log.error({ err }, 'request failed');
      return reply.status(err.statusCode).send(errorBody(err.code, err.message));
    }
    const fastifyError = err as FastifyError;
    if (fastifyError.validation) {
      const first = fastifyError.validation[0];
      const field = first ? `${fastifyError.validationContext ?? ''}${first.instancePath}` : '';
      const detail = field ? ` (${field}: ${first?.message ?? ''})` : '';
      return reply.status(400).send(errorBody('VALIDATION', `${VALIDATION_MESSAGE}${detail}.`));
    }
    const status = fastifyError.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.status(status).send(errorBody(fastifyError.code ?? 'BAD_REQUEST', BAD_REQUEST_MESSAGE));
    }
    request.log.error({ err }, 'request failed');
    return reply.status(500).send(errorBody('INTERNAL', INTERNAL_MESSAGE));
  });
}
