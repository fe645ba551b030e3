/**
 * What the controller's parts share: its dependencies and its record of one live call.
 */
import type { Logger } from 'pino';
import type { Acd } from './acd.ts';
import type { CallerHistory, CallRecorder, IvrEvents, QueueCallbackStore, TicketStatusLine } from './api.ts';
import type { CallState, KeptPlace, WaitingOptions } from './flow.ts';
import type { IvrConfig } from './menu.ts';
import { type AriPort, GoneError } from './port.ts';
import type { QueueCallbackPolicy } from './queue-callback.ts';

export interface StasisDeps {
  ari: AriPort;
  acd: Acd;
  events: IvrEvents;
  /** Told each step of every call's life cycle, for the call records. */
  records: CallRecorder;
  /** Answers the "tra cứu kết quả" menu option. */
  statusLine: TicketStatusLine;
  /** The menu and hours a call arriving now starts with. */
  menu: () => IvrConfig;
  /** Record every answered call's conversation (stored recording `conversation-<callId>-<offer>`). */
  recordCalls?: boolean;
  logger: Logger;
  now: () => Date;
  /** Whether ARI is connected; no offers are made while it is not. */
  isUp: () => boolean;
  /** Tells returning callers, who go ahead of new callers; without it nobody is returning. */
  history?: CallerHistory;
  /** How long an operator's softphone rings before the offer counts as missed. */
  ringSeconds: number;
  /** When waiting callers hear their position and the callback offer. */
  waiting?: WaitingOptions;
  /**
   * The server's callback tasks: with it, a caller who takes the callback offer keeps their place
   * and the hotline calls them back when it comes (see `stasis-callbacks.ts`).
   */
  queueCallbacks?: QueueCallbackStore;
  /** Attempts, spacing and ring time of queue callbacks. */
  queueCallbackPolicy?: QueueCallbackPolicy;
}

/** The controller's record of one citizen call it runs. */
export interface Call {
  /** The citizen's channel id. */
  id: string;
  callerNumber: string;
  state: CallState;
  log: Logger;
  /** Tail of the call's serial input queue. */
  chain: Promise<void>;
  timer: NodeJS.Timeout | null;
  /** Agent legs originated so far, to number the next one. */
  legs: number;
  talkBridge: string | null;
  /** Operators who were told about this call, to be told when it is over for them. */
  offeredTo: Set<number>;
  /** Agent legs Asterisk refused to originate: their offers `failed` rather than went unanswered. */
  unreachableLegs: Set<string>;
  /** A command failed while ARI was down; recover once it is back. */
  needsRecovery: boolean;
  /** Asterisk is hanging the caller up as it shuts down (not the caller's own hang-up). */
  cutOffByAsterisk: boolean;
  finished: boolean;
  /** The caller called recently or is owed a callback: they go ahead of new callers. */
  returning: boolean;
  /** The hotline's call to a citizen whose place a queue callback kept (the console says so). */
  callback: boolean;
  /** The place the caller had when they pressed 1 for a callback: kept once the call is over. */
  keptPlace: KeptPlace | null;
}

/** Runs an ARI request nobody waits for; a failure other than "already gone" is logged. */
export function bestEffort(log: Logger, promise: Promise<unknown>, what: string): void {
  promise.catch((err: unknown) => {
    if (!(err instanceof GoneError)) log.warn({ err }, `${what} failed`);
  });
}
