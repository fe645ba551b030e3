/**
 * RFC 4180 CSV records with the physical line each starts on, plus `#` comment lines and blank
 * lines skipped (only at the start of a record, never inside a quoted field).
 */

export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  line: number;
  fields: string[];
}

export interface CsvError {
  line: number;
  message: string;
}

/** Splits `text` into records; quoting errors are reported per line and that record dropped. */
export function readCsv(text: string): { records: CsvRecord[]; errors: CsvError[] } {
  const records: CsvRecord[] = [];
  const errors: CsvError[] = [];
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let i = 0;
  let line = 1;

  const atLineEnd = (at: number) => at >= src.length || src[at] === '\n' || src[at] === '\r';
  const skipLineEnd = () => {
    if (src[i] === '\r') i++;
    if (src[i] === '\n') i++;
    line++;
  };
  const skipRestOfLine = () => {
    while (!atLineEnd(i)) i++;
    if (i < src.length) skipLineEnd();
  };

  while (i < src.length) {
    const start = line;
    if (src[i] === '#') {
      skipRestOfLine();
      continue;
    }
    if (atLineEnd(i)) {
      skipLineEnd();
      continue;
    }
    const fields: string[] = [];
    let failed: string | null = null;
    for (;;) {
      let field = '';
      if (src[i] === '"') {
        i++;
        for (;;) {
          if (i >= src.length) {
            failed = 'dấu ngoặc kép mở nhưng không đóng';
            break;
          }
          const c = src[i] as string;
          if (c === '"') {
            if (src[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\r' || c === '\n') {
            // A line break inside quotes belongs to the field; keep counting physical lines.
            field += '\n';
            skipLineEnd();
            continue;
          }
          field += c;
          i++;
        }
        if (failed) break;
        if (!atLineEnd(i) && src[i] !== ',') {
          failed = 'có ký tự sau dấu ngoặc kép đóng; ô có dấu ngoặc kép phải được bao trọn trong ngoặc kép';
          break;
        }
      } else {
        while (!atLineEnd(i) && src[i] !== ',') {
          if (src[i] === '"') {
            failed =
              'dấu ngoặc kép giữa ô; ô chứa dấu ngoặc kép phải được bao trong ngoặc kép, viết "" cho mỗi dấu';
            break;
          }
          field += src[i];
          i++;
        }
        if (failed) break;
      }
      fields.push(field);
      if (src[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (failed) {
      errors.push({ line: start, message: failed });
      if (i < src.length) skipRestOfLine();
      continue;
    }
    records.push({ line: start, fields });
    if (i < src.length) skipLineEnd();
  }
  return { records, errors };
}
