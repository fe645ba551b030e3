/** The REST API as the console uses it: same-origin fetch with the session cookie, typed by common/api.ts. */
import type {
  AccountCreated,
  AccountView,
  AgencyAdminView,
  AgencyCreated,
  AgencyDeactivated,
  AgencyDeadlineReport,
  AgencyView,
  ApiError,
  AuditPage,
  CalendarDayRequest,
  CalendarDayView,
  CalendarYearView,
  CallbackOutcomeRequest,
  CallbackTaskView,
  CallRecordDetail,
  CallRecordView,
  CategoryView,
  ChangePasswordRequest,
  ClaimCallbackResponse,
  CoachingMode,
  CoachingView,
  CreateAccountRequest,
  CreateAgencyRequest,
  CreateCategoryRequest,
  CreateTicketRequest,
  ExtensionRequest,
  GiveUpCallbackRequest,
  HotlineSettings,
  ListResponse,
  LoginRequest,
  MeResponse,
  Open311ClientKey,
  Open311ClientView,
  PutRoutingExceptionRequest,
  ReportByKind,
  ReportGranularity,
  ReportKind,
  ReportMailView,
  RoutingException,
  SettingsSection,
  SmsView,
  TicketActionRequest,
  TicketView,
  UnitImportInvalid,
  UnitImportLineError,
  UnitImportResult,
  UnitView,
  UpdateAccountRequest,
  UpdateAgencyRequest,
  UpdateCategoryRequest,
} from '../../common/api.ts';
import { IDEMPOTENCY_KEY_HEADER } from '../../common/api.ts';
import { t } from './i18n.ts';
import { type TicketQuery, ticketQueryString } from './ticket-rules.ts';
import type { UnitSuggestion } from './unit-picker-rules.ts';

/** The login sets this readable cookie; its value goes back in `x-csrf-token` on every write. */
const CSRF_COOKIE = 'hotline_csrf';
const CSRF_HEADER = 'x-csrf-token';

/** A failed request. `message` is safe to show: the server's Vietnamese message, or our own. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Line-numbered problems of a rejected file (`UNITS_IMPORT_INVALID`); empty otherwise. */
    readonly lineErrors: UnitImportLineError[] = [],
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

/** The text to show for any failure of an API call. */
export function errorMessage(err: unknown): string {
  return err instanceof ApiRequestError ? err.message : t('error.network');
}

function isApiError(body: unknown): body is ApiError {
  const error = (body as Partial<ApiError> | null)?.error;
  return typeof error?.message === 'string' && typeof error.code === 'string';
}

function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return null;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

async function request<T>(
  method: Method,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<T> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers[CSRF_HEADER] = csrf;
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers,
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
    // A one-time password must be replaced before anything else, on whichever page it shows up.
    if (
      isApiError(parsed) &&
      parsed.error.code === 'PASSWORD_CHANGE_REQUIRED' &&
      location.pathname !== '/password.html'
    ) {
      location.replace('/password.html');
    }
    if (isApiError(parsed)) {
      const lines = (parsed as Partial<UnitImportInvalid>).errors;
      throw new ApiRequestError(
        response.status,
        parsed.error.code,
        parsed.error.message,
        Array.isArray(lines) ? lines : [],
      );
    }
    throw new ApiRequestError(response.status, 'http', t('error.server', { status: response.status }));
  }
  return parsed as T;
}

/** List endpoints answer `{ data: [...] }`; a bare array is accepted too. */
async function list<T>(path: string): Promise<T[]> {
  const body = await request<ListResponse<T> | T[]>('GET', path);
  return Array.isArray(body) ? body : body.data;
}

