/**
 * What the call controller needs from Asterisk, as plain types. `ari.ts` implements it with
 * `ari-client`; unit tests implement it with a fake. Nothing here imports `ari-client`.
 */

/**
 * Asterisk's flag for a soft hang-up because it is shutting down (`AST_SOFTHANGUP_SHUTDOWN`):
 * what `ChannelHangupRequest` carries (`soft: true, cause: 4`) for each channel at a
 * `core restart now` or `core stop now`, ahead of its `StasisEnd`.
 */
export const SOFTHANGUP_SHUTDOWN = 4;

/** Events from ARI, reduced to what the controller uses. */
export type AriEvent =
  | { type: 'StasisStart'; channelId: string; args: string[]; callerNumber: string; channelName: string }
  | { type: 'StasisEnd'; channelId: string }
  | { type: 'ChannelDtmfReceived'; channelId: string; digit: string }
  | { type: 'PlaybackFinished'; playbackId: string }
  | { type: 'ChannelDestroyed'; channelId: string; cause: number }
  /** `soft` with `cause` the soft hang-up's flags (`SOFTHANGUP_SHUTDOWN` as Asterisk shuts down). */
  | { type: 'ChannelHangupRequest'; channelId: string; soft: boolean; cause: number | null }
  /** A recording stopped (by `#`, silence, its time cap or a hang-up) and is stored under `name`. */
  | { type: 'RecordingFinished'; name: string; durationSeconds: number | null }
  | { type: 'RecordingFailed'; name: string; cause: string };

export interface AriChannel {
  id: string;
  name: string;
  state: string;
  callerNumber: string;
  creationTime: string;
  /** `Stasis` for channels in an ARI application, with `appData` like `hotline,citizen`. */
  appName: string;
  appData: string;
}

export interface AriBridge {
  id: string;
  type: string;
  channelIds: string[];
}

export interface OriginateParams {
  /** e.g. `PJSIP/tdv01` */
  endpoint: string;
  channelId: string;
  app: string;
  appArgs: string;
  callerId: string;
  /** Seconds to ring before giving up. */
  timeout: number;
  /**
   * The channel this leg is for (the caller's): the leg asks for the caller's codecs, so the
   * conversation passes through Asterisk without transcoding, and the two share a linked id.
   * None for a call the hotline places on its own (a queue callback to a citizen).
   */
  originator?: string;
  /** Channel variables set before dialling, e.g. `PJSIP_HEADER(add,X-…)` for a header on the INVITE. */
  variables?: Record<string, string>;
}

/** Which audio of a channel a snoop channel hears (`spy`) or speaks into (`whisper`). */
export type SnoopDirection = 'none' | 'in' | 'out' | 'both';

/**
 * A snoop channel on `channelId`, put into the Stasis application. `spy`: `in` is what the channel
 * sends to Asterisk, `out` what Asterisk sends to it; `whisper: 'out'` is heard by the channel's
 * own party and nobody else.
 */
export interface SnoopParams {
  snoopId: string;
  spy: SnoopDirection;
  whisper: SnoopDirection;
  app: string;
  appArgs: string;
}

/** A recording Asterisk stores as `<spool>/recording/<name>.wav` (a "stored recording"). */
export interface RecordParams {
  name: string;
  /** Stops after this long. */
  maxDurationSeconds: number;
  /** Stops after this much silence; 0 for no limit. */
  maxSilenceSeconds: number;
  /** Plays a beep first. */
  beep: boolean;
  /** A key that stops the recording, or `none`. */
  terminateOn: '#' | 'none';
}

