import { AppError } from '../errors.ts';

/** Neither the commune nor the category names an (active) agency: the operator must choose one. */
export class NoRouteError extends AppError {
  constructor() {
    super('NO_ROUTE', 422, 'Chưa có cơ quan tiếp nhận cho lĩnh vực này, vui lòng chọn cơ quan.');
  }
}

export class UnknownCategoryError extends AppError {
  constructor() {
    super('UNKNOWN_CATEGORY', 400, 'Lĩnh vực không tồn tại hoặc đã ngừng sử dụng.');
  }
}

export class UnknownUnitError extends AppError {
  constructor() {
    super('UNKNOWN_UNIT', 400, 'Xã, phường không tồn tại trong danh mục đơn vị hành chính.');
  }
}

export class RoutingExceptionNotFoundError extends AppError {
  constructor() {
    super('ROUTING_EXCEPTION_NOT_FOUND', 404, 'Không có quy tắc riêng cho lĩnh vực này ở xã, phường này.');
  }
}