export const api = {
  login: (body: LoginRequest) => request<MeResponse>('POST', '/api/auth/login', body),
  logout: () => request<unknown>('POST', '/api/auth/logout'),
  me: () => request<MeResponse>('GET', '/api/me'),
  changePassword: (body: ChangePasswordRequest) => request<MeResponse>('POST', '/api/auth/password', body),
  accounts: () => list<AccountView>('/api/admin/users'),
  createAccount: (body: CreateAccountRequest) => request<AccountCreated>('POST', '/api/admin/users', body),
  updateAccount: (id: number, body: UpdateAccountRequest) =>
    request<{ data: AccountView }>('PATCH', `/api/admin/users/${id}`, body),
  disableAccount: (id: number) => request<{ data: AccountView }>('POST', `/api/admin/users/${id}/disable`),
  enableAccount: (id: number) => request<{ data: AccountView }>('POST', `/api/admin/users/${id}/enable`),
  resetAccountPassword: (id: number) =>
    request<AccountCreated>('POST', `/api/admin/users/${id}/reset-password`),
  agencies: () => request<ListResponse<AgencyView>>('GET', '/api/agencies'),
  /** The agency the routing picks for a category in a commune (the category's default without one). */
  suggestAgency: (category: string, unitCode?: string) =>
    request<AgencyView>(
      'GET',
      `/api/routing/suggest?${new URLSearchParams({ category, ...(unitCode ? { unitCode } : {}) })}`,
    ),
  /** Active categories in the admin's order; `all` adds the inactive ones (admin). */
  categories: (all = false) => list<CategoryView>(`/api/categories${all ? '?all=1' : ''}`),
  createCategory: (body: CreateCategoryRequest) =>
    request<{ data: CategoryView }>('POST', '/api/admin/categories', body).then((r) => r.data),
  updateCategory: (key: string, body: UpdateCategoryRequest) =>
    request<{ data: CategoryView }>('PATCH', `/api/admin/categories/${encodeURIComponent(key)}`, body).then(
      (r) => r.data,
    ),
  routingExceptions: (category: string) =>
    list<RoutingException>(`/api/routing/exceptions?${new URLSearchParams({ category })}`),
  putRoutingException: (body: PutRoutingExceptionRequest) =>
    request<{ data: RoutingException }>('PUT', '/api/routing/exceptions', body).then((r) => r.data),
  deleteRoutingException: (category: string, unitCode: string) =>
    request<unknown>('DELETE', `/api/routing/exceptions?${new URLSearchParams({ category, unitCode })}`),
  /** Communes whose name or former name matches `q` (diacritics optional). */
  searchUnits: (q: string, limit = 10) =>
    list<UnitSuggestion>(`/api/units?${new URLSearchParams({ q, limit: String(limit) })}`),
  unit: (code: string) => request<UnitView>('GET', `/api/units/${encodeURIComponent(code)}`),
  /** Every unit, deactivated ones too (admins). */
  adminUnits: () => list<UnitView>('/api/admin/units'),
  importUnits: (csv: string, deactivateMissing = false) =>
    request<UnitImportResult>('POST', '/api/admin/units/import', { csv, deactivateMissing }),
  /** `idempotencyKey`: the same for a repeat of one submission, so it creates one ticket. */
  createTicket: (body: CreateTicketRequest, idempotencyKey: string) =>
    request<TicketView>('POST', '/api/tickets', body, { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey }),
  tickets: (query: TicketQuery = {}) => list<TicketView>(`/api/tickets${ticketQueryString(query)}`),
  /** With the audit log (`events`). */
  ticket: (id: number) => request<TicketView>('GET', `/api/tickets/${id}`),
  ticketAction: (id: number, body: TicketActionRequest) =>
    request<TicketView>('POST', `/api/tickets/${id}/actions`, body),
  extendDeadline: (id: number, body: ExtensionRequest) =>
    request<TicketView>('POST', `/api/tickets/${id}/extension`, body),
  deadlineReport: (from: string, to: string) =>
    list<AgencyDeadlineReport>(`/api/reports/deadlines?${new URLSearchParams({ from, to })}`),
  deadDeliveries: () => list<TicketView>('/api/deliveries/dead'),
  retryDelivery: (ticketId: number) => request<unknown>('POST', `/api/deliveries/${ticketId}/retry`),
  smsOutbox: () => list<SmsView>('/api/sms/outbox'),
  openCallbacks: () => list<CallbackTaskView>('/api/callbacks?status=open'),
  claimCallback: (id: number) => request<ClaimCallbackResponse>('POST', `/api/callbacks/${id}/claim`),
  callbackOutcome: (id: number, body: CallbackOutcomeRequest) =>
    request<CallbackTaskView>('POST', `/api/callbacks/${id}/outcome`, body),
  giveUpCallback: (id: number, body: GiveUpCallbackRequest) =>
    request<CallbackTaskView>('POST', `/api/callbacks/${id}/give-up`, body),
  /** Calls that arrived from `from` (ISO time) until now, newest first. */
  calls: (from: string, limit = 200) =>
    list<CallRecordView>(`/api/calls?${new URLSearchParams({ from, limit: String(limit) })}`),
  call: (id: string) => request<CallRecordDetail>('GET', `/api/calls/${encodeURIComponent(id)}`),
  /** Every agency with its liaisons and open tickets (admins). */
  adminAgencies: () => list<AgencyAdminView>('/api/admin/agencies'),
  createAgency: (body: CreateAgencyRequest) => request<AgencyCreated>('POST', '/api/admin/agencies', body),
  updateAgency: (id: number, body: UpdateAgencyRequest) =>
    request<{ data: AgencyAdminView }>('PATCH', `/api/admin/agencies/${id}`, body).then((r) => r.data),
  rotateAgencySecret: (id: number) =>
    request<{ secret: string }>('POST', `/api/admin/agencies/${id}/rotate-secret`, {}).then((r) => r.secret),
  deactivateAgency: (id: number, moveOpenTicketsTo?: number) =>
    request<AgencyDeactivated>(
      'POST',
      `/api/admin/agencies/${id}/deactivate`,
      moveOpenTicketsTo === undefined ? {} : { moveOpenTicketsTo },
    ),
  activateAgency: (id: number) =>
    request<{ data: AgencyAdminView }>('POST', `/api/admin/agencies/${id}/activate`, {}).then((r) => r.data),
  /** Open311 client apps (admins); a new or rotated key comes back once. */
  open311Clients: () => list<Open311ClientView>('/api/admin/open311/clients'),
  createOpen311Client: (name: string) =>
    request<Open311ClientKey>('POST', '/api/admin/open311/clients', { name }),
  rotateOpen311Key: (id: number) =>
    request<Open311ClientKey>('POST', `/api/admin/open311/clients/${id}/rotate-key`, {}),
  setOpen311ClientActive: (id: number, active: boolean) =>
    request<{ data: Open311ClientView }>(
      'POST',
      `/api/admin/open311/clients/${id}/${active ? 'activate' : 'deactivate'}`,
      {},
    ).then((r) => r.data),
  /** Newest first; `beforeId` pages back. */
  audit: (query: Record<string, string>) =>
    request<AuditPage>('GET', `/api/admin/audit?${new URLSearchParams(query)}`),
  calendarYear: (year: number) =>
    request<{ data: CalendarYearView }>('GET', `/api/admin/calendar?year=${year}`).then((r) => r.data),
  addCalendarDay: (body: CalendarDayRequest) =>
    request<{ data: CalendarDayView }>('POST', '/api/admin/calendar', body).then((r) => r.data),
  deleteCalendarDay: (date: string) => request<unknown>('DELETE', `/api/admin/calendar/${date}`),
  /** The province's settings: read by supervisors and admins, each section saved by an admin. */
  settings: {
    get: () => request<{ data: HotlineSettings }>('GET', '/api/settings').then((r) => r.data),
    /** Answers the section as the server saved it (e.g. recipients trimmed and lower-cased). */
    save: <S extends SettingsSection>(section: S, value: HotlineSettings[S]) =>
      request<{ data: HotlineSettings[S] }>('PUT', `/api/settings/${section}`, value).then((r) => r.data),
  },
  /** A supervisor on a call in progress: join or switch mode, and leave. */
  coach: (callId: string, mode: CoachingMode) =>
    request<CoachingView>('POST', `/api/calls/${encodeURIComponent(callId)}/coaching`, { mode }),
  leaveCoaching: (callId: string) =>
    request<unknown>('DELETE', `/api/calls/${encodeURIComponent(callId)}/coaching`),
  /** Reports of local days `from`..`to` (both included) for supervisors and admins. */
  reports: {
    get: <K extends ReportKind>(kind: K, query: ReportQuery) =>
      request<ReportByKind[K]>('GET', `/api/reports/${kind}?${reportSearch(query)}`),
    /** Where the report's table downloads as a file (a link's `href`). */
    exportUrl: (kind: ReportKind, format: 'csv' | 'xlsx', query: ReportQuery) =>
      `/api/reports/${kind}.${format}?${reportSearch(query)}`,
    /** Every report of the period in one workbook, as mailed to the monitoring team. */
    summaryUrl: (query: Pick<ReportQuery, 'from' | 'to'>) =>
      `/api/reports/summary.xlsx?${reportSearch(query)}`,
  },
  /** The scheduled summaries, newest first, without their files (admins). */
  reportMails: () => list<ReportMailView>('/api/reports/mails'),
  /** Where a scheduled summary's workbook downloads. */
  reportMailFileUrl: (id: number) => `/api/reports/mails/${id}/file`,
};

/** A report request: local days, both included; `granularity` for the calls report. */
export interface ReportQuery {
  from: string;
  to: string;
  granularity?: ReportGranularity;
}

function reportSearch(query: ReportQuery): string {
  const params = new URLSearchParams({ from: query.from, to: query.to });
  if (query.granularity) params.set('granularity', query.granularity);
  return params.toString();
}

/** The one request function, for a page module that keeps its calls beside it (written requests). */
export { request as apiRequest };
