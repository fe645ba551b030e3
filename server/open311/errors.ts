/**
 * Open311's refusals: the spec's error list (`[{ code, description }]`, or `<errors><error>`), with
 * 404 for what does not exist, 403 for a missing or wrong `api_key`, 400 for anything else the request
 * gets wrong, and 429 when a client sends too much. Descriptions are Vietnamese with the spec's English
 * wording after them, since they are shown to the app's users and read by its developers.
 */

export class Open311Error extends Error {
  constructor(
    readonly statusCode: 400 | 403 | 404 | 429 | 500,
    /** Vietnamese, then the English in parentheses. */
    readonly description: string,
  ) {
    super(description);
    this.name = 'Open311Error';
  }
}

export const badRequest = (vi: string, en: string) => new Open311Error(400, `${vi} (${en})`);
export const notFound = (vi: string, en: string) => new Open311Error(404, `${vi} (${en})`);

export const invalidApiKey = () =>
  new Open311Error(
    403,
    "api_key không đúng hoặc đã bị thu hồi, không thể tạo phản ánh (Invalid api_key received -- can't proceed with create_request)",
  );

export const tooManyRequests = (seconds: number) =>
  new Open311Error(
    429,
    `Ứng dụng gửi quá nhiều yêu cầu, vui lòng thử lại sau ${seconds} giây (too many requests, retry after ${seconds} s)`,
  );

/** The body of an error answer, as the spec shows it (the code matches the HTTP status). */
export function errorList(err: Open311Error): { code: number; description: string }[] {
  return [{ code: err.statusCode, description: err.description }];
}
