/** Typed errors of the units slice. */
import type { UnitImportLineError } from '../../common/api.ts';
import { AppError } from '../errors.ts';

/** Shown at most this many in the message; the `errors` array carries them all. */
const MESSAGE_LINES = 20;

export class UnitsImportInvalidError extends AppError {
  constructor(readonly errors: UnitImportLineError[]) {
    const shown = errors.slice(0, MESSAGE_LINES).map((e) => `Dòng ${e.line}: ${e.message}.`);
    const more = errors.length > MESSAGE_LINES ? ` … và ${errors.length - MESSAGE_LINES} lỗi khác.` : '';
    super(
      'UNITS_IMPORT_INVALID',
      400,
      `Tệp danh mục đơn vị có ${errors.length} lỗi, chưa nhập dòng nào. ${shown.join(' ')}${more}`,
    );
  }
}

export class UnitNotFoundError extends AppError {
  constructor(code: string) {
    super('UNIT_NOT_FOUND', 404, `Không tìm thấy đơn vị hành chính mã ${code}.`);
  }
}
