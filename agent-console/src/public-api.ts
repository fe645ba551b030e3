/**
 * The public pages' calls to `/api/public/…`: no session, no CSRF cookie; a refusal carries the
 * server's Vietnamese message.
 */
import type { ApiError } from '../../common/api.ts';

export class PublicApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PublicApiError';
  }
}

export const NETWORK_MESSAGE = 'Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.';

export async function publicRequest<T>(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'omit',
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new PublicApiError(0, 'network', NETWORK_MESSAGE);
  }
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = (parsed as Partial<ApiError> | undefined)?.error;
    if (error && typeof error.message === 'string')
      throw new PublicApiError(response.status, error.code, error.message);
    throw new PublicApiError(
      response.status,
      'http',
      `Máy chủ trả lỗi ${response.status}. Vui lòng thử lại.`,
    );
  }
  return parsed as T;
}

export function messageOf(err: unknown): string {
  return err instanceof PublicApiError ? err.message : NETWORK_MESSAGE;
}

/** `12/05/2026 14:30`, in Vietnam's time. */
export function vietnamTime(iso: string): string {
  return new Date(iso).toLocaleString('vi-VN', {
    timeZone: 'Asia/Ho_Chi_Minh',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
}
