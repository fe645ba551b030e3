/** REST bodies of the Zalo conversations (`/api/zalo/…`), shared by the server and the console. */

/** Zalo's window for the OA's replies, counted from the citizen's last message. */
export type ZaloWindowKind = 'free' | 'paid' | 'closed';

export interface ZaloWindowView {
  kind: ZaloWindowKind;
  /** When the current kind ends; null once closed. */
  until: string | null;
  /** What applies, in Vietnamese, for the operator. */
  notice: string;
}

export interface ZaloConversationView {
  zaloUserId: string;
  displayName: string | null;
  /** The number the citizen wrote, masked (e.g. `0912***678`). */
  phone: string | null;
  lastCitizenAt: string | null;
  lastMessageAt: string;
  /** The last message's text (or what it was: an image, a location). */
  lastText: string | null;
  window: ZaloWindowView;
  request: { id: number; trackingCode: string; status: 'open' | 'ticketed' | 'closed' } | null;
}

export interface ZaloMessageView {
  id: number;
  direction: 'in' | 'out';
  kind: 'text' | 'image' | 'location' | 'other';
  text: string | null;
  /** The request's photo the image became, when it did. */
  photoId: number | null;
  latitude: number | null;
  longitude: number | null;
  purpose: 'reply' | 'tracking_code' | 'result' | null;
  status: 'received' | 'pending' | 'sent' | 'failed';
  error: string | null;
  at: string;
}

/** GET /api/zalo/conversations/:userId/messages */
export interface ZaloThreadView {
  conversation: ZaloConversationView;
  messages: ZaloMessageView[];
}

/** POST /api/zalo/conversations/:userId/messages */
export interface ZaloReplyRequest {
  text: string;
}

/** 202: stored and queued; `window` says whether it is free or paid. */
export interface ZaloReplyResponse {
  message: ZaloMessageView;
  window: ZaloWindowView;
}
