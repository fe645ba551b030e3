/** The REST API as the console uses it: same-origin fetch with the session cookie, typed by common/api.ts. */
import type {
  AgencyView,
  ApiError,
  CreateTicketRequest,
  ListResponse,
  LoginRequest,
  MeResponse,
  TicketView,
} from '../../common/api.ts';
import type { Category, District } from '../../common/domain.ts';
import { t } from './i18n.ts';

/** A failed request. `message` is safe to show: the server's Vietnamese message, or our own. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

function isApiError(body: unknown): body is ApiError {
  const error = (body as Partial<ApiError> | null)?.error;
  return typeof error?.message === 'string' && typeof error.code === 'string';
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiRequestError(0, 'network', t('error.network'));
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    if (isApiError(parsed))
      throw new ApiRequestError(response.status, parsed.error.code, parsed.error.message);
    throw new ApiRequestError(response.status, 'http', t('error.server', { status: response.status }));
  }
  return parsed as T;
}

export const api = {
  login: (body: LoginRequest) => request<MeResponse>('POST', '/api/auth/login', body),
  logout: () => request<unknown>('POST', '/api/auth/logout'),
  me: () => request<MeResponse>('GET', '/api/me'),
  agencies: () => request<ListResponse<AgencyView>>('GET', '/api/agencies'),
  suggestAgency: (category: Category, district: District) =>
    request<AgencyView>('GET', `/api/routing/suggest?${new URLSearchParams({ category, district })}`),
  createTicket: (body: CreateTicketRequest) => request<TicketView>('POST', '/api/tickets', body),
};
