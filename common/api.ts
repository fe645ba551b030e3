/** REST request and response bodies shared by the server and the console. */
import type { Category, District, QueueName, Role, TicketStatus } from './domain.ts';

/** Every error response: `{ error: { code, message } }`. `message` is Vietnamese, safe to show. */
export interface ApiError {
  error: { code: string; message: string };
}

export interface LoginRequest {
  username: string;
  password: string;
}

export interface UserView {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  /** Queues this operator serves. */
  skills: QueueName[];
  agencyId: number | null;
}

/** Softphone registration details, only ever sent to the operator they belong to. */
export interface SipCredentials {
  /** e.g. `sip:tdv01@hotline.local` */
  uri: string;
  authorizationUser: string;
  password: string;
  /** SIP over WebSocket, e.g. `ws://127.0.0.1:8088/ws` */
  wsUrl: string;
}

export interface MeResponse {
  user: UserView;
  sip: SipCredentials | null;
}

export interface AgencyView {
  id: number;
  code: string;
  name: string;
}

export interface CreateTicketRequest {
  /** The call the ticket came from, when logged during a call. */
  callId?: string;
  callerNumber: string;
  callerName?: string;
  category: Category;
  district: District;
  description: string;
  /** Overrides the suggested agency. */
  agencyId?: number;
}

export interface TicketView {
  id: number;
  trackingCode: string;
  callId: string | null;
  callerNumber: string;
  callerName: string | null;
  category: Category;
  district: District;
  description: string;
  agency: AgencyView;
  status: TicketStatus;
  createdAt: string;
  forwardedAt: string | null;
}

/** Short form shown in the screen-pop's history list. */
export interface TicketSummary {
  id: number;
  trackingCode: string;
  category: Category;
  status: TicketStatus;
  createdAt: string;
  description: string;
}

export interface ListResponse<T> {
  data: T[];
}
