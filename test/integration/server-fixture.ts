/** An app on a fresh in-memory database with the demo data, for integration tests. */
import type { FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import type { AgentState } from '../../common/domain.ts';
import type { AgentStateView, WallboardSnapshot } from '../../common/events.ts';
import { type AgentRequest, NotInWrapUpError, UnknownOperatorError } from '../../ivr/api.ts';
import { openMenuStore } from '../../ivr/menu-file.ts';
import { type AppDeps, createApp, type Desk } from '../../server/app.ts';
import { type Config, loadConfig } from '../../server/config.ts';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { seedDemo } from '../../server/db/seed.ts';
import { sipAccounts } from '../../server/operators/sip-accounts.ts';
import { MENU_FILE } from '../support/menu.ts';

export const config = loadConfig({
  HOTLINE_ARI_ENABLED: 'false',
  HOTLINE_DB_PATH: ':memory:',
  HOTLINE_SIP_WS_URL: 'ws://127.0.0.1:8088/ws',
  HOTLINE_SIP_DOMAIN: 'hotline.test',
});

export const logger = pino({ level: 'silent' });

/** A desk that knows the seeded operators and records what the server asked of it. */
export class FakeDesk implements Desk {
  readonly states = new Map<number, AgentStateView>();
  readonly changes: { operatorId: number; request: AgentRequest }[] = [];
  /** Operators whose console connection was lost, in order. */
  readonly lost: number[] = [];
  /** Hang-ups announced by consoles; only calls in `calls` (operator id → call id) are accepted. */
  readonly hangups: { operatorId: number; callId: string }[] = [];
  readonly calls = new Map<number, string>();
  /** Stored recordings Asterisk would have, by name. */
  readonly recordings = new Map<string, Buffer>();
  constructor(operatorIds: number[]) {
    for (const id of operatorIds) this.set(id, { state: 'offline' });
  }
  private set(operatorId: number, request: AgentRequest): AgentStateView {
    const status: AgentStateView = {
      state: request.state,
      since: new Date().toISOString(),
      reason: request.state === 'not_ready' ? request.reason : null,
      wrapUpEndsAt: null,
    };
    this.states.set(operatorId, status);
    return status;
  }
  setAgentState(operatorId: number, request: AgentRequest): AgentStateView {
    this.agentStatus(operatorId);
    this.changes.push({ operatorId, request });
    return this.set(operatorId, request);
  }
  agentStatus(operatorId: number): AgentStateView {
    const status = this.states.get(operatorId);
    if (status === undefined) throw new UnknownOperatorError(operatorId);
    return status;
  }
  agentState(operatorId: number): AgentState {
    return this.agentStatus(operatorId).state;
  }
  extendWrapUp(operatorId: number): AgentStateView {
    throw new NotInWrapUpError(operatorId);
  }
  operatorLost(operatorId: number): void {
    this.lost.push(operatorId);
    this.set(operatorId, { state: 'not_ready', reason: 'connection_lost' });
  }
  operatorHangsUp(operatorId: number, callId: string): boolean {
    if (this.calls.get(operatorId) !== callId) return false;
    this.hangups.push({ operatorId, callId });
    return true;
  }
  async storedRecording(name: string): Promise<Buffer | null> {
    return this.recordings.get(name) ?? null;
  }
  snapshot(now: Date): WallboardSnapshot {
    return {
      at: now.toISOString(),
      telephonyUp: false,
      mode: 'down',
      fallbackQueue: null,
      queues: [
        {
          queue: 'health',
          waiting: 2,
          longestWaitSeconds: 40,
          answered: 0,
          abandoned: 0,
          serviceLevel: null,
          serviceLevelCalls: 0,
          averageSpeedOfAnswerSeconds: null,
        },
      ],
      agents: [...this.states].map(([operatorId, status]) => ({
        operatorId,
        displayName: `op ${operatorId}`,
        ...status,
      })),
    };
  }
}

/** Headers of a logged-in console: both cookies and the CSRF header that change requests need. */
export interface AuthHeaders {
  cookie: string;
  'x-csrf-token': string;
  [name: string]: string;
}

export interface Fixture {
  app: FastifyInstance;
  db: Db;
  desk: FakeDesk;
  /** Logs in and returns the `Cookie` header value (session and CSRF cookies). */
  login(username: string, password?: string): Promise<string>;
  /** Logs in and returns the headers a console sends, CSRF token included. */
  session(username: string): Promise<AuthHeaders>;
  userId(username: string): number;
  close(): Promise<void>;
}

/** The CSRF header for a `Cookie` header value from `login`. */
export function csrfHeaders(cookie: string): AuthHeaders {
  const token = /(?:^|; )hotline_csrf=([^;]+)/.exec(cookie)?.[1];
  if (!token) throw new Error('no CSRF cookie in the Cookie header');
  return { cookie, 'x-csrf-token': token };
}

export async function buildFixture(
  opts: Partial<
    Pick<
      AppDeps,
      | 'consoleDir'
      | 'ticketHooks'
      | 'ticketNotifier'
      | 'now'
      | 'loginLimiter'
      | 'dialPermits'
      | 'callbackNotifier'
      | 'ivrMenu'
      | 'controller'
      | 'accountListeners'
      | 'sessionListeners'
    >
  > & {
    agencyUrl?: string;
    /** The shared `config` with these fields changed (TURN, trusted proxies, …). */
    config?: Partial<Config>;
    /** The app's logger; silent by default. */
    logger?: Logger;
  } = {},
): Promise<Fixture> {
  const { agencyUrl, config: changed, logger: appLogger, ...deps } = opts;
  const db = openDatabase(':memory:');
  const logins = await seedDemo(db, { agencyUrl: agencyUrl ?? null });
  // Every operator and supervisor, with a softphone login or not.
  const accounts = sipAccounts(db);
  const desk = new FakeDesk(accounts.map((a) => a.operatorId));
  const ivrMenu =
    deps.ivrMenu ?? (await openMenuStore({ path: MENU_FILE, soundsDir: null, logger, watch: false }));
  const app = await createApp({
    config: { ...config, ...changed },
    db,
    logger: appLogger ?? logger,
    desk,
    ...deps,
    ivrMenu,
  });
  const ids = new Map(
    db.query.users
      .findMany()
      .sync()
      .map((u) => [u.username, u.id]),
  );
  async function login(username: string, password = logins.password): Promise<string> {
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password },
    });
    if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
    const session = res.cookies.find((c) => c.name === 'hotline_session');
    const csrf = res.cookies.find((c) => c.name === 'hotline_csrf');
    if (!session || !csrf) throw new Error('no session or CSRF cookie');
    return `hotline_session=${session.value}; hotline_csrf=${csrf.value}`;
  }
  return {
    app,
    db,
    desk,
    login,
    async session(username) {
      return csrfHeaders(await login(username));
    },
    userId(username) {
      const id = ids.get(username);
      if (id === undefined) throw new Error(`no user ${username}`);
      return id;
    },
    async close() {
      if (!db.$client.open) return;
      await app.close();
      db.$client.close();
    },
  };
}
