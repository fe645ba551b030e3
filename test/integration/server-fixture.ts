/** An app on a fresh in-memory database with the demo data, for integration tests. */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { AgentState } from '../../common/domain.ts';
import type { WallboardSnapshot } from '../../common/events.ts';
import { UnknownOperatorError } from '../../ivr/api.ts';
import { createApp, type Desk } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { type Db, openDatabase } from '../../server/db/index.ts';
import { seedDemo } from '../../server/db/seed.ts';
import type { ForwardQueue } from '../../server/forwarding/queue.ts';
import { sipAccounts } from '../../server/operators/sip-accounts.ts';

export const config = loadConfig({
  HOTLINE_ARI_ENABLED: 'false',
  HOTLINE_DB_PATH: ':memory:',
  HOTLINE_SIP_WS_URL: 'ws://127.0.0.1:8088/ws',
  HOTLINE_SIP_DOMAIN: 'hotline.test',
});

export const logger = pino({ level: 'silent' });

/** Records every enqueued ticket id; `failing` makes it behave like Redis being down. */
export class RecordingQueue implements ForwardQueue {
  readonly enqueued: number[] = [];
  failing = false;
  async enqueue(ticketId: number): Promise<void> {
    if (this.failing) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    this.enqueued.push(ticketId);
  }
}

/** A desk that knows the seeded operators and records state changes. */
export class FakeDesk implements Desk {
  readonly states = new Map<number, AgentState>();
  readonly changes: { operatorId: number; state: AgentState }[] = [];
  constructor(operatorIds: number[]) {
    for (const id of operatorIds) this.states.set(id, 'offline');
  }
  setAgentState(operatorId: number, state: 'ready' | 'not_ready' | 'offline'): AgentState {
    if (!this.states.has(operatorId)) throw new UnknownOperatorError(operatorId);
    this.states.set(operatorId, state);
    this.changes.push({ operatorId, state });
    return state;
  }
  agentState(operatorId: number): AgentState {
    const state = this.states.get(operatorId);
    if (state === undefined) throw new UnknownOperatorError(operatorId);
    return state;
  }
  snapshot(now: Date): WallboardSnapshot {
    return {
      at: now.toISOString(),
      telephonyUp: false,
      queues: [{ queue: 'health', waiting: 2, longestWaitSeconds: 40 }],
      agents: [...this.states].map(([operatorId, state]) => ({
        operatorId,
        displayName: `op ${operatorId}`,
        state,
        since: now.toISOString(),
      })),
    };
  }
}

export interface Fixture {
  app: FastifyInstance;
  db: Db;
  queue: RecordingQueue;
  desk: FakeDesk;
  /** Logs in and returns the `Cookie` header value. */
  login(username: string, password?: string): Promise<string>;
  userId(username: string): number;
  close(): Promise<void>;
}

export async function buildFixture(opts: { consoleDir?: string } = {}): Promise<Fixture> {
  const db = openDatabase(':memory:');
  const logins = await seedDemo(db, { agencyUrl: null });
  const accounts = sipAccounts(db);
  const queue = new RecordingQueue();
  const desk = new FakeDesk(accounts.map((a) => a.operatorId));
  const app = await createApp({ config, db, logger, forwardQueue: queue, desk, ...opts });
  const ids = new Map(
    db.query.users
      .findMany()
      .sync()
      .map((u) => [u.username, u.id]),
  );
  return {
    app,
    db,
    queue,
    desk,
    async login(username, password = logins.password) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password },
      });
      if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
      const cookie = res.cookies.find((c) => c.name === 'hotline_session');
      if (!cookie) throw new Error('no session cookie');
      return `hotline_session=${cookie.value}`;
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
