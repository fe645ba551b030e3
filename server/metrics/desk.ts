/**
 * Gauges read from the call controller's live view at scrape time: callers waiting per queue and
 * the longest wait, operators per state, and whether ARI (the controller) and AMI (the fallback
 * queue's watch) are connected.
 */
import { Gauge, type Registry } from 'prom-client';
import { AGENT_STATES, type AgentState, QUEUE_NAMES } from '../../common/domain.ts';
import type { WallboardSnapshot } from '../../common/events.ts';
import { oncePerTurn } from './once-per-turn.ts';

export interface DeskSource {
  /** The controller's own view (queues, operators, `telephonyUp`), without today's figures. */
  snapshot(): WallboardSnapshot;
  /** Whether the fallback queue's AMI connection is up; absent when AMI is not configured. */
  amiUp?: () => boolean;
}

export function registerDeskMetrics(registry: Registry, source: DeskSource): void {
  const current = oncePerTurn(() => source.snapshot());

  new Gauge({
    name: 'hotline_calls_waiting',
    help: 'Callers waiting in each queue of the call controller.',
    labelNames: ['queue'],
    registers: [registry],
    collect() {
      const waiting = new Map(current().queues.map((q) => [q.queue, q.waiting]));
      for (const queue of QUEUE_NAMES) this.set({ queue }, waiting.get(queue) ?? 0);
    },
  });
  new Gauge({
    name: 'hotline_queue_longest_wait_seconds',
    help: 'Seconds the longest-waiting caller of each queue has waited; 0 when nobody waits.',
    labelNames: ['queue'],
    registers: [registry],
    collect() {
      const longest = new Map(current().queues.map((q) => [q.queue, q.longestWaitSeconds]));
      for (const queue of QUEUE_NAMES) this.set({ queue }, longest.get(queue) ?? 0);
    },
  });
  new Gauge({
    name: 'hotline_operators',
    help: 'Operators in each state.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      // Every state, so a state nobody is in reads 0 instead of vanishing from the scrape.
      const counts = new Map<AgentState, number>(AGENT_STATES.map((s) => [s, 0]));
      for (const agent of current().agents) counts.set(agent.state, (counts.get(agent.state) ?? 0) + 1);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'hotline_ari_up',
    help: '1 while the call controller is connected to Asterisk over ARI, else 0 (also with telephony disabled).',
    registers: [registry],
    collect() {
      this.set(current().telephonyUp ? 1 : 0);
    },
  });
  const amiUp = source.amiUp;
  if (!amiUp) return;
  new Gauge({
    name: 'hotline_ami_up',
    help: "1 while the fallback queue's watch is connected to Asterisk over AMI, else 0.",
    registers: [registry],
    collect() {
      this.set(amiUp() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'hotline_fallback_calls_waiting',
    help: "Callers waiting in the dialplan's fallback queue (used while the controller is down).",
    registers: [registry],
    collect() {
      this.set(current().fallbackQueue?.waiting ?? 0);
    },
  });
}
