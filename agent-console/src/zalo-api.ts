/** The Zalo conversations' REST calls (`/api/zalo/…`), with the session cookie and CSRF header. */
import type { ListResponse } from '../../common/api.ts';
import type {
  ZaloConversationView,
  ZaloReplyRequest,
  ZaloReplyResponse,
  ZaloThreadView,
} from '../../common/zalo.ts';
import { ApiRequestError } from './api.ts';
import { t } from './i18n.ts';

function csrf(): string | null {
  const found = document.cookie.split(';').find((p) => p.trim().startsWith('hotline_csrf='));
  return found ? decodeURIComponent(found.trim().slice('hotline_csrf='.length)) : null;
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = method === 'POST' ? csrf() : null;
  if (token) headers['x-csrf-token'] = token;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiRequestError(0, 'network', t('error.network'));
  }
  const parsed = (await res.json().catch(() => undefined)) as
    | (T & { error?: { code: string; message: string } })
    | undefined;
  if (!res.ok) {
    if (parsed?.error) throw new ApiRequestError(res.status, parsed.error.code, parsed.error.message);
    throw new ApiRequestError(res.status, 'http', t('error.server', { status: res.status }));
  }
  return parsed as T;
}

const path = (userId: string) => `/api/zalo/conversations/${encodeURIComponent(userId)}/messages`;

export const zaloApi = {
  conversations: async () =>
    (await call<ListResponse<ZaloConversationView>>('GET', '/api/zalo/conversations')).data,
  thread: (userId: string) => call<ZaloThreadView>('GET', path(userId)),
  reply: (userId: string, body: ZaloReplyRequest) => call<ZaloReplyResponse>('POST', path(userId), body),
};
