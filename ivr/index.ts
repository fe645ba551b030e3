/**
 * The call controller's composition root: wires the supervised ARI connection, the ACD, the status
 * line the server provides and the Stasis adapter into the `Ivr` the server uses.
 */
import type { Logger } from 'pino';
import { Acd, DEFAULT_ACD_OPTIONS, DEFAULT_WRAP_UP, type WrapUpTimes } from './acd.ts';
import type {
  CallerHistory,
  CallRecorder,
  Ivr,
  IvrEvents,
  OperatorAccount,
  OperatorEndpoint,
  QueueCallbackStore,
  TicketStatusLine,
} from './api.ts';
import { createAriConnection } from './ari.ts';
import { STASIS_APP } from './constants.ts';
import { DEFAULT_WAITING, RING_TIMEOUT_SECONDS } from './flow.ts';
import type { IvrConfig } from './menu.ts';
import { OperatorSync } from './operator-accounts.ts';
import type { AriConnection } from './port.ts';
import { DEFAULT_QUEUE_CALLBACK, type QueueCallbackPolicy } from './queue-callback.ts';
import { StasisController } from './stasis.ts';
import { withKeptPlaces } from './stasis-callbacks.ts';

export interface IvrDeps {
  ari: { url: string; username: string; password: string };
  /** The operators at start; their softphone accounts are pushed to Asterisk on every connect. */
  operators: OperatorAccount[];
  events: IvrEvents;
  /** Keeps each call's life cycle (arrival, menu path, queue, offers, answer, end). */
  records: CallRecorder;
  /** Answers the "tra cứu kết quả" menu option. */
  statusLine: TicketStatusLine;
  /** Tells returning callers, who go ahead of new callers in their queue. */
  history?: CallerHistory;
  /** How waiting calls are handled; defaults where not given. */
  waiting?: {
    /** After this long in a queue, any ready operator may take the call (default 60 s). */
    overflowAfterMs?: number;
    /** Position and estimated wait again this often (default 60 s). */
    announceEveryMs?: number;
    /** The callback offer this long after joining (default 90 s; 0 never). */
    callbackOfferAfterMs?: number;
  };
  /**
   * The server's callback tasks: with it, a caller who presses 1 at the callback offer keeps
   * their place and the hotline calls them back when it comes (`stasis-callbacks.ts`).
   */
  queueCallbacks?: QueueCallbackStore;
  /** Attempts (3), spacing (120 s) and ring time (30 s) of queue callbacks. */
  queueCallback?: Partial<QueueCallbackPolicy>;
  /** The menu and hours a call arriving now starts with (`menu-file.ts` keeps it current). */
  menu: () => IvrConfig;
  /** Record answered calls to disk (Asterisk's stored recordings); default on. */
  recordCalls?: boolean;
  logger: Logger;
  /** How long an operator's softphone rings before the offer counts as missed; 15 s by default. */
  ringSeconds?: number;
  /** Wrap-up after each talk; 30 s, +30 s per extension, 180 s at most by default. */
  wrapUp?: WrapUpTimes;
  now?: () => Date;
  /** Replaces the real ARI connection (tests). */
  connection?: AriConnection;
}

export function createIvr(deps: IvrDeps): Ivr {
  const now = deps.now ?? (() => new Date());
  const { events, logger } = deps;
  const connection =
    deps.connection ??
    createAriConnection({
      url: deps.ari.url,
      username: deps.ari.username,
      password: deps.ari.password,
      app: STASIS_APP,
      logger: logger.child({ component: 'ari' }),
    });
  const acd = new Acd(
    deps.operators.filter(takesCalls).map(endpointOfAccount),
    now(),
    { overflowAfterMs: deps.waiting?.overflowAfterMs ?? DEFAULT_ACD_OPTIONS.overflowAfterMs },
    deps.wrapUp ?? DEFAULT_WRAP_UP,
  );
  const controller = new StasisController({
    ari: connection,
    acd,
    events,
    records: deps.records,
    statusLine: deps.statusLine,
    ...(deps.history ? { history: deps.history } : {}),
    menu: deps.menu,
    waiting: {
      announceEveryMs: deps.waiting?.announceEveryMs ?? DEFAULT_WAITING.announceEveryMs,
      callbackOfferAfterMs: deps.waiting?.callbackOfferAfterMs ?? DEFAULT_WAITING.callbackOfferAfterMs,
    },
    recordCalls: deps.recordCalls ?? true,
    logger,
    now,
    isUp: () => connection.up,
    ringSeconds: deps.ringSeconds ?? RING_TIMEOUT_SECONDS,
    ...(deps.queueCallbacks ? { queueCallbacks: deps.queueCallbacks } : {}),
    queueCallbackPolicy: { ...DEFAULT_QUEUE_CALLBACK, ...deps.queueCallback },
  });
  const accounts = new OperatorSync(
    connection,
    logger.child({ component: 'operator-accounts' }),
    deps.operators,
  );

  return {
    async start() {
      connection.start({
        event: (event) => controller.handle(event),
        connected: () => {
          void controller.onConnected();
          void accounts.connected();
        },
        disconnected: () => controller.onDisconnected(),
      });
    },

    async stop() {
      await connection.stop();
      controller.close();
    },

    setAgentState: (operatorId, request) => controller.requestState(operatorId, request),
    agentStatus: (operatorId) => acd.status(operatorId),
    extendWrapUp: (operatorId) => controller.extendWrapUp(operatorId),
    operatorLost: (operatorId) => controller.operatorLost(operatorId),
    operatorHangsUp: (operatorId, callId) => controller.operatorHangsUp(operatorId, callId),

    currentCall: (operatorId) => controller.currentCall(operatorId),
    async setOperators(operators) {
      // Calls stop going to a removed operator before their account leaves Asterisk.
      controller.setOperators(operators.filter(takesCalls).map(endpointOfAccount));
      await accounts.set(operators);
    },
    storedRecording: (name) => connection.storedRecording(name),
    deleteStoredRecording: (name) => connection.deleteStoredRecording(name),
    coach: (request) => controller.coach(request),
    leaveCoaching: (callId, supervisorId) => controller.leaveCoaching(callId, supervisorId),
    setGlobalVariable: (name, value) => connection.setGlobalVariable(name, value),
    globalVariable: (name) => connection.globalVariable(name),

    snapshot: (at) => ({
      at: at.toISOString(),
      telephonyUp: connection.up,
      // Whether Asterisk still answers is known to the fallback watch; the server adds it.
      mode: connection.up ? 'normal' : 'down',
      fallbackQueue: null,
      // Kept places are places in their queue too: they leave it when their task closes.
      queues: withKeptPlaces(controller.queueStats(at), controller.keptPlaces()),
      // A supervisor joins an operator's talk by its call id.
      agents: acd.agents().map((agent) => {
        const callId = agent.state === 'on_call' ? acd.callOf(agent.operatorId) : null;
        return callId ? { ...agent, callId } : agent;
      }),
    }),
  };
}

function endpointOfAccount({
  sipPassword: _password,
  takesCalls: _takesCalls,
  ...endpoint
}: OperatorAccount): OperatorEndpoint {
  return endpoint;
}

/** Supervisors' softphones have accounts in Asterisk (for coaching) but are never offered calls. */
const takesCalls = (account: OperatorAccount) => account.takesCalls !== false;
