/**
 * Operators' states across restarts. What each operator last chose, or the hotline set for them
 * (ready, not ready with a reason, offline), is kept in SQLite; a server that starts hands it back
 * to the call controller, so an operator who was ready before a restart is ready after it without
 * touching the console. Passing states (ringing, on a call, wrap-up) are not kept: the controller
 * adopts calls in progress from Asterisk itself.
 */
import { ne } from 'drizzle-orm';
import type { AgentStateView } from '../../common/events.ts';
import type { AgentRequest } from '../../ivr/api.ts';
import type { Db } from '../db/index.ts';
import { operatorStates } from './schema.ts';

export interface AgentStateStore {
  /** Every operator's kept state other than offline. */
  load(): Map<number, AgentRequest>;
  /** Keeps what the operator asked for, or the hotline set; a write only when it changed. */
  save(operatorId: number, request: AgentRequest, at: Date): void;
}

/** The request a settled state stands for; null for ringing, on a call or wrap-up. */
export function settledRequest(view: AgentStateView): AgentRequest | null {
  switch (view.state) {
    case 'ready':
    case 'offline':
      return { state: view.state };
    case 'not_ready':
      return view.reason ? { state: 'not_ready', reason: view.reason } : null;
    default:
      return null;
  }
}

const sameRequest = (a: AgentRequest | undefined, b: AgentRequest) =>
  a?.state === b.state && (a.state !== 'not_ready' || (b.state === 'not_ready' && a.reason === b.reason));

const stores = new WeakMap<Db, AgentStateStore>();

/** One store per database, shared by everything that reads or writes operators' states. */
export function agentStateStore(db: Db): AgentStateStore {
  let store = stores.get(db);
  if (!store) {
    store = createAgentStateStore(db);
    stores.set(db, store);
  }
  return store;
}

function createAgentStateStore(db: Db): AgentStateStore {
  /** What is in the table, so unchanged states cost no write. */
  const kept = new Map<number, AgentRequest>();
  return {
    load() {
      const rows = db.select().from(operatorStates).where(ne(operatorStates.state, 'offline')).all();
      const loaded = new Map<number, AgentRequest>();
      for (const row of rows) {
        let request: AgentRequest;
        if (row.state !== 'not_ready') request = { state: row.state };
        else if (row.reason) request = { state: 'not_ready', reason: row.reason };
        else continue;
        loaded.set(row.operatorId, request);
        kept.set(row.operatorId, request);
      }
      return loaded;
    },
    save(operatorId, request, at) {
      if (sameRequest(kept.get(operatorId), request)) return;
      const values = {
        state: request.state,
        reason: request.state === 'not_ready' ? request.reason : null,
        updatedAt: at,
      };
      db.insert(operatorStates)
        .values({ operatorId, ...values })
        .onConflictDoUpdate({ target: operatorStates.operatorId, set: values })
        .run();
      kept.set(operatorId, request);
    },
  };
}
