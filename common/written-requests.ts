/**
 * REST types of written requests: the public web form and status page (no login), and the
 * operators' panel that turns a request into a ticket.
 */

/** `GET /api/public/form`: what the form needs to draw itself. */
export interface PublicFormInfo {
  categories: { key: string; name: string }[];
  consent: { version: string; text: string };
  /** Leaflet tile URL template the admin set (`{z}/{x}/{y}`); null: the form has no map. */
  mapTileUrl: string | null;
  mapAttribution: string | null;
  maxPhotos: number;
  maxPhotoBytes: number;
}

/** `GET /api/public/units?q=`: a commune-level unit the citizen may pick. */
export interface PublicUnit {
  code: string;
  name: string;
  /** The former name the typed words matched, when the current name did not. */
  matchedFormerName?: string;
}

/** `POST /api/public/phone-codes` answer: a code was texted. */
export interface PhoneCodeSent {
  expiresAt: string;
}

/** `POST /api/public/phone-codes/verify` answer: the number is confirmed. */
export interface PhoneConfirmed {
  /** Sent back with the request as `phoneToken`. */
  token: string;
  expiresAt: string;
}

/** `POST /api/public/requests` body. */
export interface PublicRequestBody {
  category: string;
  description: string;
  unitCode?: string;
  address?: string;
  latitude?: number;
  longitude?: number;
  name?: string;
  phone: string;
  phoneToken: string;
  /** The version of the consent text the citizen accepted (`PublicFormInfo.consent.version`). */
  consentVersion: string;
  /** Up to 3 photos, each its file's bytes in base64. */
  photos?: string[];
}

/** `POST /api/public/requests` answer. */
export interface PublicRequestAccepted {
  trackingCode: string;
  /** True when it joined the citizen's open request of the day (same code as that one). */
  joined: boolean;
}

/** Where a request or ticket stands, as the public status page shows it. */
export type PublicStatusGroup =
  | 'received'
  | 'callback'
  | 'assigned'
  | 'in_progress'
  | 'resolved'
  | 'answered'
  | 'rejected'
  | 'duplicate'
  | 'closed';

/** `POST /api/public/status` answer: never the description, the name or the full number. */
export interface PublicStatusView {
  trackingCode: string;
  group: PublicStatusGroup;
  /** Vietnamese. */
  groupLabel: string;
  agencyName: string | null;
  receivedAt: string;
  assignedAt: string | null;
  resolvedAt: string | null;
  /** The agency's published result, once resolved (or the answer given on the call). */
  result: string | null;
}

export interface WrittenRequestPhotoView {
  id: number;
  width: number;
  height: number;
}

/** A written request in the operators' panel (`GET /api/written-requests`). */
export interface WrittenRequestView {
  id: number;
  trackingCode: string;
  channel: 'web' | 'zalo' | 'app';
  status: 'open' | 'ticketed' | 'closed';
  category: string | null;
  categoryName: string | null;
  description: string;
  unitCode: string | null;
  unitName: string | null;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  citizenName: string | null;
  /** Masked in lists; in full in `GET /api/written-requests/:id`. */
  phone: string | null;
  phoneVerified: boolean;
  joinedCount: number;
  takenBy: { id: number; name: string } | null;
  takenAt: string | null;
  ticketId: number | null;
  createdAt: string;
  photos: WrittenRequestPhotoView[];
}

/** `POST /api/written-requests/:id/close` body. */
export interface CloseWrittenRequest {
  reason: string;
}

/** `GET /api/tickets/:id/written-request`: what the citizen sent with a ticket made from writing. */
export interface TicketWrittenRequestView {
  trackingCode: string;
  channel: 'web' | 'zalo' | 'app';
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  photos: WrittenRequestPhotoView[];
}
