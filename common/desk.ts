/**
 * The desk: written requests given to operators as tasks beside their calls, the first-response
 * figures per channel, and a citizen's contacts on every channel (the screen-pop's history).
 */

export type WrittenChannel = 'web' | 'zalo' | 'app';

/** A written request the desk gave an operator, or one they took by hand. */
export interface DeskTaskView {
  requestId: number;
  trackingCode: string;
  channel: WrittenChannel;
  /** The description's first words. */
  summary: string;
  createdAt: string;
  /** When the desk gave it; null when the operator took it by hand. */
  givenAt: string | null;
  /** When the operator opened it; null while not yet. */
  openedAt: string | null;
  /** Arrival plus the channel's first-response target. */
  dueAt: string;
}

/** `GET /api/desk/tasks`, and the `desk:tasks` push to the operator's consoles. */
export interface DeskTasksView {
  tasks: DeskTaskView[];
  /** Most written tasks an operator holds at once (`HOTLINE_DESK_WRITTEN_TASKS`). */
  maxTasks: number;
}

/** One channel's written requests today, for the wallboard. */
export interface WrittenChannelFigures {
  channel: WrittenChannel;
  /** Open now (not yet a ticket or closed). */
  open: number;
  /** Seconds the oldest open request without any answer has waited; null when none waits. */
  oldestWaitingSeconds: number | null;
  /** First responses given today (since local midnight), and how many within the target. */
  answeredToday: number;
  answeredWithinTarget: number;
  /** answeredWithinTarget ÷ answeredToday; null when nothing was answered today. */
  withinTargetRate: number | null;
  targetMinutes: number;
}

/** `GET /api/desk/written-figures`. */
export interface WrittenFiguresView {
  at: string;
  channels: WrittenChannelFigures[];
}

export type ContactKind = 'call' | 'ticket' | WrittenChannel;

/** One contact of a citizen on any channel, newest first in a history. */
export interface ContactHistoryItem {
  kind: ContactKind;
  at: string;
  /** A tracking code (ticket, written request); null for a call. */
  trackingCode: string | null;
  /** The description's first words, or a call's queue and outcome. */
  summary: string;
  /** A ticket's or request's status; a call's end (`answered`, `abandoned`, …). */
  status: string | null;
}

/** `GET /api/desk/history?phone=&zaloUserId=&requestId=`. */
export interface ContactHistoryView {
  items: ContactHistoryItem[];
}
