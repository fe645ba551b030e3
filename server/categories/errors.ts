import { AppError } from '../errors.ts';

export class CategoryExistsError extends AppError {
  constructor() {
    super('CATEGORY_EXISTS', 409, 'Mã lĩnh vực này đã được dùng.');
  }
}

export class CategoryNotFoundError extends AppError {
  constructor() {
    super('CATEGORY_NOT_FOUND', 404, 'Không tìm thấy lĩnh vực.');
  }
}
