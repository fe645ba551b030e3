import { AppError } from '../errors.ts';
import type { ReplyWindowKind } from './window.ts';

export class ZaloSignatureError extends AppError {
  constructor() {
    super('ZALO_SIGNATURE_INVALID', 401, 'Chữ ký X-ZEvent-Signature không hợp lệ.');
  }
}

/** Zalo is not configured (no app id or no OA secret key): nothing is accepted. */
export class ZaloDisabledError extends AppError {
  constructor() {
    super('ZALO_DISABLED', 503, 'Kênh Zalo chưa được cấu hình.');
  }
}

export class ZaloConversationNotFoundError extends AppError {
  constructor() {
    super('ZALO_CONVERSATION_NOT_FOUND', 404, 'Không tìm thấy cuộc trò chuyện Zalo này.');
  }
}

/** Zalo no longer lets the OA write to this citizen (7 days after their last message). */
export class ZaloWindowClosedError extends AppError {
  constructor(readonly kind: ReplyWindowKind) {
    super(
      'ZALO_WINDOW_CLOSED',
      409,
      'Đã quá 7 ngày kể từ tin nhắn cuối của người dân, Zalo không cho phép gửi tin tư vấn. Hãy chờ người dân nhắn lại hoặc gọi điện cho người dân.',
    );
  }
}