export interface AriPort {
  answer(channelId: string): Promise<void>;
  play(channelId: string, media: string[], playbackId: string): Promise<void>;
  stopPlayback(playbackId: string): Promise<void>;
  hangup(channelId: string): Promise<void>;
  originate(params: OriginateParams): Promise<void>;
  /** Creates a snoop channel on the channel (see `SnoopParams`); it enters Stasis with `appArgs`. */
  snoop(channelId: string, params: SnoopParams): Promise<void>;
  createBridge(bridgeId: string, type: 'holding' | 'mixing', name: string): Promise<void>;
  /** Moves the channels into the bridge (out of any other bridge they are in). */
  addChannel(bridgeId: string, channelIds: string[]): Promise<void>;
  removeChannel(bridgeId: string, channelId: string): Promise<void>;
  startMoh(target: { bridgeId: string } | { channelId: string }, mohClass: string): Promise<void>;
  destroyBridge(bridgeId: string): Promise<void>;
  listChannels(): Promise<AriChannel[]>;
  listBridges(): Promise<AriBridge[]>;
  getChannelVar(channelId: string, variable: string): Promise<string>;
  /** Records what the caller says (the channel's incoming audio). */
  recordChannel(channelId: string, params: RecordParams): Promise<void>;
  /** Records the mix of everyone in the bridge. */
  recordBridge(bridgeId: string, params: RecordParams): Promise<void>;
  /** The stored recording's WAV file; null when there is none of that name. */
  storedRecording(name: string): Promise<Buffer | null>;
  /** Deletes the stored recording; true also when there was none of that name. */
  deleteStoredRecording(name: string): Promise<boolean>;
  /**
   * Creates or updates a PJSIP object in Asterisk's push configuration (the sorcery wizard that
   * `dialplan/sorcery.conf` names), fields applied in order over what it has.
   */
  putPjsipObject(type: PjsipObjectType, id: string, fields: readonly PjsipField[]): Promise<void>;
  /**
   * Deletes a pushed PJSIP object; false when there was none. An object of pjsip.conf cannot be
   * deleted: `AriRequestError` with status 403.
   */
  deletePjsipObject(type: PjsipObjectType, id: string): Promise<boolean>;
  /** Names of every PJSIP endpoint Asterisk knows, pjsip.conf's and pushed ones. */
  listPjsipEndpoints(): Promise<string[]>;
  /**
   * Sets a global dialplan variable (`GLOBAL(name)`), e.g. an operator's dial permit; '' clears it.
   * Works whenever Asterisk's REST interface answers, also while the controller is stopped.
   */
  setGlobalVariable(name: string, value: string): Promise<void>;
  /** When Asterisk last started (ARI's `status.startup_time`): a change means it restarted. */
  asteriskStartedAt(): Promise<string>;
}

/** The PJSIP object types an operator's softphone account is made of. */
export type PjsipObjectType = 'endpoint' | 'auth' | 'aor';

/** One setting of a PJSIP object, named as in pjsip.conf. */
export interface PjsipField {
  attribute: string;
  value: string;
}

export interface AriHandlers {
  event(event: AriEvent): void;
  /** The event socket is up and subscribed to the application (also after each reconnect). */
  connected(): void;
  disconnected(): void;
}

/** An ARI connection that keeps itself up until `stop()`. */
export interface AriConnection extends AriPort {
  /** Starts connecting in the background; returns at once. */
  start(handlers: AriHandlers): void;
  stop(): Promise<void>;
  readonly up: boolean;
  /** A global dialplan variable's value, '' when unset (the watchdog's beat, for the server's health). */
  globalVariable(name: string): Promise<string>;
}

/** The resource is gone (hung up, destroyed, finished): usually a race the caller may ignore. */
export class GoneError extends Error {
  readonly code = 'ARI_GONE';
  constructor(
    readonly resource: 'channel' | 'bridge' | 'playback' | 'unknown',
    message: string,
  ) {
    super(message);
  }
}

/** Asterisk did not answer a REST call in time. */
export class AriTimeoutError extends Error {
  readonly code = 'ARI_TIMEOUT';
  constructor(operation: string, ms: number) {
    super(`ARI ${operation} did not answer within ${ms} ms`);
  }
}

/** Any other failure of a REST call, with Asterisk's message. */
export class AriRequestError extends Error {
  readonly code = 'ARI_REQUEST_FAILED';
  constructor(
    readonly operation: string,
    message: string,
    /** Asterisk's HTTP status, when it answered. */
    readonly status: number | null = null,
  ) {
    super(`ARI ${operation} failed: ${message}`);
  }
}

/** Not connected to Asterisk. */
export class AriDisconnectedError extends Error {
  readonly code = 'ARI_DISCONNECTED';
  constructor(operation: string) {
    super(`ARI ${operation}: not connected`);
  }
}
